using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.LarsAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// LARS (You, Gitman and Ginsburg 2017) as Optax's <c>lars</c>: <c>chain(add_decayed_weights(wd),
/// masked(scale_by_trust_ratio(c, eps)), scale_by_learning_rate(lr), trace(momentum, nesterov))</c>, in three passes per
/// member: an element-wise pass that writes <c>u = g + wd·p</c> into a scratch buffer; the trust ratio on the whole
/// member (<c>Gen.__Internals.TrustRatio.Scale</c>, shared with [Lamb]: <c>u·c·‖p‖/(‖u‖ + ε)</c>, u unchanged when a
/// norm is 0); and an element-wise pass <c>u = (−lr)·u</c>, <c>t = u + μ·t</c>, <c>p = p + t</c> (Nesterov:
/// <c>p + (u + μ·t)</c>). A [NoWeightDecay] member gets neither the decay nor the ratio.
/// </summary>
internal sealed class LarsKind : OptimizerKind<A, LarsSpec>
{
    public LarsKind()
        : base("LARS", TrackingNames.LarsModels)
    {
    }

    /// <summary>No running average of squared gradients: float16 state is as safe as for SGD's momentum.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override LarsSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.TrustCoefficient, a.Epsilon, a.Momentum, a.Nesterov) { State = new(a.StatePrecision, a.StochasticRounding) };

    /// <summary>Optax checks nothing; Gen's ranges: the shared rules, and GEN150/GEN151 for the trust ratio's values.</summary>
    protected override void Validate(LarsSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        r.PositiveFinite(nameof(A.TrustCoefficient), s.TrustCoefficient, DiagnosticDescriptors.TrustCoefficientOutOfRange);
        r.NonNegativeFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.TrustRatioEpsilonOutOfRange);
        r.UnitInterval(nameof(A.Momentum), s.Momentum, DiagnosticDescriptors.MomentumOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(LarsSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.TrustCoefficient), s.TrustCoefficient, "Multiplier of the trust ratio."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the update's norm in the trust ratio."),
        PublicConstant.Double(nameof(A.Momentum), s.Momentum, "Decay of the momentum trace."),
        PublicConstant.Bool(nameof(A.Nesterov), s.Nesterov, "Whether the Nesterov look-ahead is applied instead of the trace."),
    };

    protected override IEnumerable<StateBuffer> Buffers(LarsSpec s) =>
        new[] { new StateBuffer("momentumBuffer", "t", "momentum_buffer", 0, "Momentum trace of the scaled updates", NonNegative: false) };

    protected override IEnumerable<StepScalar> Scalars(LarsSpec s) => new[]
    {
        LambKind.AddedWeightDecay,
        StepScalar.NegativeLearningRate,
    };

    protected override IEnumerable<string> Rule(LarsSpec s) => new[]
    {
        "u ← g + wd·p",
        WithNote("u ← u·c·‖p‖ / (‖u‖ + ε)", "c = " + Number(s.TrustCoefficient) + ", ε = " + Number(s.Epsilon) + " (unchanged when a norm is 0, or for [NoWeightDecay])"),
        "u ← (−lr)·u",
        WithNote("t ← u + μ·t", "μ = " + Number(s.Momentum)),
        s.Nesterov ? "p ← p + (u + μ·t)" : "p ← p + t",
    };

    /// <summary>The first pass: the decayed gradient into the scratch buffer <c>u</c>.</summary>
    protected override void Kernel(LarsSpec s, KernelBuilder k)
    {
        LocalValue grad = k.LoadGradient();
        k.Store(LambKind.Scratch, grad + k.Scalar(LambKind.AddedWeightDecay) * k.Load(Parameter));
    }

    protected override IEnumerable<KernelPass> Passes(LarsSpec s) => new[]
    {
        KernelPass.ElementWise("Decay", k => Kernel(s, k)),
        KernelPass.Matrix(LambKind.TrustRatioRoutine(s.TrustCoefficient, s.Epsilon)),
        KernelPass.ElementWise("Apply", k => ApplyKernel(s, k)),
    };

    /// <summary>
    /// The last pass: <c>(−lr)·u</c> (Optax's <c>scale_by_learning_rate</c>), the trace <c>u + μ·t</c> and
    /// <c>apply_updates</c>: <c>p + t</c>, or with Nesterov <c>p + (u + μ·t)</c>.
    /// </summary>
    private static void ApplyKernel(LarsSpec s, KernelBuilder k)
    {
        LocalValue update = k.Let("update", k.Scalar(StepScalar.NegativeLearningRate) * k.Load(LambKind.Scratch));
        LocalValue trace = k.Let("trace", update + s.Momentum * k.Load("t"));
        k.Store("t", trace);
        k.Store(Parameter, k.Load(Parameter) + (s.Nesterov ? update + s.Momentum * trace : trace));
    }
}
