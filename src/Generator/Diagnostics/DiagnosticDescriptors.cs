using Microsoft.CodeAnalysis;

namespace Gen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic Gen reports. IDs are never reused: GEN0xx declaration shape, GEN1xx
/// hyperparameter values, GEN2xx hints. Each ID has a page at docs/diagnostics/&lt;ID&gt;.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Declaration = "Gen.Declaration";
    private const string Hyperparameters = "Gen.Hyperparameters";
    private const string Hints = "Gen.Hints";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "GEN001",
        "Model class or a containing type is not partial",
        "Add 'partial' to the declaration of '{0}': Gen generates nested types into '{1}', so it and every type containing it must be partial",
        Declaration);

    public static readonly DiagnosticDescriptor NoTrainableMember = Error(
        "GEN002",
        "Model class has no trainable member",
        "'{0}' has no trainable member: declare an instance field or property of type float[], double[], float[,], double[,], float[,,] or double[,,] that is not [Frozen]",
        Declaration);

    public static readonly DiagnosticDescriptor UnsupportedMemberType = new(
        "GEN003",
        "Member type cannot be trained",
        "'{0}' has type '{1}', which Gen does not train: the supported parameter types are float[], double[], float[,], double[,], float[,,] and double[,,]. Change its type, or mark it [Frozen] to leave it out.",
        Declaration,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN003"));

    public static readonly DiagnosticDescriptor DuplicateOptimizerName = Error(
        "GEN004",
        "Two optimizers have the same name",
        "Another optimizer attribute on '{0}' already generates the type '{1}': give each optimizer attribute a different Name",
        Declaration);

    public static readonly DiagnosticDescriptor GeneratedNameClash = Error(
        "GEN005",
        "Generated type name clashes with a declared member",
        "'{0}' already declares a member named '{1}', the name of a type Gen generates into it: {2}",
        Declaration);

    public static readonly DiagnosticDescriptor ReservedParameterName = Error(
        "GEN006",
        "Trainable member has a name the Gradients type reserves",
        "Trainable member '{0}' would become a field of the generated Gradients type, which already has a member '{0}': rename it, or mark it [Frozen]",
        Declaration);

    public static readonly DiagnosticDescriptor InvalidOptimizerName = Error(
        "GEN007",
        "Optimizer name is not a valid type name",
        "Name \"{0}\" is not a valid C# type name: use an identifier such as \"{1}\"",
        Declaration);

    public static readonly DiagnosticDescriptor LearningRateOutOfRange = Error(
        "GEN101",
        "Learning rate out of range",
        "{0} is {1}: a learning rate must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor DecayRateOutOfRange = Error(
        "GEN102",
        "Decay rate out of range",
        "{0} is {1}: it is the weight of the running average's old value and must be in [0, 1)",
        Hyperparameters);

    public static readonly DiagnosticDescriptor EpsilonOutOfRange = Error(
        "GEN103",
        "Epsilon out of range",
        "{0} is {1}: epsilon keeps the denominator away from zero and must be a finite number > 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor MomentumOutOfRange = Error(
        "GEN104",
        "Momentum out of range",
        "{0} is {1}: momentum must be in [0, 1), where 0 disables it",
        Hyperparameters);

    public static readonly DiagnosticDescriptor WeightDecayOutOfRange = Error(
        "GEN105",
        "Weight decay out of range",
        "{0} is {1}: weight decay must be a finite number >= 0, where 0 disables it",
        Hyperparameters);

    public static readonly DiagnosticDescriptor InitialValueOutOfRange = Error(
        "GEN106",
        "Initial state value out of range",
        "{0} is {1}: the initial value of an accumulator must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error(
        "GEN107",
        "Undefined enum value",
        "{0} is {1}, which is not a defined {2} value: use one of {3}",
        Hyperparameters);

    public static readonly DiagnosticDescriptor RequiredHyperparameterMissing = Error(
        "GEN108",
        "Required hyperparameter missing",
        "[{0}] requires {1}, which has no default (as in PyTorch): set it, e.g. [{0}({1} = {2})]",
        Hyperparameters);

    public static readonly DiagnosticDescriptor InvalidNesterov = Error(
        "GEN109",
        "Nesterov momentum without momentum or with dampening",
        "Nesterov momentum needs Momentum > 0 and Dampening = 0 (PyTorch rejects it too), but Momentum is {0} and Dampening is {1}: set a momentum, remove the dampening, or turn Nesterov off",
        Hyperparameters);

    public static readonly DiagnosticDescriptor DampeningOutOfRange = Error(
        "GEN110",
        "Dampening out of range",
        "{0} is {1}: dampening scales the gradient's share of the momentum buffer by (1 - dampening) and must be in [0, 1]",
        Hyperparameters);

    public static readonly DiagnosticDescriptor LearningRateDecayOutOfRange = Error(
        "GEN111",
        "Learning-rate decay out of range",
        "{0} is {1}: learning-rate decay must be a finite number >= 0, where 0 disables it",
        Hyperparameters);

    public static readonly DiagnosticDescriptor LearningRateScaleOutOfRange = Error(
        "GEN112",
        "Learning-rate scale out of range",
        "[LearningRateScale({0})] on '{1}': the scale must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor ReducedStateOnDoubleMember = Error(
        "GEN113",
        "Reduced-precision state for a double member",
        "StatePrecision.{0} computes in float, but '{1}' is a double member: use StatePrecision.Float32 for models with double members, or make '{1}' a float array",
        Hyperparameters);

    public static readonly DiagnosticDescriptor StochasticRoundingWithoutNarrowState = Error(
        "GEN114",
        "Stochastic rounding without 16-bit state",
        "StochasticRounding rounds 16-bit state stores and StatePrecision is {0}: it needs StatePrecision BFloat16 or Float16 (8-bit block-wise state is not rounded stochastically), so set one of them or remove StochasticRounding",
        Hyperparameters);

    public static readonly DiagnosticDescriptor MomentumDecayOutOfRange = Error(
        "GEN115",
        "Momentum decay out of range",
        "{0} is {1}: NAdam's momentum decay sets how fast the momentum coefficient beta1 * (1 - 0.5 * 0.96^(t * decay)) approaches beta1, and must be a finite number >= 0",
        Hyperparameters);

    // GEN116-GEN119 are free.
    public static readonly DiagnosticDescriptor StepSizeFactorOutOfRange = Error(
        "GEN120",
        "Rprop step-size factor out of range",
        "{0} is {1}: Rprop multiplies each step size by EtaMinus where the gradient changed sign and by EtaPlus where it kept it, which needs finite factors with 0 < EtaMinus < 1 < EtaPlus (PyTorch checks the same)",
        Hyperparameters);

    public static readonly DiagnosticDescriptor StepSizeBoundsOutOfRange = Error(
        "GEN121",
        "Rprop step-size bounds out of range",
        "{0} is {1}: Rprop clamps every step size to [MinStepSize, MaxStepSize], which needs 0 < MinStepSize <= MaxStepSize, both nonzero and finite as floats (the clamp is in the member's type)",
        Hyperparameters);

    public static readonly DiagnosticDescriptor AveragingHyperparameterOutOfRange = Error(
        "GEN122",
        "ASGD hyperparameter out of range",
        "{0} is {1}: {2}",
        Hyperparameters);

    // GEN123-GEN129 are free.
    public static readonly DiagnosticDescriptor DoubleMatrixForMuon = Error(
        "GEN130",
        "Double matrix member for Muon's orthogonalization",
        "[Muon] orthogonalizes the update of each matrix member with float32 Newton–Schulz iterations, but '{0}' is a double[,] member: make '{0}' a float[,], or mark it [ExcludeFromMuon] to update it with the AdamW part (which computes in double)",
        Hyperparameters);

    public static readonly DiagnosticDescriptor IterationCountOutOfRange = Error(
        "GEN131",
        "Iteration count out of range",
        "{0} is {1}: the number of Newton–Schulz iterations must be in [0, 100) (PyTorch refuses 100 or more)",
        Hyperparameters);

    public static readonly DiagnosticDescriptor TrustCoefficientOutOfRange = Error(
        "GEN150",
        "Trust coefficient out of range",
        "{0} is {1}: the trust coefficient multiplies each member's ratio ‖p‖/‖u‖ and must be a finite number > 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor TrustRatioEpsilonOutOfRange = Error(
        "GEN151",
        "Trust-ratio epsilon out of range",
        "{0} is {1}: it is added to the update's norm in the trust ratio's denominator and must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor DecayExponentOutOfRange = Error(
        "GEN152",
        "Decay exponent out of range",
        "{0} is {1}: the running averages take the weight t^{0} of the new mean at step t, which must not grow with t, so the exponent must be a finite number <= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor FloorOutOfRange = Error(
        "GEN153",
        "Floor out of range",
        "{0} is {1}: it is a lower bound of a mean or a root mean square and must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor ClipThresholdOutOfRange = Error(
        "GEN154",
        "Clip threshold out of range",
        "{0} is {1}: the update is divided by max(1, RMS(u)/{0}), so the threshold must be a finite number >= 1",
        Hyperparameters);

    public static readonly DiagnosticDescriptor ReducedStateForFactoredMoments = Error(
        "GEN155",
        "Reduced-precision state for factored second moments",
        "{0} keeps its second moments factored, O(rows + columns) per matrix, so StatePrecision.{1} would save almost nothing: use StatePrecision.Float32",
        Hyperparameters);

    public static readonly DiagnosticDescriptor NonFiniteHyperparameter = Error(
        "GEN132",
        "Hyperparameter not finite",
        "{0} is {1}: it must be a finite number",
        Hyperparameters);

    // GEN133-GEN139 are free.
    public static readonly DiagnosticDescriptor WarmupOutOfRange = Error(
        "GEN140",
        "Warm-up length out of range",
        "{0} is {1}: a warm-up lasts a whole number of steps >= 0, where 0 means none",
        Hyperparameters);

    public static readonly DiagnosticDescriptor InterpolationOutOfRange = Error(
        "GEN141",
        "Interpolation weight out of range",
        "{0} is {1}: it is the weight of x in Schedule-Free's y = (1 - β)·z + β·x and must be in (0, 1), as schedulefree requires",
        Hyperparameters);

    public static readonly DiagnosticDescriptor AveragingPowerOutOfRange = Error(
        "GEN142",
        "Averaging power out of range",
        "{0} is {1}: Schedule-Free weighs step t's iterate in its average by (t + 1)^R · lr_max^WeightLrPower, whose powers must be finite numbers >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor MixingCoefficientOutOfRange = Error(
        "GEN143",
        "Mixing coefficient out of range",
        "{0} is {1}: AdEMAMix adds α times the slow momentum to the update, and α must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor ClipExponentOutOfRange = Error(
        "GEN144",
        "Clip exponent out of range",
        "{0} is {1}: ADOPT clips the normalized gradient to ±(step^exponent), a bound that must not shrink, so the exponent must be a finite number >= 0",
        Hyperparameters);

    public static readonly DiagnosticDescriptor ReducedStateForParameterIterates = Error(
        "GEN145",
        "Reduced-precision state for parameter iterates",
        "{0} keeps iterates of the parameters as state ({1}), which StatePrecision.{2} would round as coarsely as the parameters themselves would be: use StatePrecision.Float32",
        Hyperparameters);

    public static readonly DiagnosticDescriptor OptionOnUntrainedMember = new(
        "GEN201",
        "Parameter option on a member that is not trained",
        "[{0}] on '{1}' has no effect because '{1}' is not a trainable member ({2}): remove the attribute, or make the member trainable",
        Hints,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN201"));

    // The kernel target is a property of the compilation, not of a declaration: reported once, at its end,
    // without a source location. The generator falls back to a target that compiles, so these are warnings.
    public static readonly DiagnosticDescriptor UnknownKernelTarget = new(
        "GEN202",
        "Unknown kernel target",
        "GenKernels is \"{0}\", which is not a kernel target: use one of {1}. Gen chose the kernels by the compilation ({2}).",
        Hints,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN202"),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor IntrinsicsKernelsUnavailable = new(
        "GEN203",
        "Intrinsics kernels requested where System.Runtime.Intrinsics is missing",
        "GenKernels is Intrinsics, but this compilation has no System.Runtime.Intrinsics.Vector512 (the intrinsics kernels need .NET 8 or later): Gen generated the Portable kernels. Remove the setting, or target .NET 8 or later.",
        Hints,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN203"),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    // GEN205-GEN209 are left to the kinds added beside this one in the same issue.
    public static readonly DiagnosticDescriptor StepSizeFactorRoundsToOne = new(
        "GEN210",
        "Rprop step-size factor that is 1 as a float",
        "{0} is {1}, which rounds to 1 as a float: for float members {2}. Move it further from 1.",
        Hints,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN210"));

    /// <summary>Every descriptor, for the analyzer's SupportedDiagnostics and the docs test.</summary>
    public static readonly DiagnosticDescriptor Float16SecondMoment = new(
        "GEN204",
        "Float16 state for a running average of squared gradients",
        "{0} keeps a running average of squared gradients, which StatePrecision.Float16 cannot hold below 6e-8: squares of gradients under about 2.4e-4 round to 0, and the update then divides by epsilon alone. Use StatePrecision.BFloat16 (float32's range) unless the gradients are known to be large.",
        Hints,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN204"));

    public static readonly DiagnosticDescriptor ExcludeFromMuonWithoutEffect = new(
        "GEN211",
        "[ExcludeFromMuon] without effect",
        "[ExcludeFromMuon] on '{0}' has no effect: {1}. Remove the attribute.",
        Hints,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("GEN211"));

    public static readonly DiagnosticDescriptor[] All =
    {
        NotPartial,
        NoTrainableMember,
        UnsupportedMemberType,
        DuplicateOptimizerName,
        GeneratedNameClash,
        ReservedParameterName,
        InvalidOptimizerName,
        LearningRateOutOfRange,
        DecayRateOutOfRange,
        EpsilonOutOfRange,
        MomentumOutOfRange,
        WeightDecayOutOfRange,
        InitialValueOutOfRange,
        UndefinedEnumValue,
        RequiredHyperparameterMissing,
        InvalidNesterov,
        DampeningOutOfRange,
        LearningRateDecayOutOfRange,
        LearningRateScaleOutOfRange,
        ReducedStateOnDoubleMember,
        StochasticRoundingWithoutNarrowState,
        MomentumDecayOutOfRange,
        WarmupOutOfRange,
        InterpolationOutOfRange,
        AveragingPowerOutOfRange,
        MixingCoefficientOutOfRange,
        ClipExponentOutOfRange,
        ReducedStateForParameterIterates,
        OptionOnUntrainedMember,
        UnknownKernelTarget,
        IntrinsicsKernelsUnavailable,
        Float16SecondMoment,
        StepSizeFactorOutOfRange,
        StepSizeBoundsOutOfRange,
        AveragingHyperparameterOutOfRange,
        StepSizeFactorRoundsToOne,
        DoubleMatrixForMuon,
        IterationCountOutOfRange,
        NonFiniteHyperparameter,
        ExcludeFromMuonWithoutEffect,
        TrustCoefficientOutOfRange,
        TrustRatioEpsilonOutOfRange,
        DecayExponentOutOfRange,
        FloorOutOfRange,
        ClipThresholdOutOfRange,
        ReducedStateForFactoredMoments,
    };

    // Errors that would produce broken output are not configurable (NotConfigurable).
    private static DiagnosticDescriptor Error(string id, string title, string message, string category) => new(
        id,
        title,
        message,
        category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink(id),
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    private static string HelpLink(string id) => "docs/diagnostics/" + id + ".md";
}
