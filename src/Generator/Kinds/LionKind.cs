using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.LionAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Lion (Chen et al. 2023, Algorithm 2) in the operation order of the authors' PyTorch code:
/// <c>p*(1-lr·wd)</c>, then <c>p + (-lr)*sign(m*β1 + (1-β1)*g)</c>, then <c>m*β2 + (1-β2)*g</c>.
/// </summary>
internal sealed class LionKind : OptimizerKind<A, LionSpec>
{
    public LionKind()
        : base("Lion", TrackingNames.LionModels)
    {
    }

    /// <summary>Only momenta: float16 state holds them.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override LionSpec Read(A a) => new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(LionSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(A.Beta1), s.Beta1, DiagnosticDescriptors.DecayRateOutOfRange);
        r.UnitInterval(nameof(A.Beta2), s.Beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(LionSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Interpolation weight of the momentum in the update direction."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the momentum."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(LionSpec s) =>
        new[] { new StateBuffer("expAvg", "m", "exp_avg", 0, "Momentum (running average of the gradient)", NonNegative: false) };

    protected override IEnumerable<StepScalar> Scalars(LionSpec s) =>
        new[] { StepScalar.NegativeLearningRate, StepScalar.WeightDecay(WeightDecayMode.Decoupled) };

    protected override IEnumerable<string> Rule(LionSpec s) => new List<string>(PrologueRule(s.Maximize, WeightDecayMode.Decoupled))
    {
        WithNote("p ← p − lr·sign(β1·m + (1 − β1)·g)", "β1 = " + Number(s.Beta1)),
        WithNote("m ← β2·m + (1 − β2)·g", "β2 = " + Number(s.Beta2)),
    };

    protected override void Kernel(LionSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, WeightDecayMode.Decoupled);
        LocalValue expAvg = k.Let("expAvg", k.Load("m"));
        LocalValue direction = k.Let("direction", expAvg * s.Beta1 + (1 - s.Beta1) * grad);
        k.Store("p", param + k.Scalar(StepScalar.NegativeLearningRate) * Sign(direction));
        k.Store("m", expAvg * s.Beta2 + (1 - s.Beta2) * grad);
    }
}
