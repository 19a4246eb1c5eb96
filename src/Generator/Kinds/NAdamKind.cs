using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.NAdamAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// NAdam as PyTorch 1.13's <c>_single_tensor_nadam</c>: <c>m*β1 + (1-β1)*g</c>, <c>v*β2 + ((1-β2)*g)*g</c>,
/// <c>d = √(v / (1-β2^t)) + ε</c>, then two addcdiv_: <c>p + (c1*g)/d</c> and <c>p + (c2*m)/d</c>. The momentum
/// coefficients μt and μt+1 are doubles computed once per step; their product is PyTorch's <c>mu_product</c>, a float32
/// scalar tensor (<c>torch.tensor(1.)</c>, the default dtype, whatever the parameters'), multiplied by the float32 μt
/// each step, and 1.13's next product is <c>mu_product·μt·μt+1</c> in float32 (μt twice). Gen keeps one such product for
/// every member (each parameter's is the same in PyTorch). <c>c1 = -lr·(1-μt)/(1-Πt)</c> and <c>c2 = -lr·μt+1/(1-Πt+1)</c>
/// in double. With DecoupledWeightDecay, PyTorch 2.x's <c>param.mul_(1 - lr·wd)</c> replaces the L2 term.
/// </summary>
internal sealed class NAdamKind : OptimizerKind<A, NAdamSpec>
{
    public NAdamKind()
        : base("NAdam", TrackingNames.NAdamModels)
    {
    }

    protected override NAdamSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.MomentumDecay, a.DecoupledWeightDecay ? WeightDecayMode.Decoupled : WeightDecayMode.L2)
        {
            State = new(a.StatePrecision, a.StochasticRounding),
        };

    protected override void Validate(NAdamSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(A.Beta1), s.Beta1, DiagnosticDescriptors.DecayRateOutOfRange);
        r.UnitInterval(nameof(A.Beta2), s.Beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        r.NonNegativeFinite(nameof(A.MomentumDecay), s.MomentumDecay, DiagnosticDescriptors.MomentumDecayOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(NAdamSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Decay rate of the first moment (the limit of the momentum coefficient)."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the denominator."),
        PublicConstant.Double(nameof(A.MomentumDecay), s.MomentumDecay, "How fast the momentum coefficient approaches Beta1 (PyTorch's momentum_decay)."),
        PublicConstant.Bool(nameof(A.DecoupledWeightDecay), s.WeightDecayMode == WeightDecayMode.Decoupled, "Whether weight decay multiplies the parameter (PyTorch 2.x's decoupled_weight_decay) instead of adding to the gradient."),
    };

    protected override IEnumerable<StateBuffer> Buffers(NAdamSpec s) => new[]
    {
        new StateBuffer("expAvg", "m", "exp_avg", 0, "Running average of the gradient", NonNegative: false),
        new StateBuffer("expAvgSq", "v", "exp_avg_sq", 0, "Running average of the squared gradient", NonNegative: true),
    };

    /// <summary>μt and μt+1 in double, as Python floats; the products in float32, as PyTorch's float32 scalar tensor.</summary>
    protected override IEnumerable<StepValue> StepValues(NAdamSpec s) => new[]
    {
        new StepValue("mu", ElementKind.Double, MomentumCoefficient(s, "StepCount + 1")),
        new StepValue("muNext", ElementKind.Double, MomentumCoefficient(s, "StepCount + 2")),
        new StepValue("muProduct", ElementKind.Single, MuProduct.Value + " * (float)mu"),
        new StepValue("muProductNext", ElementKind.Single, "muProduct * (float)mu * (float)muNext"),
    };

    protected override IEnumerable<StepState> StepStates(NAdamSpec s) => new[] { MuProduct };

    protected override IEnumerable<StepScalar> Scalars(NAdamSpec s) => new[]
    {
        BiasCorrection2(s),
        GradientStepSize,
        MomentumStepSize,
        StepScalar.WeightDecay(s.WeightDecayMode),
    };

    protected override IEnumerable<string> Rule(NAdamSpec s) => new List<string>(PrologueRule(false, s.WeightDecayMode))
    {
        WithNote("m ← β1·m + (1 − β1)·g", "β1 = " + Number(s.Beta1)),
        WithNote("v ← β2·v + (1 − β2)·g²", "β2 = " + Number(s.Beta2)),
        WithNote("d ← √(v / (1 − β2ᵗ)) + ε", "ε = " + Number(s.Epsilon)),
        WithNote("p ← p − lr·(1 − μₜ) / (1 − Πₜ)·g / d", "μₜ = β1·(1 − 0.5·0.96^(t·ψ)), ψ = " + Number(s.MomentumDecay)),
        WithNote("p ← p − lr·μₜ₊₁ / (1 − Πₜ·μₜ·μₜ₊₁)·m / d", "Πₜ = μ₁···μₜ in float32"),
    };

    protected override void Kernel(NAdamSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = k.GradientPrologue(false, s.WeightDecayMode);
        LocalValue expAvg = k.Let("expAvg", k.Load("m") * s.Beta1 + (1 - s.Beta1) * grad);
        LocalValue expAvgSq = k.Let("expAvgSq", k.Load("v") * s.Beta2 + (1 - s.Beta2) * grad * grad);
        LocalValue denominator = k.Let("denominator", Sqrt(expAvgSq / k.Scalar(BiasCorrection2(s))) + s.Epsilon);
        k.Store("m", expAvg);
        k.Store("v", expAvgSq);

        // PyTorch's two addcdiv_ calls, each rounded to the parameter's type: (p + c1·g/d) + c2·m/d.
        k.Store("p", param + k.Scalar(GradientStepSize) * grad / denominator + k.Scalar(MomentumStepSize) * expAvg / denominator);
    }

    /// <summary>PyTorch's mu_product: a float32 scalar, the same for every member.</summary>
    private static StepState MuProduct { get; } =
        new("muProduct", "mu_product", ElementKind.Single, 1, "muProduct", "Product of the momentum coefficients μ1···μt, in float32");

    /// <summary><c>c1 = -lr·(1 - μt)/(1 - Πt)</c>, on the gradient.</summary>
    private static StepScalar GradientStepSize { get; } = new("gradStepSize", "-{lr} * (1d - mu) / (1d - muProduct)");

    /// <summary><c>c2 = -lr·μt+1/(1 - Πt·μt·μt+1)</c>, on the momentum.</summary>
    private static StepScalar MomentumStepSize { get; } = new("momentumStepSize", "-{lr} * muNext / (1d - muProductNext)");

    /// <summary><c>1 - β2^t</c>, which PyTorch divides v by (<c>exp_avg_sq.div(bias_correction2)</c>).</summary>
    private static StepScalar BiasCorrection2(NAdamSpec s) =>
        new("biasCorrection2", "1d - global::System.Math.Pow(" + Literals.Double(s.Beta2) + ", StepCount + 1)");

    /// <summary>μ at step <paramref name="step"/>: <c>β1·(1 - 0.5·0.96^(step·ψ))</c>, as Python computes it in double.</summary>
    private static string MomentumCoefficient(NAdamSpec s, string step) =>
        Literals.Double(s.Beta1) + " * (1d - 0.5d * global::System.Math.Pow(0.96d, (" + step + ") * " + Literals.Double(s.MomentumDecay) + "))";
}
