using System;

namespace Gen
{
    /// <summary>
    /// Generates an RMSProp optimizer nested in the annotated partial class, with PyTorch's
    /// <c>torch.optim.RMSprop</c> semantics and defaults. Every <c>float[]</c>, <c>double[]</c>,
    /// <c>float[,]</c>, <c>double[,]</c>, <c>float[,,]</c> and <c>double[,,]</c> instance field or
    /// property declared in the class is a parameter unless it is marked <see cref="FrozenAttribute"/>.
    /// </summary>
    /// <remarks>
    /// The update, per element, in this order:
    /// <code>
    /// g = -g                                  (Maximize)
    /// g = g + wd * p                          (WeightDecayMode.L2, wd = WeightDecay)
    /// p = p * (1 - lr * wd)                   (WeightDecayMode.Decoupled)
    /// v = rho * v + (1 - rho) * g * g
    /// m = rho * m + (1 - rho) * g             (Centered)
    /// d = sqrt(v - m * m) + eps               (Centered; sqrt(v) + eps otherwise; InsideSqrt moves eps under the root)
    /// b = momentum * b + g / d;  p = p - lr * b   (Momentum > 0)
    /// p = p - lr * g / d                      (otherwise)
    /// </code>
    /// Rho, Epsilon, Momentum and the flags are compile-time constants of the generated code;
    /// LearningRate and WeightDecay are the starting values of the optimizer's settable properties.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class RmsPropAttribute : Attribute
    {
        /// <summary>Step size. PyTorch's <c>lr</c>. Default 0.01.</summary>
        public double LearningRate { get; set; } = 0.01;

        /// <summary>Decay rate of the square average, in [0, 1). PyTorch's <c>alpha</c>. Default 0.99.</summary>
        public double Rho { get; set; } = 0.99;

        /// <summary>Added to the denominator for numerical stability. Default 1e-8.</summary>
        public double Epsilon { get; set; } = 1e-8;

        /// <summary>Where <see cref="Epsilon"/> is added. Default <see cref="Gen.EpsilonPlacement.OutsideSqrt"/> (PyTorch).</summary>
        public EpsilonPlacement EpsilonPlacement { get; set; } = EpsilonPlacement.OutsideSqrt;

        /// <summary>Momentum factor in [0, 1); 0 disables the momentum buffer. Default 0.</summary>
        public double Momentum { get; set; }

        /// <summary>Normalizes by the variance estimate <c>v - m * m</c> instead of <c>v</c>. Default false.</summary>
        public bool Centered { get; set; }

        /// <summary>Weight decay factor, at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>How <see cref="WeightDecay"/> is applied. Default <see cref="Gen.WeightDecayMode.L2"/> (PyTorch).</summary>
        public WeightDecayMode WeightDecayMode { get; set; } = WeightDecayMode.L2;

        /// <summary>Maximizes the objective instead of minimizing it. Default false.</summary>
        public bool Maximize { get; set; }

        /// <summary>Initial value of the square average, at least 0 (Optax's <c>initial_scale</c>; TensorFlow 1 used 1). Default 0.</summary>
        public double InitialScale { get; set; }

        /// <summary>
        /// <see cref="Gen.Precision.Fast"/> replaces the float kernels' square root and division by refined
        /// hardware estimates. Default <see cref="Gen.Precision.Exact"/>.
        /// </summary>
        public Precision Precision { get; set; } = Precision.Exact;

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

        /// <summary>Name of the generated nested optimizer type. Default <c>RmsPropOptimizer</c>.</summary>
        public string Name { get; set; } = "RmsPropOptimizer";
    }
}
