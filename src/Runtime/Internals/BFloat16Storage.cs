using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Gen.__Internals;

/// <summary>
/// Optimizer state kept as bfloat16 bits in <see cref="ushort"/> buffers: generated kernels widen each element
/// to float on load, compute in float, and narrow on store, in one pass. Every overload (scalar, 512, 256 and
/// 128 bits, <see cref="Vector{T}"/>, whole spans) gives the same bits for every input.
/// </summary>
/// <remarks>
/// <para>Widening is exact: <c>bits &lt;&lt; 16</c>.</para>
/// <para>
/// Rounding to nearest even is PyTorch's <c>c10::BFloat16</c> <c>round_to_nearest_even</c>: any NaN becomes
/// <c>0x7FC0</c>; every other float <c>(bits + 0x7FFF + ((bits &gt;&gt; 16) &amp; 1)) &gt;&gt; 16</c>, so values that
/// round past the largest finite bfloat16 become ±∞.
/// </para>
/// <para>
/// Stochastic rounding adds the top 16 of the element's 32 random bits <c>r</c> to the float's bits and drops
/// the low 16: <c>(bits + (r &gt;&gt; 16)) &gt;&gt; 16</c>. The bits are sign and magnitude, so the magnitude moves
/// one bfloat16 step away from zero with probability exactly <c>low16 / 2^16</c>, which is
/// <c>(|x| − |RTZ(x)|) / ulp</c>, and toward zero otherwise: the result is always one of the two neighbors of
/// <c>x</c>, exact values are unchanged, the rounding is unbiased at 16 bits' resolution (subnormals included),
/// ±∞ stays, values beyond the largest finite bfloat16 go to it or to ±∞ in the same way, and NaN becomes
/// <c>0x7FC0</c>.
/// </para>
/// <para>
/// The <c>ref</c>/<see cref="nuint"/> overloads and the fixed widths are the .NET 8+ build's (the Intrinsics kernels');
/// netstandard2.1 has the span overloads only.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BFloat16Storage
{
    /// <summary>Widens element <paramref name="index"/> of <paramref name="source"/> to a float (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(Span<ushort> source, int index) => Storage16.ToSingle<BFloat16Format>(source[index]);

    /// <summary>Stores <paramref name="value"/> as element <paramref name="index"/> of <paramref name="destination"/>, rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, Span<ushort> destination, int index) => destination[index] = Storage16.FromSingle<BFloat16Format>(value);

    /// <summary>
    /// Stores <paramref name="value"/> as element <paramref name="index"/> of <paramref name="destination"/>, rounded
    /// stochastically with <see cref="StochasticRounding.Bits(uint, uint)"/> of (<paramref name="stream"/>, <paramref name="index"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic(float value, Span<ushort> destination, int index, uint stream) =>
        destination[index] = Storage16.FromSingleStochastic<BFloat16Format>(value, stream, (uint)index);

    /// <summary>
    /// Widens register <paramref name="register"/> of <paramref name="source"/>: elements
    /// <c>register·Vector&lt;float&gt;.Count</c> to <c>(register + 1)·Vector&lt;float&gt;.Count − 1</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The register does not lie wholly inside the span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LoadVector(Span<ushort> source, int register) => Storage16.LoadVector<BFloat16Format>(source, register);

    /// <summary>Stores <paramref name="value"/> as register <paramref name="register"/> of <paramref name="destination"/> (as <see cref="LoadVector"/> numbers them), rounded to nearest even.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The register does not lie wholly inside the span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreVector(Vector<float> value, Span<ushort> destination, int register) =>
        Storage16.StoreVector<BFloat16Format>(value, destination, register);

    /// <summary>
    /// Stores <paramref name="value"/> as register <paramref name="register"/> of <paramref name="destination"/>, rounded
    /// stochastically: lane <c>j</c> is element <c>register·Vector&lt;float&gt;.Count + j</c> and uses that element's bits of <paramref name="stream"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The register does not lie wholly inside the span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochasticVector(Vector<float> value, Span<ushort> destination, int register, uint stream) =>
        Storage16.StoreStochasticVector<BFloat16Format>(value, destination, register, stream);

    /// <summary>Rounds every element of <paramref name="source"/> to nearest even into <paramref name="destination"/> (the spans must not overlap).</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Narrow(ReadOnlySpan<float> source, Span<ushort> destination) => Storage16.Narrow<BFloat16Format>(source, destination);

    /// <summary>Widens every element of <paramref name="source"/> into <paramref name="destination"/> (exact; the spans must not overlap).</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Widen(ReadOnlySpan<ushort> source, Span<float> destination) => Storage16.Widen<BFloat16Format>(source, destination);

    /// <summary>The bits of <paramref name="value"/> rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value) => Storage16.FromSingle<BFloat16Format>(value);

    /// <summary>The float whose value <paramref name="bits"/> holds (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => Storage16.ToSingle<BFloat16Format>(bits);
#if NET8_0_OR_GREATER

    /// <summary>Widens element <paramref name="index"/> after <paramref name="source"/> to a float (exact). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref ushort source, nuint index) => Storage16.ToSingle<BFloat16Format>(Unsafe.Add(ref source, index));

    /// <summary>Stores <paramref name="value"/> as element <paramref name="index"/> after <paramref name="destination"/>, rounded to nearest even. No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref ushort destination, nuint index) =>
        Unsafe.Add(ref destination, index) = Storage16.FromSingle<BFloat16Format>(value);

    /// <summary>
    /// Stores <paramref name="value"/> as element <paramref name="index"/> after <paramref name="destination"/>, rounded
    /// stochastically with <see cref="StochasticRounding.Bits(uint, uint)"/> of (<paramref name="stream"/>, <c>(uint)index</c>). No bounds check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic(float value, ref ushort destination, nuint index, uint stream) =>
        Unsafe.Add(ref destination, index) = Storage16.FromSingleStochastic<BFloat16Format>(value, stream, (uint)index);

    /// <summary>Widens elements <paramref name="index"/> to <c>index + 15</c> after <paramref name="source"/> (one 256-bit load). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref ushort source, nuint index) => Storage16.Load512<BFloat16Format>(ref source, index);

    /// <summary>Stores the 16 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 15</c>, rounded to nearest even (one 256-bit store). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512(Vector512<float> value, ref ushort destination, nuint index) =>
        Storage16.Store512<BFloat16Format>(default(BFloat16Format).Narrow(value.AsUInt32()), ref destination, index);

    /// <summary>Stores the 16 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 15</c>, rounded stochastically (lane <c>j</c> with the bits of element <c>index + j</c>). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic512(Vector512<float> value, ref ushort destination, nuint index, uint stream) =>
        Storage16.StoreStochastic512<BFloat16Format>(value, ref destination, index, stream);

    /// <summary>Widens elements <paramref name="index"/> to <c>index + 7</c> after <paramref name="source"/> (one 128-bit load). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref ushort source, nuint index) => Storage16.Load256<BFloat16Format>(ref source, index);

    /// <summary>Stores the 8 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 7</c>, rounded to nearest even (one 128-bit store). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store256(Vector256<float> value, ref ushort destination, nuint index) =>
        Storage16.Store256<BFloat16Format>(default(BFloat16Format).Narrow(value.AsUInt32()), ref destination, index);

    /// <summary>Stores the 8 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 7</c>, rounded stochastically (lane <c>j</c> with the bits of element <c>index + j</c>). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic256(Vector256<float> value, ref ushort destination, nuint index, uint stream) =>
        Storage16.StoreStochastic256<BFloat16Format>(value, ref destination, index, stream);

    /// <summary>Widens elements <paramref name="index"/> to <c>index + 3</c> after <paramref name="source"/> (one 64-bit load). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref ushort source, nuint index) => Storage16.Load128<BFloat16Format>(ref source, index);

    /// <summary>Stores the 4 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 3</c>, rounded to nearest even (one 64-bit store). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store128(Vector128<float> value, ref ushort destination, nuint index) =>
        Storage16.Store128<BFloat16Format>(default(BFloat16Format).Narrow(value.AsUInt32()), ref destination, index);

    /// <summary>Stores the 4 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 3</c>, rounded stochastically (lane <c>j</c> with the bits of element <c>index + j</c>). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic128(Vector128<float> value, ref ushort destination, nuint index, uint stream) =>
        Storage16.StoreStochastic128<BFloat16Format>(value, ref destination, index, stream);
#endif
}

/// <summary>bfloat16 as bit operations on 32-bit lanes: see <see cref="BFloat16Storage"/>.</summary>
internal readonly struct BFloat16Format : IStorage16Format
{
    private const uint Magnitude = 0x7FFFFFFF;
    private const uint Infinity = 0x7F800000;
    private const uint QuietNaN = 0x7FC0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Widen(uint bits) => bits << 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Narrow(uint value) =>
        (value & Magnitude) > Infinity ? QuietNaN : (value + 0x7FFF + ((value >> 16) & 1)) >> 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NarrowStochastic(uint value, uint random) =>
        (value & Magnitude) > Infinity ? QuietNaN : (value + (random >> 16)) >> 16;
#if NET8_0_OR_GREATER

    // The NaN test is one float comparison (x == x is false only for NaN), one instruction where an integer
    // test of the magnitude takes two (mask, compare).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<uint> Widen(Vector512<uint> bits) => Vector512.ShiftLeft(bits, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<uint> Narrow(Vector512<uint> value)
    {
        Vector512<uint> rounded = Vector512.ShiftRightLogical(value + Vector512.Create(0x7FFFU) + (Vector512.ShiftRightLogical(value, 16) & Vector512<uint>.One), 16);
        return Vector512.ConditionalSelect(Vector512.Equals(value.AsSingle(), value.AsSingle()).AsUInt32(), rounded, Vector512.Create(QuietNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<uint> NarrowStochastic(Vector512<uint> value, Vector512<uint> random)
    {
        Vector512<uint> rounded = Vector512.ShiftRightLogical(value + Vector512.ShiftRightLogical(random, 16), 16);
        return Vector512.ConditionalSelect(Vector512.Equals(value.AsSingle(), value.AsSingle()).AsUInt32(), rounded, Vector512.Create(QuietNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<uint> Widen(Vector256<uint> bits) => Vector256.ShiftLeft(bits, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<uint> Narrow(Vector256<uint> value)
    {
        Vector256<uint> rounded = Vector256.ShiftRightLogical(value + Vector256.Create(0x7FFFU) + (Vector256.ShiftRightLogical(value, 16) & Vector256<uint>.One), 16);
        return Vector256.ConditionalSelect(Vector256.Equals(value.AsSingle(), value.AsSingle()).AsUInt32(), rounded, Vector256.Create(QuietNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<uint> NarrowStochastic(Vector256<uint> value, Vector256<uint> random)
    {
        Vector256<uint> rounded = Vector256.ShiftRightLogical(value + Vector256.ShiftRightLogical(random, 16), 16);
        return Vector256.ConditionalSelect(Vector256.Equals(value.AsSingle(), value.AsSingle()).AsUInt32(), rounded, Vector256.Create(QuietNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<uint> Widen(Vector128<uint> bits) => Vector128.ShiftLeft(bits, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<uint> Narrow(Vector128<uint> value)
    {
        Vector128<uint> rounded = Vector128.ShiftRightLogical(value + Vector128.Create(0x7FFFU) + (Vector128.ShiftRightLogical(value, 16) & Vector128<uint>.One), 16);
        return Vector128.ConditionalSelect(Vector128.Equals(value.AsSingle(), value.AsSingle()).AsUInt32(), rounded, Vector128.Create(QuietNaN));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<uint> NarrowStochastic(Vector128<uint> value, Vector128<uint> random)
    {
        Vector128<uint> rounded = Vector128.ShiftRightLogical(value + Vector128.ShiftRightLogical(random, 16), 16);
        return Vector128.ConditionalSelect(Vector128.Equals(value.AsSingle(), value.AsSingle()).AsUInt32(), rounded, Vector128.Create(QuietNaN));
    }
#else

    /// <summary><c>bits &lt;&lt; 16</c> as a multiplication by 2^16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<uint> Widen(Vector<uint> bits) => bits * new Vector<uint>(0x10000U);

    /// <summary>
    /// The scalar rule; <c>0x7FFF + bit 16</c> as <c>0x8000</c> plus the all-ones (−1) mask of "bit 16 is clear".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<uint> Narrow(Vector<uint> value)
    {
        Vector<uint> bias = new Vector<uint>(0x8000U) + Vector.Equals(value & new Vector<uint>(0x10000U), Vector<uint>.Zero);
        Vector<uint> rounded = PortableShift.Right(value + bias, 16);
        return Vector.ConditionalSelect(IsNaN(value), new Vector<uint>(QuietNaN), rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<uint> NarrowStochastic(Vector<uint> value, Vector<uint> random)
    {
        Vector<uint> rounded = PortableShift.Right(value + PortableShift.Right(random, 16), 16);
        return Vector.ConditionalSelect(IsNaN(value), new Vector<uint>(QuietNaN), rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> IsNaN(Vector<uint> value) =>
        Vector.AsVectorUInt32(Vector.GreaterThan(Vector.AsVectorInt32(value & new Vector<uint>(Magnitude)), new Vector<int>((int)Infinity)));
#endif
}
