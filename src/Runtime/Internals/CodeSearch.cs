using System;
using System.Runtime.CompilerServices;

namespace Gen.__Internals;

/// <summary>
/// One <see cref="DynamicCode"/> table and what its nearest-code search reads. The search counts the
/// thresholds <c>t_j ≤ x</c> (see <see cref="DynamicCode"/>'s remarks for why that is bitsandbytes'
/// <c>dQuantize</c>), in one of two ways that give the same count for every float:
/// <list type="bullet">
/// <item><description>
/// By bucket (<see cref="IndexOf(float)"/>, the scalar and AVX2 paths): a float's sign, exponent and 7
/// leading fraction bits name a range of floats, clamped to magnitudes 2^−24 to 1 (every threshold lies
/// inside). <see cref="Buckets"/> holds, per range, how many thresholds lie below it, and no range holds
/// more than one (the constructor checks), so the count is that number plus <c>[x ≥ t_base]</c>: the one
/// threshold that might lie inside is the next one. Two dependent loads per element instead of eight.
/// </description></item>
/// <item><description>
/// By binary search over <see cref="Tree"/> (the 512-bit path): the thresholds in breadth-first
/// (Eytzinger) order, so step <c>k</c> (0..7) compares with entry <c>2^k − 1 + c</c>, <c>c</c> being the
/// <c>k</c> answers so far, most significant first; after 8 steps <c>c</c> is the count. Each step's
/// candidates are contiguous, so AVX-512 holds them in registers and picks them with permutes.
/// </description></item>
/// </list>
/// </summary>
internal sealed class CodeSearch
{
    /// <summary>Bits of a float's magnitude below the bucket key: 23 fraction bits less the 7 kept.</summary>
    public const int KeyShift = 16;

    /// <summary>The smallest key: magnitudes below 2^−23 share one bucket.</summary>
    public const int LowestKey = (127 - 24) << 7;

    /// <summary>The largest key: magnitudes from 1 up (and NaN, answered separately) share one bucket.</summary>
    public const int HighestKey = 127 << 7;

    /// <summary>Buckets per sign; negative values' buckets follow the positive ones'.</summary>
    public const int BucketsPerSign = HighestKey - LowestKey + 1;

    public CodeSearch(float[] code)
    {
        Code = code;
        Thresholds = CreateThresholds(code);
        Buckets = CreateBuckets(Thresholds);
        Tree = CreateTree(Thresholds);
    }

    /// <summary>The 256 code values, sorted.</summary>
    public float[] Code { get; }

    /// <summary>The 255 thresholds, sorted, then two NaN (no value passes them).</summary>
    public float[] Thresholds { get; }

    /// <summary>
    /// Per bucket, the number of thresholds below it: <see cref="BucketsPerSign"/> for positive values,
    /// as many for negative ones, then 3 bytes of padding so a 4-byte gather may start at any bucket.
    /// </summary>
    public byte[] Buckets { get; }

    /// <summary>The 255 thresholds in breadth-first order, then a NaN.</summary>
    public float[] Tree { get; }

    /// <summary>The nearest code's index, by bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        int key = Math.Min(Math.Max((bits & int.MaxValue) >> KeyShift, LowestKey), HighestKey);
        int below = Buckets[key - LowestKey + ((bits >> 31) & BucketsPerSign)];

        int count = below + (x >= Thresholds[below] ? 1 : 0);

        // NaN passes no threshold; its bucket (the largest magnitudes') would say 255 for a positive NaN.
        return float.IsNaN(x) ? 0 : count;
    }

    /// <summary>
    /// <c>t_j = mid(j, j + 1)</c> rounded as CUDA computes it, <c>(a + b)·0.5f</c>, and the next float above
    /// it for even <c>j</c>: <c>dQuantize</c> keeps a value exactly on an even-indexed pair's midpoint at the
    /// even index, on an odd-indexed pair's at the odd one's successor.
    /// </summary>
    private static float[] CreateThresholds(float[] code)
    {
        float[] thresholds = new float[DynamicCode.Length + 1];
        for (int j = 0; j < DynamicCode.Length - 1; j++)
        {
            float midpoint = (float)(code[j] + code[j + 1]) * 0.5f;
            thresholds[j] = j % 2 == 0 ? NextUp(midpoint) : midpoint;
            if (!(code[j] < code[j + 1]) || (j > 0 && !(thresholds[j] > thresholds[j - 1])))
            {
                throw new InvalidOperationException("The dynamic code is not strictly increasing.");
            }
        }

        thresholds[DynamicCode.Length - 1] = float.NaN;
        thresholds[DynamicCode.Length] = float.NaN;
        return thresholds;
    }

    private static byte[] CreateBuckets(float[] thresholds)
    {
        byte[] buckets = new byte[(2 * BucketsPerSign) + 3];
        for (int key = LowestKey; key <= HighestKey; key++)
        {
            // The bucket's magnitudes: [low, high), from 0 for the lowest key and to +∞ for the highest.
            float low = key == LowestKey ? 0f : BitConverter.Int32BitsToSingle(key << KeyShift);
            float high = key == HighestKey ? float.PositiveInfinity : BitConverter.Int32BitsToSingle((key + 1) << KeyShift);

            // Positive values [low, high) and negative values (−high, −low]: the thresholds below each, and
            // how many lie inside.
            int positiveBelow = CountBelow(thresholds, low, inclusive: false);
            int positiveInside = CountBelow(thresholds, high, inclusive: false) - positiveBelow;
            int negativeBelow = CountBelow(thresholds, -high, inclusive: true);
            int negativeInside = CountBelow(thresholds, -low, inclusive: true) - negativeBelow;
            if (positiveInside > 1 || negativeInside > 1)
            {
                throw new InvalidOperationException("A bucket of the dynamic code's search holds two thresholds.");
            }

            buckets[key - LowestKey] = (byte)positiveBelow;
            buckets[key - LowestKey + BucketsPerSign] = (byte)negativeBelow;
        }

        return buckets;
    }

    /// <summary>How many of the 255 sorted thresholds are below <paramref name="value"/> (or equal to it).</summary>
    private static int CountBelow(float[] thresholds, float value, bool inclusive)
    {
        int count = 0;
        for (int step = 128; step > 0; step /= 2)
        {
            int next = count + step;
            if (next <= DynamicCode.Length - 1 && (inclusive ? thresholds[next - 1] <= value : thresholds[next - 1] < value))
            {
                count = next;
            }
        }

        return count;
    }

    private static float[] CreateTree(float[] thresholds)
    {
        float[] tree = new float[DynamicCode.Length];
        for (int level = 0, size = 1; level < 8; level++, size *= 2)
        {
            int stride = 128 >> level;
            for (int c = 0; c < size; c++)
            {
                tree[size - 1 + c] = thresholds[(((2 * c) + 1) * stride) - 1];
            }
        }

        tree[DynamicCode.Length - 1] = float.NaN;
        return tree;
    }

    /// <summary>The next float toward +∞ (for finite, non-zero <paramref name="x"/>, all a midpoint can be here).</summary>
    private static float NextUp(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        return BitConverter.Int32BitsToSingle(x > 0 ? bits + 1 : bits - 1);
    }
}
