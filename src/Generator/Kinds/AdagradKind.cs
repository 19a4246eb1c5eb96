using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.AdagradAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Adagrad as PyTorch 1.13's <c>_single_tensor_adagrad</c>: <c>s + g*g</c> (addcmul_), then
/// <c>p + ((-clr)*g)/(√s + ε)</c> (addcdiv_) with the decayed rate <c>clr = lr / (1 + (t-1)·lr_decay)</c>
/// computed in double once per step.
/// </summary>
internal sealed class AdagradKind : OptimizerKind<A, AdagradSpec>
{
    public AdagradKind()
        : base("Adagrad", TrackingNames.AdagradModels)
    {
    }

    protected override AdagradSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.LearningRateDecay, a.InitialAccumulatorValue, a.Epsilon, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(AdagradSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.NonNegativeFinite(nameof(A.LearningRateDecay), s.LearningRateDecay, DiagnosticDescriptors.LearningRateDecayOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        r.NonNegativeFinite(nameof(A.InitialAccumulatorValue), s.InitialAccumulatorValue, DiagnosticDescriptors.InitialValueOutOfRange);
        r.PositiveFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(AdagradSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.LearningRateDecay), s.LearningRateDecay, "Learning-rate decay per step (PyTorch's lr_decay)."),
        PublicConstant.Double(nameof(A.InitialAccumulatorValue), s.InitialAccumulatorValue, "Initial value of the sum of squared gradients."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the denominator."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdagradSpec s) =>
        new[] { new StateBuffer("sum", "s", "sum", s.InitialAccumulatorValue, "Sum of squared gradients", NonNegative: true) };

    protected override IEnumerable<StepScalar> Scalars(AdagradSpec s) =>
        new[] { NegativeLearningRate(s), StepScalar.WeightDecay(WeightDecayMode.L2) };

    protected override IEnumerable<string> Rule(AdagradSpec s) => new List<string>(PrologueRule(s.Maximize, WeightDecayMode.L2))
    {
        WithNote("s ← s + g²", "s₀ = " + Number(s.InitialAccumulatorValue)),
        s.LearningRateDecay == 0
            ? WithNote("p ← p − lr·g / (√s + ε)", "ε = " + Number(s.Epsilon))
            : WithNote("p ← p − lr/(1 + (t−1)·η)·g / (√s + ε)", "η = " + Number(s.LearningRateDecay) + ", ε = " + Number(s.Epsilon)),
    };

    protected override void Kernel(AdagradSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, WeightDecayMode.L2);
        LocalValue sum = k.Let("sum", k.Load("s") + grad * grad);
        LocalValue denominator = k.Let("denominator", Sqrt(sum) + s.Epsilon);
        k.Store("s", sum);
        k.Store("p", param + k.Scalar(NegativeLearningRate(s)) * grad / denominator);
    }

    /// <summary><c>negLr = -lr</c>, decayed by <c>1 + (t-1)·lr_decay</c> when the decay is set.</summary>
    private static StepScalar NegativeLearningRate(AdagradSpec s) => s.LearningRateDecay == 0
        ? StepScalar.NegativeLearningRate
        : new("negLr", "-({lr} / (1d + StepCount * " + Literals.Double(s.LearningRateDecay) + "))");
}
