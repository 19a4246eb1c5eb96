using System.Collections.Generic;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Adam and AdamW as PyTorch 1.13's <c>_single_tensor_adam</c> / <c>_single_tensor_adamw</c>:
/// <c>m*β1 + (1-β1)*g</c>, <c>v*β2 + ((1-β2)*g)*g</c>, <c>√v / √(1-β2^t) + ε</c> and
/// <c>p + ((-lr/(1-β1^t))*m)/d</c>, with both bias corrections computed in double once per step.
/// Adam decays as a coupled L2 penalty, AdamW multiplies the parameter by <c>1 - lr·wd</c> first.
/// </summary>
internal sealed class AdamEmitter : OptimizerEmitter
{
    private readonly string _displayName;

    public AdamEmitter(string displayName)
    {
        _displayName = displayName;
    }

    protected override string DisplayName => _displayName;

    protected override IReadOnlyList<StateBuffer> StateBuffers(OptimizerSpec spec)
    {
        var buffers = new List<StateBuffer>
        {
            new("expAvg", "m", "exp_avg", 0, "Running average of the gradient"),
            new("expAvgSq", "v", "exp_avg_sq", 0, "Running average of the squared gradient"),
        };
        if (((AdamSpec)spec).AmsGrad)
        {
            buffers.Add(new("maxExpAvgSq", "u", "max_exp_avg_sq", 0, "Maximum of the running averages of the squared gradient"));
        }

        return buffers;
    }

    protected override IReadOnlyList<KernelScalar> KernelScalars(OptimizerSpec spec)
    {
        var adam = (AdamSpec)spec;
        string beta1 = Literals.Double(adam.Beta1), beta2 = Literals.Double(adam.Beta2);
        return new[]
        {
            new KernelScalar("negStepSize", (lr, _) => "-(" + lr + " / (1d - global::System.Math.Pow(" + beta1 + ", StepCount + 1)))"),
            new KernelScalar("biasCorrection2Sqrt", (_, _) => "global::System.Math.Sqrt(1d - global::System.Math.Pow(" + beta2 + ", StepCount + 1))"),
            KernelScalar.WeightDecay(adam.WeightDecayMode),
        };
    }

    protected override IReadOnlyList<PublicConstant> Constants(OptimizerSpec spec)
    {
        var adam = (AdamSpec)spec;
        return new[]
        {
            PublicConstant.Double("Beta1", adam.Beta1, "Decay rate of the first moment."),
            PublicConstant.Double("Beta2", adam.Beta2, "Decay rate of the second moment."),
            PublicConstant.Double("Epsilon", adam.Epsilon, "Added to the denominator."),
            PublicConstant.Bool("AmsGrad", adam.AmsGrad, "Whether the maximum of past second moments is used."),
            PublicConstant.Bool("Maximize", adam.Maximize, "Whether the objective is maximized."),
        };
    }

    protected override IReadOnlyList<string> UpdateRule(OptimizerSpec spec)
    {
        var adam = (AdamSpec)spec;
        var lines = new List<string>();
        AddPrologueRule(lines, adam.Maximize, adam.WeightDecayMode);
        lines.Add(WithNote("m ← β1·m + (1 − β1)·g", "β1 = " + Number(adam.Beta1)));
        lines.Add(WithNote("v ← β2·v + (1 − β2)·g²", "β2 = " + Number(adam.Beta2)));
        string v = "v";
        if (adam.AmsGrad)
        {
            lines.Add("u ← max(u, v)");
            v = "u";
        }

        lines.Add(WithNote("d ← √" + v + " / √(1 − β2ᵗ) + ε", "ε = " + Number(adam.Epsilon)));
        lines.Add("p ← p − lr / (1 − β1ᵗ)·m / d");
        return lines;
    }

    protected override void WriteUpdate(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor f)
    {
        var adam = (AdamSpec)spec;
        WriteGradientPrologue(w, f, adam.Maximize, adam.WeightDecayMode);
        w.Line("var expAvg = " + f.Load("m") + " * " + f.Constant(adam.Beta1) + " + " + f.Constant(1 - adam.Beta1) + " * grad;");
        w.Line("var expAvgSq = " + f.Load("v") + " * " + f.Constant(adam.Beta2) + " + " + f.Constant(1 - adam.Beta2) + " * grad * grad;");
        string second = "expAvgSq";
        if (adam.AmsGrad)
        {
            w.Line("var maxExpAvgSq = " + f.Max(f.Load("u"), "expAvgSq") + ";");
            second = "maxExpAvgSq";
        }

        w.Line("var denominator = " + f.Sqrt(second) + " / biasCorrection2Sqrt + " + f.Constant(adam.Epsilon) + ";");
        w.Line(f.Store("m", "expAvg"));
        w.Line(f.Store("v", "expAvgSq"));
        if (adam.AmsGrad)
        {
            w.Line(f.Store("u", "maxExpAvgSq"));
        }

        w.Line(f.Store("p", "param + negStepSize * expAvg / denominator"));
    }
}
