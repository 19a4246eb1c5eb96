using System.Collections.Generic;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Lion (Chen et al. 2023, Algorithm 2) in the operation order of the authors' PyTorch code:
/// <c>p*(1-lr·wd)</c>, then <c>p + (-lr)*sign(m*β1 + (1-β1)*g)</c>, then <c>m*β2 + (1-β2)*g</c>.
/// </summary>
internal sealed class LionEmitter : OptimizerEmitter
{
    protected override string DisplayName => "Lion";

    protected override IReadOnlyList<StateBuffer> StateBuffers(OptimizerSpec spec) =>
        new[] { new StateBuffer("expAvg", "m", "exp_avg", 0, "Momentum (running average of the gradient)") };

    protected override IReadOnlyList<KernelScalar> KernelScalars(OptimizerSpec spec) =>
        new[] { KernelScalar.NegativeLearningRate, KernelScalar.WeightDecay(WeightDecayModeKind.Decoupled) };

    protected override IReadOnlyList<PublicConstant> Constants(OptimizerSpec spec)
    {
        var lion = (LionSpec)spec;
        return new[]
        {
            PublicConstant.Double("Beta1", lion.Beta1, "Interpolation weight of the momentum in the update direction."),
            PublicConstant.Double("Beta2", lion.Beta2, "Decay rate of the momentum."),
            PublicConstant.Bool("Maximize", lion.Maximize, "Whether the objective is maximized."),
        };
    }

    protected override IReadOnlyList<string> UpdateRule(OptimizerSpec spec)
    {
        var lion = (LionSpec)spec;
        var lines = new List<string>();
        AddPrologueRule(lines, lion.Maximize, WeightDecayModeKind.Decoupled);
        lines.Add(WithNote("p ← p − lr·sign(β1·m + (1 − β1)·g)", "β1 = " + Number(lion.Beta1)));
        lines.Add(WithNote("m ← β2·m + (1 − β2)·g", "β2 = " + Number(lion.Beta2)));
        return lines;
    }

    protected override void WriteUpdate(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor f)
    {
        var lion = (LionSpec)spec;
        WriteGradientPrologue(w, f, lion.Maximize, WeightDecayModeKind.Decoupled);
        w.Line("var expAvg = " + f.Load("m") + ";");
        w.Line("var direction = expAvg * " + f.Constant(lion.Beta1) + " + " + f.Constant(1 - lion.Beta1) + " * grad;");
        w.Line(f.Store("p", "param + negLr * " + f.Sign("direction")));
        w.Line(f.Store("m", "expAvg * " + f.Constant(lion.Beta2) + " + " + f.Constant(1 - lion.Beta2) + " * grad"));
    }
}
