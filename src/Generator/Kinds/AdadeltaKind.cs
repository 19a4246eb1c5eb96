using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.AdadeltaAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Adadelta as PyTorch 1.13's <c>_single_tensor_adadelta</c>: <c>v*ρ + ((1-ρ)*g)*g</c>,
/// <c>δ = (√(u + ε) / √(v + ε)) * g</c>, <c>u*ρ + ((1-ρ)*δ)*δ</c>, <c>p + (-lr)*δ</c>.
/// </summary>
internal sealed class AdadeltaKind : OptimizerKind<A, AdadeltaSpec>
{
    public AdadeltaKind()
        : base("Adadelta", TrackingNames.AdadeltaModels)
    {
    }

    protected override AdadeltaSpec Read(A a) => new(a.Name, a.LearningRate, a.WeightDecay, a.Rho, a.Epsilon, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(AdadeltaSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(A.Rho), s.Rho, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(AdadeltaSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Rho), s.Rho, "Decay rate of the running averages."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added inside both square roots."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdadeltaSpec s) => new[]
    {
        new StateBuffer("squareAvg", "v", "square_avg", 0, "Running average of the squared gradient", NonNegative: true),
        new StateBuffer("accDelta", "u", "acc_delta", 0, "Running average of the squared update", NonNegative: true),
    };

    protected override IEnumerable<StepScalar> Scalars(AdadeltaSpec s) =>
        new[] { StepScalar.NegativeLearningRate, StepScalar.WeightDecay(WeightDecayMode.L2) };

    protected override IEnumerable<string> Rule(AdadeltaSpec s) => new List<string>(PrologueRule(s.Maximize, WeightDecayMode.L2))
    {
        WithNote("v ← ρ·v + (1 − ρ)·g²", "ρ = " + Number(s.Rho)),
        WithNote("δ ← √(u + ε) / √(v + ε)·g", "ε = " + Number(s.Epsilon)),
        "u ← ρ·u + (1 − ρ)·δ²",
        "p ← p − lr·δ",
    };

    protected override void Kernel(AdadeltaSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, WeightDecayMode.L2);
        LocalValue accDelta = k.Let("accDelta", k.Load("u"));
        LocalValue squareAvg = k.Let("squareAvg", k.Load("v") * s.Rho + (1 - s.Rho) * grad * grad);
        LocalValue std = k.Let("std", Sqrt(squareAvg + s.Epsilon));
        LocalValue delta = k.Let("delta", Sqrt(accDelta + s.Epsilon) / std * grad);
        k.Store("v", squareAvg);
        k.Store("u", accDelta * s.Rho + (1 - s.Rho) * delta * delta);
        k.Store("p", param + k.Scalar(StepScalar.NegativeLearningRate) * delta);
    }
}
