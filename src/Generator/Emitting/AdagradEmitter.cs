using System.Collections.Generic;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Adagrad as PyTorch 1.13's <c>_single_tensor_adagrad</c>: <c>s + g*g</c> (addcmul_), then
/// <c>p + ((-clr)*g)/(√s + ε)</c> (addcdiv_) with the decayed rate <c>clr = lr / (1 + (t-1)·lr_decay)</c>
/// computed in double once per step.
/// </summary>
internal sealed class AdagradEmitter : OptimizerEmitter
{
    protected override string DisplayName => "Adagrad";

    protected override IReadOnlyList<StateBuffer> StateBuffers(OptimizerSpec spec) =>
        new[] { new StateBuffer("sum", "s", "sum", ((AdagradSpec)spec).InitialAccumulatorValue, "Sum of squared gradients") };

    protected override IReadOnlyList<KernelScalar> KernelScalars(OptimizerSpec spec)
    {
        double decay = ((AdagradSpec)spec).LearningRateDecay;
        KernelScalar negLr = decay == 0
            ? KernelScalar.NegativeLearningRate
            : new("negLr", (lr, _) => "-(" + lr + " / (1d + StepCount * " + Literals.Double(decay) + "))");
        return new[] { negLr, KernelScalar.WeightDecay(WeightDecayModeKind.L2) };
    }

    protected override IReadOnlyList<PublicConstant> Constants(OptimizerSpec spec)
    {
        var adagrad = (AdagradSpec)spec;
        return new[]
        {
            PublicConstant.Double("LearningRateDecay", adagrad.LearningRateDecay, "Learning-rate decay per step (PyTorch's lr_decay)."),
            PublicConstant.Double("InitialAccumulatorValue", adagrad.InitialAccumulatorValue, "Initial value of the sum of squared gradients."),
            PublicConstant.Double("Epsilon", adagrad.Epsilon, "Added to the denominator."),
            PublicConstant.Bool("Maximize", adagrad.Maximize, "Whether the objective is maximized."),
        };
    }

    protected override IReadOnlyList<string> UpdateRule(OptimizerSpec spec)
    {
        var adagrad = (AdagradSpec)spec;
        var lines = new List<string>();
        AddPrologueRule(lines, adagrad.Maximize, WeightDecayModeKind.L2);
        lines.Add(WithNote("s ← s + g²", "s₀ = " + Number(adagrad.InitialAccumulatorValue)));
        lines.Add(adagrad.LearningRateDecay == 0
            ? WithNote("p ← p − lr·g / (√s + ε)", "ε = " + Number(adagrad.Epsilon))
            : WithNote("p ← p − lr/(1 + (t−1)·η)·g / (√s + ε)", "η = " + Number(adagrad.LearningRateDecay) + ", ε = " + Number(adagrad.Epsilon)));
        return lines;
    }

    protected override void WriteUpdate(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor f)
    {
        var adagrad = (AdagradSpec)spec;
        WriteGradientPrologue(w, f, adagrad.Maximize, WeightDecayModeKind.L2);
        w.Line("var sum = " + f.Load("s") + " + grad * grad;");
        w.Line("var denominator = " + f.Sqrt("sum") + " + " + f.Constant(adagrad.Epsilon) + ";");
        w.Line(f.Store("s", "sum"));
        w.Line(f.Store("p", "param + negLr * grad / denominator"));
    }
}
