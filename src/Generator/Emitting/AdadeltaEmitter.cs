using System.Collections.Generic;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Adadelta as PyTorch 1.13's <c>_single_tensor_adadelta</c>: <c>v*ρ + ((1-ρ)*g)*g</c>,
/// <c>δ = (√(u + ε) / √(v + ε)) * g</c>, <c>u*ρ + ((1-ρ)*δ)*δ</c>, <c>p + (-lr)*δ</c>.
/// </summary>
internal sealed class AdadeltaEmitter : OptimizerEmitter
{
    protected override string DisplayName => "Adadelta";

    protected override IReadOnlyList<StateBuffer> StateBuffers(OptimizerSpec spec) => new[]
    {
        new StateBuffer("squareAvg", "v", "square_avg", 0, "Running average of the squared gradient"),
        new StateBuffer("accDelta", "u", "acc_delta", 0, "Running average of the squared update"),
    };

    protected override IReadOnlyList<KernelScalar> KernelScalars(OptimizerSpec spec) =>
        new[] { KernelScalar.NegativeLearningRate, KernelScalar.WeightDecay(WeightDecayModeKind.L2) };

    protected override IReadOnlyList<PublicConstant> Constants(OptimizerSpec spec)
    {
        var adadelta = (AdadeltaSpec)spec;
        return new[]
        {
            PublicConstant.Double("Rho", adadelta.Rho, "Decay rate of the running averages."),
            PublicConstant.Double("Epsilon", adadelta.Epsilon, "Added inside both square roots."),
            PublicConstant.Bool("Maximize", adadelta.Maximize, "Whether the objective is maximized."),
        };
    }

    protected override IReadOnlyList<string> UpdateRule(OptimizerSpec spec)
    {
        var adadelta = (AdadeltaSpec)spec;
        var lines = new List<string>();
        AddPrologueRule(lines, adadelta.Maximize, WeightDecayModeKind.L2);
        lines.Add(WithNote("v ← ρ·v + (1 − ρ)·g²", "ρ = " + Number(adadelta.Rho)));
        lines.Add(WithNote("δ ← √(u + ε) / √(v + ε)·g", "ε = " + Number(adadelta.Epsilon)));
        lines.Add("u ← ρ·u + (1 − ρ)·δ²");
        lines.Add("p ← p − lr·δ");
        return lines;
    }

    protected override void WriteUpdate(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor f)
    {
        var adadelta = (AdadeltaSpec)spec;
        string rho = f.Constant(adadelta.Rho), oneMinusRho = f.Constant(1 - adadelta.Rho), eps = f.Constant(adadelta.Epsilon);
        WriteGradientPrologue(w, f, adadelta.Maximize, WeightDecayModeKind.L2);
        w.Line("var accDelta = " + f.Load("u") + ";");
        w.Line("var squareAvg = " + f.Load("v") + " * " + rho + " + " + oneMinusRho + " * grad * grad;");
        w.Line("var std = " + f.Sqrt("squareAvg + " + eps) + ";");
        w.Line("var delta = " + f.Sqrt("accDelta + " + eps) + " / std * grad;");
        w.Line(f.Store("v", "squareAvg"));
        w.Line(f.Store("u", "accDelta * " + rho + " + " + oneMinusRho + " * delta * delta"));
        w.Line(f.Store("p", "param + negLr * delta"));
    }
}
