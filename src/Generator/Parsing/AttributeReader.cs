using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Gen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gen.Generator.Parsing;

/// <summary>
/// Reads the named arguments of one optimizer attribute and checks their values. A failed check
/// reports at the argument's location and marks the attribute invalid.
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

    public double Double(string name, double defaultValue) =>
        Value(name) is { } value ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : defaultValue;

    public bool Bool(string name, bool defaultValue) =>
        Value(name) is bool value ? value : defaultValue;

    public string? String(string name, string defaultValue) =>
        Find(name) is { } constant ? constant.Value as string : defaultValue;

    /// <summary>Reads an enum property and checks that its value is one of <paramref name="names"/> (values 0, 1, ...).</summary>
    public int Enum(string name, string enumName, params string[] names)
    {
        int value = Value(name) is { } raw ? Convert.ToInt32(raw, CultureInfo.InvariantCulture) : 0;
        if (value < 0 || value >= names.Length)
        {
            Fail(DiagnosticDescriptors.UndefinedEnumValue, name, name, value, enumName, string.Join(", ", names.Select(n => enumName + "." + n)));
            return 0;
        }

        return value;
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

    private object? Value(string name) => Find(name)?.Value;

    private TypedConstant? Find(string name)
    {
        foreach (var argument in _attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind != TypedConstantKind.Error)
            {
                return argument.Value;
            }
        }

        return null;
    }
}
