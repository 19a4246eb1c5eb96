using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// The runtime's own JSON reader and writer of safetensors headers, against System.Text.Json, which
/// the runtime used before (and which the netstandard2.1 build cannot take): the same bytes written for
/// the names Gen writes, the same text read from any valid header, and the same headers rejected.
/// </summary>
public sealed class HeaderJsonTests
{
    private const string Path = "header.safetensors";

    /// <summary>
    /// Names with every ASCII character, non-ASCII letters, surrogate pairs, line separators and C1 controls.
    /// Not here: the BMP characters System.Text.Json's encoder escaped from its Unicode tables (unassigned,
    /// private-use, some spaces and format characters), which the runtime writes as UTF-8 (HeaderJsonWriter).
    /// </summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>
        {
            string.Concat(Enumerable.Range(0, 128).Select(c => (char)c)),
            "W1.square_avg",
            "Gewicht_ä.ß",
            "权重",
            "emoji \U0001F600 and \U00010400",
            "line\u2028paragraph\u2029",
            "c1\u0080\u009F del\u007F",
            "quote\" backslash\\ slash/ <tag>&'+`",
            string.Empty,
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WriterWritesTheBytesOfUtf8JsonWriterWithRelaxedEscaping(string name)
    {
        var metadata = new List<KeyValuePair<string, string>> { new("format", "gen.checkpoint"), new(name, name + "!") };
        var tensors = new List<(string, string, int[], long)> { (name, "F32", new[] { 2, 3 }, 24), ("b", "F64", Array.Empty<int>(), 8) };

        byte[] written = SafetensorsHeader.Write(metadata, tensors);

        Assert.Equal(Encoding.UTF8.GetString(ReferenceWrite(metadata, tensors)), Encoding.UTF8.GetString(written));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ReaderReadsBackWhatTheWriterWrote(string name)
    {
        var metadata = new List<KeyValuePair<string, string>> { new(name, name + "!") };
        byte[] written = SafetensorsHeader.Write(metadata, new List<(string, string, int[], long)> { (name, "F32", new[] { 2, 3 }, 24) });

        SafetensorsHeader header = SafetensorsHeader.Parse(written, Path);

        Assert.Equal(name + "!", header.Metadata[name]);
        Assert.Equal("00000000", header.Metadata[SafetensorsHeader.ChecksumKey]);
        Assert.Equal("00000000", Encoding.ASCII.GetString(written, header.ChecksumOffset, 8));
        TensorEntry tensor = Assert.Single(header.Tensors);
        Assert.Equal(name, tensor.Name);
        Assert.Equal(new long[] { 2, 3 }, tensor.Shape);
        Assert.Equal((0L, 24L), (tensor.Begin, tensor.End));
    }

    [Fact]
    public void ReaderTakesAnyValidLayoutOfAHeaderAsSystemTextJsonDoes()
    {
        const string json = " \t\r\n{ \"__meta\\u0064ata__\" :\n{\"crc32\":\"0123abcd\", \"k\\\"\\\\\\/\\b\\f\\n\\r\\t\" : \"\\u00e9\\u00C9\\uD83D\\uDE00\\u0000\"} ,\r\n"
            + "\"\\uD801\\uDC00 é\" : { \"data_offsets\" : [ 0 , 24 ] , \"shape\" : [ 2,3 ], \"dtype\":\"F32\" },"
            + "\"s\":{\"dtype\":\"F\\u00364\",\"shape\":[],\"data_offsets\":[24,32]}, \"e\":{\"dtype\":\"F32\",\"shape\":[0, 5],\"data_offsets\":[32,32]}}  \t\n";
        byte[] bytes = Encoding.UTF8.GetBytes(json.TrimStart());

        SafetensorsHeader header = SafetensorsHeader.Parse(bytes, Path);

        JsonObject reference = JsonNode.Parse(bytes)!.AsObject();
        JsonObject metadata = reference["__metadata__"]!.AsObject();
        Assert.Equal(
            metadata.Select(p => (p.Key, p.Value!.GetValue<string>())).OrderBy(p => p.Key, StringComparer.Ordinal),
            header.Metadata.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(0x0123abcdu, header.Checksum);
        Assert.Equal("0123abcd", Encoding.ASCII.GetString(bytes, header.ChecksumOffset, 8));
        Assert.Equal(
            reference.Where(p => p.Key != "__metadata__").Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal),
            header.Tensors.Select(t => t.Name).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("F64", header.Find("s")!.Dtype);
        Assert.Equal(new long[] { 0, 5 }, header.Find("e")!.Shape);
        Assert.Equal(32, header.DataLength);
    }

    [Fact]
    public void ReaderTakesLargeIntegersAndNegativeZeroAsUtf8JsonReaderDoes()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("{\"x\":{\"dtype\":\"U8\",\"shape\":[-0,4611686018427387903],\"data_offsets\":[0,0]}}");
        Assert.True(new Utf8JsonReader(Encoding.UTF8.GetBytes("-0")).Read());

        TensorEntry tensor = Assert.Single(SafetensorsHeader.Parse(bytes, Path).Tensors);

        Assert.Equal(new long[] { 0, 4611686018427387903 }, tensor.Shape);
    }

    public static TheoryData<string, string> Invalid() => new()
    {
        { "a lone high surrogate", "{\"\\uD800\":{}}" },
        { "a lone low surrogate", "{\"__metadata__\":{\"a\":\"\\uDC00\"}}" },
        { "a high surrogate before a letter", "{\"__metadata__\":{\"a\":\"\\uD800\\u0041\"}}" },
        { "an undefined escape", "{\"__metadata__\":{\"a\":\"\\x41\"}}" },
        { "a short \\u escape", "{\"__metadata__\":{\"a\":\"\\u41\"}}" },
        { "a control character", "{\"__metadata__\":{\"a\":\"\t\"}}" },
        { "an unclosed string", "{\"__metadata__\":{\"a\":\"abc" },
        { "an unclosed object", "{\"__metadata__\":{\"a\":\"abc\"}" },
        { "a trailing comma in an object", "{\"__metadata__\":{\"a\":\"b\",}}" },
        { "a trailing comma in an array", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1,],\"data_offsets\":[0,4]}}" },
        { "a missing comma", "{\"__metadata__\":{\"a\":\"b\" \"c\":\"d\"}}" },
        { "a missing colon", "{\"__metadata__\" {}}" },
        { "a comment", "{/* no */}" },
        { "a leading zero", "{\"x\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}" },
        { "an exponent", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}}" },
        { "a number too large for a long", "{\"x\":{\"dtype\":\"F32\",\"shape\":[9223372036854775808],\"data_offsets\":[0,4]}}" },
        { "a number followed by a letter", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1x],\"data_offsets\":[0,4]}}" },
        { "a sign alone", "{\"x\":{\"dtype\":\"F32\",\"shape\":[-],\"data_offsets\":[0,4]}}" },
        { "a size that overflows", "{\"x\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}" },
        { "a literal as a tensor", "{\"x\":null}" },
        { "a misspelt literal", "{\"x\":nul}" },
        { "a string as a shape", "{\"x\":{\"dtype\":\"F32\",\"shape\":\"[1]\",\"data_offsets\":[0,4]}}" },
        { "a nested array in a shape", "{\"x\":{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}}" },
        { "a dtype given twice", "{\"x\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}" },
        { "a number as a dtype", "{\"x\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}" },
        { "a metadata value that is an object", "{\"__metadata__\":{\"a\":{}}}" },
        { "metadata that is an array", "{\"__metadata__\":[]}" },
        { "a character after the object", "{}x" },
        { "a byte-order mark", "\uFEFF{}" },
        { "overlong UTF-8", "{\"__metadata__\":{\"a\":\"\xC0\xAF\"}}" },
        { "a UTF-8 surrogate", "{\"__metadata__\":{\"a\":\"\xED\xA0\x80\"}}" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ReaderRejectsWhatSystemTextJsonRejectedNamingTheFile(string what, string json)
    {
        // Strings of chars up to 0xFF stand for raw bytes, so the cases can hold bytes that are not UTF-8.
        byte[] bytes = what.Contains("UTF-8", StringComparison.Ordinal) ? Encoding.Latin1.GetBytes(json) : Encoding.UTF8.GetBytes(json);

        CheckpointException e = Assert.Throws<CheckpointException>(() => SafetensorsHeader.Parse(bytes, Path));

        Assert.True(e.Error == CheckpointError.InvalidFormat, what);
        Assert.Equal(Path, e.Path);
        Assert.Contains(Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriterRejectsALoneSurrogateAsUtf8JsonWriterDid()
    {
        var metadata = new List<KeyValuePair<string, string>> { new("a", "\uD800") };
        Assert.Throws<ArgumentException>(() => SafetensorsHeader.Write(metadata, new List<(string, string, int[], long)>()));
    }

    /// <summary>The header as the runtime wrote it with System.Text.Json, padding included.</summary>
    private static byte[] ReferenceWrite(List<KeyValuePair<string, string>> metadata, List<(string Name, string Dtype, int[] Shape, long ByteLength)> tensors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                writer.WriteString(pair.Key, pair.Value);
            }

            writer.WriteString("crc32", "00000000");
            writer.WriteEndObject();
            long offset = 0;
            foreach ((string name, string dtype, int[] shape, long byteLength) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype);
                writer.WriteStartArray("shape");
                foreach (int dimension in shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + byteLength);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += byteLength;
            }

            writer.WriteEndObject();
        }

        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }
}
