using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Gen.__Internals;

/// <summary>
/// Optimizer state kept as IEEE 754 binary16 (half) bits in <see cref="ushort"/> buffers: generated kernels widen
/// each element to float on load, compute in float, and narrow on store, in one pass. Every overload (scalar,
/// 512, 256 and 128 bits, <see cref="Vector{T}"/>, whole spans) gives the same bits for every input.
/// </summary>
/// <remarks>
/// <para>
/// Widening is exact, subnormals, ±0 and ±∞ included; a NaN keeps its sign and its payload shifted left by 13,
/// its quiet bit as the bits say (a signaling NaN stays signaling: no float operation touches it).
/// </para>
/// <para>
/// Rounding to nearest even is PyTorch's <c>c10::detail::fp16_ieee_from_fp32_value</c> (Maratyszcza's FP16
/// library): any NaN becomes <c>sign | 0x7E00</c>; every other float is rounded to nearest even, subnormal
/// results and overflow to ±∞ included, the bits .NET's <c>(Half)value</c> gives.
/// </para>
/// <para>
/// Stochastic rounding takes the top 13 of the element's 32 random bits, <c>n = r &gt;&gt; 19</c>, uniform in
/// [0, 2^13), as noise in units of 2^−13 of the binary16 step, adds it to the magnitude and truncates:
/// </para>
/// <list type="bullet">
/// <item>Normal results (|x| ≥ 2^−14): <c>((|bits| + n) &gt;&gt; 13) − 0x1C000</c>, the float's 13 dropped bits
/// plus the noise, carrying into the exponent like the bfloat16 rule. The probability of rounding away from
/// zero is exactly <c>(|x| − |RTZ(x)|) / ulp</c> (those 13 bits are the whole fraction), so the rounding is
/// exactly unbiased here.</item>
/// <item>Subnormal results (|x| &lt; 2^−14, step 2^−24): <c>(⌊|x|·2^37⌋ + n) &gt;&gt; 13</c>, the same 13-bit
/// fraction of a step, truncated when |x| has bits below 2^−37 (floats below 2^−15): there the probability of
/// rounding away is the exact one truncated to 13 bits, a bias toward zero below 2^−13 of a step. A result of
/// 2^10 steps is the smallest normal, 0x0400.</item>
/// <item>±∞ stays ±∞. |x| ≥ 65536 (the step after 65504) becomes ±∞; 65504 &lt; |x| &lt; 65536 becomes ±65504 or ±∞
/// by the rule above, ∞ standing for 65536. NaN becomes <c>sign | 0x7E00</c>.</item>
/// </list>
/// <para>
/// So the result is always one of the two binary16 neighbors of <c>x</c>, and exactly representable values
/// (their dropped fraction is 0) are stored exactly.
/// </para>
/// <para>
/// The <c>ref</c>/<see cref="nuint"/> overloads and the fixed widths are the .NET 8+ build's (the Intrinsics kernels');
/// netstandard2.1 has the span overloads only.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Float16Storage
{
    /// <summary>Widens element <paramref name="index"/> of <paramref name="source"/> to a float (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(Span<ushort> source, int index) => Storage16.ToSingle<Float16Format>(source[index]);

    /// <summary>Stores <paramref name="value"/> as element <paramref name="index"/> of <paramref name="destination"/>, rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, Span<ushort> destination, int index) => destination[index] = Storage16.FromSingle<Float16Format>(value);

    /// <summary>
    /// Stores <paramref name="value"/> as element <paramref name="index"/> of <paramref name="destination"/>, rounded
    /// stochastically with <see cref="StochasticRounding.Bits(uint, uint)"/> of (<paramref name="stream"/>, <paramref name="index"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic(float value, Span<ushort> destination, int index, uint stream) =>
        destination[index] = Storage16.FromSingleStochastic<Float16Format>(value, stream, (uint)index);

    /// <summary>
    /// Widens register <paramref name="register"/> of <paramref name="source"/>: elements
    /// <c>register·Vector&lt;float&gt;.Count</c> to <c>(register + 1)·Vector&lt;float&gt;.Count − 1</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The register does not lie wholly inside the span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LoadVector(Span<ushort> source, int register) => Storage16.LoadVector<Float16Format>(source, register);

    /// <summary>Stores <paramref name="value"/> as register <paramref name="register"/> of <paramref name="destination"/> (as <see cref="LoadVector"/> numbers them), rounded to nearest even.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The register does not lie wholly inside the span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreVector(Vector<float> value, Span<ushort> destination, int register) =>
        Storage16.StoreVector<Float16Format>(value, destination, register);

    /// <summary>
    /// Stores <paramref name="value"/> as register <paramref name="register"/> of <paramref name="destination"/>, rounded
    /// stochastically: lane <c>j</c> is element <c>register·Vector&lt;float&gt;.Count + j</c> and uses that element's bits of <paramref name="stream"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The register does not lie wholly inside the span.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochasticVector(Vector<float> value, Span<ushort> destination, int register, uint stream) =>
        Storage16.StoreStochasticVector<Float16Format>(value, destination, register, stream);

    /// <summary>Rounds every element of <paramref name="source"/> to nearest even into <paramref name="destination"/> (the spans must not overlap).</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Narrow(ReadOnlySpan<float> source, Span<ushort> destination) => Storage16.Narrow<Float16Format>(source, destination);

    /// <summary>Widens every element of <paramref name="source"/> into <paramref name="destination"/> (exact; the spans must not overlap).</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Widen(ReadOnlySpan<ushort> source, Span<float> destination) => Storage16.Widen<Float16Format>(source, destination);

    /// <summary>The bits of <paramref name="value"/> rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value) => Storage16.FromSingle<Float16Format>(value);

    /// <summary>The float whose value <paramref name="bits"/> holds (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => Storage16.ToSingle<Float16Format>(bits);
#if NET8_0_OR_GREATER

    /// <summary>Widens element <paramref name="index"/> after <paramref name="source"/> to a float (exact). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref ushort source, nuint index) => Storage16.ToSingle<Float16Format>(Unsafe.Add(ref source, index));

    /// <summary>Stores <paramref name="value"/> as element <paramref name="index"/> after <paramref name="destination"/>, rounded to nearest even. No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref ushort destination, nuint index) =>
        Unsafe.Add(ref destination, index) = Storage16.FromSingle<Float16Format>(value);

    /// <summary>
    /// Stores <paramref name="value"/> as element <paramref name="index"/> after <paramref name="destination"/>, rounded
    /// stochastically with <see cref="StochasticRounding.Bits(uint, uint)"/> of (<paramref name="stream"/>, <c>(uint)index</c>). No bounds check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic(float value, ref ushort destination, nuint index, uint stream) =>
        Unsafe.Add(ref destination, index) = Storage16.FromSingleStochastic<Float16Format>(value, stream, (uint)index);

    /// <summary>Widens elements <paramref name="index"/> to <c>index + 15</c> after <paramref name="source"/> (one 256-bit load). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref ushort source, nuint index) => Storage16.Load512<Float16Format>(ref source, index);

    /// <summary>Stores the 16 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 15</c>, rounded to nearest even (one 256-bit store). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512(Vector512<float> value, ref ushort destination, nuint index) =>
        Storage16.Store512<Float16Format>(default(Float16Format).Narrow(value.AsUInt32()), ref destination, index);

    /// <summary>Stores the 16 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 15</c>, rounded stochastically (lane <c>j</c> with the bits of element <c>index + j</c>). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic512(Vector512<float> value, ref ushort destination, nuint index, uint stream) =>
        Storage16.StoreStochastic512<Float16Format>(value, ref destination, index, stream);

    /// <summary>Widens elements <paramref name="index"/> to <c>index + 7</c> after <paramref name="source"/> (one 128-bit load). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref ushort source, nuint index) => Storage16.Load256<Float16Format>(ref source, index);

    /// <summary>Stores the 8 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 7</c>, rounded to nearest even (one 128-bit store). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store256(Vector256<float> value, ref ushort destination, nuint index) =>
        Storage16.Store256<Float16Format>(default(Float16Format).Narrow(value.AsUInt32()), ref destination, index);

    /// <summary>Stores the 8 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 7</c>, rounded stochastically (lane <c>j</c> with the bits of element <c>index + j</c>). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic256(Vector256<float> value, ref ushort destination, nuint index, uint stream) =>
        Storage16.StoreStochastic256<Float16Format>(value, ref destination, index, stream);

    /// <summary>Widens elements <paramref name="index"/> to <c>index + 3</c> after <paramref name="source"/> (one 64-bit load). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref ushort source, nuint index) => Storage16.Load128<Float16Format>(ref source, index);

    /// <summary>Stores the 4 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 3</c>, rounded to nearest even (one 64-bit store). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store128(Vector128<float> value, ref ushort destination, nuint index) =>
        Storage16.Store128<Float16Format>(default(Float16Format).Narrow(value.AsUInt32()), ref destination, index);

    /// <summary>Stores the 4 lanes of <paramref name="value"/> as elements <paramref name="index"/> to <c>index + 3</c>, rounded stochastically (lane <c>j</c> with the bits of element <c>index + j</c>). No bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic128(Vector128<float> value, ref ushort destination, nuint index, uint stream) =>
        Storage16.StoreStochastic128<Float16Format>(value, ref destination, index, stream);
#endif
}

/// <summary>IEEE binary16 as bit operations on 32-bit lanes: see <see cref="Float16Storage"/>.</summary>
/// <remarks>
/// Rounding to nearest even (Maratyszcza's algorithm) lets the float adder round: the magnitude is scaled
/// by 2^112 then 2^−110 (overflowing to ∞ exactly where binary16 overflows, after rounding), then added to a
/// power of two chosen so that the sum's ulp is the binary16 ulp of <c>x</c> (at least 2^−24, for subnormal
/// results), and the sum's exponent and top mantissa bits are the binary16 bits. The float operations are
/// exact IEEE ones on every path, so every width gives the same bits.
/// </remarks>
internal readonly struct Float16Format : IStorage16Format
{
    private const uint Magnitude = 0x7FFFFFFF;
    private const uint Infinity = 0x7F800000;
    private const uint HalfSign = 0x8000;
    private const uint HalfQuietNaN = 0x7E00;
    private const uint HalfInfinity = 0x7C00;

    /// <summary>The float bits of the smallest normal binary16, 2^−14.</summary>
    private const uint SmallestNormal = 0x38800000;

    /// <summary>The rebias of exponents from binary16's 15 to float's 127, as a shift of the float bits by 13.</summary>
    private const uint Rebias = 0x1C000;

    private static float ScaleToInfinity => BitConverter.Int32BitsToSingle(0x77800000); // 2^112

    private static float ScaleToZero => BitConverter.Int32BitsToSingle(0x08800000); // 2^−110

    private static float SubnormalScale => BitConverter.Int32BitsToSingle(0x52000000); // 2^37: 13 bits below the 2^−24 step

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Widen(uint bits)
    {
        uint nonsign = bits & 0x7FFF;
        uint exponent = bits & HalfInfinity;
        uint shifted = nonsign << 13;

        // Subnormal (or zero): 0.5 + m·2^−24 minus 0.5 is m·2^−24, exactly.
        uint magnitude = exponent == HalfInfinity ? shifted | Infinity
            : exponent == 0 ? (uint)BitConverter.SingleToInt32Bits(BitConverter.Int32BitsToSingle((int)(nonsign | 0x3F000000)) - 0.5f)
            : shifted + 0x38000000;
        return ((bits & HalfSign) << 16) | magnitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Narrow(uint value)
    {
        uint magnitude = value & Magnitude;
        float scaled = BitConverter.Int32BitsToSingle((int)magnitude) * ScaleToInfinity * ScaleToZero;
        uint bias = Math.Max(value & Infinity, SmallestNormal) + 0x07800000;
        uint bits = (uint)BitConverter.SingleToInt32Bits(BitConverter.Int32BitsToSingle((int)bias) + scaled);
        uint nonsign = ((bits >> 13) & HalfInfinity) + (bits & 0x0FFF);
        return ((value >> 16) & HalfSign) | (magnitude > Infinity ? HalfQuietNaN : nonsign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NarrowStochastic(uint value, uint random)
    {
        uint magnitude = value & Magnitude;
        uint noise = random >> 19;
        uint rounded = magnitude >= SmallestNormal
            ? Math.Min(((magnitude + noise) >> 13) - Rebias, HalfInfinity)
            : ((uint)(int)(BitConverter.Int32BitsToSingle((int)magnitude) * SubnormalScale) + noise) >> 13;
        return ((value >> 16) & HalfSign) | (magnitude > Infinity ? HalfQuietNaN : rounded);
    }
#if NET8_0_OR_GREATER

    // Comparisons and minima/maxima are of magnitudes (below 2^31) as signed integers, which every ISA has.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<uint> Widen(Vector512<uint> bits)
    {
        Vector512<uint> nonsign = bits & Vector512.Create(0x7FFFU);
        Vector512<uint> exponent = bits & Vector512.Create(HalfInfinity);
        Vector512<uint> shifted = Vector512.ShiftLeft(nonsign, 13);
        Vector512<uint> subnormal = ((nonsign | Vector512.Create(0x3F000000U)).AsSingle() - Vector512.Create(0.5f)).AsUInt32();
        Vector512<uint> magnitude = Vector512.ConditionalSelect(
            Vector512.Equals(exponent, Vector512.Create(HalfInfinity)),
            shifted | Vector512.Create(Infinity),
            Vector512.ConditionalSelect(Vector512.Equals(exponent, Vector512<uint>.Zero), subnormal, shifted + Vector512.Create(0x38000000U)));
        return Vector512.ShiftLeft(bits & Vector512.Create(HalfSign), 16) | magnitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<uint> Narrow(Vector512<uint> value)
    {
        Vector512<uint> magnitude = value & Vector512.Create(Magnitude);
        Vector512<float> scaled = magnitude.AsSingle() * Vector512.Create(ScaleToInfinity) * Vector512.Create(ScaleToZero);
        Vector512<int> bias = Vector512.Max((value & Vector512.Create(Infinity)).AsInt32(), Vector512.Create((int)SmallestNormal)) + Vector512.Create(0x07800000);
        Vector512<uint> bits = (bias.AsSingle() + scaled).AsUInt32();
        Vector512<uint> nonsign = (Vector512.ShiftRightLogical(bits, 13) & Vector512.Create(HalfInfinity)) + (bits & Vector512.Create(0x0FFFU));
        Vector512<uint> nan = Vector512.GreaterThan(magnitude.AsInt32(), Vector512.Create((int)Infinity)).AsUInt32();
        return (Vector512.ShiftRightLogical(value, 16) & Vector512.Create(HalfSign)) | Vector512.ConditionalSelect(nan, Vector512.Create(HalfQuietNaN), nonsign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<uint> NarrowStochastic(Vector512<uint> value, Vector512<uint> random)
    {
        Vector512<uint> magnitude = value & Vector512.Create(Magnitude);
        Vector512<uint> noise = Vector512.ShiftRightLogical(random, 19);
        Vector512<uint> normal = Vector512.Min(
            (Vector512.ShiftRightLogical(magnitude + noise, 13) - Vector512.Create(Rebias)).AsInt32(),
            Vector512.Create((int)HalfInfinity)).AsUInt32();
        Vector512<uint> subnormal = Vector512.ShiftRightLogical(
            Vector512.ConvertToInt32(magnitude.AsSingle() * Vector512.Create(SubnormalScale)).AsUInt32() + noise, 13);
        Vector512<uint> rounded = Vector512.ConditionalSelect(
            Vector512.LessThan(magnitude.AsInt32(), Vector512.Create((int)SmallestNormal)).AsUInt32(), subnormal, normal);
        Vector512<uint> nan = Vector512.GreaterThan(magnitude.AsInt32(), Vector512.Create((int)Infinity)).AsUInt32();
        return (Vector512.ShiftRightLogical(value, 16) & Vector512.Create(HalfSign)) | Vector512.ConditionalSelect(nan, Vector512.Create(HalfQuietNaN), rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<uint> Widen(Vector256<uint> bits)
    {
        Vector256<uint> nonsign = bits & Vector256.Create(0x7FFFU);
        Vector256<uint> exponent = bits & Vector256.Create(HalfInfinity);
        Vector256<uint> shifted = Vector256.ShiftLeft(nonsign, 13);
        Vector256<uint> subnormal = ((nonsign | Vector256.Create(0x3F000000U)).AsSingle() - Vector256.Create(0.5f)).AsUInt32();
        Vector256<uint> magnitude = Vector256.ConditionalSelect(
            Vector256.Equals(exponent, Vector256.Create(HalfInfinity)),
            shifted | Vector256.Create(Infinity),
            Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256<uint>.Zero), subnormal, shifted + Vector256.Create(0x38000000U)));
        return Vector256.ShiftLeft(bits & Vector256.Create(HalfSign), 16) | magnitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<uint> Narrow(Vector256<uint> value)
    {
        Vector256<uint> magnitude = value & Vector256.Create(Magnitude);
        Vector256<float> scaled = magnitude.AsSingle() * Vector256.Create(ScaleToInfinity) * Vector256.Create(ScaleToZero);
        Vector256<int> bias = Vector256.Max((value & Vector256.Create(Infinity)).AsInt32(), Vector256.Create((int)SmallestNormal)) + Vector256.Create(0x07800000);
        Vector256<uint> bits = (bias.AsSingle() + scaled).AsUInt32();
        Vector256<uint> nonsign = (Vector256.ShiftRightLogical(bits, 13) & Vector256.Create(HalfInfinity)) + (bits & Vector256.Create(0x0FFFU));
        Vector256<uint> nan = Vector256.GreaterThan(magnitude.AsInt32(), Vector256.Create((int)Infinity)).AsUInt32();
        return (Vector256.ShiftRightLogical(value, 16) & Vector256.Create(HalfSign)) | Vector256.ConditionalSelect(nan, Vector256.Create(HalfQuietNaN), nonsign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<uint> NarrowStochastic(Vector256<uint> value, Vector256<uint> random)
    {
        Vector256<uint> magnitude = value & Vector256.Create(Magnitude);
        Vector256<uint> noise = Vector256.ShiftRightLogical(random, 19);
        Vector256<uint> normal = Vector256.Min(
            (Vector256.ShiftRightLogical(magnitude + noise, 13) - Vector256.Create(Rebias)).AsInt32(),
            Vector256.Create((int)HalfInfinity)).AsUInt32();
        Vector256<uint> subnormal = Vector256.ShiftRightLogical(
            Vector256.ConvertToInt32(magnitude.AsSingle() * Vector256.Create(SubnormalScale)).AsUInt32() + noise, 13);
        Vector256<uint> rounded = Vector256.ConditionalSelect(
            Vector256.LessThan(magnitude.AsInt32(), Vector256.Create((int)SmallestNormal)).AsUInt32(), subnormal, normal);
        Vector256<uint> nan = Vector256.GreaterThan(magnitude.AsInt32(), Vector256.Create((int)Infinity)).AsUInt32();
        return (Vector256.ShiftRightLogical(value, 16) & Vector256.Create(HalfSign)) | Vector256.ConditionalSelect(nan, Vector256.Create(HalfQuietNaN), rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<uint> Widen(Vector128<uint> bits)
    {
        Vector128<uint> nonsign = bits & Vector128.Create(0x7FFFU);
        Vector128<uint> exponent = bits & Vector128.Create(HalfInfinity);
        Vector128<uint> shifted = Vector128.ShiftLeft(nonsign, 13);
        Vector128<uint> subnormal = ((nonsign | Vector128.Create(0x3F000000U)).AsSingle() - Vector128.Create(0.5f)).AsUInt32();
        Vector128<uint> magnitude = Vector128.ConditionalSelect(
            Vector128.Equals(exponent, Vector128.Create(HalfInfinity)),
            shifted | Vector128.Create(Infinity),
            Vector128.ConditionalSelect(Vector128.Equals(exponent, Vector128<uint>.Zero), subnormal, shifted + Vector128.Create(0x38000000U)));
        return Vector128.ShiftLeft(bits & Vector128.Create(HalfSign), 16) | magnitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<uint> Narrow(Vector128<uint> value)
    {
        Vector128<uint> magnitude = value & Vector128.Create(Magnitude);
        Vector128<float> scaled = magnitude.AsSingle() * Vector128.Create(ScaleToInfinity) * Vector128.Create(ScaleToZero);
        Vector128<int> bias = Vector128.Max((value & Vector128.Create(Infinity)).AsInt32(), Vector128.Create((int)SmallestNormal)) + Vector128.Create(0x07800000);
        Vector128<uint> bits = (bias.AsSingle() + scaled).AsUInt32();
        Vector128<uint> nonsign = (Vector128.ShiftRightLogical(bits, 13) & Vector128.Create(HalfInfinity)) + (bits & Vector128.Create(0x0FFFU));
        Vector128<uint> nan = Vector128.GreaterThan(magnitude.AsInt32(), Vector128.Create((int)Infinity)).AsUInt32();
        return (Vector128.ShiftRightLogical(value, 16) & Vector128.Create(HalfSign)) | Vector128.ConditionalSelect(nan, Vector128.Create(HalfQuietNaN), nonsign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<uint> NarrowStochastic(Vector128<uint> value, Vector128<uint> random)
    {
        Vector128<uint> magnitude = value & Vector128.Create(Magnitude);
        Vector128<uint> noise = Vector128.ShiftRightLogical(random, 19);
        Vector128<uint> normal = Vector128.Min(
            (Vector128.ShiftRightLogical(magnitude + noise, 13) - Vector128.Create(Rebias)).AsInt32(),
            Vector128.Create((int)HalfInfinity)).AsUInt32();
        Vector128<uint> subnormal = Vector128.ShiftRightLogical(
            Vector128.ConvertToInt32(magnitude.AsSingle() * Vector128.Create(SubnormalScale)).AsUInt32() + noise, 13);
        Vector128<uint> rounded = Vector128.ConditionalSelect(
            Vector128.LessThan(magnitude.AsInt32(), Vector128.Create((int)SmallestNormal)).AsUInt32(), subnormal, normal);
        Vector128<uint> nan = Vector128.GreaterThan(magnitude.AsInt32(), Vector128.Create((int)Infinity)).AsUInt32();
        return (Vector128.ShiftRightLogical(value, 16) & Vector128.Create(HalfSign)) | Vector128.ConditionalSelect(nan, Vector128.Create(HalfQuietNaN), rounded);
    }
#else

    /// <summary>
    /// <see cref="Widen(uint)"/> on netstandard2.1's <see cref="Vector{T}"/>: the left shifts are multiplications
    /// by powers of two, the subnormal case the same exact subtraction. The narrowing methods below are the
    /// scalar ones with <see cref="PortableShift"/> for the right shifts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<uint> Widen(Vector<uint> bits)
    {
        Vector<uint> nonsign = bits & new Vector<uint>(0x7FFFU);
        Vector<uint> exponent = bits & new Vector<uint>(HalfInfinity);
        Vector<uint> shifted = nonsign * new Vector<uint>(0x2000U);
        Vector<uint> subnormal = Vector.AsVectorUInt32(Vector.AsVectorSingle(nonsign | new Vector<uint>(0x3F000000U)) - new Vector<float>(0.5f));
        Vector<uint> magnitude = Vector.ConditionalSelect(
            Vector.Equals(exponent, new Vector<uint>(HalfInfinity)),
            shifted | new Vector<uint>(Infinity),
            Vector.ConditionalSelect(Vector.Equals(exponent, Vector<uint>.Zero), subnormal, shifted + new Vector<uint>(0x38000000U)));
        return ((bits & new Vector<uint>(HalfSign)) * new Vector<uint>(0x10000U)) | magnitude;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<uint> Narrow(Vector<uint> value)
    {
        Vector<uint> magnitude = value & new Vector<uint>(Magnitude);
        Vector<float> scaled = Vector.AsVectorSingle(magnitude) * new Vector<float>(ScaleToInfinity) * new Vector<float>(ScaleToZero);
        Vector<int> bias = Vector.Max(Vector.AsVectorInt32(value & new Vector<uint>(Infinity)), new Vector<int>((int)SmallestNormal)) + new Vector<int>(0x07800000);
        Vector<uint> bits = Vector.AsVectorUInt32(Vector.AsVectorSingle(bias) + scaled);
        Vector<uint> nonsign = (PortableShift.Right(bits, 13) & new Vector<uint>(HalfInfinity)) + (bits & new Vector<uint>(0x0FFFU));
        return Sign(value) | Vector.ConditionalSelect(IsNaN(magnitude), new Vector<uint>(HalfQuietNaN), nonsign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<uint> NarrowStochastic(Vector<uint> value, Vector<uint> random)
    {
        Vector<uint> magnitude = value & new Vector<uint>(Magnitude);
        Vector<uint> noise = PortableShift.Right(random, 19);
        Vector<uint> normal = Vector.AsVectorUInt32(Vector.Min(
            Vector.AsVectorInt32(PortableShift.Right(magnitude + noise, 13) - new Vector<uint>(Rebias)),
            new Vector<int>((int)HalfInfinity)));
        Vector<uint> subnormal = PortableShift.Right(
            Vector.AsVectorUInt32(Vector.ConvertToInt32(Vector.AsVectorSingle(magnitude) * new Vector<float>(SubnormalScale))) + noise, 13);
        Vector<uint> rounded = Vector.ConditionalSelect(
            Vector.AsVectorUInt32(Vector.LessThan(Vector.AsVectorInt32(magnitude), new Vector<int>((int)SmallestNormal))), subnormal, normal);
        return Sign(value) | Vector.ConditionalSelect(IsNaN(magnitude), new Vector<uint>(HalfQuietNaN), rounded);
    }

    /// <summary>The binary16 sign bit, 0x8000, of each lane's float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> Sign(Vector<uint> value) => PortableShift.Right(value, 16) & new Vector<uint>(HalfSign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> IsNaN(Vector<uint> magnitude) =>
        Vector.AsVectorUInt32(Vector.GreaterThan(Vector.AsVectorInt32(magnitude), new Vector<int>((int)Infinity)));
#endif
}
