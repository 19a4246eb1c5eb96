using System;

namespace Gen
{
    /// <summary>
    /// Generates an NAdam optimizer (Adam with Nesterov momentum, Dozat 2016) nested in the annotated partial class, with
    /// PyTorch's <c>torch.optim.NAdam</c> semantics and defaults (PyTorch 1.13; <see cref="DecoupledWeightDecay"/> is PyTorch 2.x's option).
    /// </summary>
    /// <remarks>
    /// Per element, at step t (1-based): <c>g = g + wd * p</c> (or, with <see cref="DecoupledWeightDecay"/>,
    /// <c>p = p * (1 - lr * wd)</c>); <c>m = beta1 * m + (1 - beta1) * g</c>; <c>v = beta2 * v + (1 - beta2) * g * g</c>;
    /// <c>d = sqrt(v / (1 - beta2^t)) + eps</c>;
    /// <c>p = p - lr * (1 - mu_t) / (1 - prod_t) * g / d</c>, then <c>p = p - lr * mu_(t+1) / (1 - prod_t * mu_t * mu_(t+1)) * m / d</c>,
    /// with the momentum coefficients <c>mu_t = beta1 * (1 - 0.5 * 0.96^(t * MomentumDecay))</c> computed in double once
    /// per step and their product <c>prod_t = mu_1 * ... * mu_t</c> (PyTorch's <c>mu_product</c>) kept as a float32 scalar,
    /// as PyTorch 1.13 keeps it (a float32 tensor whatever the parameters' dtype), so <c>mu_t</c> enters the last
    /// denominator twice, as in PyTorch 1.13.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class NAdamAttribute : Attribute
    {
        /// <summary>Step size. Default 2e-3.</summary>
        public double LearningRate { get; set; } = 2e-3;

        /// <summary>Decay rate of the first moment, in [0, 1). Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the second moment, in [0, 1). Default 0.999.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>Added to the denominator. Default 1e-8.</summary>
        public double Epsilon { get; set; } = 1e-8;

        /// <summary>
        /// Weight decay factor, at least 0: coupled L2 (<c>g = g + wd * p</c>), or decoupled with
        /// <see cref="DecoupledWeightDecay"/>. Default 0.
        /// </summary>
        public double WeightDecay { get; set; }

        /// <summary>
        /// How fast the momentum coefficient approaches <see cref="Beta1"/> (PyTorch's <c>momentum_decay</c>, ψ in
        /// <c>mu_t = beta1 * (1 - 0.5 * 0.96^(t * ψ))</c>), a finite number at least 0. Default 4e-3.
        /// </summary>
        public double MomentumDecay { get; set; } = 4e-3;

        /// <summary>
        /// Decays the parameter (<c>p = p * (1 - lr * wd)</c>, before the update) instead of adding <c>wd * p</c> to the
        /// gradient: AdamW's decoupled weight decay, PyTorch 2.x's <c>NAdam(decoupled_weight_decay=True)</c> (torch/optim/nadam.py,
        /// <c>param.mul_(1 - lr * weight_decay)</c>). PyTorch 1.13 has no such option; the rest of the update stays 1.13's. Default false.
        /// </summary>
        public bool DecoupledWeightDecay { get; set; }

        /// <summary>
        /// How the state buffers are stored: <see cref="Gen.StatePrecision.Float32"/> (as the members),
        /// <see cref="Gen.StatePrecision.BFloat16"/> or <see cref="Gen.StatePrecision.Float16"/> (2 bytes per element,
        /// float arithmetic; float members only), or <see cref="Gen.StatePrecision.Int8Blockwise"/> (1 byte per element
        /// and 4 per block of 256, for members of 4,096 elements or more; float members only). See docs/PRECISION.md.
        /// The momentum product stays a float32 scalar. Default <see cref="Gen.StatePrecision.Float32"/>.
        /// </summary>
        public StatePrecision StatePrecision { get; set; } = StatePrecision.Float32;

        /// <summary>
        /// Rounds 16-bit state stores up or down at random, with probability proportional to the distance, so that
        /// updates smaller than half a unit in the last place still move the state on average. Reproducible from the
        /// optimizer's <c>StochasticRoundingSeed</c> and the step. Needs <see cref="StatePrecision"/> BFloat16 or Float16
        /// (8-bit block-wise state is not rounded this way). Default false.
        /// </summary>
        public bool StochasticRounding { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>NAdamOptimizer</c>.</summary>
        public string Name { get; set; } = "NAdamOptimizer";
    }
}
