using System;
using System.Collections.Generic;

namespace Gen.Runtime.Tests;

/// <summary>Plain scalar double-precision references for the gradient operations.</summary>
internal static class Reference
{
    /// <summary>
    /// The specified summation order of GradientsBase.L2Norm, written as plainly as possible: 32 double
    /// lanes, element i of a member into lane i mod 32, lanes folded pairwise, members added in order.
    /// The kernels must match it bit for bit on every SIMD path.
    /// </summary>
    public static double LaneSumOfSquares(IEnumerable<double[]> members, double scale = 1)
    {
        double total = 0;
        foreach (double[] member in members)
        {
            var lanes = new double[32];
            for (int i = 0; i < member.Length; i++)
            {
                double w = member[i] * scale;
                lanes[i % 32] += w * w;
            }

            for (int half = 16; half > 0; half /= 2)
            {
                for (int j = 0; j < half; j++)
                {
                    lanes[j] += lanes[j + half];
                }
            }

            total += lanes[0];
        }

        return total;
    }

    /// <summary>
    /// √(Σ x²) to about 106 bits before the final rounding: every square split exactly into two doubles
    /// (a fused multiply-add gives the product's rounding error) and summed in double-double arithmetic.
    /// Elements are scaled by a power of two first so that nothing overflows or underflows.
    /// </summary>
    public static double ExactNorm(IEnumerable<double> values)
    {
        var all = new List<double>(values);
        double largest = 0;
        foreach (double x in all)
        {
            largest = Math.Max(largest, Math.Abs(x));
        }

        if (largest == 0 || !double.IsFinite(largest))
        {
            return largest;
        }

        int exponent = -Math.ILogB(largest);
        double hi = 0, lo = 0;
        foreach (double value in all)
        {
            double x = Math.ScaleB(value, exponent);
            double square = x * x;
            double squareError = Math.FusedMultiplyAdd(x, x, -square);
            (hi, lo) = TwoSum(hi, square, lo + squareError);
        }

        double sum = hi + lo;
        return Math.ScaleB(Math.Sqrt(sum), -exponent);
    }

    private static (double Hi, double Lo) TwoSum(double a, double b, double carry)
    {
        double s = a + b;
        double bb = s - a;
        double error = (a - (s - bb)) + (b - bb);
        double lo = carry + error;
        double hi = s + lo;
        return (hi, lo - (hi - s));
    }
}
