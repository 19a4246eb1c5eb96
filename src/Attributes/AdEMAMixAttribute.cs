using System;

namespace Gen
{
    /// <summary>
    /// Generates an AdEMAMix optimizer nested in the annotated partial class (Pagliardini, Ablin and Grangier 2024, "The
    /// AdEMAMix Optimizer: Better, Faster, Older", arXiv:2409.03137), as the authors' reference implementation computes
    /// it: apple/ml-ademamix, <c>pytorch/ademamix.py</c> (commit c3d73c0). Adam with a second, slow momentum added to the
    /// update, which keeps gradients of tens of thousands of steps ago in play.
    /// </summary>
    /// <remarks>
    /// <para>Per element, in this order (t = StepCount + 1, the reference's <c>state["step"]</c>):</para>
    /// <code>
    /// m1 = β1·m1 + (1 − β1)·g                      (m1 = g when Beta1 = 0: no buffer)
    /// m2 = β3(t)·m2 + (1 − β3(t))·g
    /// v  = β2·v + (1 − β2)·g²
    /// d  = √v / √(1 − β2^t) + ε
    /// u  = (m1 / (1 − β1^t) + α(t)·m2) / d + wd·p
    /// p  = p − lr·u
    /// </code>
    /// <para>
    /// α(t) rises linearly from 0 to Alpha over AlphaWarmup steps; β3(t) moves from Beta1 to Beta3 over Beta3Warmup steps
    /// with a half-life that grows linearly (the paper's T_{α,β3}, the reference's <c>alpha_warmup</c> and
    /// <c>beta3_warmup</c>, which may differ); a warm-up of 0 is the reference's <c>None</c>. The weight decay is added to
    /// the update, so it is multiplied by the learning rate, as in the reference. State per parameter:
    /// <c>exp_avg_fast</c> (m1), <c>exp_avg_slow</c> (m2), <c>exp_avg_sq</c> (v) and <c>step</c>.
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdEMAMixAttribute : Attribute
    {
        /// <summary>Step size. Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>Decay rate of the fast momentum m1, in [0, 1), where 0 keeps none. Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the running average of squared gradients, in [0, 1). Default 0.999.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>Decay rate of the slow momentum m2 after its warm-up, in [0, 1). Default 0.9999.</summary>
        public double Beta3 { get; set; } = 0.9999;

        /// <summary>Weight of the slow momentum in the update after its warm-up, at least 0. Default 2.0.</summary>
        public double Alpha { get; set; } = 2.0;

        /// <summary>Steps over which α rises linearly from 0 to Alpha, at least 0, where 0 means no warm-up. Default 0.</summary>
        public int AlphaWarmup { get; set; }

        /// <summary>Steps over which β3 rises from Beta1 to Beta3, at least 0, where 0 means no warm-up. Default 0.</summary>
        public int Beta3Warmup { get; set; }

        /// <summary>Added to the denominator, greater than 0. Default 1e-8.</summary>
        public double Epsilon { get; set; } = 1e-8;

        /// <summary>Weight decay factor, at least 0, added to the update as <c>wd·p</c>. Default 0.</summary>
        public double WeightDecay { get; set; }

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

        /// <summary>Name of the generated nested optimizer type. Default <c>AdEMAMixOptimizer</c>.</summary>
        public string Name { get; set; } = "AdEMAMixOptimizer";
    }
}
