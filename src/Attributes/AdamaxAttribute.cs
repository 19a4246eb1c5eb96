using System;

namespace Gen
{
    /// <summary>
    /// Generates an Adamax optimizer (Adam with the infinity norm, Kingma and Ba 2015, section 7) nested in the annotated
    /// partial class, with PyTorch's <c>torch.optim.Adamax</c> semantics and defaults.
    /// </summary>
    /// <remarks>
    /// Per element, at step t (1-based): <c>g = -g</c> (Maximize); <c>g = g + wd * p</c>;
    /// <c>m = beta1 * m + (1 - beta1) * g</c>; <c>u = max(beta2 * u, |g| + eps)</c>;
    /// <c>p = p - (lr / (1 - beta1^t)) * m / u</c>. The bias correction is computed in double once per step. Epsilon is
    /// added to <c>|g|</c> inside the maximum, as PyTorch 1.13 does, not to the denominator.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdamaxAttribute : Attribute
    {
        /// <summary>Step size. Default 2e-3.</summary>
        public double LearningRate { get; set; } = 2e-3;

        /// <summary>Decay rate of the first moment, in [0, 1). Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the infinity norm, in [0, 1). Default 0.999.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>Added to <c>|g|</c> inside the maximum, which keeps the denominator at least epsilon. Default 1e-8.</summary>
        public double Epsilon { get; set; } = 1e-8;

        /// <summary>Coupled L2 weight decay factor (<c>g = g + wd * p</c>), at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

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

        /// <summary>Name of the generated nested optimizer type. Default <c>AdamaxOptimizer</c>.</summary>
        public string Name { get; set; } = "AdamaxOptimizer";
    }
}
