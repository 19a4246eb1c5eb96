using System;
using System.ComponentModel;

namespace Gen.__Internals;

/// <summary>
/// The layer-wise trust ratio of LAMB and LARS (You et al. 2019, arXiv:1904.00962; You, Gitman and Ginsburg 2017,
/// arXiv:1708.03888) as Optax's <c>scale_by_trust_ratio</c> (google-deepmind/optax, <c>optax/_src/transform.py</c>):
/// a member's update <c>u</c> is multiplied in place by <c>r = c·‖p‖ / (‖u‖ + ε)</c>, and left as it is (r = 1) when
/// either norm is 0. Generated [Lamb] and [Lars] optimizers call it between the pass that writes <c>u</c> and the one
/// that applies it, on the whole member, on the calling thread.
/// </summary>
/// <remarks>
/// Each norm is the square root of the sum of squares in the runtime's fixed order (every element, widened to double
/// for float members, so each square is exact, into lane <c>i mod 32</c> of 32 double lanes, then a pairwise fold of the
/// lanes), so it is the same on every SIMD path and however the step is split across threads. For a float member the
/// norms are rounded to float and the ratio is computed in float as Optax does in float32 (<c>c</c> and <c>ε</c>
/// rounded to float): <c>(c·‖p‖) / (‖u‖ + ε)</c>; for a double member in double. The product <c>u·r</c> is one IEEE
/// multiplication per element. Optax's norm is XLA's float32 reduction (its order is unspecified); this one is at
/// least as accurate.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TrustRatio
{
    /// <summary>Multiplies <paramref name="update"/> by the trust ratio of <paramref name="parameter"/> and it.</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Scale(Span<float> update, ReadOnlySpan<float> parameter, float trustCoefficient, float epsilon)
    {
        float ratio = Of(update, parameter, trustCoefficient, epsilon);
        if (ratio != 1f)
        {
            GradientKernels.Multiply(update, ratio);
        }
    }

    /// <inheritdoc cref="Scale(Span{float}, ReadOnlySpan{float}, float, float)"/>
    public static void Scale(Span<double> update, ReadOnlySpan<double> parameter, double trustCoefficient, double epsilon)
    {
        double ratio = Of(update, parameter, trustCoefficient, epsilon);
        if (ratio != 1d)
        {
            GradientKernels.Multiply(update, ratio);
        }
    }

    /// <summary>The ratio <see cref="Scale(Span{float}, ReadOnlySpan{float}, float, float)"/> multiplies by.</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static float Of(ReadOnlySpan<float> update, ReadOnlySpan<float> parameter, float trustCoefficient, float epsilon)
    {
        CheckLengths(update.Length, parameter.Length);
        float parameterNorm = (float)Math.Sqrt(GradientKernels.SumOfSquares(parameter));
        float updateNorm = (float)Math.Sqrt(GradientKernels.SumOfSquares(update));
        return parameterNorm == 0f || updateNorm == 0f ? 1f : trustCoefficient * parameterNorm / (updateNorm + epsilon);
    }

    /// <inheritdoc cref="Of(ReadOnlySpan{float}, ReadOnlySpan{float}, float, float)"/>
    public static double Of(ReadOnlySpan<double> update, ReadOnlySpan<double> parameter, double trustCoefficient, double epsilon)
    {
        CheckLengths(update.Length, parameter.Length);
        double parameterNorm = Math.Sqrt(GradientKernels.SumOfSquares(parameter));
        double updateNorm = Math.Sqrt(GradientKernels.SumOfSquares(update));
        return parameterNorm == 0d || updateNorm == 0d ? 1d : trustCoefficient * parameterNorm / (updateNorm + epsilon);
    }

    private static void CheckLengths(int update, int parameter)
    {
        if (update != parameter)
        {
            throw new ArgumentException("The update and the parameter must have the same length.", nameof(update));
        }
    }
}
