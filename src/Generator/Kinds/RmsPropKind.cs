using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.RmsPropAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// RMSProp as PyTorch 1.13's <c>_single_tensor_rmsprop</c> computes it, operation for operation, so
/// float results round the same way: <c>v*ρ + ((1-ρ)*g)*g</c> (mul_ then addcmul_),
/// <c>p + ((-lr)*g)/d</c> (addcdiv_), <c>b*μ + g/d</c> then <c>p + (-lr)*b</c>; with Keras/Optax's
/// epsilon placement, decoupled decay, an initial scale and Precision.Fast as options.
/// </summary>
internal sealed class RmsPropKind : OptimizerKind<RmsPropAttribute, RmsPropSpec>
{
    public RmsPropKind()
        : base("RMSProp", TrackingNames.RmsPropModels)
    {
    }

    protected override RmsPropSpec Read(RmsPropAttribute a) => new(
        a.Name, a.LearningRate, a.WeightDecay, a.Rho, a.Epsilon, a.EpsilonPlacement, a.Momentum, a.Centered, a.WeightDecayMode, a.Maximize, a.InitialScale, a.Precision) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(RmsPropSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(A.Rho), s.Rho, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.Defined(nameof(A.EpsilonPlacement), s.EpsilonPlacement);
        r.UnitInterval(nameof(A.Momentum), s.Momentum, DiagnosticDescriptors.MomentumOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        r.Defined(nameof(A.WeightDecayMode), s.WeightDecayMode);
        r.NonNegativeFinite(nameof(A.InitialScale), s.InitialScale, DiagnosticDescriptors.InitialValueOutOfRange);
        r.Defined(nameof(A.Precision), s.Precision);
    }

    protected override IEnumerable<PublicConstant> Constants(RmsPropSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Rho), s.Rho, "Decay rate of the square average (PyTorch's alpha)."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the denominator."),
        PublicConstant.Enum(nameof(A.EpsilonPlacement), s.EpsilonPlacement, "Where Epsilon is added."),
        PublicConstant.Double(nameof(A.Momentum), s.Momentum, "Momentum factor; 0 means no momentum buffer."),
        PublicConstant.Bool(nameof(A.Centered), s.Centered, "Whether the denominator uses the variance estimate v - m*m."),
        PublicConstant.Enum(nameof(A.WeightDecayMode), s.WeightDecayMode, "How WeightDecay is applied."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
        PublicConstant.Double(nameof(A.InitialScale), s.InitialScale, "Initial value of the square average."),
        PublicConstant.Enum(nameof(A.Precision), s.Precision, "How float kernels compute the square root and division."),
    };

    protected override IEnumerable<StateBuffer> Buffers(RmsPropSpec s)
    {
        yield return new("squareAvg", "v", "square_avg", s.InitialScale, "Running average of the squared gradient", NonNegative: true);
        if (s.Centered)
        {
            yield return new("gradAvg", "m", "grad_avg", 0, "Running average of the gradient", NonNegative: false);
        }

        if (s.Momentum > 0)
        {
            yield return new("momentumBuffer", "b", "momentum_buffer", 0, "Momentum buffer", NonNegative: false);
        }
    }

    protected override IEnumerable<StepScalar> Scalars(RmsPropSpec s) =>
        new[] { StepScalar.NegativeLearningRate, StepScalar.WeightDecay(s.WeightDecayMode) };

    protected override IEnumerable<string> Rule(RmsPropSpec s)
    {
        var lines = new List<string>(PrologueRule(s.Maximize, s.WeightDecayMode))
        {
            WithNote("v ← ρ·v + (1 − ρ)·g²", "ρ = " + Number(s.Rho)),
        };
        string variance = "v";
        if (s.Centered)
        {
            lines.Add("m ← ρ·m + (1 − ρ)·g");
            variance = "v − m²";
        }

        if (s.Precision == Precision.Fast)
        {
            lines.Add("(float, Precision.Fast: 1/d from a refined hardware estimate; multiply-adds fused where the hardware can)");
        }

        lines.Add(WithNote(s.EpsilonPlacement == EpsilonPlacement.OutsideSqrt ? "d ← √(" + variance + ") + ε" : "d ← √(" + variance + " + ε)", "ε = " + Number(s.Epsilon)));
        if (s.Momentum > 0)
        {
            lines.Add(WithNote("b ← μ·b + g / d", "μ = " + Number(s.Momentum)));
            lines.Add("p ← p − lr·b");
        }
        else
        {
            lines.Add("p ← p − lr·g / d");
        }

        return lines;
    }

    /// <summary>
    /// Each state buffer is stored as soon as its new value exists, p last, rather than all stores at
    /// the end: with nine streams (centered + momentum) the unrolled loop ran about 10 % faster that way,
    /// exact and Fast, averaged over ten random placements of the arrays in L2, and its slowest
    /// placement was faster too; with three streams (plain) the order makes no difference.
    /// </summary>
    protected override void Kernel(RmsPropSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(s.Maximize, s.WeightDecayMode);
        KernelValue negLr = k.Scalar(StepScalar.NegativeLearningRate);
        if (s.Precision == Precision.Fast && k.Element == ElementKind.Single)
        {
            FastKernel(s, k, grad, param, negLr);
            return;
        }

        LocalValue squareAvg = k.Let("squareAvg", k.Load("v") * s.Rho + (1 - s.Rho) * grad * grad);
        k.Store("v", squareAvg);
        KernelValue variance = squareAvg;
        if (s.Centered)
        {
            LocalValue gradAvg = k.Let("gradAvg", k.Load("m") * s.Rho + (1 - s.Rho) * grad);
            k.Store("m", gradAvg);
            variance = squareAvg - gradAvg * gradAvg;
        }

        LocalValue denominator = k.Let("denominator", s.EpsilonPlacement == EpsilonPlacement.OutsideSqrt
            ? Sqrt(variance) + s.Epsilon
            : Sqrt(variance + s.Epsilon));
        if (s.Momentum > 0)
        {
            LocalValue buffer = k.Let("buffer", k.Load("b") * s.Momentum + grad / denominator);
            k.Store("b", buffer);
            k.Store("p", param + negLr * buffer);
        }
        else
        {
            k.Store("p", param + negLr * grad / denominator);
        }
    }

    /// <summary>
    /// Precision.Fast (float): <c>(g·q)·c</c> with <c>q ≈ 1/d</c> from no division and <c>c</c> its Newton
    /// correction, and the multiply-adds fused where the hardware can. OutsideSqrt keeps the correctly
    /// rounded square root and replaces the division by the hardware reciprocal estimate refined by one
    /// Newton step: that halves the work of the divide/square-root unit, which bounds the exact kernel in
    /// cache; fusing trims the multiplies and adds that are left. InsideSqrt needs no division at all: the
    /// reciprocal square-root estimate of <c>v + ε</c>, refined by one Newton step, plus the smallest normal
    /// float so that a zero variance gives ~1e19·g rather than 0·∞ = NaN (any normal variance absorbs it
    /// exactly; next to ε ≥ 1e-10 it is invisible). A negative variance (centered, by cancellation) gives
    /// NaN, as the exact kernel's square root does.
    /// </summary>
    private static void FastKernel(RmsPropSpec s, KernelBuilder k, LocalValue grad, LocalValue param, KernelValue negLr)
    {
        // (1 − ρ)·g once for both averages.
        LocalValue weighted = k.Let("weighted", (1 - s.Rho) * grad);
        LocalValue squareAvg = k.Let("squareAvg", MultiplyAdd(weighted, grad, k.Load("v") * s.Rho));
        k.Store("v", squareAvg);
        KernelValue variance = squareAvg;
        if (s.Centered)
        {
            LocalValue gradAvg = k.Let("gradAvg", MultiplyAdd(k.Load("m"), s.Rho, weighted));
            k.Store("m", gradAvg);
            variance = k.Let("variance", NegatedMultiplyAdd(gradAvg, gradAvg, squareAvg));
        }

        // q = estimate · correction (one Newton step); g·estimate and the correction are independent,
        // so the step adds one operation to the chain after the estimate, not two.
        LocalValue estimate, correction;
        if (s.EpsilonPlacement == EpsilonPlacement.OutsideSqrt)
        {
            LocalValue denominator = k.Let("denominator", Sqrt(variance) + s.Epsilon);
            estimate = k.Let("estimate", ReciprocalEstimate(denominator));
            correction = k.Let("correction", NegatedMultiplyAdd(denominator, estimate, 2));
        }
        else
        {
            LocalValue floored = k.Let("floored", variance + s.Epsilon + 1.17549435E-38);
            estimate = k.Let("estimate", ReciprocalSqrtEstimate(floored));
            correction = k.Let("correction", NegatedMultiplyAdd(0.5 * floored * estimate, estimate, 1.5));
        }

        if (s.Momentum > 0)
        {
            LocalValue buffer = k.Let("buffer", MultiplyAdd(grad * estimate, correction, k.Load("b") * s.Momentum));
            k.Store("b", buffer);
            k.Store("p", MultiplyAdd(negLr, buffer, param));
        }
        else
        {
            k.Store("p", MultiplyAdd(negLr, grad * estimate * correction, param));
        }
    }
}
