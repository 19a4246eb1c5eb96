using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using A = Gen.MuonAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Muon (Jordan et al. 2024) as PyTorch 2.9's <c>_single_tensor_muon</c> for the float matrix members not marked
/// [ExcludeFromMuon], in three passes per member: an element-wise pass that updates the momentum buffer
/// (<c>buf.lerp_(grad, 1 - momentum)</c>) and stores the matrix to orthogonalize (<c>grad.lerp(buf, momentum)</c> with
/// Nesterov, else the buffer) into a scratch buffer; the Newton–Schulz orthogonalization of that matrix
/// (<c>Gen.__Internals.NewtonSchulz</c>, in float32 where PyTorch uses bfloat16); and an element-wise pass that decays the
/// parameter (<c>p*(1 - lr·wd)</c>) and adds <c>-lr'·u</c>, with <c>lr'</c> the shape-adjusted rate computed in double
/// per member. Every other member takes [AdamW]'s own update (its kernel, scalars and state names) with the attribute's
/// AdamW values, as Keras and Optax pair Muon with AdamW.
/// </summary>
internal sealed class MuonKind : OptimizerKind<A, MuonSpec>
{
    /// <summary>The AdamW part's index among the layout's parts.</summary>
    private const int AdamWPart = 1;

    private static readonly AdamWKind AdamW = new();

    public MuonKind()
        : base("Muon", TrackingNames.MuonModels)
    {
    }

    /// <summary>The AdamW part keeps <c>exp_avg_sq</c>: float16 state warns as it does for [AdamW] (GEN204).</summary>
    protected override bool KeepsSquaredGradients => true;

    protected override MuonSpec Read(A a) => new(
        a.Name, a.LearningRate, a.WeightDecay, a.Momentum, a.Nesterov, a.NewtonSchulzA, a.NewtonSchulzB, a.NewtonSchulzC, a.NewtonSchulzSteps, a.Epsilon,
        a.LearningRateAdjustment, a.AdamWLearningRateScale, a.AdamWBeta1, a.AdamWBeta2, a.AdamWEpsilon, a.AdamWWeightDecay)
    { State = new(a.StatePrecision, a.StochasticRounding) };

    /// <summary>PyTorch's checks (lr, momentum and weight decay >= 0, fewer than 100 iterations), Gen's ranges for the rest.</summary>
    protected override void Validate(MuonSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        r.UnitInterval(nameof(A.Momentum), s.Momentum, DiagnosticDescriptors.MomentumOutOfRange);
        r.Check(IsFinite(s.NewtonSchulzA), DiagnosticDescriptors.NonFiniteHyperparameter, nameof(A.NewtonSchulzA), s.NewtonSchulzA);
        r.Check(IsFinite(s.NewtonSchulzB), DiagnosticDescriptors.NonFiniteHyperparameter, nameof(A.NewtonSchulzB), s.NewtonSchulzB);
        r.Check(IsFinite(s.NewtonSchulzC), DiagnosticDescriptors.NonFiniteHyperparameter, nameof(A.NewtonSchulzC), s.NewtonSchulzC);
        r.Check(s.NewtonSchulzSteps is >= 0 and < 100, DiagnosticDescriptors.IterationCountOutOfRange, nameof(A.NewtonSchulzSteps), s.NewtonSchulzSteps);
        r.PositiveFinite(nameof(A.Epsilon), s.Epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.Defined(nameof(A.LearningRateAdjustment), s.LearningRateAdjustment);
        r.NonNegativeFinite(nameof(A.AdamWLearningRateScale), s.AdamWLearningRateScale, DiagnosticDescriptors.LearningRateOutOfRange);
        r.UnitInterval(nameof(A.AdamWBeta1), s.AdamWBeta1, DiagnosticDescriptors.DecayRateOutOfRange);
        r.UnitInterval(nameof(A.AdamWBeta2), s.AdamWBeta2, DiagnosticDescriptors.DecayRateOutOfRange);
        r.PositiveFinite(nameof(A.AdamWEpsilon), s.AdamWEpsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        r.NonNegativeFinite(nameof(A.AdamWWeightDecay), s.AdamWWeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
    }

    /// <summary>
    /// A double matrix would be orthogonalized in float32 (Gen's products are single-precision): rejected, so that a model
    /// written in double does not silently get float updates. PyTorch would run it in bfloat16; the member can be a float
    /// matrix, or go to the AdamW part, which has double kernels.
    /// </summary>
    public override void CheckMembers(OptimizerSpec spec, IReadOnlyList<ParameterSpec> members, AttributeReader reader)
    {
        if (members.FirstOrDefault(m => IsMatrix(m) && m.Element == ElementKind.Double) is { } wide)
        {
            reader.Fail(DiagnosticDescriptors.DoubleMatrixForMuon, "Name", wide.Name);
        }
    }

    protected override IEnumerable<PublicConstant> Constants(MuonSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Momentum), s.Momentum, "Momentum of the matrix members' buffer."),
        PublicConstant.Bool(nameof(A.Nesterov), s.Nesterov, "Whether the Nesterov look-ahead is orthogonalized instead of the buffer."),
        PublicConstant.Double(nameof(A.NewtonSchulzA), s.NewtonSchulzA, "Coefficient a of the Newton–Schulz iteration."),
        PublicConstant.Double(nameof(A.NewtonSchulzB), s.NewtonSchulzB, "Coefficient b of the Newton–Schulz iteration."),
        PublicConstant.Double(nameof(A.NewtonSchulzC), s.NewtonSchulzC, "Coefficient c of the Newton–Schulz iteration."),
        PublicConstant.Int(nameof(A.NewtonSchulzSteps), s.NewtonSchulzSteps, "Newton–Schulz iterations per step."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Lower bound of the norm the matrix is divided by."),
        PublicConstant.Enum(nameof(A.LearningRateAdjustment), s.LearningRateAdjustment, "How a matrix member's learning rate is scaled by its shape."),
        PublicConstant.Double(nameof(A.AdamWLearningRateScale), s.AdamWLearningRateScale, "The AdamW part's learning rate, as a multiple of LearningRate."),
        PublicConstant.Double(nameof(A.AdamWBeta1), s.AdamWBeta1, "The AdamW part's decay rate of the first moment."),
        PublicConstant.Double(nameof(A.AdamWBeta2), s.AdamWBeta2, "The AdamW part's decay rate of the second moment."),
        PublicConstant.Double(nameof(A.AdamWEpsilon), s.AdamWEpsilon, "The AdamW part's term added to the denominator."),
        PublicConstant.Double(nameof(A.AdamWWeightDecay), s.AdamWWeightDecay, "The AdamW part's decoupled weight decay."),
    };

    protected override IEnumerable<StateBuffer> Buffers(MuonSpec s) =>
        new[] { new StateBuffer("momentumBuffer", "b", "momentum_buffer", 0, "Momentum buffer", NonNegative: false) };

    protected override IEnumerable<StepScalar> Scalars(MuonSpec s) => new[]
    {
        NegativeAdjustedLearningRate(s),
        StepScalar.WeightDecay(WeightDecayMode.Decoupled),
    };

    protected override IEnumerable<string> Rule(MuonSpec s) => new[]
    {
        WithNote("b ← b + (1 − μ)·(g − b)", "μ = " + Number(s.Momentum)),
        s.Nesterov ? "u ← g + μ·(b − g)" : "u ← b",
        WithNote("u ← NS(u)", "X = u/max(‖u‖, ε), " + s.NewtonSchulzSteps + " × X ← a·X + (b·A + c·A²)·X, A = X·Xᵀ"),
        WithNote(string.Empty, "(a, b, c) = (" + Number(s.NewtonSchulzA) + ", " + Number(s.NewtonSchulzB) + ", " + Number(s.NewtonSchulzC) + "), ε = " + Number(s.Epsilon)),
        "p ← p·(1 − lr·wd)",
        s.LearningRateAdjustment == MuonLearningRateAdjustment.Original ? "p ← p − lr·√max(1, rows/columns)·u" : "p ← p − lr·0.2·√max(rows, columns)·u",
    };

    /// <summary>The first pass: the momentum buffer, and the matrix to orthogonalize into the scratch buffer <c>u</c>.</summary>
    protected override void Kernel(MuonSpec s, KernelBuilder k)
    {
        LocalValue grad = k.LoadGradient();
        LocalValue buffer = k.Let("buffer", k.Load("b"));
        k.Assign(buffer, k.Lerp(buffer, grad, 1 - s.Momentum));
        k.Store("b", buffer);
        k.Store(Scratch, s.Nesterov ? k.Lerp(grad, buffer, s.Momentum) : buffer);
    }

    protected override IEnumerable<KernelPass> Passes(MuonSpec s) => new[]
    {
        KernelPass.ElementWise("Momentum", k => Kernel(s, k)),
        KernelPass.Matrix(new MatrixRoutine(
            "global::Gen.__Internals.NewtonSchulz.Orthogonalize",
            "global::Gen.__Internals.NewtonSchulzWorkspace",
            Scratch,
            "update",
            new[] { Literals.Single(s.NewtonSchulzA), Literals.Single(s.NewtonSchulzB), Literals.Single(s.NewtonSchulzC), s.NewtonSchulzSteps.ToString(System.Globalization.CultureInfo.InvariantCulture), Literals.Single(s.Epsilon) }.ToEquatableArray(),
            "the update matrix orthogonalized by " + s.NewtonSchulzSteps + " Newton–Schulz iterations, in float32")),
        KernelPass.ElementWise("Apply", k => ApplyKernel(s, k)),
    };

    /// <summary>Matrices take Muon's update unless marked; everything else, AdamW's.</summary>
    protected override int PartOf(MuonSpec spec, ParameterSpec member) => IsMatrix(member) ? 0 : AdamWPart;

    protected override IEnumerable<UpdatePart> OtherParts(MuonSpec s, Func<int, IEnumerable<ElementKind>> elementsOf)
    {
        // [AdamW]'s own description with the AdamW values (no AMSGrad, no maximize: Keras's and Optax's AdamW part). Its
        // rate is the optimizer's times the scale (the product is left out at 1, so the scalars are [AdamW]'s bit for bit),
        // its weight decay the constant AdamWWeightDecay.
        var adamW = new AdamSpec(null, s.LearningRate, s.AdamWWeightDecay, s.AdamWBeta1, s.AdamWBeta2, s.AdamWEpsilon, AmsGrad: false, Maximize: false, WeightDecayMode.Decoupled) { State = s.State };
        string learningRate = s.AdamWLearningRateScale == 1
            ? UpdatePart.RuntimeLearningRate
            : "(" + UpdatePart.RuntimeLearningRate + " * " + nameof(A.AdamWLearningRateScale) + ")";
        yield return AdamW.DescribePart(adamW, elementsOf(AdamWPart), "AdamW", "adamW", learningRate, nameof(A.AdamWWeightDecay));
    }

    /// <summary>The last pass: <c>p*(1 - lr·wd)</c> (PyTorch's <c>mul_</c>), then <c>+ (-lr')·u</c> (its <c>add_(update, alpha=-lr')</c>).</summary>
    private static void ApplyKernel(MuonSpec s, KernelBuilder k)
    {
        LocalValue param = k.Let("param", k.Load(KernelBuilder.Parameter) * k.Scalar(StepScalar.WeightDecay(WeightDecayMode.Decoupled)));
        k.Store(KernelBuilder.Parameter, param + k.Scalar(NegativeAdjustedLearningRate(s)) * k.Load(Scratch));
    }

    /// <summary>
    /// <c>-lr'</c>, per member from its shape, in double as PyTorch's <c>_adjust_lr</c> computes it: <c>lr *
    /// sqrt(max(1, A / B))</c> or <c>lr * (0.2 * sqrt(max(A, B)))</c>, A and B the rows and columns.
    /// </summary>
    private static StepScalar NegativeAdjustedLearningRate(MuonSpec s) => new(
        "negAdjustedLr",
        s.LearningRateAdjustment == MuonLearningRateAdjustment.Original
            ? "-({lr} * global::System.Math.Sqrt(global::System.Math.Max(1d, (double){rows} / {columns})))"
            : "-({lr} * (0.2d * global::System.Math.Sqrt(global::System.Math.Max({rows}, {columns}))))");

    private static bool IsMatrix(ParameterSpec member) => member.Rank == 2 && !member.ExcludeFromMuon;

    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

    /// <summary>The scratch buffer's reference in the kernels: the update matrix.</summary>
    private const string Scratch = "u";
}
