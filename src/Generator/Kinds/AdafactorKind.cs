using System;
using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using A = Gen.AdafactorAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// Adafactor (Shazeer and Stern 2018) as PyTorch 2.5's single-tensor <c>torch.optim.Adafactor</c>, in two parts: members
/// of rank 2 or more keep their second moment factored over their last two dimensions (<c>row_var</c>, one value per row;
/// <c>col_var</c>, one per column; <see cref="StateShape"/>), vectors a full running average (<c>variance</c>). Each
/// member's whole update is one runtime routine (<c>Gen.__Internals.Adafactor.UpdateFactored</c> / <c>UpdateVector</c>),
/// since the step size reads the norms of the whole parameter and of the whole update and the estimate reads the mean of
/// every row's average: its sweeps keep every sum in a fixed order and the element-wise work in SIMD. The step's scalars
/// (the averages' weight <c>t^β2decay</c>, the relative step size <c>min(lr, 1/√t)</c>, the decay factor <c>1 − lr·wd</c>,
/// 1 under [NoWeightDecay]) are computed once per step in double, per member where [LearningRateScale] or
/// [NoWeightDecay] changes them.
/// </summary>
internal sealed class AdafactorKind : OptimizerKind<A, AdafactorSpec>
{
    /// <summary>The vectors' part's index among the layout's parts.</summary>
    private const int VectorPart = 1;

    public AdafactorKind()
        : base("Adafactor", TrackingNames.AdafactorModels)
    {
    }

    /// <summary>Reduced precision is refused outright (GEN155), so float16's warning would only repeat it.</summary>
    protected override bool KeepsSquaredGradients => false;

    protected override AdafactorSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta2Decay, a.Epsilon1, a.Epsilon2, a.ClipThreshold, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    /// <summary>PyTorch's constructor checks (lr, eps1, eps2, weight decay >= 0, beta2_decay <= 0, d >= 1), finite values, and float32 state.</summary>
    protected override void Validate(AdafactorSpec s, AttributeReader r)
    {
        r.NonNegativeFinite(nameof(A.LearningRate), s.LearningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        r.Check(s.Beta2Decay <= 0 && !double.IsInfinity(s.Beta2Decay), DiagnosticDescriptors.DecayExponentOutOfRange, nameof(A.Beta2Decay), s.Beta2Decay);
        r.Check(double.IsNaN(s.Epsilon1) || (s.Epsilon1 >= 0 && !double.IsInfinity(s.Epsilon1)), DiagnosticDescriptors.FloorOutOfRange, nameof(A.Epsilon1), s.Epsilon1);
        r.NonNegativeFinite(nameof(A.Epsilon2), s.Epsilon2, DiagnosticDescriptors.FloorOutOfRange);
        r.Check(s.ClipThreshold >= 1 && !double.IsInfinity(s.ClipThreshold), DiagnosticDescriptors.ClipThresholdOutOfRange, nameof(A.ClipThreshold), s.ClipThreshold);
        r.NonNegativeFinite(nameof(A.WeightDecay), s.WeightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        if (s.State.Precision is StatePrecision.BFloat16 or StatePrecision.Float16 or StatePrecision.Int8Blockwise)
        {
            r.Fail(DiagnosticDescriptors.ReducedStateForFactoredMoments, nameof(A.StatePrecision), DisplayName, s.State.Precision);
        }
    }

    protected override IEnumerable<PublicConstant> Constants(AdafactorSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta2Decay), s.Beta2Decay, "Exponent of the second moment's decay: the new mean's weight is t^Beta2Decay."),
        double.IsNaN(s.Epsilon1)
            ? new PublicConstant("double", nameof(A.Epsilon1), "double.NaN", "NaN", "Floor of the row mean and (squared) of the estimate; NaN: each member's machine epsilon (PyTorch's None).")
            : PublicConstant.Double(nameof(A.Epsilon1), s.Epsilon1, "Floor of the row mean and (squared) of the estimate; NaN: each member's machine epsilon (PyTorch's None)."),
        PublicConstant.Double(nameof(A.Epsilon2), s.Epsilon2, "Floor of the parameter's root mean square in the step size."),
        PublicConstant.Double(nameof(A.ClipThreshold), s.ClipThreshold, "The update is divided by max(1, RMS(u) / ClipThreshold)."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdafactorSpec s) => s.Unfactored
        ? new[] { new StateBuffer("variance", "v", "variance", 0, "Running average of the squared gradient", NonNegative: true) }
        : new[]
        {
            new StateBuffer("rowVar", "r", "row_var", 0, "Running average of the squared gradient's row means", NonNegative: true) { Shape = StateShape.Rows },
            new StateBuffer("colVar", "c", "col_var", 0, "Running average of the squared gradient's column means", NonNegative: true) { Shape = StateShape.Columns },
        };

    /// <summary>The routine's step scalars, in its argument order (the gradient scale follows, added to every part).</summary>
    protected override IEnumerable<StepScalar> Scalars(AdafactorSpec s) => new[]
    {
        new StepScalar("beta2Weight", "global::System.Math.Pow(StepCount + 1, " + Literals.Double(s.Beta2Decay) + ")"),
        new StepScalar("rho", "global::System.Math.Min({lr}, 1d / global::System.Math.Pow(StepCount + 1, 0.5d))"),
        StepScalar.WeightDecay(WeightDecayMode.Decoupled),
    };

    protected override IEnumerable<string> Rule(AdafactorSpec s)
    {
        var lines = new List<string>(PrologueRule(s.Maximize))
        {
            WithNote("w ← t^β, ρ ← min(lr, 1/√t)", "β = " + Number(s.Beta2Decay)),
            WithNote("α ← max(ε2, ‖p‖/√n)·ρ", "ε2 = " + Number(s.Epsilon2) + ", n = the member's elements"),
            "p ← p·(1 − lr·wd)",
        };
        if (s.Unfactored)
        {
            lines.Add("V ← V + w·(g² − V)");
            lines.Add(WithNote("u ← g / √max(V, ε1²)", "ε1 = " + Epsilon1Note(s)));
        }
        else
        {
            lines.Add(WithNote("R ← R + w·(mean(g²) − R)", "per row of the last two dimensions"));
            lines.Add(WithNote("C ← C + w·(mean(g²) − C)", "per column"));
            lines.Add(WithNote("u ← g / √max(R·C / max(mean(R), ε1), ε1²)", "ε1 = " + Epsilon1Note(s)));
        }

        lines.Add(WithNote("p ← p + (−α / max(1, ‖u‖/(√n·d)))·u", "d = " + Number(s.ClipThreshold)));
        return lines;
    }

    /// <summary>Not used: the update is a routine on the whole member (<see cref="Passes"/>).</summary>
    protected override void Kernel(AdafactorSpec s, KernelBuilder k) =>
        throw new InvalidOperationException("Adafactor's update is a whole-member routine, described by its passes.");

    protected override IEnumerable<KernelPass> Passes(AdafactorSpec s) => new[]
    {
        KernelPass.Matrix(new MatrixRoutine(
            s.Unfactored ? "global::Gen.__Internals.Adafactor.UpdateVector" : "global::Gen.__Internals.Adafactor.UpdateFactored",
            string.Empty,
            string.Empty,
            string.Empty,
            new[] { double.IsNaN(s.Epsilon1) ? "double.NaN" : Literals.Double(s.Epsilon1), Literals.Double(s.Epsilon2), Literals.Double(s.ClipThreshold), Literals.Bool(s.Maximize) }.ToEquatableArray(),
            s.Unfactored
                ? "Adafactor's update of the whole vector: its running average, the norms, then the parameter"
                : "Adafactor's update of the whole member: its row and column averages, the norms, then the parameter",
            WholeUpdate: true)),
    };

    /// <summary>Members of rank 2 or more are factored; vectors take the unfactored part.</summary>
    protected override int PartOf(AdafactorSpec spec, ParameterSpec member) => member.Rank >= 2 ? 0 : VectorPart;

    protected override IEnumerable<UpdatePart> OtherParts(AdafactorSpec s, Func<int, IEnumerable<ElementKind>> elementsOf)
    {
        yield return DescribePart(s with { Unfactored = true }, elementsOf(VectorPart), "Adafactor, unfactored", "vector", UpdatePart.RuntimeLearningRate, UpdatePart.RuntimeWeightDecay);
    }

    private static string Epsilon1Note(AdafactorSpec s) => double.IsNaN(s.Epsilon1) ? "the element type's machine epsilon" : Number(s.Epsilon1);
}
