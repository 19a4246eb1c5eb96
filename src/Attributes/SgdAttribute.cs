using System;

namespace Gen
{
    /// <summary>
    /// Generates a stochastic gradient descent optimizer nested in the annotated partial class, with
    /// PyTorch's <c>torch.optim.SGD</c> semantics. <see cref="LearningRate"/> is required, as in PyTorch.
    /// </summary>
    /// <remarks>
    /// Per element: <c>g = -g</c> (Maximize); <c>g = g + wd * p</c>; with momentum <c>b = g</c> on the
    /// first step and <c>b = momentum * b + (1 - dampening) * g</c> after it, then the update is
    /// <c>g + momentum * b</c> (Nesterov) or <c>b</c>; <c>p = p - lr * update</c>.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SgdAttribute : Attribute
    {
        /// <summary>Step size. Required: PyTorch's SGD has no default learning rate.</summary>
        public double LearningRate { get; set; } = double.NaN;

        /// <summary>Momentum factor in [0, 1); 0 disables the momentum buffer. Default 0.</summary>
        public double Momentum { get; set; }

        /// <summary>Dampening of the gradient's contribution to the momentum buffer, in [0, 1]. Default 0.</summary>
        public double Dampening { get; set; }

        /// <summary>Nesterov momentum; requires Momentum &gt; 0 and Dampening = 0. Default false.</summary>
        public bool Nesterov { get; set; }

        /// <summary>Coupled L2 weight decay factor, at least 0. Default 0.</summary>
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

        /// <summary>Name of the generated nested optimizer type. Default <c>SgdOptimizer</c>.</summary>
        public string Name { get; set; } = "SgdOptimizer";
    }
}
