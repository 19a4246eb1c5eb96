using System;
using System.Buffers.Binary;

namespace Gen;

/// <summary>
/// CRC-32 as zlib, PNG and Python's <c>zlib.crc32</c> compute it (IEEE 802.3, reflected polynomial
/// 0xEDB88320, initial value and final XOR 0xFFFFFFFF), so a Python reader can check a checkpoint with
/// the standard library. Slicing-by-8: eight table lookups per 8 bytes. It detects every error burst of
/// up to 32 bits, so a changed byte in a checkpoint's header or data is always caught.
/// </summary>
/// <remarks>
/// Written here rather than taken from System.IO.Hashing so the runtime needs no package. The
/// hardware CRC32 instructions compute CRC-32C (another polynomial), which Python's zlib does not.
/// </remarks>
internal struct Crc32
{
    private static readonly uint[] Table = CreateTable();

    private uint _state;

    /// <summary>Starts a checksum of no bytes.</summary>
    public Crc32()
    {
        _state = 0xFFFFFFFFu;
    }

    /// <summary>The checksum of every byte appended so far.</summary>
    public readonly uint Value => ~_state;

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32();
        crc.Append(data);
        return crc.Value;
    }

    /// <summary>Continues the checksum over <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        uint crc = _state;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4));
            crc = table[(7 * 256) + (low & 0xFF)]
                ^ table[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ table[(5 * 256) + ((low >> 16) & 0xFF)]
                ^ table[(4 * 256) + (low >> 24)]
                ^ table[(3 * 256) + (high & 0xFF)]
                ^ table[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ table[256 + ((high >> 16) & 0xFF)]
                ^ table[high >> 24];
            data = data.Slice(8);
        }

        Span<byte> rest = ReadOnlySpans.ForReading(data);
        for (int i = 0; i < rest.Length; i++)
        {
            crc = table[(crc ^ rest[i]) & 0xFF] ^ (crc >> 8);
        }

        _state = crc;
    }

    /// <summary>Table k holds the CRC of a byte followed by k zero bytes.</summary>
    private static uint[] CreateTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }

            table[i] = crc;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }

        return table;
    }
}
