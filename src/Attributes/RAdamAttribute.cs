using System;

namespace Gen
{
    /// <summary>
    /// Generates a RAdam optimizer (rectified Adam, Liu et al. 2020) nested in the annotated partial class, with PyTorch's
    /// <c>torch.optim.RAdam</c> semantics and defaults (PyTorch 1.13; <see cref="DecoupledWeightDecay"/> is PyTorch 2.x's option).
    /// </summary>
    /// <remarks>
    /// Per element, at step t (1-based): <c>g = g + wd * p</c> (or, with <see cref="DecoupledWeightDecay"/>,
    /// <c>p = p * (1 - lr * wd)</c>); <c>m = beta1 * m + (1 - beta1) * g</c>; <c>v = beta2 * v + (1 - beta2) * g * g</c>;
    /// with <c>rho_inf = 2 / (1 - beta2) - 1</c> and <c>rho_t = rho_inf - 2 * t * beta2^t / (1 - beta2^t)</c>, once
    /// <c>rho_t &gt; 5</c>: <c>p = p - m / (1 - beta1^t) * lr * (sqrt(1 - beta2^t) / (sqrt(v) + eps)) * r_t</c> with the
    /// rectification <c>r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))</c>; before that,
    /// <c>p = p - m / (1 - beta1^t) * lr</c>. The choice depends on the step alone and is made once per step, as are
    /// the bias corrections and <c>r_t</c> (in double).
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class RAdamAttribute : Attribute
    {
        /// <summary>Step size. Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

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
        /// Decays the parameter (<c>p = p * (1 - lr * wd)</c>, before the update) instead of adding <c>wd * p</c> to the
        /// gradient: AdamW's decoupled weight decay, PyTorch 2.x's <c>RAdam(decoupled_weight_decay=True)</c> (torch/optim/radam.py,
        /// <c>param.mul_(1 - lr * weight_decay)</c>). PyTorch 1.13 has no such option; the rest of the update stays 1.13's. Default false.
        /// </summary>
        public bool DecoupledWeightDecay { get; set; }

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

        /// <summary>Name of the generated nested optimizer type. Default <c>RAdamOptimizer</c>.</summary>
        public string Name { get; set; } = "RAdamOptimizer";
    }
}
