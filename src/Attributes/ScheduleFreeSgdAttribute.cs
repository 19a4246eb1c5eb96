using System;

namespace Gen
{
    /// <summary>
    /// Generates a Schedule-Free SGD optimizer nested in the annotated partial class (Defazio, Yang, Mehta, Mishchenko,
    /// Khaled and Cutkosky 2024, "The Road Less Scheduled", arXiv:2405.15682), as the authors' reference implementation
    /// computes it: facebookresearch/schedule_free, <c>schedulefree/sgd_schedulefree_reference.py</c>
    /// (<c>SGDScheduleFreeReference</c>, commit 70785b5). No learning-rate schedule is needed: the iterate the model is
    /// evaluated at is an average of the optimizer's steps.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Three sequences per parameter: <c>z</c>, the plain SGD steps; <c>x</c>, their weighted average; and
    /// <c>y = (1 − β)·z + β·x</c> (β = Momentum), where the gradients are taken. Per element, in this order (t = StepCount,
    /// from 0; lr_t, lr_max, the weights and c as <see cref="ScheduleFreeAdamWAttribute"/> computes them):
    /// </para>
    /// <code>
    /// g = g + wd·y                                         (only when wd ≠ 0)
    /// z = z − lr_t·g
    /// x = (1 − c)·x + c·z
    /// y = β·x + (1 − β)·z;  p = y
    /// </code>
    /// <para>
    /// The model holds y while training and x for evaluation: the generated optimizer's <c>Eval()</c> copies x into the
    /// model and <c>Train()</c> copies y back, bit for bit (steps throw in evaluation mode), and
    /// <c>CopyEvalParametersTo(model)</c> copies x into a second instance. State per parameter: <c>z</c>, <c>x</c>, <c>y</c>,
    /// iterates of the parameters, kept at the members' precision (StatePrecision.Float32).
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ScheduleFreeSgdAttribute : Attribute
    {
        /// <summary>Step size of z after warm-up. Default 1.0.</summary>
        public double LearningRate { get; set; } = 1.0;

        /// <summary>Weight β of x in the training point y = (1 − β)·z + β·x, in (0, 1). Default 0.9.</summary>
        public double Momentum { get; set; } = 0.9;

        /// <summary>Weight decay factor, at least 0: <c>wd·y</c> is added to the gradient. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Steps over which the learning rate rises linearly to LearningRate, at least 0. Default 0.</summary>
        public int WarmupSteps { get; set; }

        /// <summary>Power of the step number in the averaging weights (the reference's <c>r</c>), at least 0. Default 0.</summary>
        public double R { get; set; }

        /// <summary>
        /// Power of the largest learning rate so far in the averaging weights (the reference's <c>weight_lr_power</c>), at
        /// least 0: iterates of the warm-up weigh less. Default 2.
        /// </summary>
        public double WeightLrPower { get; set; } = 2;

        /// <summary>
        /// How the state buffers are stored. Only <see cref="Gen.StatePrecision.Float32"/> (as the members): z, x and y are
        /// iterates of the parameters themselves, which reduced precision would round like the parameters (GEN145).
        /// Default <see cref="Gen.StatePrecision.Float32"/>.
        /// </summary>
        public StatePrecision StatePrecision { get; set; } = StatePrecision.Float32;

        /// <summary>Rounds 16-bit state stores stochastically; needs 16-bit state, which this kind does not keep. Default false.</summary>
        public bool StochasticRounding { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>ScheduleFreeSgdOptimizer</c>.</summary>
        public string Name { get; set; } = "ScheduleFreeSgdOptimizer";
    }
}
