using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>One tensor of an <see cref="EditableCheckpoint"/>: its description and raw little-endian bytes.</summary>
internal sealed class EditableTensor
{
    public EditableTensor(string name, string dtype, long[] shape, byte[] data)
    {
        Name = name;
        Dtype = dtype;
        Shape = shape;
        Data = data;
    }

    public string Name { get; set; }

    public string Dtype { get; set; }

    public long[] Shape { get; set; }

    public byte[] Data { get; set; }

    public float SingleAt(int index) => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(index * 4));
}

/// <summary>
/// A Gen checkpoint read and written by code that shares nothing with the runtime: System.Text.Json's
/// DOM, a bit-by-bit CRC-32 and the regular expression of the Python snippet in docs/CHECKPOINTS.md.
/// Tests use it to inspect what the runtime writes, and to forge files that are well-formed and
/// correctly checksummed but wrong in one chosen way.
/// </summary>
internal sealed class EditableCheckpoint
{
    /// <summary>The checksum's digits, found as the Python snippet finds them.</summary>
    private static readonly Regex ChecksumField = new("\"crc32\"\\s*:\\s*\"([0-9a-f]{8})\"", RegexOptions.CultureInvariant);

    /// <summary>The metadata, in file order, without the checksum.</summary>
    public List<KeyValuePair<string, string>> Metadata { get; } = new();

    /// <summary>The tensors, in data order.</summary>
    public List<EditableTensor> Tensors { get; } = new();

    /// <summary>The header length the file had.</summary>
    public long HeaderLength { get; private set; }

    /// <summary>The header JSON text the file had, padding included.</summary>
    public string HeaderText { get; private set; } = string.Empty;

    /// <summary>The data offsets the file had, by tensor name.</summary>
    public Dictionary<string, (long Begin, long End)> Offsets { get; } = new(StringComparer.Ordinal);

    public string this[string key]
    {
        get => Metadata.Single(p => p.Key == key).Value;
        set
        {
            int index = Metadata.FindIndex(p => p.Key == key);
            if (index < 0)
            {
                Metadata.Add(new(key, value));
            }
            else
            {
                Metadata[index] = new(key, value);
            }
        }
    }

    public EditableTensor Tensor(string name) => Tensors.Single(t => t.Name == name);

    /// <summary>Reads a file, asserting that its checksum is right.</summary>
    public static EditableCheckpoint Parse(byte[] file)
    {
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string headerText = Encoding.UTF8.GetString(file, 8, (int)headerLength);
        var checkpoint = new EditableCheckpoint { HeaderLength = headerLength, HeaderText = headerText };

        Match match = ChecksumField.Match(headerText);
        Assert.True(match.Success, "The header has no crc32 entry.");
        byte[] zeroed = (byte[])file.Clone();
        Encoding.ASCII.GetBytes("00000000").CopyTo(zeroed, 8 + ByteIndex(headerText, match.Groups[1].Index));
        Assert.Equal(Convert.ToUInt32(match.Groups[1].Value, 16), ReferenceCrc32(zeroed));

        JsonObject header = JsonNode.Parse(headerText)!.AsObject();
        int dataStart = 8 + (int)headerLength;
        foreach (KeyValuePair<string, JsonNode?> entry in header)
        {
            if (entry.Key == "__metadata__")
            {
                foreach (KeyValuePair<string, JsonNode?> pair in entry.Value!.AsObject())
                {
                    if (pair.Key != "crc32")
                    {
                        checkpoint.Metadata.Add(new(pair.Key, pair.Value!.GetValue<string>()));
                    }
                }

                continue;
            }

            JsonObject tensor = entry.Value!.AsObject();
            long begin = tensor["data_offsets"]![0]!.GetValue<long>();
            long end = tensor["data_offsets"]![1]!.GetValue<long>();
            checkpoint.Offsets.Add(entry.Key, (begin, end));
            checkpoint.Tensors.Add(new EditableTensor(
                entry.Key,
                tensor["dtype"]!.GetValue<string>(),
                tensor["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray(),
                file.AsSpan(dataStart + (int)begin, (int)(end - begin)).ToArray()));
        }

        checkpoint.Tensors.Sort((a, b) => checkpoint.Offsets[a.Name].Begin.CompareTo(checkpoint.Offsets[b.Name].Begin));
        Assert.Equal(file.Length, dataStart + checkpoint.Tensors.Sum(t => t.Data.Length));
        return checkpoint;
    }

    /// <summary>
    /// Writes the checkpoint with a correct checksum: the metadata first (crc32 last), then the
    /// tensors at consecutive offsets in list order, padded with spaces to 8 bytes.
    /// </summary>
    /// <param name="indented">Indented JSON, unlike the runtime's: readers must not depend on the layout of the text.</param>
    public byte[] ToBytes(bool indented = false)
    {
        var metadata = new JsonObject();
        foreach (KeyValuePair<string, string> pair in Metadata)
        {
            metadata.Add(pair.Key, pair.Value);
        }

        metadata.Add("crc32", "00000000");
        var header = new JsonObject { ["__metadata__"] = metadata };
        long offset = 0;
        foreach (EditableTensor tensor in Tensors)
        {
            header.Add(tensor.Name, new JsonObject
            {
                ["dtype"] = tensor.Dtype,
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + tensor.Data.Length),
            });
            offset += tensor.Data.Length;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { WriteIndented = indented }));
        int padded = (json.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        int position = 8 + padded;
        foreach (EditableTensor tensor in Tensors)
        {
            tensor.Data.CopyTo(file, position);
            position += tensor.Data.Length;
        }

        string text = Encoding.UTF8.GetString(file, 8, padded);
        Match match = ChecksumField.Match(text);
        Encoding.ASCII.GetBytes(ReferenceCrc32(file).ToString("x8")).CopyTo(file, 8 + ByteIndex(text, match.Groups[1].Index));
        return file;
    }

    /// <summary>The UTF-8 byte offset of a character offset.</summary>
    private static int ByteIndex(string text, int charIndex) => Encoding.UTF8.GetByteCount(text.AsSpan(0, charIndex));

    /// <summary>CRC-32 (zlib's) one bit at a time, straight from the definition.</summary>
    public static uint ReferenceCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
