using System.Collections.Generic;
using System.Globalization;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.AdEMAMixAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// AdEMAMix (Pagliardini et al. 2024) in the operations of apple/ml-ademamix's <c>pytorch/ademamix.py</c>:
/// <c>m1*β1 + (1-β1)*g</c>, <c>m2*β3 + (1-β3)*g</c>, <c>v*β2 + ((1-β2)*g)*g</c>, <c>√v / √bc2 + ε</c>,
/// <c>(m1 / bc1 + α*m2) / d</c>, <c>u + λ*p</c> (always, as <c>update.add_(p, alpha=lmbda)</c>) and <c>p + (-lr)*u</c>.
/// The bias corrections and, with a warm-up, α and β3 are step scalars (<c>AdEMAMixSchedules</c>, in double).
/// </summary>
internal sealed class AdEMAMixKind : OptimizerKind<A, AdEMAMixSpec>
{
    public AdEMAMixKind()
        : base("AdEMAMix", TrackingNames.AdEMAMixModels)
    {
    }

    protected override AdEMAMixSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Beta3, a.Alpha, a.AlphaWarmup, a.Beta3Warmup, a.Epsilon) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(AdEMAMixSpec s, AttributeReader r)
    {
        AdamStyle.Validate(r, s.LearningRate, s.Beta1, s.Beta2, s.Epsilon, s.WeightDecay);
        r.UnitInterval(nameof(A.Beta3), s.Beta3, DiagnosticDescriptors.DecayRateOutOfRange);
        r.NonNegativeFinite(nameof(A.Alpha), s.Alpha, DiagnosticDescriptors.MixingCoefficientOutOfRange);
        r.Check(s.AlphaWarmup >= 0, DiagnosticDescriptors.WarmupOutOfRange, nameof(A.AlphaWarmup), s.AlphaWarmup);
        r.Check(s.Beta3Warmup >= 0, DiagnosticDescriptors.WarmupOutOfRange, nameof(A.Beta3Warmup), s.Beta3Warmup);
    }

    protected override IEnumerable<PublicConstant> Constants(AdEMAMixSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Decay rate of the fast momentum; 0 for none."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(A.Beta3), s.Beta3, "Decay rate of the slow momentum after its warm-up."),
        PublicConstant.Double(nameof(A.Alpha), s.Alpha, "Weight of the slow momentum in the update after its warm-up."),
        PublicConstant.Int(nameof(A.AlphaWarmup), s.AlphaWarmup, "Steps of α's linear warm-up; 0 for none."),
        PublicConstant.Int(nameof(A.Beta3Warmup), s.Beta3Warmup, "Steps of β3's warm-up; 0 for none."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the denominator."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdEMAMixSpec s)
    {
        if (s.Beta1 != 0)
        {
            yield return new("expAvgFast", "m1", "exp_avg_fast", 0, "Fast running average of the gradient", NonNegative: false);
        }

        yield return new("expAvgSlow", "m2", "exp_avg_slow", 0, "Slow running average of the gradient", NonNegative: false);
        yield return AdamStyle.SecondMoment;
    }

    protected override IEnumerable<StepScalar> Scalars(AdEMAMixSpec s)
    {
        yield return StepScalar.NegativeLearningRate;
        yield return Lambda;
        yield return BiasCorrection1(s);
        yield return BiasCorrection2Sqrt(s);
        if (s.AlphaWarmup > 0)
        {
            yield return AlphaScalar(s);
        }

        if (s.Beta3Warmup > 0)
        {
            yield return Beta3Scalar(s);
            yield return OneMinusBeta3;
        }
    }

    protected override IEnumerable<string> Rule(AdEMAMixSpec s)
    {
        string alpha = s.AlphaWarmup > 0 ? "α(t)" : "α";
        string beta3 = s.Beta3Warmup > 0 ? "β3(t)" : "β3";
        var lines = new List<string>
        {
            s.Beta1 != 0 ? WithNote("m1 ← β1·m1 + (1 − β1)·g", "β1 = " + Number(s.Beta1)) : "m1 = g",
            WithNote("m2 ← " + beta3 + "·m2 + (1 − " + beta3 + ")·g", "β3 = " + Number(s.Beta3) + (s.Beta3Warmup > 0 ? " after " + s.Beta3Warmup.ToString(CultureInfo.InvariantCulture) + " steps" : string.Empty)),
            WithNote("v ← β2·v + (1 − β2)·g²", "β2 = " + Number(s.Beta2)),
            WithNote("d ← √v / √(1 − β2ᵗ) + ε", "ε = " + Number(s.Epsilon) + "; t = StepCount + 1"),
            WithNote("u ← (m1 / (1 − β1ᵗ) + " + alpha + "·m2) / d + wd·p", "α = " + Number(s.Alpha) + (s.AlphaWarmup > 0 ? " after " + s.AlphaWarmup.ToString(CultureInfo.InvariantCulture) + " steps" : string.Empty)),
            "p ← p − lr·u",
        };
        return lines;
    }

    protected override void Kernel(AdEMAMixSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(maximize: false);
        KernelValue fast = grad;
        if (s.Beta1 != 0)
        {
            fast = k.Let("expAvgFast", k.Load("m1") * s.Beta1 + (1 - s.Beta1) * grad);
        }

        KernelValue beta3 = s.Beta3Warmup > 0 ? k.Scalar(Beta3Scalar(s)) : s.Beta3;
        KernelValue oneMinusBeta3 = s.Beta3Warmup > 0 ? k.Scalar(OneMinusBeta3) : 1 - s.Beta3;
        LocalValue slow = k.Let("expAvgSlow", k.Load("m2") * beta3 + oneMinusBeta3 * grad);
        LocalValue expAvgSq = k.Let("expAvgSq", k.Load("v") * s.Beta2 + (1 - s.Beta2) * grad * grad);
        LocalValue denominator = k.Let("denominator", Sqrt(expAvgSq) / k.Scalar(BiasCorrection2Sqrt(s)) + s.Epsilon);
        KernelValue alpha = s.AlphaWarmup > 0 ? k.Scalar(AlphaScalar(s)) : s.Alpha;
        LocalValue update = k.Let("update", (fast / k.Scalar(BiasCorrection1(s)) + alpha * slow) / denominator);
        k.Assign(update, update + k.Scalar(Lambda) * param);
        if (s.Beta1 != 0)
        {
            k.Store("m1", fast);
        }

        k.Store("m2", slow);
        k.Store("v", expAvgSq);
        k.Store("p", param + k.Scalar(StepScalar.NegativeLearningRate) * update);
    }

    /// <summary>The weight decay, added to every update (the reference adds it even when it is 0).</summary>
    private static readonly StepScalar Lambda = new("lambda", "{wd}");

    private static readonly StepScalar OneMinusBeta3 = new("oneMinusBeta3", "1d - {beta3}");

    private static StepScalar BiasCorrection1(AdEMAMixSpec s) =>
        new("biasCorrection1", "1d - global::System.Math.Pow(" + Literals.Double(s.Beta1) + ", StepCount + 1)");

    private static StepScalar BiasCorrection2Sqrt(AdEMAMixSpec s) =>
        new("biasCorrection2Sqrt", "global::System.Math.Sqrt(1d - global::System.Math.Pow(" + Literals.Double(s.Beta2) + ", StepCount + 1))");

    private static StepScalar AlphaScalar(AdEMAMixSpec s) =>
        new("alpha", "global::Gen.__Internals.AdEMAMixSchedules.Alpha(StepCount + 1, " + s.AlphaWarmup.ToString(CultureInfo.InvariantCulture) + ", " + Literals.Double(s.Alpha) + ")");

    private static StepScalar Beta3Scalar(AdEMAMixSpec s) =>
        new("beta3", "global::Gen.__Internals.AdEMAMixSchedules.Beta3(StepCount + 1, " + s.Beta3Warmup.ToString(CultureInfo.InvariantCulture) + ", " + Literals.Double(s.Beta1) + ", " + Literals.Double(s.Beta3) + ")");
}
