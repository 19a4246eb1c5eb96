using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Gen.__Internals;

/// <summary>
/// The random bits behind stochastic rounding of 16-bit optimizer state: a counter-based generator, so an
/// element's bits depend only on the stream key and its index, never on the path, width, thread or order
/// that stored it. A step is reproducible and every SIMD path stores the same bits.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class StochasticRounding
{
    /// <summary>
    /// The 32 random bits for element <paramref name="index"/> of stream <paramref name="stream"/>:
    /// <c>Mix32(stream + index)</c> (wrapping), where <c>Mix32</c> is Chris Wellons' bijective "lowbias32"
    /// integer finalizer. Distinct indices of one stream never share bits (up to 2^32 elements).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bits(uint stream, uint index) => Mix32(stream + index);

    /// <summary>
    /// The stream key of one optimizer step for one member: <paramref name="seed"/>, <paramref name="step"/> and
    /// <paramref name="member"/> each folded in by a SplitMix64 finalizer in turn (a bijection of 64 bits, so
    /// changing any one input changes the whole key), then the high 32 bits.
    /// </summary>
    public static uint StepKey(ulong seed, long step, int member)
    {
        const ulong Gamma = 0x9E3779B97F4A7C15UL;
        ulong z = Mix64(seed + Gamma);
        z = Mix64(z + (ulong)step + Gamma);
        z = Mix64(z + (uint)member + Gamma);
        return (uint)(z >> 32);
    }

    /// <summary>Wellons' lowbias32: <c>x ^= x &gt;&gt; 16; x *= 0x7feb352d; x ^= x &gt;&gt; 15; x *= 0x846ca68b; x ^= x &gt;&gt; 16</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Mix32(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352DU;
        x ^= x >> 15;
        x *= 0x846CA68BU;
        x ^= x >> 16;
        return x;
    }

    /// <summary>The SplitMix64 output function (Stafford's variant 13).</summary>
    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
#if !NET8_0_OR_GREATER

    /// <summary>0, 1, 2, ... in the lanes of a <see cref="Vector{T}"/>.</summary>
    private static readonly Vector<uint> LaneIndices = CreateLaneIndices();

    /// <summary><see cref="Bits(uint, uint)"/> of elements <c>index</c> to <c>index + Vector&lt;uint&gt;.Count − 1</c>, one per lane (netstandard2.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<uint> BitsVector(uint stream, uint index)
    {
        Vector<uint> x = new Vector<uint>(stream + index) + LaneIndices;
        x ^= PortableShift.Right(x, 16);
        x *= new Vector<uint>(0x7FEB352DU);
        x ^= PortableShift.Right(x, 15);
        x *= new Vector<uint>(0x846CA68BU);
        x ^= PortableShift.Right(x, 16);
        return x;
    }

    private static Vector<uint> CreateLaneIndices()
    {
        uint[] lanes = new uint[Vector<uint>.Count];
        for (int j = 0; j < lanes.Length; j++)
        {
            lanes[j] = (uint)j;
        }

        return new Vector<uint>(lanes);
    }
#else

    /// <summary><see cref="Bits(uint, uint)"/> of elements <c>index</c> to <c>index + 15</c>, one per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> Bits512(uint stream, nuint index)
    {
        Vector512<uint> x = Vector512.Create(stream + (uint)index)
            + Vector512.Create(0U, 1U, 2U, 3U, 4U, 5U, 6U, 7U, 8U, 9U, 10U, 11U, 12U, 13U, 14U, 15U);
        x ^= Vector512.ShiftRightLogical(x, 16);
        x *= 0x7FEB352DU;
        x ^= Vector512.ShiftRightLogical(x, 15);
        x *= 0x846CA68BU;
        x ^= Vector512.ShiftRightLogical(x, 16);
        return x;
    }

    /// <summary><see cref="Bits(uint, uint)"/> of elements <c>index</c> to <c>index + 7</c>, one per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> Bits256(uint stream, nuint index)
    {
        Vector256<uint> x = Vector256.Create(stream + (uint)index) + Vector256.Create(0U, 1U, 2U, 3U, 4U, 5U, 6U, 7U);
        x ^= Vector256.ShiftRightLogical(x, 16);
        x *= 0x7FEB352DU;
        x ^= Vector256.ShiftRightLogical(x, 15);
        x *= 0x846CA68BU;
        x ^= Vector256.ShiftRightLogical(x, 16);
        return x;
    }

    /// <summary><see cref="Bits(uint, uint)"/> of elements <c>index</c> to <c>index + 3</c>, one per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Bits128(uint stream, nuint index)
    {
        Vector128<uint> x = Vector128.Create(stream + (uint)index) + Vector128.Create(0U, 1U, 2U, 3U);
        x ^= Vector128.ShiftRightLogical(x, 16);
        x *= 0x7FEB352DU;
        x ^= Vector128.ShiftRightLogical(x, 15);
        x *= 0x846CA68BU;
        x ^= Vector128.ShiftRightLogical(x, 16);
        return x;
    }
#endif
}
