using System;
using System.ComponentModel;

namespace Gen.__Internals;

/// <summary>
/// AdEMAMix's warm-up schedulers of α and β3 (Pagliardini et al. 2024, "The AdEMAMix Optimizer: Better, Faster,
/// Older", section 3; apple/ml-ademamix, pytorch/ademamix.py: <c>linear_warmup_scheduler</c> and
/// <c>linear_hl_warmup_scheduler</c>), computed in double as the reference's Python floats are, with the C library's
/// <c>log</c> and <c>pow</c> (which <see cref="Math.Log(double)"/> and <see cref="Math.Pow"/> call). Generated optimizers
/// call them once per step.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class AdEMAMixSchedules
{
    /// <summary>
    /// α at step <paramref name="step"/> (1-based, the reference's <c>state["step"]</c>): rising linearly from 0 over
    /// <paramref name="warmup"/> steps, <c>(1 − a)·0 + a·α</c> with <c>a = step / warmup</c>, then α.
    /// A warm-up of 0 is the reference's <c>None</c>: α from the first step.
    /// </summary>
    public static double Alpha(long step, int warmup, double alpha)
    {
        if (step < warmup)
        {
            double a = step / (double)warmup;
            return ((1.0 - a) * 0.0) + (a * alpha);
        }

        return alpha;
    }

    /// <summary>
    /// β3 at step <paramref name="step"/> (1-based): during the first <paramref name="warmup"/> steps, the decay whose
    /// half-life <c>f(β) = ln 0.5 / ln(β + 1e-8) − 1</c> moves linearly from β1's to the final β3's,
    /// <c>f⁻¹((1 − a)·f(β1) + a·f(β3))</c> with <c>f⁻¹(t) = 0.5^(1 / (t + 1))</c> and <c>a = step / warmup</c>; then β3.
    /// </summary>
    public static double Beta3(long step, int warmup, double beta1, double beta3)
    {
        if (step < warmup)
        {
            double a = step / (double)warmup;
            return InverseHalfLife(((1.0 - a) * HalfLife(beta1)) + (a * HalfLife(beta3)));
        }

        return beta3;
    }

    private static double HalfLife(double beta) => (Math.Log(0.5) / Math.Log(beta + 1e-8)) - 1;

    private static double InverseHalfLife(double t) => Math.Pow(0.5, 1 / (t + 1));
}
