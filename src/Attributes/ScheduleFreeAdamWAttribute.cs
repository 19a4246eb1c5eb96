using System;

namespace Gen
{
    /// <summary>
    /// Generates a Schedule-Free AdamW optimizer nested in the annotated partial class (Defazio, Yang, Mehta, Mishchenko,
    /// Khaled and Cutkosky 2024, "The Road Less Scheduled", arXiv:2405.15682), as the authors' reference implementation
    /// computes it: facebookresearch/schedule_free, <c>schedulefree/adamw_schedulefree_reference.py</c>
    /// (<c>AdamWScheduleFreeReference</c>, commit 70785b5). No learning-rate schedule is needed: the iterate the model is
    /// evaluated at is an average of the optimizer's steps.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Three sequences per parameter: <c>z</c>, the plain AdamW-normalized steps; <c>x</c>, their weighted average; and
    /// <c>y = (1 − β1)·z + β1·x</c>, where the gradients are taken. Per element, in this order (t = StepCount, from 0):
    /// </para>
    /// <code>
    /// lr_t   = lr · min(1, (t + 1) / WarmupSteps)          (linear warm-up; lr with WarmupSteps = 0)
    /// lr_max = max(lr_t, lr_max)                           (kept across steps, from −1)
    /// w_t    = (t + 1)^R · lr_max^WeightLrPower;  weight_sum = weight_sum + w_t;  c = w_t / weight_sum
    /// z = z − lr_t·wd·y                                    (z with DecayAtZ; only when wd ≠ 0)
    /// v = β2·v + (1 − β2)·g²;  d = √(v / (1 − β2^(t+1))) + ε
    /// m = μ·m + (1 − μ)·g;  u = m / (1 − μ^(t+1))           (InnerMomentum μ > 0; else u = g)
    /// z = z − lr_t·u / d
    /// x = (1 − c)·x + c·z
    /// y = β1·x + (1 − β1)·z;  p = y
    /// </code>
    /// <para>
    /// The model holds y while training and x for evaluation: the generated optimizer's <c>Eval()</c> copies x into the
    /// model and <c>Train()</c> copies y back, bit for bit (the reference's <c>eval()</c> and <c>train()</c>; steps throw in
    /// evaluation mode), and <c>CopyEvalParametersTo(model)</c> copies x into a second instance. State per parameter:
    /// <c>z</c>, <c>exp_avg_sq</c>, <c>x</c>, <c>y</c> (and <c>exp_avg</c> with InnerMomentum), four times the parameters,
    /// which the reference trades for copies instead of the memory-efficient <c>AdamWScheduleFree</c>'s in-place
    /// interpolations, which are not exact inverses of each other in floating point. z, x and y are iterates of the
    /// parameters, so the state is kept at the members' precision (StatePrecision.Float32).
    /// </para>
    /// <para>
    /// One difference from the reference, none in the values computed: it starts in evaluation mode and raises at a
    /// step before <c>train()</c>; before the first step both modes hold the same parameters, so Gen starts in training
    /// mode, as <c>SGDScheduleFreeReference</c> does. As in the reference, a step reads z, x and y from the state (the
    /// weight decay is taken at the stored y) and only writes the parameters.
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ScheduleFreeAdamWAttribute : Attribute
    {
        /// <summary>Step size of z after warm-up. Default 0.0025.</summary>
        public double LearningRate { get; set; } = 0.0025;

        /// <summary>Weight of x in the training point y = (1 − β1)·z + β1·x, in (0, 1). Default 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Decay rate of the running average of squared gradients, in [0, 1). Default 0.999.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>Added to the root of the second moment, greater than 0. Default 1e-8.</summary>
        public double Epsilon { get; set; } = 1e-8;

        /// <summary>Weight decay factor, at least 0, taken at y (or z) and applied to z. Default 0.</summary>
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

        /// <summary>Takes the weight decay at z instead of y (the reference's <c>decay_at_z</c>). Default false.</summary>
        public bool DecayAtZ { get; set; }

        /// <summary>
        /// Decay rate of a running average of the gradient used in place of the gradient (the reference's
        /// <c>inner_momentum</c>), in [0, 1), where 0 keeps no average. Default 0.
        /// </summary>
        public double InnerMomentum { get; set; }

        /// <summary>
        /// How the state buffers are stored. Only <see cref="Gen.StatePrecision.Float32"/> (as the members): z, x and y are
        /// iterates of the parameters themselves, which reduced precision would round like the parameters (GEN145).
        /// Default <see cref="Gen.StatePrecision.Float32"/>.
        /// </summary>
        public StatePrecision StatePrecision { get; set; } = StatePrecision.Float32;

        /// <summary>Rounds 16-bit state stores stochastically; needs 16-bit state, which this kind does not keep. Default false.</summary>
        public bool StochasticRounding { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>ScheduleFreeAdamWOptimizer</c>.</summary>
        public string Name { get; set; } = "ScheduleFreeAdamWOptimizer";
    }
}
