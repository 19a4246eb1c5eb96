using System;
using Gen.Generator.Models;

namespace Gen.Generator.Helpers;

/// <summary>
/// float → bfloat16 / binary16 bits, to nearest even, for constants the generator writes (a state buffer's
/// initial value). The same rules as the runtime's <c>BFloat16Storage.FromSingle</c> and
/// <c>Float16Storage.FromSingle</c> (a test holds them together): PyTorch's <c>c10::BFloat16</c> and
/// <c>fp16_ieee_from_fp32_value</c>.
/// </summary>
internal static class HalfBits
{
    public static ushort FromSingle(ElementKind format, float value)
    {
        uint bits = BitConverter.ToUInt32(BitConverter.GetBytes(value), 0);
        return format == ElementKind.BFloat16 ? BFloat16(value, bits) : Float16(bits);
    }

    private static ushort BFloat16(float value, uint bits) =>
        float.IsNaN(value) ? (ushort)0x7FC0 : (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);

    private static ushort Float16(uint bits)
    {
        uint sign = (bits >> 16) & 0x8000u;
        uint magnitude = bits & 0x7FFFFFFFu;
        if (magnitude > 0x7F800000u)
        {
            return (ushort)(sign | 0x7E00u);
        }

        if (magnitude >= 0x477FF000u)
        {
            // At or past halfway between 65504 and 65536, and infinity: rounds to infinity.
            return (ushort)(sign | 0x7C00u);
        }

        int exponent = (int)(magnitude >> 23) - 127;
        if (exponent < -25)
        {
            return (ushort)sign;
        }

        // Significand with its implicit bit; shift so that the binary16 ulp is bit 0, keeping the rest to round.
        uint significand = (magnitude & 0x7FFFFFu) | 0x800000u;
        int shift = exponent >= -14 ? 13 : 13 + (-14 - exponent);
        uint kept = significand >> shift;
        uint rest = significand & ((1u << shift) - 1);
        uint half = 1u << (shift - 1);
        if (rest > half || (rest == half && (kept & 1u) != 0))
        {
            kept++;
        }

        // Normal results: the exponent field plus the significand without its implicit bit (a carry moves into the exponent).
        uint result = exponent >= -14 ? ((uint)(exponent + 14) << 10) + kept : kept;
        return (ushort)(sign | result);
    }
}
