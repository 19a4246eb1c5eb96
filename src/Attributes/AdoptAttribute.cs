using System;

namespace Gen
{
    /// <summary>
    /// Generates an ADOPT optimizer nested in the annotated partial class (Taniguchi, Harada, Minegishi, Oshima, Jeong,
    /// Nagahara, Iiyama, Suzuki, Iwasawa and Matsuo 2024, "ADOPT: Modified Adam Can Converge with Any β2 with the Optimal
    /// Rate", arXiv:2411.02853), as the authors' reference implementation computes it: iShohei220/adopt,
    /// <c>src/adopt/adopt.py</c> (<c>_single_tensor_adopt</c>, commit 6468572). The gradient is normalized by the second
    /// moment of the steps before it, then averaged into the momentum.
    /// </summary>
    /// <remarks>
    /// <para>Per element, in this order (t = StepCount, from 0, the reference's <c>state["step"]</c> before the step):</para>
    /// <code>
    /// g = −g                                        (Maximize)
    /// g = g + wd·p                                  (Decouple = false, only when wd ≠ 0)
    /// t = 0:  v = v + g²                            (the first step only initializes v)
    /// t ≥ 1:  p = p − lr·wd·p                       (Decouple = true, only when wd ≠ 0)
    ///         n = g / max(√v, ε)
    ///         n = clamp(n, −t^c, t^c)               (Clipping, c = ClipExponent)
    ///         m = m + (1 − β1)·(n − m)              (lerp)
    ///         p = p − lr·m
    ///         v = β2·v + (1 − β2)·g²
    /// </code>
    /// <para>
    /// The reference's <c>clip_lambda</c> is a function of the step, <c>step**0.25</c> by default; Gen takes its power
    /// (ClipExponent), or none (Clipping = false, the reference's <c>clip_lambda=None</c>). State per parameter:
    /// <c>exp_avg</c> (m), <c>exp_avg_sq</c> (v) and <c>step</c>.
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdoptAttribute : Attribute
    {
        /// <summary>Step size. Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>Decay rate of the momentum of normalized gradients, in [0, 1). Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the running average of squared gradients, in [0, 1). Default 0.9999.</summary>
        public double Beta2 { get; set; } = 0.9999;

        /// <summary>Lower bound of the root of the second moment the gradient is divided by, greater than 0. Default 1e-6.</summary>
        public double Epsilon { get; set; } = 1e-6;

        /// <summary>Clips each normalized gradient to ±t^ClipExponent (the reference's default <c>clip_lambda</c>). Default true.</summary>
        public bool Clipping { get; set; } = true;

        /// <summary>Power of the step count in the clipping bound, at least 0. Default 0.25.</summary>
        public double ClipExponent { get; set; } = 0.25;

        /// <summary>Weight decay factor, at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>
        /// Applies the weight decay to the parameter (<c>p − lr·wd·p</c>) instead of adding <c>wd·p</c> to the gradient
        /// (the reference's <c>decouple</c>). Default false.
        /// </summary>
        public bool Decouple { get; set; }

        /// <summary>Maximizes the objective instead of minimizing it. Default false.</summary>
        public bool Maximize { get; set; }

        /// <summary>
        /// How the state buffers are stored: <see cref="Gen.StatePrecision.Float32"/> (as the members),
        /// <see cref="Gen.StatePrecision.BFloat16"/> or <see cref="Gen.StatePrecision.Float16"/> (2 bytes per element,
        /// float arithmetic; float members only), or <see cref="Gen.StatePrecision.Int8Blockwise"/> (1 byte per element
        /// and 4 per block of 256, for members of 4,096 elements or more; float members only). See docs/PRECISION.md.
        /// Default <see cref="Gen.StatePrecision.Float32"/>.
        /// </summary>
        public StatePrecision StatePrecision { get; set; } = StatePrecision.Float32;

        /// <summary>
        /// Rounds 16-bit state stores up or down at random, with probability proportional to the distance, so that
        /// updates smaller than half a unit in the last place still move the state on average. Reproducible from the
        /// optimizer's <c>StochasticRoundingSeed</c> and the step. Needs <see cref="StatePrecision"/> BFloat16 or Float16
        /// (8-bit block-wise state is not rounded this way). Default false.
        /// </summary>
        public bool StochasticRounding { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>AdoptOptimizer</c>.</summary>
        public string Name { get; set; } = "AdoptOptimizer";
    }
}
