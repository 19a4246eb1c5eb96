using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Gen.Optimizers.Tests;

/// <summary>Finds the generated optimizers of a model class by the Name their attribute gave them.</summary>
internal static class Optimizers
{
    /// <summary>The optimizer attribute (of any kind) named <paramref name="name"/> on <typeparamref name="TModel"/>.</summary>
    public static Attribute Configuration<TModel>(string name) => All<TModel>().Single(a => NameOf(a) == name);

    public static string[] Names<TModel>() => All<TModel>().Select(NameOf).ToArray();

    /// <summary>The <paramref name="attributeType"/> attributes on <paramref name="model"/>, by the Name each gives its optimizer.</summary>
    public static IReadOnlyDictionary<string, Attribute> Attributes(Type model, Type attributeType)
    {
        PropertyInfo name = attributeType.GetProperty("Name") ?? throw new ArgumentException($"{attributeType} has no Name.", nameof(attributeType));
        return model.GetCustomAttributes(attributeType, inherit: false).Cast<Attribute>().ToDictionary(a => (string)name.GetValue(a)!, StringComparer.Ordinal);
    }

    public static Optimizer<TGradients> Create<TModel, TGradients>(string name, TModel model)
        where TGradients : GradientsBase
    {
        Type type = typeof(TModel).GetNestedType(name) ?? throw new InvalidOperationException($"No generated optimizer '{name}' in {typeof(TModel)}.");
        return (Optimizer<TGradients>)Activator.CreateInstance(type, model)!;
    }

    /// <summary>A seed that is the same in every process (string.GetHashCode is not).</summary>
    public static int StableSeed(string text, int salt)
    {
        int hash = salt;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }

    private static IEnumerable<Attribute> All<TModel>() => typeof(TModel)
        .GetCustomAttributes()
        .Where(a => a.GetType().Namespace == "Gen" && a.GetType().GetProperty("Name") is not null);

    private static string NameOf(Attribute attribute) => (string)attribute.GetType().GetProperty("Name")!.GetValue(attribute)!;
}
