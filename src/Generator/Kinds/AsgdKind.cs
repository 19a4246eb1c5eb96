using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.AsgdAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// ASGD as PyTorch 1.13's <c>_single_tensor_asgd</c>: <c>g + wd*p</c>, <c>p*(1 − λ·η)</c>, <c>p + (−η)*g</c>, then the average
/// <c>ax + (p − ax)*μ</c> (a copy of <c>p</c> while μ is 1: the kind's <see cref="KernelSwitch.StepBranch"/>, on once μ ≠ 1). η and μ are PyTorch's
/// per-parameter 0-dim float32 tensors: scalar states, read once per step and set after the update from that step's rate
/// and count (<c>η = lr / (1 + λ·lr·t)^α</c>, <c>μ = 1 / max(1, t − t0)</c>, in double, then rounded to float as
/// <c>torch.tensor(python_float)</c> does, for double members too).
/// </summary>
internal sealed class AsgdKind : OptimizerKind<A, AsgdSpec>
{
    private static readonly StepScalar NegativeEta = new("negEta", "-{state:eta}");

    private static readonly StepScalar Mu = new("mu", "{state:mu}");

    public AsgdKind()
        : base("ASGD", TrackingNames.AsgdModels)
    {
    }

    /// <summary>An average of the parameters: float16 state holds it where the parameters are in its range.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override AsgdSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Lambda, a.Alpha, a.T0, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(AsgdSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);

        // PyTorch checks none of these three; each out-of-range value makes a meaningless average or step size.
        Check(r, nameof(A.Lambda), s.Lambda, s.Lambda >= 0 && !double.IsInfinity(s.Lambda),
            "Lambda decays the parameters (p·(1 − Lambda·eta)) and the step size, and must be a finite number >= 0");
        if (s.Lambda >= 0 && !double.IsInfinity(s.Lambda) && s.LearningRate >= 0 && !double.IsInfinity(s.LearningRate))
        {
            Check(r, nameof(A.Lambda), s.Lambda, s.Lambda * s.LearningRate < 1,
                "Lambda·LearningRate must be below 1, or the first step's decay factor 1 − Lambda·LearningRate is 0 or negative and the parameters vanish or flip sign");
        }

        Check(r, nameof(A.Alpha), s.Alpha, s.Alpha >= 0 && !double.IsInfinity(s.Alpha),
            "Alpha is the power of the step-size decay and must be a finite number >= 0 (0 keeps the step size at LearningRate)");
        Check(r, nameof(A.T0), s.T0, s.T0 >= 0 && !double.IsInfinity(s.T0),
            "T0 is the step after which the parameters are averaged and must be a finite number >= 0");
    }

    protected override IEnumerable<PublicConstant> Constants(AsgdSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Lambda), s.Lambda, "Decay term of the parameters and of the step size."),
        PublicConstant.Double(nameof(A.Alpha), s.Alpha, "Power of the step-size decay."),
        PublicConstant.Double(nameof(A.T0), s.T0, "The step after which the parameters are averaged."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AsgdSpec s) => new[]
    {
        new StateBuffer("ax", "a", "ax", 0, "Running average of the parameters", NonNegative: false) { CopyMethod = "CopyAveragedTo" },
    };

    protected override IEnumerable<ScalarState> ScalarStates(AsgdSpec s)
    {
        // PyTorch's float32 step tensor stops counting at 2^24 (2^24 + 1 rounds back to it), and eta and mu with it.
        string step = "global::System.Math.Min(StepCount + 1, 16777216d)";
        yield return new ScalarState("eta", "eta", "Step size of the next step",
            "{lr}",
            "{lr} / global::System.Math.Pow(1d + " + Literals.Double(s.Lambda) + " * {lr} * " + step + ", " + Literals.Double(s.Alpha) + ")");
        yield return new ScalarState("mu", "mu", "Averaging weight of the next step",
            "1d",
            "1d / global::System.Math.Max(1d, " + step + " - " + Literals.Double(s.T0) + ")");
    }

    protected override IEnumerable<StepScalar> Scalars(AsgdSpec s) => new[]
    {
        Decay(s),
        NegativeEta,
        Mu,
        StepScalar.WeightDecay(WeightDecayMode.L2),
    };

    protected override IEnumerable<SwitchCondition> SwitchConditions(AsgdSpec s) => new[]
    {
        // PyTorch: `if mu.item() != 1` averages, else copies.
        new SwitchCondition(KernelSwitch.StepBranch, "{mu} == 1d"),
    };

    protected override IEnumerable<string> Rule(AsgdSpec s) => new List<string>(PrologueRule(s.Maximize, WeightDecayMode.L2))
    {
        WithNote("p ← p·(1 − λ·η)", "λ = " + Number(s.Lambda)),
        "p ← p − η·g",
        WithNote("ax ← ax + (p − ax)·μ", "μ ≠ 1; ax ← p while μ = 1"),
        WithNote("η ← lr/(1 + λ·lr·t)^α, μ ← 1/max(1, t − t0)", "per step, after the update; α = " + Number(s.Alpha) + ", t0 = " + Number(s.T0)),
    };

    protected override void Kernel(AsgdSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, WeightDecayMode.L2);
        k.Assign(param, param * k.Scalar(Decay(s)));
        k.Assign(param, param + k.Scalar(NegativeEta) * grad);
        LocalValue average = k.Let("average", StepBranch(k.Load("a"), param));
        k.Store("p", param);
        k.Store("a", StepBranch(average + (param - average) * k.Scalar(Mu), param));
    }

    /// <summary><c>decay = 1 − λ·η</c>, PyTorch's <c>1 - lambd * eta.item()</c>.</summary>
    private static StepScalar Decay(AsgdSpec s) => new("decay", "1d - " + Literals.Double(s.Lambda) + " * {state:eta}");

    private static void Check(AttributeReader r, string name, double value, bool ok, string reason)
    {
        if (!ok)
        {
            r.Fail(DiagnosticDescriptors.AveragingHyperparameterOutOfRange, name, name, AttributeReader.Format(value), reason);
        }
    }
}
