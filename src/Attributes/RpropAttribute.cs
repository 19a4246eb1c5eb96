using System;

namespace Gen
{
    /// <summary>
    /// Generates an Rprop (resilient backpropagation) optimizer nested in the annotated partial class, with PyTorch's
    /// <c>torch.optim.Rprop</c> semantics and defaults. Rprop adapts one step size per element from the signs of the
    /// gradients alone: a full-batch method, for deterministic gradients (minibatch noise flips the signs it relies on).
    /// </summary>
    /// <remarks>
    /// The update, per element, in this order:
    /// <code>
    /// g = -g                                              (Maximize)
    /// f = EtaPlus if g * prev &gt; 0, EtaMinus if g * prev &lt; 0, else 1
    /// step = clamp(step * f, MinStepSize, MaxStepSize)
    /// g = 0 where f == EtaMinus                           (PyTorch's grad[sign.eq(etaminus)] = 0)
    /// p = p - sign(g) * step
    /// prev = g
    /// </code>
    /// PyTorch creates <c>step</c> at the first step, filled with the learning rate: the generated optimizer does so
    /// at its first step after construction or <c>Reset()</c>, with the LearningRate of that step (times the member's
    /// <see cref="LearningRateScaleAttribute"/>). Later changes of LearningRate, schedules included, change nothing, as in
    /// PyTorch. Rprop has no weight decay (PyTorch 1.13's has none): the optimizer's WeightDecay property is ignored and
    /// <see cref="NoWeightDecayAttribute"/> changes nothing. The products, factors and bounds are in the member's element
    /// type, as PyTorch's tensors are (so a NaN product gives the factor 1, and <c>clamp</c> keeps a NaN step size NaN).
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class RpropAttribute : Attribute
    {
        /// <summary>The initial step size of every element (PyTorch's <c>lr</c>), read at the first step only. Default 0.01.</summary>
        public double LearningRate { get; set; } = 1e-2;

        /// <summary>Factor of the step size where the gradient changed sign, in (0, 1). PyTorch's <c>etas[0]</c>. Default 0.5.</summary>
        public double EtaMinus { get; set; } = 0.5;

        /// <summary>Factor of the step size where the gradient kept its sign, above 1. PyTorch's <c>etas[1]</c>. Default 1.2.</summary>
        public double EtaPlus { get; set; } = 1.2;

        /// <summary>Smallest step size, above 0. PyTorch's <c>step_sizes[0]</c>. Default 1e-6.</summary>
        public double MinStepSize { get; set; } = 1e-6;

        /// <summary>Largest step size, finite and at least <see cref="MinStepSize"/>. PyTorch's <c>step_sizes[1]</c>. Default 50.</summary>
        public double MaxStepSize { get; set; } = 50;

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

        /// <summary>Name of the generated nested optimizer type. Default <c>RpropOptimizer</c>.</summary>
        public string Name { get; set; } = "RpropOptimizer";
    }
}
