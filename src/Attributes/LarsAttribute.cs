using System;

namespace Gen
{
    /// <summary>
    /// Generates a LARS optimizer nested in the annotated partial class (You, Gitman and Ginsburg 2017, "Large Batch
    /// Training of Convolutional Networks", arXiv:1708.03888): the gradient plus weight decay, scaled per member by the
    /// trust ratio <c>c·‖p‖ / (‖u‖ + ε)</c>, then the learning rate, then heavy-ball momentum. The order of operations and
    /// the defaults are Optax's <c>lars</c> (google-deepmind/optax, <c>optax/_src/alias.py</c>; its parts
    /// <c>add_decayed_weights</c>, <c>scale_by_trust_ratio</c>, <c>scale_by_learning_rate</c> and <c>trace</c>). Optax has
    /// no default learning rate: 0.01 is TensorFlow Model Garden's <c>LARS</c> (tensorflow/models,
    /// <c>official/modeling/optimization/lars_optimizer.py</c>).
    /// </summary>
    /// <remarks>
    /// Per member: <c>u = g + wd * p</c>; <c>r = c * ‖p‖ / (‖u‖ + eps)</c> (1 when either norm is 0);
    /// <c>u = (-lr) * (u * r)</c>; <c>t = u + momentum * t</c>; <c>p = p + t</c>, or with Nesterov
    /// <c>p = p + (u + momentum * t)</c>. The momentum buffer holds updates already scaled by the learning rate, as
    /// Optax's <c>trace</c> after <c>scale_by_learning_rate</c>. A member marked <c>[NoWeightDecay]</c> (biases, norms) gets
    /// neither the decay nor the trust ratio, as Optax users pass one mask as both <c>weight_decay_mask</c> and
    /// <c>trust_ratio_mask</c> and TensorFlow's LARS does by default.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LarsAttribute : Attribute
    {
        /// <summary>Step size. Default 0.01.</summary>
        public double LearningRate { get; set; } = 0.01;

        /// <summary>Weight decay added to the gradient before the trust ratio, at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Multiplier of the trust ratio (the paper's η), greater than 0. Default 0.001.</summary>
        public double TrustCoefficient { get; set; } = 0.001;

        /// <summary>Added to the update's norm in the trust ratio's denominator, at least 0. Default 0.</summary>
        public double Epsilon { get; set; }

        /// <summary>Decay of the momentum trace, in [0, 1). Default 0.9.</summary>
        public double Momentum { get; set; } = 0.9;

        /// <summary>Applies the Nesterov look-ahead <c>u + momentum * t</c> instead of the trace. Default false.</summary>
        public bool Nesterov { get; set; }

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

        /// <summary>Name of the generated nested optimizer type. Default <c>LarsOptimizer</c>.</summary>
        public string Name { get; set; } = "LarsOptimizer";
    }
}
