using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.RpropAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Rprop as PyTorch 1.13's <c>_single_tensor_rprop</c>, in one branch-free pass: the factor from the sign of
/// <c>g*prev</c> (η+, η− or 1; PyTorch's <c>sign</c> of NaN is 0, so a NaN product gives 1), <c>clamp(s*f, min, max)</c>
/// (NaN stays NaN), the gradient zeroed where the factor equals η− (PyTorch's <c>grad[sign.eq(etaminus)] = 0</c>, a
/// comparison in the element type), <c>p − sign(g)*s</c> and <c>prev = g</c>. The step sizes start at the learning rate
/// of the first step (the kind's <see cref="KernelSwitch.StepBranch"/>, on in the first step after construction or
/// Reset), as PyTorch fills them when it creates the state.
/// </summary>
internal sealed class RpropKind : OptimizerKind<A, RpropSpec>
{
    /// <summary>The member's learning rate: the step sizes' initial value, read by the first step only.</summary>
    private static readonly StepScalar InitialStepSize = new("initialStepSize", "{lr}");

    public RpropKind()
        : base("Rprop", TrackingNames.RpropModels)
    {
    }

    /// <summary>A previous gradient and step sizes: float16 state holds them (down to 6e-8).</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override RpropSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.EtaMinus, a.EtaPlus, a.MinStepSize, a.MaxStepSize, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(RpropSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);

        // PyTorch: 0 < etaminus < 1 < etaplus.
        r.Check(s.EtaMinus > 0 && s.EtaMinus < 1, DiagnosticDescriptors.StepSizeFactorOutOfRange, nameof(A.EtaMinus), s.EtaMinus);
        r.Check(s.EtaPlus > 1 && !double.IsInfinity(s.EtaPlus), DiagnosticDescriptors.StepSizeFactorOutOfRange, nameof(A.EtaPlus), s.EtaPlus);

        // PyTorch checks no bounds. A step size clamped to 0 stays 0 (it is only ever multiplied), MinStepSize > MaxStepSize
        // makes every step size MaxStepSize, and a bound that is not finite as a float is no bound for float members.
        r.Check((float)s.MinStepSize > 0 && !float.IsInfinity((float)s.MinStepSize), DiagnosticDescriptors.StepSizeBoundsOutOfRange, nameof(A.MinStepSize), s.MinStepSize);
        r.Check(s.MaxStepSize >= s.MinStepSize && (float)s.MaxStepSize > 0 && !float.IsInfinity((float)s.MaxStepSize), DiagnosticDescriptors.StepSizeBoundsOutOfRange, nameof(A.MaxStepSize), s.MaxStepSize);

        // Valid, but for float members the factor is 1 (the generated code reproduces what PyTorch then does).
        if (s.EtaMinus > 0 && s.EtaMinus < 1 && (float)s.EtaMinus == 1f)
        {
            r.Warn(DiagnosticDescriptors.StepSizeFactorRoundsToOne, nameof(A.EtaMinus), nameof(A.EtaMinus), AttributeReader.Format(s.EtaMinus),
                "step sizes never shrink, and since the gradient is zeroed wherever the factor equals EtaMinus (PyTorch's grad[sign.eq(etaminus)] = 0), it is zeroed wherever the factor is 1, which at the first step is everywhere: the members never move, as in PyTorch");
        }

        if (s.EtaPlus > 1 && (float)s.EtaPlus == 1f)
        {
            r.Warn(DiagnosticDescriptors.StepSizeFactorRoundsToOne, nameof(A.EtaPlus), nameof(A.EtaPlus), AttributeReader.Format(s.EtaPlus),
                "step sizes never grow, as in PyTorch");
        }
    }

    protected override IEnumerable<PublicConstant> Constants(RpropSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.EtaMinus), s.EtaMinus, "Factor of the step size where the gradient changed sign."),
        PublicConstant.Double(nameof(A.EtaPlus), s.EtaPlus, "Factor of the step size where the gradient kept its sign."),
        PublicConstant.Double(nameof(A.MinStepSize), s.MinStepSize, "Smallest step size."),
        PublicConstant.Double(nameof(A.MaxStepSize), s.MaxStepSize, "Largest step size."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(RpropSpec s) => new[]
    {
        new StateBuffer("prev", "h", "prev", 0, "Gradient of the previous step (zero where its sign had changed)", NonNegative: false),
        new StateBuffer("stepSize", "s", "step_size", 0, "Step size of each element (set to the learning rate by the first step)", NonNegative: true),
    };

    protected override IEnumerable<StepScalar> Scalars(RpropSpec s) => new[] { InitialStepSize };

    protected override IEnumerable<SwitchCondition> SwitchConditions(RpropSpec s) => new[]
    {
        // PyTorch creates the state at the first step with the group's lr; Reset() starts again from no state. Later steps
        // read the buffer.
        new SwitchCondition(KernelSwitch.StepBranch, "StepCount != 0"),
    };

    protected override IEnumerable<string> Rule(RpropSpec s) => new List<string>(PrologueRule(s.Maximize))
    {
        WithNote("f ← η+ if g·prev > 0, η− if g·prev < 0, else 1", "η− = " + Number(s.EtaMinus) + ", η+ = " + Number(s.EtaPlus)),
        WithNote("s ← clamp(s·f, smin, smax)", "s = lr at the first step; [" + Number(s.MinStepSize) + ", " + Number(s.MaxStepSize) + "]"),
        "g ← 0 where f = η−",
        "p ← p − sign(g)·s",
        "prev ← g",
    };

    protected override void Kernel(RpropSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize);
        LocalValue previous = k.Let("previous", k.Load("h"));
        LocalValue stepSize = k.Let("stepSize", StepBranch(k.Scalar(InitialStepSize), k.Load("s")));
        LocalValue product = k.Let("product", grad * previous);
        LocalValue factor = k.Let("factor", IfGreater(product, 0, s.EtaPlus, IfLess(product, 0, s.EtaMinus, 1)));
        k.Assign(stepSize, stepSize * factor);
        k.Assign(stepSize, IfLess(stepSize, s.MinStepSize, s.MinStepSize, stepSize));
        k.Assign(stepSize, IfGreater(stepSize, s.MaxStepSize, s.MaxStepSize, stepSize));
        k.Assign(grad, IfEqual(factor, s.EtaMinus, 0, grad));
        k.Store("s", stepSize);

        // PyTorch's addcmul_(sign(g), s, value=-1) is p + (-sign(g))·s: the same bits as p − sign(g)·s, one operation fewer.
        k.Store("p", param - Sign(grad) * stepSize);
        k.Store("h", grad);
    }
}
