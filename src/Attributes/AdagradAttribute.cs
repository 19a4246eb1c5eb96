using System;

namespace Gen
{
    /// <summary>
    /// Generates an Adagrad optimizer nested in the annotated partial class, with PyTorch's
    /// <c>torch.optim.Adagrad</c> semantics and defaults.
    /// </summary>
    /// <remarks>
    /// Per element, at step t (1-based): <c>g = -g</c> (Maximize); <c>g = g + wd * p</c>;
    /// <c>clr = lr / (1 + (t - 1) * lr_decay)</c>; <c>s = s + g * g</c>; <c>p = p - clr * g / (sqrt(s) + eps)</c>.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdagradAttribute : Attribute
    {
        /// <summary>Step size. Default 0.01.</summary>
        public double LearningRate { get; set; } = 0.01;

        /// <summary>Learning-rate decay per step, at least 0 (PyTorch's <c>lr_decay</c>). Default 0.</summary>
        public double LearningRateDecay { get; set; }

        /// <summary>Coupled L2 weight decay factor, at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Initial value of the sum of squared gradients, at least 0. Default 0.</summary>
        public double InitialAccumulatorValue { get; set; }

        /// <summary>Added to the denominator. Default 1e-10.</summary>
        public double Epsilon { get; set; } = 1e-10;

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

        /// <summary>Name of the generated nested optimizer type. Default <c>AdagradOptimizer</c>.</summary>
        public string Name { get; set; } = "AdagradOptimizer";
    }
}
