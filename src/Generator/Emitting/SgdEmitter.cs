using System.Collections.Generic;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// SGD as PyTorch 1.13's <c>_single_tensor_sgd</c>: the momentum buffer starts as a copy of the first
/// gradient (no dampening on that step), then <c>b*μ + (1-dampening)*g</c>; Nesterov adds <c>μ*b</c>
/// to the gradient. The first-step rule is two per-step scalars, so the kernel has no branch.
/// </summary>
internal sealed class SgdEmitter : OptimizerEmitter
{
    protected override string DisplayName => "SGD";

    protected override IReadOnlyList<StateBuffer> StateBuffers(OptimizerSpec spec) =>
        ((SgdSpec)spec).Momentum > 0
            ? new[] { new StateBuffer("momentumBuffer", "b", "momentum_buffer", 0, "Momentum buffer") }
            : new StateBuffer[0];

    protected override IReadOnlyList<KernelScalar> KernelScalars(OptimizerSpec spec)
    {
        var sgd = (SgdSpec)spec;
        var scalars = new List<KernelScalar> { KernelScalar.NegativeLearningRate, KernelScalar.WeightDecay(WeightDecayModeKind.L2) };
        if (sgd.Momentum > 0)
        {
            // First step: b = 0 * b + 1 * g = g (PyTorch clones the gradient); then b = μ * b + (1 - dampening) * g.
            scalars.Add(new("bufferScale", (_, _) => "StepCount == 0 ? 0d : " + Literals.Double(sgd.Momentum)));
            scalars.Add(new("gradScale", (_, _) => "StepCount == 0 ? 1d : " + Literals.Double(1 - sgd.Dampening)));
        }

        return scalars;
    }

    protected override IReadOnlyList<PublicConstant> Constants(OptimizerSpec spec)
    {
        var sgd = (SgdSpec)spec;
        return new[]
        {
            PublicConstant.Double("Momentum", sgd.Momentum, "Momentum factor; 0 means no momentum buffer."),
            PublicConstant.Double("Dampening", sgd.Dampening, "Dampening of the gradient's share of the momentum buffer."),
            PublicConstant.Bool("Nesterov", sgd.Nesterov, "Whether Nesterov momentum is used."),
            PublicConstant.Bool("Maximize", sgd.Maximize, "Whether the objective is maximized."),
        };
    }

    protected override IReadOnlyList<string> UpdateRule(OptimizerSpec spec)
    {
        var sgd = (SgdSpec)spec;
        var lines = new List<string>();
        AddPrologueRule(lines, sgd.Maximize, WeightDecayModeKind.L2);
        if (sgd.Momentum > 0)
        {
            lines.Add("b ← g                   (first step)");
            lines.Add(WithNote("b ← μ·b + (1 − δ)·g", "μ = " + Number(sgd.Momentum) + ", δ = " + Number(sgd.Dampening)));
            lines.Add(sgd.Nesterov ? "p ← p − lr·(g + μ·b)" : "p ← p − lr·b");
        }
        else
        {
            lines.Add("p ← p − lr·g");
        }

        return lines;
    }

    protected override void WriteUpdate(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor f)
    {
        var sgd = (SgdSpec)spec;
        WriteGradientPrologue(w, f, sgd.Maximize, WeightDecayModeKind.L2);
        if (sgd.Momentum <= 0)
        {
            w.Line(f.Store("p", "param + negLr * grad"));
            return;
        }

        w.Line("var buffer = " + f.Load("b") + " * bufferScale + gradScale * grad;");
        w.Line(f.Store("b", "buffer"));
        w.Line(f.Store("p", sgd.Nesterov ? "param + negLr * (grad + " + f.Constant(sgd.Momentum) + " * buffer)" : "param + negLr * buffer"));
    }
}
