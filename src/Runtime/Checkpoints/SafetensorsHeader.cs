using System;
using System.Runtime.InteropServices;
using System.Collections.Generic;

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
    public const string BF16 = "BF16";
    public const string F16 = "F16";
    public const string U8 = "U8";

    /// <summary>The safetensors dtype of <paramref name="element"/>.</summary>
    public static string Of(TensorElement element) => element switch
    {
        TensorElement.Single => F32,
        TensorElement.Double => F64,
        TensorElement.BFloat16 => BF16,
        TensorElement.UInt8 => U8,
        _ => F16,
    };

    /// <summary>The bytes of <paramref name="tensor"/>'s elements, in the machine's (little-endian) order.</summary>
    public static Span<byte> AsBytes(TensorRef tensor) => tensor.Element switch
    {
        TensorElement.Single => MemoryMarshal.AsBytes(tensor.AsSingleSpan()),
        TensorElement.Double => MemoryMarshal.AsBytes(tensor.AsDoubleSpan()),
        TensorElement.UInt8 => tensor.AsByteSpan(),
        _ => MemoryMarshal.AsBytes(tensor.AsBitsSpan()),
    };

    /// <summary>The dtypes float optimizer state may be stored in (StatePrecision Float32, BFloat16, Float16).</summary>
    public static bool IsStatePrecision(string dtype) => dtype is F32 or BF16 or F16;

    /// <summary>"Float32", "BFloat16" or "Float16": the StatePrecision that stores <paramref name="dtype"/>.</summary>
    public static string StatePrecisionName(string dtype) => dtype switch
    {
        BF16 => "BFloat16",
        F16 => "Float16",
        _ => "Float32",
    };

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
/// structural rule checked, or written with the padding the reference implementation uses. The JSON is
/// read and written by the runtime's own <see cref="HeaderJsonReader"/> and <see cref="HeaderJsonWriter"/>,
/// on every target framework.
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
        if (json.IsEmpty || ReadOnlySpans.ForReading(json)[0] != (byte)'{')
        {
            throw Invalid(path, "the header does not start with '{'.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int checksumOffset = -1;
        uint checksum = 0;
        var reader = new HeaderJsonReader(json, path);
        reader.StartObject();
        bool first = true;
        while (reader.NextProperty(ref first, out string name))
        {
            if (!names.Add(name))
            {
                throw Invalid(path, $"the header names '{name}' twice.");
            }

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
        reader.ExpectEnd();

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
        var writer = new HeaderJsonWriter();
        writer.StartObject();
        writer.PropertyName(MetadataKey);
        writer.StartObject();
        foreach (KeyValuePair<string, string> pair in metadata)
        {
            writer.PropertyName(pair.Key);
            writer.String(pair.Value);
        }

        writer.PropertyName(ChecksumKey);
        writer.String("00000000");
        writer.EndObject();
        long offset = 0;
        foreach ((string name, string dtype, int[] shape, long byteLength) in tensors)
        {
            writer.PropertyName(name);
            writer.StartObject();
            writer.PropertyName("dtype");
            writer.String(dtype);
            writer.PropertyName("shape");
            writer.StartArray();
            foreach (int dimension in shape)
            {
                writer.Number(dimension);
            }

            writer.EndArray();
            writer.PropertyName("data_offsets");
            writer.StartArray();
            writer.Number(offset);
            writer.Number(offset + byteLength);
            writer.EndArray();
            writer.EndObject();
            offset += byteLength;
        }

        writer.EndObject();
        byte[] json = writer.ToUtf8();
        int padded = (json.Length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        json.CopyTo(header, 0);
        header.AsSpan(json.Length).Fill((byte)' ');
        return header;
    }

    /// <summary>A <see cref="CheckpointError.InvalidFormat"/> error naming the file.</summary>
    internal static CheckpointException Invalid(string? path, string detail, Exception? inner = null) =>
        new(CheckpointError.InvalidFormat, null, path, detail + " The file is damaged, or it is not a safetensors file.", inner);

    private static void ReadMetadata(ref HeaderJsonReader reader, string? path, Dictionary<string, string> metadata, ref int checksumOffset, ref uint checksum)
    {
        if (reader.Peek() != HeaderJsonValue.Object)
        {
            throw Invalid(path, "__metadata__ is not an object.");
        }

        reader.StartObject();
        bool first = true;
        while (reader.NextProperty(ref first, out string key))
        {
            if (reader.Peek() != HeaderJsonValue.String)
            {
                throw Invalid(path, $"__metadata__ entry '{key}' is not a string.");
            }

            string value = reader.ReadString();
            if (key == ChecksumKey)
            {
                if (reader.LastStringEscaped || value.Length != 8 || !IsLowercaseHex(value))
                {
                    throw Invalid(path, "the crc32 metadata entry is not 8 lowercase hexadecimal digits.");
                }

                checksumOffset = reader.LastStringStart;
                checksum = Convert.ToUInt32(value, 16);
            }

            if (!metadata.TryAdd(key, value))
            {
                throw Invalid(path, $"__metadata__ names '{key}' twice.");
            }
        }
    }

    private static TensorEntry ReadTensor(ref HeaderJsonReader reader, string? path, string name)
    {
        if (reader.Peek() != HeaderJsonValue.Object)
        {
            throw Invalid(path, $"the header entry '{name}' is not a tensor description.");
        }

        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        reader.StartObject();
        bool first = true;
        while (reader.NextProperty(ref first, out string field))
        {
            switch (field)
            {
                case "dtype" when dtype is null && reader.Peek() == HeaderJsonValue.String:
                    dtype = reader.ReadString();
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

    private static long[] ReadIntegers(ref HeaderJsonReader reader, string? path, string name, string field)
    {
        if (reader.Peek() != HeaderJsonValue.Array)
        {
            throw Invalid(path, $"the {field} of tensor '{name}' is not an array.");
        }

        var values = new List<long>();
        reader.StartArray();
        bool first = true;
        while (reader.NextElement(ref first))
        {
            if (reader.Peek() != HeaderJsonValue.Number || !reader.TryReadInt64(out long value) || value < 0)
            {
                throw Invalid(path, $"the {field} of tensor '{name}' holds something other than integers >= 0.");
            }

            values.Add(value);
        }

        return values.ToArray();
    }

    /// <summary>The shape as text, e.g. <c>[4, 3]</c>; <c>[]</c> for a scalar.</summary>
    public static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static bool IsLowercaseHex(string digits)
    {
        foreach (char c in digits)
        {
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f'))
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
}
