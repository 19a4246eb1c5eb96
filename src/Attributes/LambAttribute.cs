using System;

namespace Gen
{
    /// <summary>
    /// Generates a LAMB optimizer nested in the annotated partial class (You et al. 2019, "Large Batch Optimization for
    /// Deep Learning: Training BERT in 76 minutes", arXiv:1904.00962): Adam's bias-corrected direction plus decoupled
    /// weight decay, scaled per member by the trust ratio ‖p‖ / ‖u‖. The order of operations and the defaults are
    /// Optax's <c>lamb</c> (google-deepmind/optax, <c>optax/_src/alias.py</c>; its parts <c>scale_by_adam</c>,
    /// <c>add_decayed_weights</c>, <c>scale_by_trust_ratio</c> in <c>optax/_src/transform.py</c> and
    /// <c>optax/transforms</c>). Optax has no default learning rate: 1e-3 is the usual LAMB default (NVIDIA Apex's
    /// <c>FusedLAMB</c> and TensorFlow Addons' <c>LAMB</c>).
    /// </summary>
    /// <remarks>
    /// Per member, with <c>t</c> the step (from 1): <c>m = (1 - beta1) * g + beta1 * m</c>;
    /// <c>v = (1 - beta2) * g * g + beta2 * v</c>; <c>u = (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + wd * p</c>;
    /// <c>r = ‖p‖ / ‖u‖</c> (1 when either norm is 0); <c>p = p + (-lr) * (r * u)</c>. A member marked
    /// <c>[NoWeightDecay]</c> (biases, norms) gets neither the decay nor the trust ratio (r = 1), as TensorFlow Addons'
    /// LAMB does by default (its <c>exclude_from_layer_adaptation</c> defaults to <c>exclude_from_weight_decay</c>);
    /// Optax's <c>lamb</c> masks the decay only.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LambAttribute : Attribute
    {
        /// <summary>Step size. Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>Decay rate of the first moment, in [0, 1). Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the second moment, in [0, 1). Default 0.999.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>Added to the square root of the second moment, greater than 0. Default 1e-6.</summary>
        public double Epsilon { get; set; } = 1e-6;

        /// <summary>Decoupled weight decay added to the update before the trust ratio, at least 0. Default 0.</summary>
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

        /// <summary>Name of the generated nested optimizer type. Default <c>LambOptimizer</c>.</summary>
        public string Name { get; set; } = "LambOptimizer";
    }
}
