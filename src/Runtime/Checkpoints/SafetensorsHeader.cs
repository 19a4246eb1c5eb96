using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gen;

/// <summary>One entry of a safetensors header: a tensor's name, element type, shape and place in the data.</summary>
internal sealed class TensorEntry
{
    public TensorEntry(string name, string dtype, long[] shape, long begin, long end)
    {
        Name = name;
        Dtype = dtype;
        Shape = shape;
        Begin = begin;
        End = end;
    }

    public string Name { get; }

    /// <summary>The safetensors dtype, e.g. <c>F32</c>.</summary>
    public string Dtype { get; }

    public long[] Shape { get; }

    /// <summary>Offset of the first byte in the data section (which follows the header).</summary>
    public long Begin { get; }

    /// <summary>Offset just past the last byte in the data section.</summary>
    public long End { get; }

    public long ByteLength => End - Begin;
}

/// <summary>The safetensors dtypes and their sizes; Gen writes only <c>F32</c> and <c>F64</c>.</summary>
internal static class Dtypes
{
    public const string F32 = "F32";
    public const string F64 = "F64";

    /// <summary>Bytes per element, or 0 for a name the safetensors format does not define.</summary>
    public static int SizeOf(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or F32 => 4,
        "I64" or "U64" or F64 => 8,
        _ => 0,
    };
}

/// <summary>
/// The JSON header of a safetensors file (https://github.com/huggingface/safetensors): parsed with every
/// structural rule checked, or written with the padding the reference implementation uses.
/// </summary>
/// <remarks>
/// Gen's checksum is the <c>crc32</c> entry of <c>__metadata__</c>: 8 lowercase hexadecimal digits.
/// It is computed over the whole file with those 8 digits written as <c>00000000</c>, so the parser
/// records where they are (<see cref="ChecksumOffset"/>).
/// </remarks>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header the reference implementation accepts.</summary>
    public const long MaxLength = 100_000_000;

    /// <summary>Metadata key of the checksum.</summary>
    public const string ChecksumKey = "crc32";

    private const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, TensorEntry> _byName;

    private SafetensorsHeader(Dictionary<string, string> metadata, List<TensorEntry> tensors, int checksumOffset, uint checksum)
    {
        Metadata = metadata;
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        Tensors = tensors;
        ChecksumOffset = checksumOffset;
        Checksum = checksum;
        _byName = new Dictionary<string, TensorEntry>(tensors.Count, StringComparer.Ordinal);
        foreach (TensorEntry tensor in tensors)
        {
            _byName.Add(tensor.Name, tensor);
        }
    }

    /// <summary>The <c>__metadata__</c> map, empty when the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor, in data order.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>Length of the data section: the tensors cover it without gaps or overlaps.</summary>
    public long DataLength => Tensors.Count == 0 ? 0 : Tensors[Tensors.Count - 1].End;

    /// <summary>Offset of the checksum's 8 hexadecimal digits within the header bytes, or -1 when there is no checksum.</summary>
    public int ChecksumOffset { get; }

    /// <summary>The recorded checksum; meaningful when <see cref="ChecksumOffset"/> is not -1.</summary>
    public uint Checksum { get; }

    public TensorEntry? Find(string name) => _byName.TryGetValue(name, out TensorEntry? entry) ? entry : null;

    /// <summary>Parses a header and checks its structure; throws <see cref="CheckpointError.InvalidFormat"/> otherwise.</summary>
    /// <param name="json">The header bytes (JSON, then optional padding spaces).</param>
    /// <param name="path">The file, for messages; null for a stream.</param>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string? path)
    {
        if (json.IsEmpty || json[0] != (byte)'{')
        {
            throw Invalid(path, "the header does not start with '{'.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int checksumOffset = -1;
        uint checksum = 0;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (!names.Add(name))
                {
                    throw Invalid(path, $"the header names '{name}' twice.");
                }

                reader.Read();
                if (name == MetadataKey)
                {
                    ReadMetadata(ref reader, path, metadata, ref checksumOffset, ref checksum);
                }
                else
                {
                    tensors.Add(ReadTensor(ref reader, path, name));
                }
            }

            // The top-level object has ended; only whitespace (the padding) may follow.
            if (reader.Read())
            {
                throw Invalid(path, "the header has more JSON after its object.");
            }
        }
        catch (JsonException e)
        {
            throw Invalid(path, "the header is not valid JSON (" + e.Message + ").", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on text that is not valid UTF-8.
            throw Invalid(path, "the header is not valid UTF-8 JSON (" + e.Message + ").", e);
        }

        var header = new SafetensorsHeader(metadata, tensors, checksumOffset, checksum);
        header.CheckLayout(path);
        return header;
    }

    /// <summary>
    /// Writes a header: <c>__metadata__</c> with <paramref name="metadata"/> then <c>crc32</c> =
    /// <c>00000000</c>, then one entry per tensor at consecutive offsets, in the given order; padded
    /// with spaces to a multiple of 8 bytes so the data that follows is 8-byte aligned in the file.
    /// </summary>
    public static byte[] Write(IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<(string Name, string Dtype, int[] Shape, long ByteLength)> tensors)
    {
        var buffer = new ArrayBufferWriter<byte>();

        // Relaxed escaping: the header is a file format, never embedded in HTML, and a Python reader
        // sees "1E+20" rather than "1E\u002B20". Non-ASCII text is still valid JSON either way.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                writer.WriteString(pair.Key, pair.Value);
            }

            writer.WriteString(ChecksumKey, "00000000");
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

    private static void ReadMetadata(ref Utf8JsonReader reader, string? path, Dictionary<string, string> metadata, ref int checksumOffset, ref uint checksum)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(path, "__metadata__ is not an object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Invalid(path, $"__metadata__ entry '{key}' is not a string.");
            }

            if (key == ChecksumKey)
            {
                ReadOnlySpan<byte> digits = reader.ValueSpan;
                if (reader.ValueIsEscaped || digits.Length != 8 || !IsLowercaseHex(digits))
                {
                    throw Invalid(path, "the crc32 metadata entry is not 8 lowercase hexadecimal digits.");
                }

                // TokenStartIndex is the opening quote of the string.
                checksumOffset = checked((int)reader.TokenStartIndex + 1);
                checksum = Convert.ToUInt32(reader.GetString(), 16);
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Invalid(path, $"__metadata__ names '{key}' twice.");
            }
        }
    }

    private static TensorEntry ReadTensor(ref Utf8JsonReader reader, string? path, string name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(path, $"the header entry '{name}' is not a tensor description.");
        }

        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            reader.Read();
            switch (field)
            {
                case "dtype" when dtype is null && reader.TokenType == JsonTokenType.String:
                    dtype = reader.GetString()!;
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, path, name, field);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, path, name, field);
                    break;
                default:
                    throw Invalid(path, $"tensor '{name}' has an unexpected, repeated or malformed field '{field}'.");
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            throw Invalid(path, $"tensor '{name}' lacks its dtype, shape or data_offsets.");
        }

        int size = Dtypes.SizeOf(dtype);
        if (size == 0)
        {
            throw Invalid(path, $"tensor '{name}' has dtype '{dtype}', which safetensors does not define.");
        }

        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw Invalid(path, $"tensor '{name}' has data_offsets that are not [begin, end] with begin <= end.");
        }

        long bytes;
        try
        {
            bytes = size;
            foreach (long dimension in shape)
            {
                bytes = checked(bytes * dimension);
            }
        }
        catch (OverflowException)
        {
            bytes = -1;
        }

        if (bytes != offsets[1] - offsets[0])
        {
            throw Invalid(path, $"tensor '{name}' spans {offsets[1] - offsets[0]} bytes, which is not the size of a {dtype} tensor of shape {FormatShape(shape)}.");
        }

        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string? path, string name, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid(path, $"the {field} of tensor '{name}' is not an array.");
        }

        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                throw Invalid(path, $"the {field} of tensor '{name}' holds something other than integers >= 0.");
            }

            values.Add(value);
        }

        return values.ToArray();
    }

    /// <summary>The shape as text, e.g. <c>[4, 3]</c>; <c>[]</c> for a scalar.</summary>
    public static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    private static bool IsLowercaseHex(ReadOnlySpan<byte> digits)
    {
        foreach (byte b in digits)
        {
            if (!(b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>As the reference implementation requires: the tensors cover the data from byte 0 with no gap or overlap.</summary>
    private void CheckLayout(string? path)
    {
        long expected = 0;
        foreach (TensorEntry tensor in Tensors)
        {
            if (tensor.Begin != expected)
            {
                throw Invalid(path, $"tensor '{tensor.Name}' starts at data byte {tensor.Begin}, but the previous tensor ends at {expected}: the data has a gap or an overlap.");
            }

            expected = tensor.End;
        }
    }

    private static CheckpointException Invalid(string? path, string detail, Exception? inner = null) =>
        new(CheckpointError.InvalidFormat, null, path, detail + " The file is damaged, or it is not a safetensors file.", inner);
}
