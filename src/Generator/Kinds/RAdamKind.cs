using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.RAdamAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// RAdam as PyTorch 1.13's <c>_single_tensor_radam</c>: <c>m*β1 + (1-β1)*g</c>, <c>v*β2 + ((1-β2)*g)*g</c>,
/// <c>b = m / (1-β1^t)</c>, then once <c>ρt &gt; 5</c> (a per-step choice: the kernel is compiled for both forms)
/// <c>p - ((b*lr)*(1/(√v + ε) * √(1-β2^t)))*r</c> (Python's <c>scalar / tensor</c> is the tensor's reciprocal times the
/// scalar), and before it <c>p - b*lr</c>. ρ∞, ρt and the rectification r are doubles computed once per step; r is 0 in
/// the steps without rectification, which selects the other form. With DecoupledWeightDecay, PyTorch 2.x's
/// <c>param.mul_(1 - lr·wd)</c> replaces the L2 term.
/// </summary>
internal sealed class RAdamKind : OptimizerKind<A, RAdamSpec>
{
    /// <summary>The rectification term r_t, 0 while ρt ≤ 5: the kernel then runs its unrectified form.</summary>
    private static readonly StepScalar Rectification = new("rect", "rhoT > 5d ? global::System.Math.Sqrt((rhoT - 4d) * (rhoT - 2d) * rhoInf / ((rhoInf - 4d) * (rhoInf - 2d) * rhoT)) : 0d");

    /// <summary>The learning rate itself: PyTorch multiplies by it in the element type (<c>bias_corrected_exp_avg * lr</c>).</summary>
    private static readonly StepScalar LearningRate = new("lr", "{lr}");

    public RAdamKind()
        : base("RAdam", TrackingNames.RAdamModels)
    {
    }

    protected override RAdamSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.DecoupledWeightDecay ? WeightDecayMode.Decoupled : WeightDecayMode.L2)
        {
            State = new(a.StatePrecision, a.StochasticRounding),
        };

    protected override void Validate(RAdamSpec s, AttributeReader r)
    {
        AdamStyle.Validate(r, s.LearningRate, s.Beta1, s.Beta2, s.Epsilon, s.WeightDecay);
    }

    protected override IEnumerable<PublicConstant> Constants(RAdamSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Decay rate of the first moment."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the denominator."),
        PublicConstant.Bool(nameof(A.DecoupledWeightDecay), s.WeightDecayMode == WeightDecayMode.Decoupled, "Whether weight decay multiplies the parameter (PyTorch 2.x's decoupled_weight_decay) instead of adding to the gradient."),
    };

    protected override IEnumerable<StateBuffer> Buffers(RAdamSpec s) => new[]
    {
        AdamStyle.FirstMoment,
        AdamStyle.SecondMoment,
    };

    /// <summary>ρ∞ and ρt, as Python computes them in double.</summary>
    protected override IEnumerable<StepValue> StepValues(RAdamSpec s)
    {
        string beta2 = Literals.Double(s.Beta2);
        string beta2Power = "global::System.Math.Pow(" + beta2 + ", StepCount + 1)";
        return new[]
        {
            new StepValue("rhoInf", ElementKind.Double, "2d / (1d - " + beta2 + ") - 1d"),
            new StepValue("rhoT", ElementKind.Double, "rhoInf - 2d * (StepCount + 1) * " + beta2Power + " / (1d - " + beta2Power + ")"),
        };
    }

    protected override IEnumerable<StepScalar> Scalars(RAdamSpec s) => new[]
    {
        BiasCorrection1(s),
        LearningRate,
        BiasCorrection2Sqrt(s),
        Rectification,
        StepScalar.WeightDecay(s.WeightDecayMode),
    };

    /// <summary>The rectified form where r_t is not 0 (ρt &gt; 5), the momentum update before.</summary>
    protected override IEnumerable<SwitchCondition> SwitchConditions(RAdamSpec s) => new[]
    {
        new SwitchCondition(KernelSwitch.StepBranch, "{" + Rectification.Name + "} == 0"),
    };

    protected override IEnumerable<string> Rule(RAdamSpec s) => new List<string>(PrologueRule(false, s.WeightDecayMode))
    {
        WithNote("m ← β1·m + (1 − β1)·g", "β1 = " + Number(s.Beta1)),
        WithNote("v ← β2·v + (1 − β2)·g²", "β2 = " + Number(s.Beta2)),
        WithNote("p ← p − m / (1 − β1ᵗ)·lr·√(1 − β2ᵗ) / (√v + ε)·rₜ", "ε = " + Number(s.Epsilon) + "; once ρₜ > 5"),
        WithNote("p ← p − m / (1 − β1ᵗ)·lr", "before: ρₜ = ρ∞ − 2t·β2ᵗ / (1 − β2ᵗ), ρ∞ = 2 / (1 − β2) − 1"),
    };

    protected override void Kernel(RAdamSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(false, s.WeightDecayMode);
        LocalValue expAvg = k.Let("expAvg", k.Load("m") * s.Beta1 + (1 - s.Beta1) * grad);
        LocalValue expAvgSq = k.Let("expAvgSq", k.Load("v") * s.Beta2 + (1 - s.Beta2) * grad * grad);
        LocalValue biasCorrected = k.Let("biasCorrectedExpAvg", expAvg / k.Scalar(BiasCorrection1(s)));

        // Only the rectified steps compute the adaptive rate: math.sqrt(bc2) / (√v + ε) is reciprocal() * scalar.
        LocalValue adaptive = k.Let("adaptiveLr", StepBranch(1.0 / (Sqrt(expAvgSq) + s.Epsilon) * k.Scalar(BiasCorrection2Sqrt(s)), 0));
        k.Store("m", expAvg);
        k.Store("v", expAvgSq);

        // param.add_(x, alpha=-1.0): p − x.
        k.Store("p", param - StepBranch(
            biasCorrected * k.Scalar(LearningRate) * adaptive * k.Scalar(Rectification),
            biasCorrected * k.Scalar(LearningRate)));
    }

    private static StepScalar BiasCorrection1(RAdamSpec s) =>
        new("biasCorrection1", "1d - global::System.Math.Pow(" + Literals.Double(s.Beta1) + ", StepCount + 1)");

    private static StepScalar BiasCorrection2Sqrt(RAdamSpec s) =>
        new("biasCorrection2Sqrt", "global::System.Math.Sqrt(1d - global::System.Math.Pow(" + Literals.Double(s.Beta2) + ", StepCount + 1))");
}
