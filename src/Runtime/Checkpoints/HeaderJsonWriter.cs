using System;
using System.Globalization;
using System.Text;

namespace Gen;

/// <summary>
/// Writes the compact JSON of a safetensors header (no whitespace), for <see cref="SafetensorsHeader.Write"/>:
/// the bytes System.Text.Json's <c>Utf8JsonWriter</c> with <c>JavaScriptEncoder.UnsafeRelaxedJsonEscaping</c>
/// wrote before this writer replaced it, for every name Gen gives a tensor or a metadata entry.
/// </summary>
/// <remarks>
/// Escaped, as that encoder does: <c>"</c> and <c>\</c>; the control characters, <c>\b \f \n \r \t</c> in
/// short form and the others (with DEL and U+0080–U+009F) as <c>\u00XX</c>; U+2028 and U+2029 (line
/// breaks to JavaScript); every character beyond the BMP as a <c>\uD83D\uDE00</c> surrogate pair. Other
/// characters are written as UTF-8, where that encoder also escaped the BMP code points its Unicode tables
/// call unassigned, private-use or format characters: the text a reader gets is the same, and neither
/// depends on a Unicode table that differs between runtimes. Text that is not valid UTF-16 (a lone
/// surrogate) throws <see cref="ArgumentException"/>, as <c>Utf8JsonWriter</c> did.
/// </remarks>
internal sealed class HeaderJsonWriter
{
    private readonly StringBuilder _text = new();

    /// <summary>True when the next member or element needs a comma before it.</summary>
    private bool _separate;

    public void StartObject()
    {
        Separate();
        _text.Append('{');
        _separate = false;
    }

    public void EndObject()
    {
        _text.Append('}');
        _separate = true;
    }

    public void StartArray()
    {
        Separate();
        _text.Append('[');
        _separate = false;
    }

    public void EndArray()
    {
        _text.Append(']');
        _separate = true;
    }

    public void PropertyName(string name)
    {
        Separate();
        AppendQuoted(name);
        _text.Append(':');
        _separate = false;
    }

    public void String(string value)
    {
        Separate();
        AppendQuoted(value);
        _separate = true;
    }

    public void Number(long value)
    {
        Separate();
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
        _separate = true;
    }

    /// <summary>The JSON text as UTF-8.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <summary>The JSON text written so far.</summary>
    public override string ToString() => _text.ToString();

    private static bool MustEscape(char c) => c < 0x20 || c == '"' || c == '\\' || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';

    private void Separate()
    {
        if (_separate)
        {
            _text.Append(',');
        }
    }

    private void AppendQuoted(string value)
    {
        _text.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    throw new ArgumentException("A checkpoint name or metadata entry is not valid UTF-16 text (it holds half of a surrogate pair).", nameof(value));
                }

                AppendEscaped(c);
                AppendEscaped(value[++i]);
            }
            else if (!MustEscape(c))
            {
                _text.Append(c);
            }
            else
            {
                switch (c)
                {
                    case '"':
                        _text.Append("\\\"");
                        break;
                    case '\\':
                        _text.Append("\\\\");
                        break;
                    case '\b':
                        _text.Append("\\b");
                        break;
                    case '\f':
                        _text.Append("\\f");
                        break;
                    case '\n':
                        _text.Append("\\n");
                        break;
                    case '\r':
                        _text.Append("\\r");
                        break;
                    case '\t':
                        _text.Append("\\t");
                        break;
                    default:
                        AppendEscaped(c);
                        break;
                }
            }
        }

        _text.Append('"');
    }

    /// <summary><c>\uXXXX</c> with uppercase hexadecimal digits.</summary>
    private void AppendEscaped(char c) => _text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
}
