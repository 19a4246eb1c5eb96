using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;

namespace Gen.Generator.Kinds;

/// <summary>[Adam]: L2 weight decay, added to the gradient.</summary>
internal sealed class AdamKind : AdamFamilyKind<AdamAttribute>
{
    public AdamKind()
        : base("Adam", TrackingNames.AdamModels)
    {
    }

    protected override AdamSpec Read(AdamAttribute a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.AmsGrad, a.Maximize, WeightDecayMode.L2) { State = new(a.StatePrecision, a.StochasticRounding) };
}

/// <summary>[AdamW]: decoupled weight decay, a factor on the parameter.</summary>
internal sealed class AdamWKind : AdamFamilyKind<AdamWAttribute>
{
    public AdamWKind()
        : base("AdamW", TrackingNames.AdamWModels)
    {
    }

    protected override AdamSpec Read(AdamWAttribute a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.AmsGrad, a.Maximize, WeightDecayMode.Decoupled) { State = new(a.StatePrecision, a.StochasticRounding) };
}

/// <summary>
/// Adam and AdamW as PyTorch 1.13's <c>_single_tensor_adam</c> / <c>_single_tensor_adamw</c>:
/// <c>m*β1 + (1-β1)*g</c>, <c>v*β2 + ((1-β2)*g)*g</c>, <c>√v / √(1-β2^t) + ε</c> and
/// <c>p + ((-lr/(1-β1^t))*m)/d</c>, with both bias corrections computed in double once per step.
/// Adam decays as a coupled L2 penalty, AdamW multiplies the parameter by <c>1 - lr·wd</c> first.
/// The two attributes have the same properties (names below are <see cref="AdamAttribute"/>'s).
/// </summary>
internal abstract class AdamFamilyKind<TAttribute> : OptimizerKind<TAttribute, AdamSpec>
    where TAttribute : System.Attribute, new()
{
    protected AdamFamilyKind(string displayName, string trackingName)
        : base(displayName, trackingName)
    {
    }

    protected override void Validate(AdamSpec s, AttributeReader r) =>
        AdamStyle.Validate(r, s.LearningRate, s.Beta1, s.Beta2, s.Epsilon, s.WeightDecay);

    protected override IEnumerable<PublicConstant> Constants(AdamSpec s) => new[]
    {
        PublicConstant.Double(nameof(AdamAttribute.Beta1), s.Beta1, "Decay rate of the first moment."),
        PublicConstant.Double(nameof(AdamAttribute.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(AdamAttribute.Epsilon), s.Epsilon, "Added to the denominator."),
        PublicConstant.Bool(nameof(AdamAttribute.AmsGrad), s.AmsGrad, "Whether the maximum of past second moments is used."),
        PublicConstant.Bool(nameof(AdamAttribute.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdamSpec s)
    {
        yield return AdamStyle.FirstMoment;
        yield return AdamStyle.SecondMoment;
        if (s.AmsGrad)
        {
            yield return new("maxExpAvgSq", "u", "max_exp_avg_sq", 0, "Maximum of the running averages of the squared gradient", NonNegative: true);
        }
    }

    protected override IEnumerable<StepScalar> Scalars(AdamSpec s) => new[]
    {
        NegativeStepSize(s),
        BiasCorrection2Sqrt(s),
        StepScalar.WeightDecay(s.WeightDecayMode),
    };

    protected override IEnumerable<string> Rule(AdamSpec s)
    {
        var lines = new List<string>(PrologueRule(s.Maximize, s.WeightDecayMode))
        {
            WithNote("m ← β1·m + (1 − β1)·g", "β1 = " + Number(s.Beta1)),
            WithNote("v ← β2·v + (1 − β2)·g²", "β2 = " + Number(s.Beta2)),
        };
        string v = "v";
        if (s.AmsGrad)
        {
            lines.Add("u ← max(u, v)");
            v = "u";
        }

        lines.Add(WithNote("d ← √" + v + " / √(1 − β2ᵗ) + ε", "ε = " + Number(s.Epsilon)));
        lines.Add("p ← p − lr / (1 − β1ᵗ)·m / d");
        return lines;
    }

    protected override void Kernel(AdamSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, s.WeightDecayMode);
        LocalValue expAvg = k.Let("expAvg", k.Load("m") * s.Beta1 + (1 - s.Beta1) * grad);
        LocalValue expAvgSq = k.Let("expAvgSq", k.Load("v") * s.Beta2 + (1 - s.Beta2) * grad * grad);
        LocalValue second = s.AmsGrad ? k.Let("maxExpAvgSq", Max(k.Load("u"), expAvgSq)) : expAvgSq;
        LocalValue denominator = k.Let("denominator", Sqrt(second) / k.Scalar(BiasCorrection2Sqrt(s)) + s.Epsilon);
        k.Store("m", expAvg);
        k.Store("v", expAvgSq);
        if (s.AmsGrad)
        {
            k.Store("u", second);
        }

        k.Store("p", param + k.Scalar(NegativeStepSize(s)) * expAvg / denominator);
    }

    private static StepScalar NegativeStepSize(AdamSpec s) =>
        new("negStepSize", "-({lr} / (1d - global::System.Math.Pow(" + Literals.Double(s.Beta1) + ", StepCount + 1)))");

    private static StepScalar BiasCorrection2Sqrt(AdamSpec s) =>
        new("biasCorrection2Sqrt", "global::System.Math.Sqrt(1d - global::System.Math.Pow(" + Literals.Double(s.Beta2) + ", StepCount + 1))");
}

/// <summary>
/// What the Adam-style kinds (Adam, AdamW, NAdam, RAdam, Adamax, AdEMAMix, ADOPT) share: the checks of their common
/// properties, which every one of their attributes names alike, and PyTorch's first and second moment buffers (Schedule-Free
/// AdamW takes the buffers only: its Beta1 is an interpolation weight, checked by GEN141).
/// </summary>
internal static class AdamStyle
{
    /// <summary>PyTorch's <c>exp_avg</c>.</summary>
    public static readonly StateBuffer FirstMoment = new("expAvg", "m", "exp_avg", 0, "Running average of the gradient", NonNegative: false);

    /// <summary>PyTorch's <c>exp_avg_sq</c>.</summary>
    public static readonly StateBuffer SecondMoment = new("expAvgSq", "v", "exp_avg_sq", 0, "Running average of the squared gradient", NonNegative: true);

    /// <summary>LearningRate and WeightDecay ≥ 0, Beta1 and Beta2 in [0, 1), Epsilon > 0, all finite.</summary>
    public static void Validate(AttributeReader r, double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
    {
        r.NonNegativeFinite(nameof(AdamAttribute.LearningRate), learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(AdamAttribute.Beta1), beta1, DiagnosticDescriptors.DecayRateOutOfRange);
        r.UnitInterval(nameof(AdamAttribute.Beta2), beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(AdamAttribute.Epsilon), epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.NonNegativeFinite(nameof(AdamAttribute.WeightDecay), weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
    }
}
