using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using A = Gen.SgdAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// SGD as PyTorch 1.13's <c>_single_tensor_sgd</c>: the momentum buffer starts as a copy of the first
/// gradient (no dampening on that step), then <c>b*μ + (1-dampening)*g</c>; Nesterov adds <c>μ*b</c>
/// to the gradient. The first-step rule is two per-step scalars, so the kernel has no branch.
/// </summary>
internal sealed class SgdKind : OptimizerKind<A, SgdSpec>
{
    public SgdKind()
        : base("SGD", TrackingNames.SgdModels)
    {
    }

    /// <summary>Only momenta: float16 state holds them.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override SgdSpec Read(A a) => new(a.Name, a.LearningRate, a.WeightDecay, a.Momentum, a.Dampening, a.Nesterov, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    /// <summary>PyTorch's checks; LearningRate is required, as in PyTorch (the attribute's default is NaN).</summary>
    protected override void Validate(SgdSpec s, AttributeReader r)
    {
        if (!r.IsSet(nameof(A.LearningRate)))
        {
            r.Fail(DiagnosticDescriptors.RequiredHyperparameterMissing, nameof(A.LearningRate), AttributeName, nameof(A.LearningRate), "0.01");
        }
        else
        {
            r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        }

        r.UnitInterval(nameof(A.Momentum), s.Momentum, DiagnosticDescriptors.MomentumOutOfRange);
        r.Check(s.Dampening >= 0 && s.Dampening <= 1, DiagnosticDescriptors.DampeningOutOfRange, nameof(A.Dampening), s.Dampening);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        if (s.Nesterov && (s.Momentum <= 0 || s.Dampening != 0))
        {
            r.Fail(DiagnosticDescriptors.InvalidNesterov, nameof(A.Nesterov), AttributeReader.Format(s.Momentum), AttributeReader.Format(s.Dampening));
        }
    }

    protected override IEnumerable<PublicConstant> Constants(SgdSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Momentum), s.Momentum, "Momentum factor; 0 means no momentum buffer."),
        PublicConstant.Double(nameof(A.Dampening), s.Dampening, "Dampening of the gradient's share of the momentum buffer."),
        PublicConstant.Bool(nameof(A.Nesterov), s.Nesterov, "Whether Nesterov momentum is used."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(SgdSpec s) =>
        s.Momentum > 0 ? new[] { new StateBuffer("momentumBuffer", "b", "momentum_buffer", 0, "Momentum buffer", NonNegative: false) } : new StateBuffer[0];

    protected override IEnumerable<StepScalar> Scalars(SgdSpec s)
    {
        yield return StepScalar.NegativeLearningRate;
        yield return StepScalar.WeightDecay(WeightDecayMode.L2);
        if (s.Momentum > 0)
        {
            // First step: b = 0 * b + 1 * g = g (PyTorch clones the gradient); then b = μ * b + (1 - dampening) * g.
            yield return BufferScale(s);
            yield return GradScale(s);
        }
    }

    protected override IEnumerable<string> Rule(SgdSpec s)
    {
        var lines = new List<string>(PrologueRule(s.Maximize, WeightDecayMode.L2));
        if (s.Momentum > 0)
        {
            lines.Add("b ← g                   (first step)");
            lines.Add(WithNote("b ← μ·b + (1 − δ)·g", "μ = " + Number(s.Momentum) + ", δ = " + Number(s.Dampening)));
            lines.Add(s.Nesterov ? "p ← p − lr·(g + μ·b)" : "p ← p − lr·b");
        }
        else
        {
            lines.Add("p ← p − lr·g");
        }

        return lines;
    }

    protected override void Kernel(SgdSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, WeightDecayMode.L2);
        KernelValue negLr = k.Scalar(StepScalar.NegativeLearningRate);
        if (s.Momentum <= 0)
        {
            k.Store("p", param + negLr * grad);
            return;
        }

        LocalValue buffer = k.Let("buffer", k.Load("b") * k.Scalar(BufferScale(s)) + k.Scalar(GradScale(s)) * grad);
        k.Store("b", buffer);
        k.Store("p", s.Nesterov ? param + negLr * (grad + s.Momentum * buffer) : param + negLr * buffer);
    }

    private static StepScalar BufferScale(SgdSpec s) => new("bufferScale", "StepCount == 0 ? 0d : " + Literals.Double(s.Momentum));

    private static StepScalar GradScale(SgdSpec s) => new("gradScale", "StepCount == 0 ? 1d : " + Literals.Double(1 - s.Dampening));
}
