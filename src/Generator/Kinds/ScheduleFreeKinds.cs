using System.Collections.Generic;
using System.Globalization;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;

namespace Gen.Generator.Kinds;

/// <summary>
/// What the two Schedule-Free kinds share (Defazio et al. 2024; facebookresearch/schedule_free, the reference files
/// <c>adamw_schedulefree_reference.py</c> and <c>sgd_schedulefree_reference.py</c>): the warm-up, the averaging weight
/// <c>ckp1</c> from the group's running <c>lr_max</c> and <c>weight_sum</c> (step scalars kept across steps, per
/// parameter group), the lazy creation of z, x and y as clones of the parameter at the first step, and the two points
/// the model holds (y in training, x for evaluation).
/// </summary>
internal static class ScheduleFree
{
    /// <summary>The buffers x and y, which <c>Eval()</c> and <c>Train()</c> copy into the model.</summary>
    public static readonly ModeSwap Modes = new("x", "y");

    /// <summary>
    /// The kind's step branch: on at the first step, where z, x and y are built from the parameter (the reference clones
    /// it), off after, where they are read from their buffers (as Rprop's first step).
    /// </summary>
    public static readonly SwitchCondition FirstStep = new(KernelSwitch.StepBranch, "StepCount != 0");

    /// <summary>
    /// The step's learning rate after warm-up, <c>lr·(k + 1)/W</c> for k &lt; W (Python's true division of integers is
    /// the correctly rounded quotient, as C#'s of two exact doubles), else <c>lr</c>.
    /// </summary>
    public static StepScalar ScheduledLearningRate(int warmupSteps) => new(
        "scheduledLr",
        warmupSteps == 0 ? "{lr}" : "{lr} * (StepCount < " + warmupSteps.ToString(CultureInfo.InvariantCulture) + "L ? (StepCount + 1d) / " + Literals.Double(warmupSteps) + " : 1d)")
    { Passed = false };

    /// <summary>
    /// The averaging scalars, in the reference's order: <c>lr_max = max(lr, lr_max)</c> (Python's max keeps the first
    /// argument unless the second is greater), <c>weight = (k + 1)^r · lr_max^weight_lr_power</c>,
    /// <c>weight_sum += weight</c>, <c>ckp1 = weight / weight_sum</c> (0 where the reference catches the division by
    /// zero) and <c>1 − ckp1</c>.
    /// </summary>
    public static IEnumerable<StepScalar> Averaging(double r, double weightLrPower)
    {
        yield return new StepScalar("lrMax", "{lrMax} > {scheduledLr} ? {lrMax} : {scheduledLr}") { Passed = false, GroupKey = "lr_max", InitialValue = -1 };
        yield return new StepScalar(
            "weight",
            "global::System.Math.Pow(StepCount + 1d, " + Literals.Double(r) + ") * global::System.Math.Pow({lrMax}, " + Literals.Double(weightLrPower) + ")")
        { Passed = false };
        yield return new StepScalar("weightSum", "{weightSum} + {weight}") { Passed = false, GroupKey = "weight_sum" };
        yield return Ckp1;
        yield return OneMinusCkp1;
    }

    /// <summary>The weight of this step's z in the average x.</summary>
    public static readonly StepScalar Ckp1 = new("ckp1", "{weightSum} == 0d ? 0d : {weight} / {weightSum}");

    /// <summary><c>1 − ckp1</c>, in double (the reference's <c>x.mul_(1-ckp1)</c>).</summary>
    public static readonly StepScalar OneMinusCkp1 = new("oneMinusCkp1", "1d - {ckp1}");

    /// <summary><c>-lr</c> of the step, after warm-up (the reference's <c>alpha=-lr</c> / <c>value=-lr</c>).</summary>
    public static readonly StepScalar NegativeLearningRate = new("negLr", "-{scheduledLr}");

    /// <summary>The checks both kinds share.</summary>
    public static void ValidateAveraging(AttributeReader r, double learningRate, double weightDecay, int warmupSteps, double rPower, double weightLrPower)
    {
        r.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        r.Check(warmupSteps >= 0, DiagnosticDescriptors.WarmupOutOfRange, "WarmupSteps", warmupSteps);
        r.NonNegativeFinite("R", rPower, DiagnosticDescriptors.AveragingPowerOutOfRange);
        r.NonNegativeFinite("WeightLrPower", weightLrPower, DiagnosticDescriptors.AveragingPowerOutOfRange);
    }

    /// <summary>The rule lines of the warm-up and the averaging weight.</summary>
    public static IEnumerable<string> AveragingRule(int warmupSteps, double r, double weightLrPower)
    {
        yield return warmupSteps == 0 ? "lrₜ = lr" : "lrₜ = lr·min(1, (t + 1)/W)      W = " + warmupSteps.ToString(CultureInfo.InvariantCulture);
        yield return "lr_max ← max(lrₜ, lr_max);  w = (t + 1)^r·lr_max^q;  weight_sum ← weight_sum + w;  c = w / weight_sum";
        yield return "    r = " + Literals.Number(r) + ", q = " + Literals.Number(weightLrPower) + "; t = StepCount from 0; z, x, y ← p at t = 0";
    }

    /// <summary>
    /// z, x and y: loaded, or at the first step the parameter itself (the reference's <c>torch.clone(p)</c>).
    /// </summary>
    public static (LocalValue Z, LocalValue X, LocalValue Y) Iterates(KernelBuilder k, LocalValue param) => (
        k.Let("z", StepBranch(param, k.Load("zState"))),
        k.Let("x", StepBranch(param, k.Load("xState"))),
        k.Let("y", StepBranch(param, k.Load("yState"))));

    /// <summary>
    /// The averaging and interpolation both kinds end with, in the reference's operations:
    /// <c>x.mul_(1-ckp1).add_(z, alpha=ckp1)</c> and <c>y = x.mul(β).add_(z, alpha=1-β)</c>, then <c>p.copy_(y)</c>.
    /// </summary>
    public static void Average(KernelBuilder k, LocalValue z, LocalValue x, LocalValue y, double beta)
    {
        k.Assign(x, x * k.Scalar(OneMinusCkp1) + k.Scalar(Ckp1) * z);
        k.Assign(y, x * beta + (1 - beta) * z);
    }

    public static IEnumerable<string> AverageRule(double beta) => new[]
    {
        "x ← (1 − c)·x + c·z",
        "y ← β·x + (1 − β)·z;  p ← y      β = " + Literals.Number(beta),
    };
}

/// <summary>
/// [ScheduleFreeAdamW], as <c>AdamWScheduleFreeReference.step</c>: weight decay on z at y (or z), then
/// <c>v*β2 + ((1-β2)*g)*g</c>, <c>√(v / bc2) + ε</c>, <c>z + ((-lr)*u) / d</c> (addcdiv), the average and the
/// interpolation.
/// </summary>
internal sealed class ScheduleFreeAdamWKind : OptimizerKind<ScheduleFreeAdamWAttribute, ScheduleFreeAdamWSpec>
{
    public ScheduleFreeAdamWKind()
        : base("ScheduleFreeAdamW", TrackingNames.ScheduleFreeAdamWModels)
    {
    }

    protected override string? ParameterIterates => "z, x and y";

    protected override ScheduleFreeAdamWSpec Read(ScheduleFreeAdamWAttribute a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.WarmupSteps, a.R, a.WeightLrPower, a.DecayAtZ, a.InnerMomentum)
        {
            State = new(a.StatePrecision, a.StochasticRounding),
        };

    protected override void Validate(ScheduleFreeAdamWSpec s, AttributeReader r)
    {
        ScheduleFree.ValidateAveraging(r, s.LearningRate, s.WeightDecay, s.WarmupSteps, s.R, s.WeightLrPower);
        r.Check(s.Beta1 > 0 && s.Beta1 < 1, DiagnosticDescriptors.InterpolationOutOfRange, nameof(ScheduleFreeAdamWAttribute.Beta1), s.Beta1);
        r.UnitInterval(nameof(ScheduleFreeAdamWAttribute.Beta2), s.Beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(ScheduleFreeAdamWAttribute.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.UnitInterval(nameof(ScheduleFreeAdamWAttribute.InnerMomentum), s.InnerMomentum, DiagnosticDescriptors.DecayRateOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(ScheduleFreeAdamWSpec s) => new[]
    {
        PublicConstant.Double(nameof(ScheduleFreeAdamWAttribute.Beta1), s.Beta1, "Weight of x in the training point y = (1 − β1)·z + β1·x."),
        PublicConstant.Double(nameof(ScheduleFreeAdamWAttribute.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(ScheduleFreeAdamWAttribute.Epsilon), s.Epsilon, "Added to the denominator."),
        PublicConstant.Int(nameof(ScheduleFreeAdamWAttribute.WarmupSteps), s.WarmupSteps, "Steps of linear learning-rate warm-up."),
        PublicConstant.Double(nameof(ScheduleFreeAdamWAttribute.R), s.R, "Power of the step number in the averaging weights."),
        PublicConstant.Double(nameof(ScheduleFreeAdamWAttribute.WeightLrPower), s.WeightLrPower, "Power of the largest learning rate so far in the averaging weights."),
        PublicConstant.Bool(nameof(ScheduleFreeAdamWAttribute.DecayAtZ), s.DecayAtZ, "Whether the weight decay is taken at z instead of y."),
        PublicConstant.Double(nameof(ScheduleFreeAdamWAttribute.InnerMomentum), s.InnerMomentum, "Decay rate of the running average of the gradient used in its place; 0 for none."),
    };

    protected override IEnumerable<StateBuffer> Buffers(ScheduleFreeAdamWSpec s)
    {
        yield return new("z", "zState", "z", 0, "The base sequence z (the plain AdamW steps)", NonNegative: false);
        yield return AdamStyle.SecondMoment;
        yield return new("x", "xState", "x", 0, "The average x of the base sequence (the parameters to evaluate)", NonNegative: false);
        yield return new("y", "yState", "y", 0, "The interpolation y (the parameters the gradients are taken at)", NonNegative: false);
        if (s.InnerMomentum > 0)
        {
            yield return AdamStyle.FirstMoment with { Description = "Running average of the gradient (inner momentum)" };
        }
    }

    protected override IEnumerable<StepScalar> Scalars(ScheduleFreeAdamWSpec s)
    {
        yield return ScheduleFree.ScheduledLearningRate(s.WarmupSteps);
        foreach (StepScalar scalar in ScheduleFree.Averaging(s.R, s.WeightLrPower))
        {
            yield return scalar;
        }

        yield return ScheduleFree.NegativeLearningRate;

        // The decay's key (the kernel runs without the term when it is 0, as the reference's `if decay != 0`) and its
        // factor, z.sub_(y, alpha=lr*decay): PyTorch adds -alpha times y.
        yield return StepScalar.WeightDecay(WeightDecayMode.L2) with { Passed = false };
        yield return NegativeDecay;
        yield return BiasCorrection2(s);
        if (s.InnerMomentum > 0)
        {
            yield return BiasCorrection1(s);
        }
    }

    protected override IEnumerable<SwitchCondition> SwitchConditions(ScheduleFreeAdamWSpec s) => new[] { ScheduleFree.FirstStep };

    protected override ModeSwap? Modes(ScheduleFreeAdamWSpec s) => ScheduleFree.Modes;

    protected override IEnumerable<string> Rule(ScheduleFreeAdamWSpec s)
    {
        var lines = new List<string>(ScheduleFree.AveragingRule(s.WarmupSteps, s.R, s.WeightLrPower))
        {
            "z ← z − lrₜ·wd·" + (s.DecayAtZ ? "z" : "y") + "          (wd ≠ 0)",
            WithNote("v ← β2·v + (1 − β2)·g²", "β2 = " + Number(s.Beta2)),
            WithNote("d ← √(v / (1 − β2ᵗ⁺¹)) + ε", "ε = " + Number(s.Epsilon)),
        };
        if (s.InnerMomentum > 0)
        {
            lines.Add(WithNote("m ← μ·m + (1 − μ)·g", "μ = " + Number(s.InnerMomentum)));
            lines.Add("z ← z − lrₜ·(m / (1 − μᵗ⁺¹)) / d");
        }
        else
        {
            lines.Add("z ← z − lrₜ·g / d");
        }

        lines.AddRange(ScheduleFree.AverageRule(s.Beta1));
        return lines;
    }

    protected override void Kernel(ScheduleFreeAdamWSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(maximize: false);
        (LocalValue z, LocalValue x, LocalValue y) = ScheduleFree.Iterates(k, param);
        k.Assign(z, Switch(KernelSwitch.CoupledDecay, z + k.Scalar(NegativeDecay) * (s.DecayAtZ ? z : y), z));
        LocalValue expAvgSq = k.Let("expAvgSq", k.Load("v") * s.Beta2 + (1 - s.Beta2) * grad * grad);
        LocalValue denominator = k.Let("denominator", Sqrt(expAvgSq / k.Scalar(BiasCorrection2(s))) + s.Epsilon);
        KernelValue numerator = grad;
        if (s.InnerMomentum > 0)
        {
            LocalValue expAvg = k.Let("expAvg", k.Load("m") * s.InnerMomentum + (1 - s.InnerMomentum) * grad);
            k.Store("m", expAvg);
            numerator = k.Let("numerator", expAvg / k.Scalar(BiasCorrection1(s)));
        }

        k.Assign(z, z + k.Scalar(ScheduleFree.NegativeLearningRate) * numerator / denominator);
        ScheduleFree.Average(k, z, x, y, s.Beta1);
        k.Store("zState", z);
        k.Store("v", expAvgSq);
        k.Store("xState", x);
        k.Store("yState", y);
        k.Store("p", y);
    }

    private static readonly StepScalar NegativeDecay = new("negLrWd", "-({scheduledLr} * {wd})");

    private static StepScalar BiasCorrection2(ScheduleFreeAdamWSpec s) =>
        new("biasCorrection2", "1d - global::System.Math.Pow(" + Literals.Double(s.Beta2) + ", StepCount + 1)");

    private static StepScalar BiasCorrection1(ScheduleFreeAdamWSpec s) =>
        new("biasCorrection1", "1d - global::System.Math.Pow(" + Literals.Double(s.InnerMomentum) + ", StepCount + 1)");
}

/// <summary>
/// [ScheduleFreeSgd], as <c>SGDScheduleFreeReference.step</c>: <c>g + wd*y</c> (grad.add_(y, alpha=wd)), <c>z + (-lr)*g</c>,
/// the average and the interpolation.
/// </summary>
internal sealed class ScheduleFreeSgdKind : OptimizerKind<ScheduleFreeSgdAttribute, ScheduleFreeSgdSpec>
{
    public ScheduleFreeSgdKind()
        : base("ScheduleFreeSGD", TrackingNames.ScheduleFreeSgdModels)
    {
    }

    /// <summary>No running average of squares.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override string? ParameterIterates => "z, x and y";

    protected override ScheduleFreeSgdSpec Read(ScheduleFreeSgdAttribute a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Momentum, a.WarmupSteps, a.R, a.WeightLrPower) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(ScheduleFreeSgdSpec s, AttributeReader r)
    {
        ScheduleFree.ValidateAveraging(r, s.LearningRate, s.WeightDecay, s.WarmupSteps, s.R, s.WeightLrPower);
        r.Check(s.Momentum > 0 && s.Momentum < 1, DiagnosticDescriptors.InterpolationOutOfRange, nameof(ScheduleFreeSgdAttribute.Momentum), s.Momentum);
    }

    protected override IEnumerable<PublicConstant> Constants(ScheduleFreeSgdSpec s) => new[]
    {
        PublicConstant.Double(nameof(ScheduleFreeSgdAttribute.Momentum), s.Momentum, "Weight β of x in the training point y = (1 − β)·z + β·x."),
        PublicConstant.Int(nameof(ScheduleFreeSgdAttribute.WarmupSteps), s.WarmupSteps, "Steps of linear learning-rate warm-up."),
        PublicConstant.Double(nameof(ScheduleFreeSgdAttribute.R), s.R, "Power of the step number in the averaging weights."),
        PublicConstant.Double(nameof(ScheduleFreeSgdAttribute.WeightLrPower), s.WeightLrPower, "Power of the largest learning rate so far in the averaging weights."),
    };

    protected override IEnumerable<StateBuffer> Buffers(ScheduleFreeSgdSpec s) => new StateBuffer[]
    {
        new("z", "zState", "z", 0, "The base sequence z (the plain SGD steps)", NonNegative: false),
        new("x", "xState", "x", 0, "The average x of the base sequence (the parameters to evaluate)", NonNegative: false),
        new("y", "yState", "y", 0, "The interpolation y (the parameters the gradients are taken at)", NonNegative: false),
    };

    protected override IEnumerable<StepScalar> Scalars(ScheduleFreeSgdSpec s)
    {
        yield return ScheduleFree.ScheduledLearningRate(s.WarmupSteps);
        foreach (StepScalar scalar in ScheduleFree.Averaging(s.R, s.WeightLrPower))
        {
            yield return scalar;
        }

        yield return ScheduleFree.NegativeLearningRate;
        yield return StepScalar.WeightDecay(WeightDecayMode.L2);
    }

    protected override IEnumerable<SwitchCondition> SwitchConditions(ScheduleFreeSgdSpec s) => new[] { ScheduleFree.FirstStep };

    protected override ModeSwap? Modes(ScheduleFreeSgdSpec s) => ScheduleFree.Modes;

    protected override IEnumerable<string> Rule(ScheduleFreeSgdSpec s)
    {
        var lines = new List<string>(ScheduleFree.AveragingRule(s.WarmupSteps, s.R, s.WeightLrPower))
        {
            "g ← g + wd·y                (wd ≠ 0)",
            "z ← z − lrₜ·g",
        };
        lines.AddRange(ScheduleFree.AverageRule(s.Momentum));
        return lines;
    }

    protected override void Kernel(ScheduleFreeSgdSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(maximize: false);
        (LocalValue z, LocalValue x, LocalValue y) = ScheduleFree.Iterates(k, param);
        k.Assign(grad, Switch(KernelSwitch.CoupledDecay, grad + k.Scalar(StepScalar.WeightDecay(WeightDecayMode.L2)) * y, grad));
        k.Assign(z, z + k.Scalar(ScheduleFree.NegativeLearningRate) * grad);
        ScheduleFree.Average(k, z, x, y, s.Momentum);
        k.Store("zState", z);
        k.Store("xState", x);
        k.Store("yState", y);
        k.Store("p", y);
    }
}
