using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Gen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gen.Generator.Parsing;

/// <summary>
/// Reads one attribute the way Mapperly reads its configuration: the generator references the
/// attributes assembly (packed beside it), creates a real instance of the attribute class and applies
/// the written arguments to it, so every default is the attribute class's own and nothing restates it.
/// The checks then report at the argument's location and mark the attribute invalid.
/// </summary>
internal sealed class AttributeReader
{
    private readonly AttributeData _attribute;
    private readonly DiagnosticSink? _sink;
    private readonly CancellationToken _cancellationToken;

    public AttributeReader(AttributeData attribute, DiagnosticSink? sink, CancellationToken cancellationToken)
    {
        _attribute = attribute;
        _sink = sink;
        _cancellationToken = cancellationToken;
    }

    /// <summary>True once any check failed.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>True when the attribute sets <paramref name="name"/> explicitly.</summary>
    public bool IsSet(string name) => _attribute.NamedArguments.Any(a => a.Key == name);

    /// <summary>The attribute as an instance of <typeparamref name="TAttribute"/>, with its written arguments applied.</summary>
    public TAttribute Instance<TAttribute>()
        where TAttribute : Attribute =>
        Instantiate<TAttribute>(_attribute);

    /// <summary>
    /// Creates <typeparamref name="TAttribute"/> from its constructor arguments, then sets each named
    /// argument on it. Arguments the compiler already rejected (kind Error) are left out: the compiler
    /// reports them, and the attribute keeps its default there.
    /// </summary>
    public static TAttribute Instantiate<TAttribute>(AttributeData data)
        where TAttribute : Attribute
    {
        Type type = typeof(TAttribute);
        object?[] arguments = data.ConstructorArguments.Select(a => a.Kind == TypedConstantKind.Error ? null : a.Value).ToArray();
        ConstructorInfo constructor = type.GetConstructors().Single(c => c.GetParameters().Length == arguments.Length);
        ParameterInfo[] parameters = constructor.GetParameters();
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = ConvertTo(arguments[i], parameters[i].ParameterType);
        }

        var attribute = (TAttribute)constructor.Invoke(arguments);
        foreach (var argument in data.NamedArguments)
        {
            if (argument.Value.Kind != TypedConstantKind.Error
                && type.GetProperty(argument.Key, BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } property)
            {
                property.SetValue(attribute, ConvertTo(argument.Value.Value, property.PropertyType));
            }
        }

        return attribute;
    }

    /// <summary>A constant as Roslyn gives it (an enum as its underlying value) converted to <paramref name="type"/>.</summary>
    private static object? ConvertTo(object? value, Type type) =>
        value is null ? (type.IsValueType ? Activator.CreateInstance(type) : null)
        : type.IsEnum ? Enum.ToObject(type, value)
        : Convert.ChangeType(value, type, CultureInfo.InvariantCulture);

    /// <summary>Checks that an enum property holds one of its type's named values.</summary>
    public void Defined<TEnum>(string name, TEnum value)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(typeof(TEnum), value))
        {
            string enumName = typeof(TEnum).Name;
            Fail(
                DiagnosticDescriptors.UndefinedEnumValue,
                name,
                name,
                Convert.ToInt64(value, CultureInfo.InvariantCulture),
                enumName,
                string.Join(", ", Enum.GetNames(typeof(TEnum)).Select(n => enumName + "." + n)));
        }
    }

    /// <summary>Checks value >= 0 and finite.</summary>
    public void NonNegativeFinite(string name, double value, DiagnosticDescriptor descriptor) =>
        Check(value >= 0 && !double.IsInfinity(value), descriptor, name, value);

    /// <summary>Checks value > 0 and finite.</summary>
    public void PositiveFinite(string name, double value, DiagnosticDescriptor descriptor) =>
        Check(value > 0 && !double.IsInfinity(value), descriptor, name, value);

    /// <summary>Checks 0 &lt;= value &lt; 1.</summary>
    public void UnitInterval(string name, double value, DiagnosticDescriptor descriptor) =>
        Check(value >= 0 && value < 1, descriptor, name, value);

    /// <summary>Reports <paramref name="descriptor"/> with arguments (name, value) unless <paramref name="ok"/>.</summary>
    public void Check(bool ok, DiagnosticDescriptor descriptor, string name, double value)
    {
        if (!ok)
        {
            Fail(descriptor, name, name, Format(value));
        }
    }

    /// <summary>Reports <paramref name="descriptor"/> at the argument <paramref name="name"/> (or the attribute).</summary>
    public void Fail(DiagnosticDescriptor descriptor, string name, params object?[] args)
    {
        HasErrors = true;
        _sink?.Report(descriptor, ArgumentLocation(name), args);
    }

    /// <summary>Reports the warning <paramref name="descriptor"/> at the argument <paramref name="name"/> (or the attribute); the spec stays valid.</summary>
    public void Warn(DiagnosticDescriptor descriptor, string name, params object?[] args) =>
        _sink?.Report(descriptor, ArgumentLocation(name), args);

    /// <summary>The location of the argument <paramref name="name"/>, or of the whole attribute when it is not written.</summary>
    public Location? ArgumentLocation(string? name)
    {
        if (_attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
