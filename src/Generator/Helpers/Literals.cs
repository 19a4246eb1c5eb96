using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Gen.Generator.Helpers;

/// <summary>C# literal text for constants baked into generated code: exact, short and the same on every host.</summary>
internal static class Literals
{
    /// <summary>The shortest of G15/G17 that parses back to exactly <paramref name="value"/>, with a 'd' suffix.</summary>
    public static string Double(double value)
    {
        string text = value.ToString("G15", CultureInfo.InvariantCulture);
        if (double.Parse(text, CultureInfo.InvariantCulture) != value)
        {
            text = value.ToString("G17", CultureInfo.InvariantCulture);
        }

        return text + "d";
    }

    /// <summary>A double as text without a suffix, for comments and configuration: "0.9", "1E-08".</summary>
    public static string Number(double value) => Double(value).TrimEnd('d');

    /// <summary>The float nearest to <paramref name="value"/>, as the shortest of G7/G9 that parses back exactly, with an 'f' suffix.</summary>
    public static string Single(double value)
    {
        float single = (float)value;
        string text = single.ToString("G7", CultureInfo.InvariantCulture);
        if (float.Parse(text, CultureInfo.InvariantCulture) != single)
        {
            text = single.ToString("G9", CultureInfo.InvariantCulture);
        }

        return text + "f";
    }

    /// <summary>A string literal.</summary>
    public static string String(string value) =>
        SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>"true" or "false".</summary>
    public static string Bool(bool value) => value ? "true" : "false";
}
