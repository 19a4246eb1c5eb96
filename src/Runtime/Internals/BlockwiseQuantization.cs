using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Gen.__Internals;

/// <summary>
/// bitsandbytes' 8-bit block-wise quantization of optimizer state (Dettmers et al. 2022, "8-bit
/// Optimizers via Block-wise Quantization"): a buffer is cut into blocks of <see cref="BlockSize"/>
/// elements (the last may be shorter); each block keeps one float, its absmax, and one byte per element,
/// the index of the <see cref="DynamicCode"/> entry nearest to <c>x / absmax</c>. Dequantized, an element
/// is <c>code[byte]·absmax</c>.
/// </summary>
/// <remarks>
/// <para>
/// Matches github.com/bitsandbytes-foundation/bitsandbytes' CUDA quantizer bit for bit
/// (<c>csrc/kernels.cu</c>: <c>kQuantizeBlockwise</c> with <c>dQuantize&lt;0&gt;</c>, and
/// <c>kDequantizeBlockwise</c>): absmax is the largest <c>|x|</c> of the block (<c>fmaxf</c>, which skips
/// NaN); each element is multiplied by <c>1.0f / absmax</c> (a rounded reciprocal, not a division) and
/// searched as <see cref="DynamicCode.IndexOf(float, bool)"/> describes; dequantization is
/// <c>code[index] * absmax</c> in float. The 8-bit optimizers use blocks of 256
/// (<c>bitsandbytes/optim/optimizer.py</c>, <c>blocksize = 256</c>; <c>quantize_blockwise</c>' own default is 4096).
/// </para>
/// <para>
/// Edge cases, as CUDA has them: an all-zero block has absmax 0, its elements become
/// <c>0·(1/0) = NaN</c> and so index 0, the code's first entry (−0.99296874 signed, which dequantizes to
/// −0.99296874·0 = −0; 0 unsigned); bitsandbytes' optimizers start from such state (zero bytes, zero absmax).
/// A NaN element is skipped by absmax and gets index 0; an infinite one makes absmax +∞, so every finite
/// element becomes ±0 (the zero code) and the infinite one NaN (index 0). One difference: a block of NaN
/// only gets absmax 0 here (CUDA's reduction starts from −FLT_MAX and keeps it).
/// </para>
/// <para>
/// Not done here: bitsandbytes' 8-bit optimizer kernel (<c>kOptimizerStatic8bit2StateBlockwise</c>)
/// normalizes with the approximate <c>__fdividef(x, absmax)</c> instead of <c>x·(1/absmax)</c>, and after
/// the search moves a signed state element whose code lost its sign by one index toward that sign (a
/// negative value, or −0, that rounded to the zero code gets index 126, the smallest negative code).
/// </para>
/// <para>
/// Every path gives the same bytes (<see cref="CodeSearch"/>): the scalar bucket search, the 512-bit
/// binary search with every candidate threshold in registers (<c>vpermps</c>/<c>vpermt2ps</c>), the 256- and
/// 128-bit bucket searches with AVX2 gathers, and the netstandard2.1 build's (<see cref="Vector{T}"/>
/// absmax, scalar search). All compare the same float <c>x·(1/absmax)</c> with the same thresholds.
/// Measured on Zen 4 (one thread, 2^20 elements in blocks of 256, normal-like data): quantization 1.2 G
/// elements/s at 512 bits, 0.9 at 256, 0.8 at 128, 0.35–0.4 scalar and on the netstandard2.1 build;
/// dequantization 3.4 G/s at 512 bits (table in 16 registers), 1.8–2.5 scalar.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class BlockwiseQuantization
{
    /// <summary>Elements per block: one absmax each.</summary>
    public const int BlockSize = 256;

    /// <summary>The number of blocks, and so of absmax values, of a buffer of <paramref name="length"/> elements.</summary>
    public static int BlockCount(int length) => (int)(((uint)length + (BlockSize - 1)) / BlockSize);

    /// <summary>
    /// Quantizes one block: writes the code index of every element of <paramref name="values"/> to
    /// <paramref name="codes"/> and returns the block's absmax.
    /// </summary>
    /// <param name="values">At most <see cref="BlockSize"/> elements.</param>
    /// <param name="codes">As many bytes as <paramref name="values"/> has elements.</param>
    /// <param name="signed">Whether to use <see cref="DynamicCode.Signed"/> (else <see cref="DynamicCode.Unsigned"/>).</param>
    /// <exception cref="ArgumentException">A block longer than <see cref="BlockSize"/>, or lengths that differ.</exception>
    public static float QuantizeBlock(ReadOnlySpan<float> values, Span<byte> codes, bool signed)
    {
        CheckBlock(values.Length, codes.Length);
        float absmax = AbsMax(values);
        SearchBlock(values, absmax, codes, DynamicCode.For(signed));
        return absmax;
    }

    /// <summary>Dequantizes one block: <c>values[i] = code[codes[i]]·absmax</c>.</summary>
    /// <exception cref="ArgumentException">A block longer than <see cref="BlockSize"/>, or lengths that differ.</exception>
    public static void DequantizeBlock(ReadOnlySpan<byte> codes, float absmax, Span<float> values, bool signed)
    {
        CheckBlock(values.Length, codes.Length);
        LookUpBlock(codes, absmax, values, DynamicCode.For(signed).Code);
    }

    /// <summary>
    /// Quantizes a whole buffer block by block: <paramref name="codes"/> has one byte per element,
    /// <paramref name="absmax"/> one float per block (<see cref="BlockCount(int)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit together.</exception>
    public static void Quantize(ReadOnlySpan<float> values, Span<byte> codes, Span<float> absmax, bool signed)
    {
        CheckBuffer(values.Length, codes.Length, absmax.Length);
        CodeSearch search = DynamicCode.For(signed);
        for (int block = 0, start = 0; start < values.Length; block++, start += BlockSize)
        {
            int length = Math.Min(BlockSize, values.Length - start);
            ReadOnlySpan<float> blockValues = values.Slice(start, length);
            float blockMax = AbsMax(blockValues);
            absmax[block] = blockMax;
            SearchBlock(blockValues, blockMax, codes.Slice(start, length), search);
        }
    }

    /// <summary>Dequantizes a whole buffer written by <see cref="Quantize"/>.</summary>
    /// <exception cref="ArgumentException">The lengths do not fit together.</exception>
    public static void Dequantize(ReadOnlySpan<byte> codes, ReadOnlySpan<float> absmax, Span<float> values, bool signed)
    {
        CheckBuffer(values.Length, codes.Length, absmax.Length);
        float[] table = DynamicCode.For(signed).Code;
        Span<float> scales = ReadOnlySpans.ForReading(absmax);
        for (int block = 0, start = 0; start < values.Length; block++, start += BlockSize)
        {
            int length = Math.Min(BlockSize, values.Length - start);
            LookUpBlock(codes.Slice(start, length), scales[block], values.Slice(start, length), table);
        }
    }

    /// <summary>
    /// The largest magnitude of a block, skipping NaN (as CUDA's <c>fmaxf</c>), 0 for an empty or all-NaN
    /// block. Computed on the bits: with the sign cleared, floats order as integers and NaN is above +∞.
    /// </summary>
    internal static float AbsMax(ReadOnlySpan<float> values)
    {
#if NET8_0_OR_GREATER
        return AbsMaxIntrinsics(values);
#else
        return Vector.IsHardwareAccelerated ? AbsMaxVector(values) : AbsMaxScalar(values);
#endif
    }

    /// <summary><see cref="AbsMax"/> one element at a time.</summary>
    internal static float AbsMaxScalar(ReadOnlySpan<float> values)
    {
        ReadOnlySpan<int> bits = MemoryMarshal.Cast<float, int>(values);
        Span<int> elements = ReadOnlySpans.ForReading(bits);
        int max = 0;
        for (int i = 0; i < elements.Length; i++)
        {
            int magnitude = elements[i] & int.MaxValue;
            if (magnitude <= PositiveInfinityBits && magnitude > max)
            {
                max = magnitude;
            }
        }

        return BitConverter.Int32BitsToSingle(max);
    }

    /// <summary><see cref="AbsMax"/> with <see cref="Vector{T}"/> (the netstandard2.1 build's vector path).</summary>
    internal static float AbsMaxVector(ReadOnlySpan<float> values)
    {
        ReadOnlySpan<int> bits = MemoryMarshal.Cast<float, int>(values);
        ReadOnlySpan<Vector<int>> vectors = MemoryMarshal.Cast<int, Vector<int>>(bits);
        Span<Vector<int>> registers = ReadOnlySpans.ForReading(vectors);
        var magnitudeMask = new Vector<int>(int.MaxValue);
        var infinity = new Vector<int>(PositiveInfinityBits);
        Vector<int> max = Vector<int>.Zero;
        for (int i = 0; i < registers.Length; i++)
        {
            Vector<int> magnitude = registers[i] & magnitudeMask;
            max = Vector.Max(max, Vector.ConditionalSelect(Vector.LessThanOrEqual(magnitude, infinity), magnitude, Vector<int>.Zero));
        }

        int result = 0;
        for (int lane = 0; lane < Vector<int>.Count; lane++)
        {
            result = Math.Max(result, max[lane]);
        }

        float tail = AbsMaxScalar(values.Slice(registers.Length * Vector<int>.Count));
        return Math.Max(BitConverter.Int32BitsToSingle(result), tail);
    }

    /// <summary>The code index of every element of a block whose absmax is given.</summary>
    private static void SearchBlock(ReadOnlySpan<float> values, float absmax, Span<byte> codes, CodeSearch search)
    {
        float inverse = 1f / absmax;
#if NET8_0_OR_GREATER
        SearchIntrinsics(values, inverse, codes, search);
#else
        SearchScalar(values, inverse, codes, search, 0);
#endif
    }

    /// <summary>
    /// The search for elements <paramref name="start"/> onward, one at a time: the scalar path, every
    /// vector path's tail, and the netstandard2.1 build's search.
    /// </summary>
    internal static void SearchScalar(ReadOnlySpan<float> values, float inverse, Span<byte> codes, CodeSearch search, int start)
    {
        Span<float> elements = ReadOnlySpans.ForReading(values);
        for (int i = start; i < elements.Length; i++)
        {
            codes[i] = (byte)search.IndexOf(elements[i] * inverse);
        }
    }

    /// <summary><c>values[i] = table[codes[i]]·absmax</c>.</summary>
    private static void LookUpBlock(ReadOnlySpan<byte> codes, float absmax, Span<float> values, float[] table)
    {
#if NET8_0_OR_GREATER
        LookUpIntrinsics(codes, absmax, values, table);
#else
        LookUpScalar(codes, absmax, values, table, 0);
#endif
    }

    /// <summary>The dequantization for elements <paramref name="start"/> onward, one at a time.</summary>
    internal static void LookUpScalar(ReadOnlySpan<byte> codes, float absmax, Span<float> values, float[] table, int start)
    {
        Span<byte> indices = ReadOnlySpans.ForReading(codes);
        for (int i = start; i < values.Length; i++)
        {
            values[i] = table[indices[i]] * absmax;
        }
    }

    private const int PositiveInfinityBits = 0x7F800000;

    private static void CheckBlock(int values, int codes)
    {
        if (values > BlockSize)
        {
            throw new ArgumentException($"A block holds at most {BlockSize} elements, not {values}.", nameof(values));
        }

        if (codes != values)
        {
            throw new ArgumentException($"The block has {values} elements but {codes} codes.", nameof(codes));
        }
    }

    private static void CheckBuffer(int values, int codes, int absmax)
    {
        if (codes != values)
        {
            throw new ArgumentException($"The buffer has {values} elements but {codes} codes.", nameof(codes));
        }

        if (absmax != BlockCount(values))
        {
            throw new ArgumentException(
                $"A buffer of {values} elements has {BlockCount(values)} blocks of {BlockSize}, but {absmax} absmax values were given.",
                nameof(absmax));
        }
    }
}
