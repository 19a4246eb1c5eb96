using System.Collections.Generic;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.LambAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// LAMB (You et al. 2019) as Optax's <c>lamb</c>: <c>chain(scale_by_adam(b1, b2, eps, eps_root=0),
/// add_decayed_weights(wd), scale_by_trust_ratio(), scale_by_learning_rate(lr))</c>, in three passes per member: an
/// element-wise pass that updates both moments and writes the update <c>u = m̂ / (√v̂ + ε) + wd·p</c> (Optax's order:
/// <c>(1 − β)·x + β·state</c>, each moment divided by its bias correction <c>1 − βᵗ</c>, computed in double once per step
/// and rounded to the element type) into a scratch buffer; the trust ratio on the whole member
/// (<c>Gen.__Internals.TrustRatio.Scale</c>: <c>u·‖p‖/‖u‖</c>, u unchanged when a norm is 0); and an element-wise pass
/// <c>p + (−lr)·u</c>. A [NoWeightDecay] member gets neither the decay (its <c>wd</c> is 0) nor the ratio.
/// </summary>
internal sealed class LambKind : OptimizerKind<A, LambSpec>
{
    public LambKind()
        : base("LAMB", TrackingNames.LambModels)
    {
    }

    protected override LambSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon) { State = new(a.StatePrecision, a.StochasticRounding) };

    /// <summary>Optax checks nothing; Gen's ranges, the Adam-style kinds' (<see cref="AdamStyle"/>).</summary>
    protected override void Validate(LambSpec s, AttributeReader r) =>
        AdamStyle.Validate(r, s.LearningRate, s.Beta1, s.Beta2, s.Epsilon, s.WeightDecay);

    protected override IEnumerable<PublicConstant> Constants(LambSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Decay rate of the first moment."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Added to the square root of the second moment."),
    };

    protected override IEnumerable<StateBuffer> Buffers(LambSpec s) => new[] { AdamStyle.FirstMoment, AdamStyle.SecondMoment };

    protected override IEnumerable<StepScalar> Scalars(LambSpec s) => new[]
    {
        BiasCorrection(s.Beta1, "biasCorrection1"),
        BiasCorrection(s.Beta2, "biasCorrection2"),
        AddedWeightDecay,
        StepScalar.NegativeLearningRate,
    };

    protected override IEnumerable<string> Rule(LambSpec s) => new[]
    {
        WithNote("m ← (1 − β1)·g + β1·m", "β1 = " + Number(s.Beta1)),
        WithNote("v ← (1 − β2)·g² + β2·v", "β2 = " + Number(s.Beta2)),
        WithNote("u ← (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) + wd·p", "ε = " + Number(s.Epsilon)),
        WithNote("u ← u·‖p‖ / ‖u‖", "(unchanged when a norm is 0, or for [NoWeightDecay])"),
        "p ← p + (−lr)·u",
    };

    /// <summary>The first pass: both moments, and the update into the scratch buffer <c>u</c>.</summary>
    protected override void Kernel(LambSpec s, KernelBuilder k)
    {
        LocalValue grad = k.LoadGradient();
        LocalValue expAvg = k.Let("expAvg", (1 - s.Beta1) * grad + s.Beta1 * k.Load("m"));
        LocalValue expAvgSq = k.Let("expAvgSq", (1 - s.Beta2) * (grad * grad) + s.Beta2 * k.Load("v"));
        k.Store("m", expAvg);
        k.Store("v", expAvgSq);
        KernelValue direction = expAvg / k.Scalar(BiasCorrection(s.Beta1, "biasCorrection1"))
            / (Sqrt(expAvgSq / k.Scalar(BiasCorrection(s.Beta2, "biasCorrection2"))) + s.Epsilon);
        k.Store(Scratch, direction + k.Scalar(AddedWeightDecay) * k.Load(Parameter));
    }

    protected override IEnumerable<KernelPass> Passes(LambSpec s) => new[]
    {
        KernelPass.ElementWise("Moments", k => Kernel(s, k)),
        KernelPass.Matrix(TrustRatioRoutine(trustCoefficient: 1, epsilon: 0)),
        KernelPass.ElementWise("Apply", ApplyKernel),
    };

    /// <summary>
    /// Optax's <c>scale_by_trust_ratio(trust_coefficient, eps)</c> on the member's update in the scratch buffer <c>u</c>,
    /// skipped for [NoWeightDecay] members: shared with [Lars].
    /// </summary>
    internal static MatrixRoutine TrustRatioRoutine(double trustCoefficient, double epsilon) => new(
        "global::Gen.__Internals.TrustRatio.Scale",
        string.Empty,
        Scratch,
        "update",
        new[] { Literals.Double(trustCoefficient), Literals.Double(epsilon) }.ToEquatableArray(),
        "the update scaled by the trust ratio",
        OnVector: true,
        SkipsNoWeightDecay: true);

    /// <summary>The last pass: <c>p + (−lr)·u</c>, Optax's <c>scale_by_learning_rate</c> then <c>apply_updates</c>.</summary>
    private static void ApplyKernel(KernelBuilder k) =>
        k.Store(Parameter, k.Load(Parameter) + k.Scalar(StepScalar.NegativeLearningRate) * k.Load(Scratch));

    /// <summary><c>1 − βᵗ</c> in double (Optax's <c>tree_bias_correction</c>, which divides by it in the element type).</summary>
    private static StepScalar BiasCorrection(double beta, string name) =>
        new(name, "1d - global::System.Math.Pow(" + Literals.Double(beta) + ", StepCount + 1)");

    /// <summary>
    /// <c>wd</c>, added to the update (LAMB) or the gradient (LARS) as <c>wd·p</c> (Optax's <c>add_decayed_weights</c>); 0
    /// for [NoWeightDecay]. Shared with [Lars].
    /// </summary>
    internal static readonly StepScalar AddedWeightDecay = new("decayCoefficient", "{wd}");

    /// <summary>The scratch buffer's reference in the kernels: the member's update.</summary>
    internal const string Scratch = "u";
}
