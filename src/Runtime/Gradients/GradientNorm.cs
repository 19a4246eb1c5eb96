using System;

namespace Gen;

/// <summary>
/// <see cref="GradientsBase.L2Norm"/>'s computation, for one process or for several that each hold a shard of the
/// gradients (Gen.Distributed's DataParallel with a sharded optimizer).
/// </summary>
internal static class GradientNorm
{
    /// <summary>
    /// Sums of squares below this are recomputed with a power-of-two scale, because squares of double
    /// elements may have underflowed; 1e-280 leaves every underflow error below 1e-43 of the sum.
    /// </summary>
    private const double SmallestUnscaledSumOfSquares = 1e-280;

    /// <summary>
    /// <see cref="GradientsBase.L2Norm"/> of the gradients of several processes, each holding the elements of its
    /// <paramref name="shard"/> (null: all of them), whose sums and maxima <paramref name="parts"/> combines across the
    /// processes (null: this process alone). Every process takes the same branches, since each sees the combined values.
    /// Gradient members must be present.
    /// </summary>
    public static double Of(GradientsBase gradients, OptimizerShard? shard, INormParts? parts)
    {
        double sumOfSquares = 0;
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            TensorRef member = gradients.GetMember(i);
            (int start, int count) = Range(shard, i, member);
            sumOfSquares += member.Element == TensorElement.Single
                ? GradientKernels.SumOfSquares(member.AsSingleSpan().Slice(start, count))
                : GradientKernels.SumOfSquares(member.AsDoubleSpan().Slice(start, count));
        }

        sumOfSquares = parts?.Sum(sumOfSquares) ?? sumOfSquares;
        if (double.IsNaN(sumOfSquares) || (sumOfSquares >= SmallestUnscaledSumOfSquares && sumOfSquares < double.PositiveInfinity))
        {
            return Math.Sqrt(sumOfSquares);
        }

        // Infinite (a square overflowed, or an element is infinite) or tiny (squares may have
        // underflowed): scale the largest magnitude to [1, 2) and sum again.
        double largest = 0;
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            TensorRef member = gradients.GetMember(i);
            (int start, int count) = Range(shard, i, member);
            double memberLargest = member.Element == TensorElement.Single
                ? GradientKernels.MaxMagnitude<float>(member.AsSingleSpan().Slice(start, count))
                : GradientKernels.MaxMagnitude<double>(member.AsDoubleSpan().Slice(start, count));
            largest = Math.Max(largest, memberLargest);
        }

        largest = parts?.Max(largest) ?? largest;
        if (largest == 0 || !double.IsFinite(largest))
        {
            return largest;
        }

        int exponent = Math.Clamp(-BinaryExponent(largest), -1022, 1023);
        double scale = PowerOfTwo(exponent);
        double scaledSum = 0;
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            TensorRef member = gradients.GetMember(i);
            (int start, int count) = Range(shard, i, member);
            scaledSum += member.Element == TensorElement.Single
                ? GradientKernels.ScaledSumOfSquares<float>(member.AsSingleSpan().Slice(start, count), scale)
                : GradientKernels.ScaledSumOfSquares<double>(member.AsDoubleSpan().Slice(start, count), scale);
        }

        scaledSum = parts?.Sum(scaledSum) ?? scaledSum;

        // One multiplication by an exact power of two is rounded once, so it is Math.ScaleB's result.
        return Math.Sqrt(scaledSum) * PowerOfTwo(-exponent);
    }

    /// <summary>The elements of member <paramref name="index"/> that <paramref name="shard"/> holds (all without one).</summary>
    private static (int Start, int Count) Range(OptimizerShard? shard, int index, TensorRef member) =>
        shard is null ? (0, member.Length) : (shard.GetMemberStart(index), shard.GetMemberLength(index));

    /// <summary>
    /// <c>⌊log₂ x⌋</c> for a finite <paramref name="x"/> &gt; 0, subnormal ones included: <c>Math.ILogB</c>,
    /// which netstandard2.1 lacks, read from the bits.
    /// </summary>
    private static int BinaryExponent(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x) & long.MaxValue;
        int field = (int)(bits >> 52);
        if (field != 0)
        {
            return field - 1023;
        }

        // Subnormal: x = bits · 2^-1074, so the exponent is that of bits' highest set bit.
        int highest = 0;
        while ((bits >>= 1) != 0)
        {
            highest++;
        }

        return highest - 1074;
    }

    /// <summary><c>2^k</c> for −1074 ≤ k ≤ 1023, exactly (subnormal below −1022): <c>Math.ScaleB(1.0, k)</c>.</summary>
    private static double PowerOfTwo(int k) => BitConverter.Int64BitsToDouble(k >= -1022 ? (long)(k + 1023) << 52 : 1L << (k + 1074));
}

/// <summary>
/// Combines the partial sums and maxima of <see cref="GradientNorm.Of"/> across processes
/// (Gen.Distributed's DataParallel, with a sharded optimizer): every process passes its part and gets the whole.
/// </summary>
internal interface INormParts
{
    double Sum(double part);

    double Max(double part);
}
