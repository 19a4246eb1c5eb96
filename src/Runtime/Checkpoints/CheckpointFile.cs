using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Gen.__Internals;

namespace Gen;

/// <summary>
/// Reads and writes the bytes of a checkpoint: an 8-byte little-endian header length, the JSON
/// header padded with spaces to a multiple of 8 bytes, then the tensors' raw little-endian data.
/// </summary>
internal static class CheckpointFile
{
    private const int DiscardChunk = 64 * 1024;

    /// <summary>
    /// Writes <paramref name="layout"/> to <paramref name="stream"/>. The checksum precedes the data
    /// it covers, so it is computed in a first pass over the arrays and the file written in a second:
    /// the stream need not be seekable and nothing is buffered but the header.
    /// </summary>
    public static void Write(Stream stream, CheckpointLayout layout)
    {
        var entries = layout.Slots.ConvertAll(s => (s.Name, s.Dtype, s.Shape, s.ByteLength));
        byte[] header = SafetensorsHeader.Write(layout.Metadata, entries);

        // The writer's own output goes through the reader's parser: it finds the checksum digits, and
        // a header this runtime could not read back is never written.
        int checksumOffset = SafetensorsHeader.Parse(header, path: null).ChecksumOffset;

        byte[] prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        var crc = new Crc32();
        crc.Append(prefix);
        crc.Append(header);
        foreach (TensorSlot slot in layout.Slots)
        {
            crc.Append(slot.Bytes);
        }

        Encoding.ASCII.GetBytes(crc.Value.ToString("x8", CultureInfo.InvariantCulture), header.AsSpan(checksumOffset, 8));
        stream.Write(prefix);
        stream.Write(header);
        foreach (TensorSlot slot in layout.Slots)
        {
            stream.Write(slot.Bytes);
        }

        stream.Flush();
    }

    /// <summary>
    /// Reads one checkpoint and stages the tensors <paramref name="plan"/> accepts in new arrays,
    /// checking in this order: the structure (header length, JSON, tensor layout), the length, the
    /// checksum, then whatever <paramref name="plan"/> found wrong. Writes nothing outside the staging.
    /// </summary>
    /// <param name="stream">Positioned at the checkpoint; left just after it.</param>
    /// <param name="path">The file, for messages; null for a stream.</param>
    /// <param name="wholeFile">The checkpoint must end where the stream ends (a file).</param>
    /// <param name="plan">Compares the header with the target.</param>
    /// <returns>Each accepted slot and the array its values were staged in.</returns>
    public static (LoadPlan Plan, Dictionary<TensorSlot, TensorRef> Staged) Read(Stream stream, string? path, bool wholeFile, Func<SafetensorsHeader, LoadPlan> plan)
    {
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;
        long consumed = 0;

        byte[] prefix = new byte[8];
        ReadExactly(stream, prefix, path, ref consumed, "the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > SafetensorsHeader.MaxLength)
        {
            throw new CheckpointException(CheckpointError.InvalidFormat, null, path, $"its first 8 bytes give a header length of {headerLength}; a safetensors header has 2 to {SafetensorsHeader.MaxLength} bytes, so this is not a safetensors file.");
        }

        if (available < 8 + (long)headerLength)
        {
            throw Truncated(path, available.Value, 8 + (long)headerLength, "its header");
        }

        byte[] headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, path, ref consumed, "the header");
        SafetensorsHeader header = SafetensorsHeader.Parse(headerBytes, path);
        if (header.ChecksumOffset < 0)
        {
            throw header.Metadata.TryGetValue(CheckpointLayout.FormatKey, out string? format) && format == CheckpointLayout.FormatTag
                ? new CheckpointException(CheckpointError.InvalidFormat, SafetensorsHeader.ChecksumKey, path, "its metadata has no 'crc32' checksum.")
                : new CheckpointException(CheckpointError.NotGenCheckpoint, null, path, "it is a safetensors file, but not a Gen checkpoint (its metadata has no Gen format tag and no crc32 checksum).");
        }

        long total = 8 + (long)headerLength + header.DataLength;
        if (available < total)
        {
            throw Truncated(path, available.Value, total, "its data");
        }

        if (wholeFile && available > total)
        {
            throw new CheckpointException(CheckpointError.InvalidFormat, null, path, $"the file has {available} bytes, but the checkpoint its header describes ends after {total}.");
        }

        var crc = new Crc32();
        crc.Append(prefix);
        headerBytes.AsSpan(header.ChecksumOffset, 8).Fill((byte)'0');
        crc.Append(headerBytes);

        LoadPlan accepted = plan(header);
        var staged = new Dictionary<TensorSlot, TensorRef>();
        byte[]? discard = null;
        foreach (TensorEntry entry in header.Tensors)
        {
            if (accepted.Slots is not null && accepted.Slots.TryGetValue(entry.Name, out TensorSlot? slot))
            {
                // The plan checked dtype and shape: the entry's bytes are exactly the slot's, or (a converting load) as
                // many elements at another state precision, staged as they are and converted when copied.
                TensorRef staging = slot.CreateStaging(entry.Dtype);
                Span<byte> bytes = Dtypes.AsBytes(staging);
                ReadExactly(stream, bytes, path, ref consumed, $"tensor '{entry.Name}'", total);
                crc.Append(bytes);
                staged.Add(slot, staging);
            }
            else
            {
                // Not staged (the plan found a problem): read through it to verify the checksum first.
                discard ??= new byte[DiscardChunk];
                for (long left = entry.ByteLength; left > 0;)
                {
                    Span<byte> chunk = discard.AsSpan(0, (int)Math.Min(left, DiscardChunk));
                    ReadExactly(stream, chunk, path, ref consumed, $"tensor '{entry.Name}'", total);
                    crc.Append(chunk);
                    left -= chunk.Length;
                }
            }
        }

        if (crc.Value != header.Checksum)
        {
            throw new CheckpointException(CheckpointError.ChecksumMismatch, null, path, $"its bytes have CRC32 {crc.Value:x8}, but it records {header.Checksum:x8}: the checkpoint was altered or damaged after it was written.");
        }

        if (accepted.Error is not null)
        {
            throw accepted.Error;
        }

        return (accepted, staged);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string? path, ref long consumed, string what, long total = -1)
    {
        // Stream.ReadAtLeast (.NET 7) spelled out for netstandard2.1: a read may return fewer bytes than asked.
        int read = 0;
        while (read < buffer.Length)
        {
            int chunk = stream.Read(buffer.Slice(read));
            if (chunk == 0)
            {
                break;
            }

            read += chunk;
        }

        consumed += read;
        if (read < buffer.Length)
        {
            throw new CheckpointException(
                CheckpointError.Truncated,
                null,
                path,
                total < 0
                    ? $"it ends after {consumed} bytes, within {what}."
                    : $"it ends after {consumed} bytes, within {what}, but its header declares {total} bytes.");
        }
    }

    private static CheckpointException Truncated(string? path, long available, long needed, string what) =>
        new(CheckpointError.Truncated, null, path, $"it has {available} bytes, but {what} needs {needed}: the checkpoint is truncated.");
}
