using System;

namespace Gen
{
    /// <summary>
    /// Generates an ASGD (averaged stochastic gradient descent, Polyak and Juditsky 1992) optimizer nested in the
    /// annotated partial class, with PyTorch's <c>torch.optim.ASGD</c> semantics and defaults. Besides updating the
    /// parameters, it keeps their running average (PyTorch's <c>ax</c>) from step <c>T0</c> on, which the generated
    /// optimizer's <c>CopyAveragedTo(model)</c> writes into a model for evaluation.
    /// </summary>
    /// <remarks>
    /// The update, per element, in this order (t is the step, from 1; eta and mu are the values the previous step left):
    /// <code>
    /// g = -g                                  (Maximize)
    /// g = g + wd * p                          (wd = WeightDecay)
    /// p = p * (1 - Lambda * eta)
    /// p = p - eta * g
    /// ax = ax + (p - ax) * mu                 (mu != 1; ax = p otherwise)
    /// </code>
    /// then, once per step and member: <c>eta = lr / (1 + Lambda * lr * t)^Alpha</c>, <c>mu = 1 / max(1, t - T0)</c>.
    /// As in PyTorch 1.13, eta and mu are float32 scalars (<c>torch.tensor(float)</c>) even for double members, and the
    /// first step creates them (eta from that step's LearningRate, mu = 1). A change of LearningRate reaches the update one
    /// step later, through eta. [NoWeightDecay] turns off WeightDecay only; the Lambda decay applies to every member.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AsgdAttribute : Attribute
    {
        /// <summary>Step size before its decay (PyTorch's <c>lr</c>). Default 0.01.</summary>
        public double LearningRate { get; set; } = 1e-2;

        /// <summary>Decay term: of the parameters (<c>p * (1 - Lambda * eta)</c>) and of the step size. PyTorch's <c>lambd</c>. Default 1e-4.</summary>
        public double Lambda { get; set; } = 1e-4;

        /// <summary>Power of the step-size decay. Default 0.75.</summary>
        public double Alpha { get; set; } = 0.75;

        /// <summary>
        /// When averaging starts: <c>ax</c> is a copy of the parameters up to step T0 + 2, then (for a whole T0) the mean of
        /// the parameters after steps T0 + 2, T0 + 3, ... PyTorch's <c>t0</c>. Default 1e6.
        /// </summary>
        public double T0 { get; set; } = 1e6;

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

        /// <summary>Name of the generated nested optimizer type. Default <c>AsgdOptimizer</c>.</summary>
        public string Name { get; set; } = "AsgdOptimizer";
    }
}
