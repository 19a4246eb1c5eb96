using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.AdamaxAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Adamax as PyTorch 1.13's <c>_single_tensor_adamax</c>: <c>m*β1 + (1-β1)*g</c>, <c>u = max(u*β2, |g| + ε)</c>
/// (the amax of the two, ε added to |g| before it), then <c>p + ((-clr)*m)/u</c> (addcdiv_) with the bias-corrected step
/// <c>clr = lr / (1-β1^t)</c> computed in double once per step.
/// </summary>
internal sealed class AdamaxKind : OptimizerKind<A, AdamaxSpec>
{
    public AdamaxKind()
        : base("Adamax", TrackingNames.AdamaxModels)
    {
    }

    /// <summary>A running maximum of |g|, not of squares: float16 holds it as it holds momenta.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override AdamaxSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(AdamaxSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(A.Beta1), s.Beta1, DiagnosticDescriptors.DecayRateOutOfRange);
        r.UnitInterval(nameof(A.Beta2), s.Beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(AdamaxSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Decay rate of the first moment."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the infinity norm."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to |g| inside the maximum."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdamaxSpec s) => new[]
    {
        new StateBuffer("expAvg", "m", "exp_avg", 0, "Running average of the gradient", NonNegative: false),
        new StateBuffer("expInf", "u", "exp_inf", 0, "Exponentially weighted infinity norm of the gradient", NonNegative: true),
    };

    protected override IEnumerable<StepScalar> Scalars(AdamaxSpec s) => new[]
    {
        NegativeStepSize(s),
        StepScalar.WeightDecay(WeightDecayMode.L2),
    };

    protected override IEnumerable<string> Rule(AdamaxSpec s) => new List<string>(PrologueRule(s.Maximize, WeightDecayMode.L2))
    {
        WithNote("m ← β1·m + (1 − β1)·g", "β1 = " + Number(s.Beta1)),
        WithNote("u ← max(β2·u, |g| + ε)", "β2 = " + Number(s.Beta2) + ", ε = " + Number(s.Epsilon)),
        "p ← p − lr / (1 − β1ᵗ)·m / u",
    };

    protected override void Kernel(AdamaxSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, WeightDecayMode.L2);
        LocalValue expAvg = k.Let("expAvg", k.Load("m") * s.Beta1 + (1 - s.Beta1) * grad);
        LocalValue decayed = k.Let("decayedInf", k.Load("u") * s.Beta2);
        LocalValue bound = k.Let("gradBound", Abs(grad) + s.Epsilon);
        LocalValue expInf = k.Let("expInf", Max(decayed, bound));
        k.Store("m", expAvg);
        k.Store("u", expInf);
        k.Store("p", param + k.Scalar(NegativeStepSize(s)) * expAvg / expInf);
    }

    /// <summary><c>-clr = -(lr / (1 - β1^t))</c>, PyTorch's <c>value=-clr</c>.</summary>
    private static StepScalar NegativeStepSize(AdamaxSpec s) =>
        new("negStepSize", "-({lr} / (1d - global::System.Math.Pow(" + Literals.Double(s.Beta1) + ", StepCount + 1)))");
}
