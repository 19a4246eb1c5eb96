using System;

namespace Gen
{
    /// <summary>
    /// Generates a Lion optimizer nested in the annotated partial class (Chen et al. 2023, "Symbolic
    /// Discovery of Optimization Algorithms", Algorithm 2). PyTorch has no Lion class; the defaults are the paper's.
    /// </summary>
    /// <remarks>
    /// Per element: <c>g = -g</c> (Maximize); <c>p = p * (1 - lr * wd)</c>;
    /// <c>p = p - lr * sign(beta1 * m + (1 - beta1) * g)</c>; <c>m = beta2 * m + (1 - beta2) * g</c>.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LionAttribute : Attribute
    {
        /// <summary>Step size. Default 1e-4.</summary>
        public double LearningRate { get; set; } = 1e-4;

        /// <summary>Interpolation weight of the momentum in the update direction, in [0, 1). Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the momentum, in [0, 1). Default 0.99.</summary>
        public double Beta2 { get; set; } = 0.99;

        /// <summary>Decoupled weight decay factor, at least 0. Default 0.</summary>
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

        /// <summary>Name of the generated nested optimizer type. Default <c>LionOptimizer</c>.</summary>
        public string Name { get; set; } = "LionOptimizer";
    }
}
