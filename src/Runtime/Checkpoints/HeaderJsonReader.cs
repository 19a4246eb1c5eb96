using System;
using System.Globalization;
using System.Text;

namespace Gen;

/// <summary>The kind of JSON value that starts at the reader's position.</summary>
internal enum HeaderJsonValue : byte
{
    Object,
    Array,
    String,
    Number,

    /// <summary><c>true</c>, <c>false</c> or <c>null</c>: never what a safetensors header holds.</summary>
    Literal,
}

/// <summary>
/// A forward-only reader of the JSON that safetensors headers are made of (RFC 8259, UTF-8, no comments,
/// no trailing commas), for <see cref="SafetensorsHeader.Parse"/>. It reads only what the header's
/// structure asks for next, so it needs no depth limit, no token buffer and no reflection, and the
/// runtime needs no JSON package on any target framework (netstandard2.1 has none, and Unity cannot take
/// System.Text.Json's four assemblies).
/// </summary>
/// <remarks>
/// Strings must be valid UTF-8 with valid escapes; a <c>\u</c> escape of a surrogate must be half of a
/// pair, as System.Text.Json's <c>GetString</c> and the reference implementation's serde_json require.
/// Numbers follow JSON's grammar. Every violation throws <see cref="CheckpointException"/>
/// (<see cref="CheckpointError.InvalidFormat"/>) naming the file. The bytes are read through a
/// <see cref="Span{T}"/> (<see cref="ReadOnlySpans"/> says why).
/// </remarks>
internal ref struct HeaderJsonReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Span<byte> _json;
    private readonly string? _path;
    private int _position;

    public HeaderJsonReader(ReadOnlySpan<byte> json, string? path)
    {
        _json = ReadOnlySpans.ForReading(json);
        _path = path;
        _position = 0;
        LastStringStart = -1;
        LastStringEscaped = false;
    }

    /// <summary>Offset of the first byte inside the quotes of the string read last.</summary>
    public int LastStringStart { get; private set; }

    /// <summary>True when the string read last held an escape sequence.</summary>
    public bool LastStringEscaped { get; private set; }

    /// <summary>The kind of the value after any whitespace; throws when no value starts there.</summary>
    public HeaderJsonValue Peek()
    {
        SkipWhitespace();
        switch (Current)
        {
            case (byte)'{':
                return HeaderJsonValue.Object;
            case (byte)'[':
                return HeaderJsonValue.Array;
            case (byte)'"':
                return HeaderJsonValue.String;
            case (byte)'-':
            case >= (byte)'0' and <= (byte)'9':
                return HeaderJsonValue.Number;
            case (byte)'t' when Follows("true"):
            case (byte)'f' when Follows("false"):
            case (byte)'n' when Follows("null"):
                return HeaderJsonValue.Literal;
            default:
                throw Syntax(_position < _json.Length ? "a value was expected" : "the header ends where a value was expected");
        }
    }

    /// <summary>Consumes the <c>{</c> of an object; <see cref="NextProperty"/> then reads its members.</summary>
    public void StartObject() => Expect((byte)'{');

    /// <summary>
    /// Reads the next member's name and its colon, or the object's closing brace (then returns false).
    /// <paramref name="first"/> is true before the first member and is cleared here.
    /// </summary>
    public bool NextProperty(ref bool first, out string name)
    {
        SkipWhitespace();
        if (Current == (byte)'}')
        {
            _position++;
            name = string.Empty;
            return false;
        }

        if (!first)
        {
            Expect((byte)',');
            SkipWhitespace();
        }

        first = false;
        if (Current != (byte)'"')
        {
            throw Syntax("a member name was expected");
        }

        name = ReadString();
        SkipWhitespace();
        Expect((byte)':');
        return true;
    }

    /// <summary>Consumes the <c>[</c> of an array; <see cref="NextElement"/> then steps through its elements.</summary>
    public void StartArray() => Expect((byte)'[');

    /// <summary>
    /// Moves to the next element (past its comma), or consumes the closing bracket and returns false.
    /// <paramref name="first"/> is true before the first element and is cleared here.
    /// </summary>
    public bool NextElement(ref bool first)
    {
        SkipWhitespace();
        if (Current == (byte)']' && first)
        {
            _position++;
            return false;
        }

        if (!first)
        {
            if (Current == (byte)']')
            {
                _position++;
                return false;
            }

            Expect((byte)',');
            SkipWhitespace();
            if (Current == (byte)']')
            {
                throw Syntax("a value was expected after the comma");
            }
        }

        first = false;
        return true;
    }

    /// <summary>Reads a string value (the reader must be at its opening quote), unescaped.</summary>
    public string ReadString()
    {
        SkipWhitespace();
        Expect((byte)'"');
        LastStringStart = _position;
        LastStringEscaped = false;
        StringBuilder? text = null;
        int segment = _position;
        while (true)
        {
            if (_position >= _json.Length)
            {
                throw Syntax("a string is not closed");
            }

            byte b = _json[_position];
            if (b == (byte)'"')
            {
                string tail = Decode(segment, _position);
                _position++;
                return text is null ? tail : text.Append(tail).ToString();
            }

            if (b < 0x20)
            {
                throw Syntax("a string holds a control character that is not escaped");
            }

            if (b != (byte)'\\')
            {
                _position++;
                continue;
            }

            LastStringEscaped = true;
            text ??= new StringBuilder();
            text.Append(Decode(segment, _position));
            _position++;
            ReadEscape(text);
            segment = _position;
        }
    }

    /// <summary>
    /// Reads a number. True with its value when it is an integer in <see cref="long"/>'s range written without
    /// fraction or exponent (as <c>Utf8JsonReader.TryGetInt64</c> accepts); false for any other number.
    /// Throws when the text is not a JSON number.
    /// </summary>
    public bool TryReadInt64(out long value)
    {
        SkipWhitespace();
        bool negative = Current == (byte)'-';
        if (negative)
        {
            _position++;
        }

        int digits = _position;
        if (Current == (byte)'0')
        {
            _position++;
        }
        else if (IsDigit(Current))
        {
            while (IsDigit(Current))
            {
                _position++;
            }
        }
        else
        {
            throw Syntax("a number has no digits");
        }

        int integerEnd = _position;
        bool integer = true;
        if (Current == (byte)'.')
        {
            integer = false;
            _position++;
            SkipDigits("a number has no digits after its decimal point");
        }

        if (Current is (byte)'e' or (byte)'E')
        {
            integer = false;
            _position++;
            if (Current is (byte)'+' or (byte)'-')
            {
                _position++;
            }

            SkipDigits("a number has no digits in its exponent");
        }

        // What may follow a value inside an array or object, or the whitespace before it.
        if (_position < _json.Length && Current is not ((byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
        {
            throw Syntax("a number is followed by an unexpected character");
        }

        value = 0;
        if (!integer)
        {
            return false;
        }

        // Accumulated as a negative number, whose range includes long.MinValue.
        long magnitude = 0;
        for (int i = digits; i < integerEnd; i++)
        {
            int digit = _json[i] - '0';
            if (magnitude < (long.MinValue + digit) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) - digit;
        }

        if (!negative && magnitude == long.MinValue)
        {
            return false;
        }

        value = negative ? magnitude : -magnitude;
        return true;
    }

    /// <summary>Checks that nothing but whitespace follows the value read last.</summary>
    public void ExpectEnd()
    {
        SkipWhitespace();
        if (_position < _json.Length)
        {
            throw Syntax("more JSON follows the header's object");
        }
    }

    /// <summary>A syntax error at the current position, for <see cref="SafetensorsHeader"/> to report.</summary>
    public readonly CheckpointException Syntax(string what) =>
        SafetensorsHeader.Invalid(_path, string.Format(CultureInfo.InvariantCulture, "the header is not valid JSON ({0} at byte {1}).", what, _position));

    private readonly byte Current => _position < _json.Length ? _json[_position] : (byte)0;

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private void SkipWhitespace()
    {
        while (_position < _json.Length && _json[_position] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            _position++;
        }
    }

    private void SkipDigits(string error)
    {
        if (!IsDigit(Current))
        {
            throw Syntax(error);
        }

        while (IsDigit(Current))
        {
            _position++;
        }
    }

    private void Expect(byte expected)
    {
        if (Current != expected)
        {
            throw Syntax(string.Format(CultureInfo.InvariantCulture, "'{0}' was expected", (char)expected));
        }

        _position++;
    }

    private readonly bool Follows(string literal)
    {
        if (_json.Length - _position < literal.Length)
        {
            return false;
        }

        for (int i = 0; i < literal.Length; i++)
        {
            if (_json[_position + i] != literal[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the escape after a backslash into <paramref name="text"/>.</summary>
    private void ReadEscape(StringBuilder text)
    {
        byte kind = Current;
        _position++;
        switch (kind)
        {
            case (byte)'"':
                text.Append('"');
                return;
            case (byte)'\\':
                text.Append('\\');
                return;
            case (byte)'/':
                text.Append('/');
                return;
            case (byte)'b':
                text.Append('\b');
                return;
            case (byte)'f':
                text.Append('\f');
                return;
            case (byte)'n':
                text.Append('\n');
                return;
            case (byte)'r':
                text.Append('\r');
                return;
            case (byte)'t':
                text.Append('\t');
                return;
            case (byte)'u':
                break;
            default:
                _position--;
                throw Syntax("a string holds an escape sequence JSON does not define");
        }

        char unit = ReadHexUnit();
        if (char.IsLowSurrogate(unit))
        {
            throw Syntax("a string escapes half of a surrogate pair");
        }

        text.Append(unit);
        if (char.IsHighSurrogate(unit))
        {
            if (!(Current == (byte)'\\' && _position + 1 < _json.Length && _json[_position + 1] == (byte)'u'))
            {
                throw Syntax("a string escapes half of a surrogate pair");
            }

            _position += 2;
            char low = ReadHexUnit();
            if (!char.IsLowSurrogate(low))
            {
                throw Syntax("a string escapes half of a surrogate pair");
            }

            text.Append(low);
        }
    }

    /// <summary>The four hexadecimal digits of a <c>\u</c> escape, after the <c>u</c>.</summary>
    private char ReadHexUnit()
    {
        int unit = 0;
        for (int i = 0; i < 4; i++)
        {
            int digit = HexValue(Current);
            if (digit < 0)
            {
                throw Syntax("a \\u escape does not have four hexadecimal digits");
            }

            unit = (unit * 16) + digit;
            _position++;
        }

        return (char)unit;
    }

    /// <summary>The bytes [start, end) as text; throws unless they are valid UTF-8.</summary>
    private readonly string Decode(int start, int end)
    {
        if (start == end)
        {
            return string.Empty;
        }

        try
        {
            return StrictUtf8.GetString(_json.Slice(start, end - start));
        }
        catch (DecoderFallbackException e)
        {
            throw SafetensorsHeader.Invalid(_path, string.Format(CultureInfo.InvariantCulture, "the header is not valid UTF-8 JSON (a string has bytes that are not UTF-8, from byte {0}).", start), e);
        }
    }
}
