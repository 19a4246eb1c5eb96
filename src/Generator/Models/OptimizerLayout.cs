using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Helpers;

namespace Gen.Generator.Models;

/// <summary>
/// Everything the emitters need to write one optimizer, computed once from its validated spec by its
/// kind (<c>Kinds/</c>): names, constants, state buffers, per-step scalars, the update rule for
/// comments and one kernel description per element type the model uses. The parser reads it too
/// (<see cref="MemberNames"/>), so what it checks and what is emitted come from one record.
/// </summary>
/// <param name="TypeName">The generated nested type's name (the attribute's Name).</param>
/// <param name="DisplayName">"RMSProp": docs, and the optimizer's Kind (checkpoints store it).</param>
/// <param name="LearningRate">The attribute's LearningRate: where the LearningRate property starts.</param>
/// <param name="WeightDecay">The attribute's WeightDecay: where the WeightDecay property starts.</param>
/// <param name="Constants">The other hyperparameters, as public constants, in attribute order.</param>
/// <param name="Buffers">The state buffers this configuration needs, in kernel argument order.</param>
/// <param name="Scalars">Values computed once per step in double and passed to every kernel call.</param>
/// <param name="UpdateRule">The update rule, one line per operation, in math form.</param>
/// <param name="Kernels">One kernel per element type of the model's members, float first.</param>
internal sealed record OptimizerLayout(
    string TypeName,
    string DisplayName,
    double LearningRate,
    double WeightDecay,
    EquatableArray<PublicConstant> Constants,
    EquatableArray<StateBuffer> Buffers,
    EquatableArray<StepScalar> Scalars,
    EquatableArray<string> UpdateRule,
    EquatableArray<KernelDescription> Kernels)
{
    /// <summary>Values computed once per step, in order, before <see cref="States"/> are updated and the scalars computed (<see cref="StepValue"/>).</summary>
    public EquatableArray<StepValue> Values { get; init; }

    /// <summary>Scalars kept across steps for the whole optimizer, each updated once per step (<see cref="StepState"/>).</summary>
    public EquatableArray<StepState> States { get; init; }

    /// <summary>Per-member scalars kept between steps (ASGD's eta and mu), in GetState order after the buffers.</summary>
    public EquatableArray<ScalarState> ScalarStates { get; init; }

    /// <summary>How each kernel switch other than the runtime's own is chosen per member and step: coupled decay's first, then the kind's (<see cref="SwitchCondition"/>).</summary>
    public EquatableArray<SwitchCondition> SwitchConditions { get; init; }

    /// <summary>
    /// For a kind whose model holds another point during training than the one to evaluate (Schedule-Free: y and x), the
    /// buffers that hold each, which <c>Eval()</c> and <c>Train()</c> copy into the model; null for other kinds.
    /// </summary>
    public ModeSwap? Modes { get; init; }

    /// <summary>The step scalars the kernels take (<see cref="StepScalar.Passed"/>), in kernel argument order.</summary>
    public IEnumerable<StepScalar> KernelScalars => Scalars.Where(s => s.Passed);

    /// <summary>The step scalars kept across steps (<see cref="StepScalar.GroupKey"/>), which checkpoints save.</summary>
    public IEnumerable<StepScalar> PersistentScalars => Scalars.Where(s => s.GroupKey is not null);

    /// <summary>
    /// Members every generated optimizer has, declared by the emitters or inherited from
    /// <c>Gen.Optimizer&lt;TGradients&gt;</c> and <c>object</c> (a test checks the runtime's side).
    /// An optimizer's Name may not be one of these, nor one of its constants.
    /// </summary>
    internal static readonly string[] SkeletonMemberNames =
    {
        "DefaultLearningRate", "DefaultWeightDecay", "s_configuration", "_model", "_gradients",
        "Kind", "Configuration", "StateCount", "GetState", "_states", "UpdateBlocks", "ValidateStep", "ApplyStep", "UpdateRange", "ResetState",
        "StateBytes", "GlobalNormClip", "LastGradientNorm", "GradientScale", "ClearsGradients", "StochasticRoundingSeed", "RoundsStochastically",
        "UpdateBuffer", "UpdateBlock512", "UpdateBlock256", "UpdateBlock128", "UpdateElement",
        "Model", "LearningRate", "BaseLearningRate", "Schedule", "WeightDecay", "StepCount", "Step", "Reset",
        "MaxDegreeOfParallelism", "ParallelThreshold", "UpdateMembers", "NonFinitePolicy", "SkippedSteps", "RestoreLearningRate",
        "GroupValueCount", "GetGroupValue", "SetGroupValue", "RestoreGroupValue",
        "Shard", "StateLength", "StateStart", "MemberLength", "Validate", "SkipStep", "RecordGradientNorm", "ApplyCheckedStep",
        "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize",
    };

    /// <summary>Every member name of the generated optimizer.</summary>
    public IEnumerable<string> MemberNames =>
        SkeletonMemberNames.Concat(Constants.Select(c => c.Name)).Concat(Scalars.Select(s => "_" + s.Name)).Concat(States.Select(s => s.FieldName))
            .Concat(Buffers.Select(b => b.CopyMethod).OfType<string>())
            .Concat(Modes is null ? Enumerable.Empty<string>() : ModeSwap.MemberNames);

    /// <summary>True when the kernels take coupled (L2) decay and are compiled with and without it.</summary>
    public bool HasCoupledDecay => Scalars.Any(s => s.IsCoupledDecay);
}

/// <summary>A per-parameter state buffer of an optimizer, e.g. RMSProp's square average.</summary>
/// <param name="Field">Field-name stem and kernel span name: "squareAvg" gives "_squareAvg_W1".</param>
/// <param name="Reference">Short name of the buffer's ref local in kernels, e.g. "v".</param>
/// <param name="Key">PyTorch's state_dict name, e.g. "square_avg".</param>
/// <param name="InitialValue">Value after construction and Reset.</param>
/// <param name="Description">What the buffer holds, for XML docs.</param>
/// <param name="NonNegative">
/// Whether the buffer never holds a negative value (a sum or running average of squares): 8-bit block-wise state then
/// uses bitsandbytes' unsigned code, whose 256 entries all cover [0, 1]; a buffer that changes sign (a momentum) the
/// signed one.
/// </param>
internal sealed record StateBuffer(string Field, string Reference, string Key, double InitialValue, string Description, bool NonNegative)
{
    /// <summary>
    /// When set, the buffer holds values of the parameters themselves (ASGD's average, <c>ax</c>), and the optimizer gets a
    /// public method of this name that copies it into a model of the same class: <c>CopyAveragedTo(model)</c>.
    /// </summary>
    public string? CopyMethod { get; init; }
}

/// <summary>
/// A scalar an optimizer keeps per member between steps, as PyTorch keeps a 0-dim tensor in a parameter's state (ASGD's
/// <c>eta</c> and <c>mu</c>): a float array of one element per member (float32, as <c>torch.tensor(python_float)</c>
/// makes it, whatever the member's type), listed by GetState under PyTorch's key with shape <c>[]</c>. It is 0 after
/// construction and Reset; the first step sets it to <paramref name="Initial"/> before anything reads it (PyTorch creates
/// it at the first step), step scalars read it as <c>{state:Field}</c>, and after each step's update it becomes
/// <paramref name="Update"/>. Both are C# double expressions like a <see cref="StepScalar"/>'s template ({lr}, {wd} and
/// StepCount, the step's 0-based index), rounded to float when stored.
/// </summary>
/// <param name="Field">Field-name stem: "eta" gives "_etaState_W1".</param>
/// <param name="Key">PyTorch's state_dict name.</param>
/// <param name="Description">What it holds, for XML docs.</param>
/// <param name="Initial">Its value from the first step after construction or Reset.</param>
/// <param name="Update">Its value after each step's update.</param>
internal sealed record ScalarState(string Field, string Key, string Description, string Initial, string Update)
{
    /// <summary>How templates read it: "{state:eta}".</summary>
    public string Placeholder => "{state:" + Field + "}";
}

/// <summary>A value computed once per step (in double) and passed to the kernels, e.g. the negated learning rate.</summary>
/// <param name="Name">The field, local and kernel parameter name.</param>
/// <param name="Template">
/// The C# double expression, with <c>{lr}</c> and <c>{wd}</c> standing for the learning rate and the
/// weight decay (which a member's [LearningRateScale] / [NoWeightDecay] replace); it may use StepCount.
/// </param>
/// <remarks>
/// A template may read a scalar declared before it as <c>{name}</c> (this member's value of it); a persistent scalar
/// (<see cref="GroupKey"/>) reads its own value before this step's update the same way. A scalar that reads one using
/// the learning rate or the weight decay uses them too (<see cref="ReadsLearningRate"/>, set by the kind's layout).
/// </remarks>
internal sealed record StepScalar(string Name, string Template)
{
    /// <summary>
    /// Whether the kernels take it (default true). A scalar only later scalars read (Schedule-Free's weight of this step)
    /// stays a field of the optimizer; so does a switch's key (<c>wd</c>) where the kernel multiplies by another scalar.
    /// </summary>
    public bool Passed { get; init; } = true;

    /// <summary>
    /// When set, the scalar is kept across steps, as PyTorch keeps a value in <c>param_groups</c> (Schedule-Free's
    /// <c>lr_max</c>, <c>weight_sum</c>): its field starts at <see cref="InitialValue"/> (construction and Reset), each step
    /// assigns the template once, and checkpoints save and restore it under this key (a member with its own learning rate
    /// under <c>key.Member</c>).
    /// </summary>
    public string? GroupKey { get; init; }

    /// <summary>The value of a persistent scalar (<see cref="GroupKey"/>) after construction and Reset.</summary>
    public double InitialValue { get; init; }

    /// <summary>Set by the layout when the template reads a scalar that uses the learning rate.</summary>
    public bool ReadsLearningRate { get; init; }

    /// <summary>Set by the layout when the template reads a scalar that uses the weight decay.</summary>
    public bool ReadsWeightDecay { get; init; }

    /// <summary>Whether the template reads <paramref name="other"/> (<c>{name}</c>).</summary>
    public bool Reads(StepScalar other) => Template.Contains("{" + other.Name + "}");

    /// <summary>The name of the coupled (L2) decay scalar; kernels that take it are generic over whether it is 0.</summary>
    public const string CoupledDecayName = "wd";

    /// <summary>
    /// <c>gradientScale</c>: the factor <c>GlobalNormClip</c> puts on every gradient this step (the runtime's
    /// <c>Optimizer.GradientScale</c>, 1 when none); the kernels multiply by it only when compiled with
    /// <see cref="KernelSwitch.GradientScale"/> on. Every optimizer has it.
    /// </summary>
    public static readonly StepScalar GradientScale = new("gradientScale", "GradientScale");

    /// <summary><c>negLr = -lr</c>: the kernels add <c>negLr * update</c>, as PyTorch's <c>add_(x, alpha=-lr)</c>.</summary>
    public static readonly StepScalar NegativeLearningRate = new("negLr", "-{lr}");

    public bool IsCoupledDecay => Name == CoupledDecayName;

    public bool UsesLearningRate => ReadsLearningRate || Template.Contains("{lr}");

    public bool UsesWeightDecay => ReadsWeightDecay || Template.Contains("{wd}");

    /// <summary>True when the template reads a <see cref="ScalarState"/>: the scalar then has a value per member.</summary>
    public bool UsesScalarState => Template.Contains("{state:");

    /// <summary><c>wd</c> for coupled L2 decay, or the factor <c>decay = 1 - lr * wd</c> for decoupled decay.</summary>
    public static StepScalar WeightDecay(WeightDecayMode mode) => mode == WeightDecayMode.L2
        ? new(CoupledDecayName, "{wd}")
        : new("decay", "1d - {lr} * {wd}");

    /// <summary>The expression with <paramref name="learningRate"/> and <paramref name="weightDecay"/> in place.</summary>
    public string Expression(string learningRate, string weightDecay) =>
        Template.Replace("{lr}", learningRate).Replace("{wd}", weightDecay);
}

/// <summary>
/// A value computed once per step by <c>ApplyStep</c>, before the states are updated and the step scalars computed, and not
/// passed to the kernels: a term several scalars or a state update share (NAdam's momentum coefficient μt), in the precision
/// the reference computes it in (a Python float is a double; a float32 tensor's arithmetic is float's).
/// </summary>
/// <param name="Name">The local's name in ApplyStep; later values, state updates and scalar templates use it.</param>
/// <param name="Type">Double, or Single for a value the reference keeps in a float32 tensor.</param>
/// <param name="Expression">The C# expression; it may use StepCount, earlier values and the states' <see cref="StepState.Value"/> before this step's update.</param>
internal sealed record StepValue(string Name, ElementKind Type, string Expression);

/// <summary>
/// A scalar kept across steps for the whole optimizer, not per element: e.g. NAdam's product of momentum coefficients,
/// which PyTorch keeps per parameter as a float32 scalar tensor, the same for every parameter. It is a one-element array
/// field (so <c>GetState</c> can list it, under each member, with PyTorch's key), set to <see cref="InitialValue"/> at
/// construction and reset, and assigned the step value <see cref="Next"/> once per step before the scalars are computed.
/// </summary>
/// <param name="Field">Field-name stem: "muProduct" gives "_muProduct".</param>
/// <param name="Key">PyTorch's state_dict name, e.g. "mu_product".</param>
/// <param name="Element">The element type it is kept in (PyTorch's dtype for it, whatever the members').</param>
/// <param name="InitialValue">Value after construction and Reset.</param>
/// <param name="Next">The <see cref="StepValue"/> holding its value after this step.</param>
/// <param name="Description">What it holds, for XML docs.</param>
internal sealed record StepState(string Field, string Key, ElementKind Element, double InitialValue, string Next, string Description)
{
    /// <summary>"_muProduct".</summary>
    public string FieldName => "_" + Field;

    /// <summary>Its value in C#, "_muProduct[0]": before this step's update in step values, after it in the scalars.</summary>
    public string Value => FieldName + "[0]";
}

/// <summary>
/// The buffers a kind with a training and an evaluation point keeps them in (Schedule-Free's <c>y</c> and <c>x</c>, by
/// <see cref="StateBuffer.Field"/>). The optimizer gets <c>Eval()</c> and <c>Train()</c>, which copy one or the other
/// into the model, <c>IsTraining</c>, and <c>CopyEvalParametersTo(model)</c>; a step in evaluation mode throws.
/// </summary>
/// <param name="EvalBuffer">The buffer holding the parameters to evaluate (x).</param>
/// <param name="TrainBuffer">The buffer holding the point the gradients are taken at (y).</param>
internal sealed record ModeSwap(string EvalBuffer, string TrainBuffer)
{
    /// <summary>The members the swap adds to the optimizer.</summary>
    public static readonly string[] MemberNames = { "IsTraining", "Eval", "Train", "CopyEvalParametersTo", "_training" };
}

/// <summary>A compile-time hyperparameter exposed as a public constant of the generated optimizer.</summary>
/// <param name="Value">The C# literal.</param>
/// <param name="Text">The value as invariant text for <c>Optimizer.Configuration</c>, e.g. "0.9" or "InsideSqrt".</param>
/// <param name="InConfiguration">
/// Whether <c>Optimizer.Configuration</c> lists it (so a checkpoint records it and a load compares it). The storage
/// options are not listed: the tensors' dtypes record the state's precision, and a load converts it only when asked.
/// </param>
internal sealed record PublicConstant(string Type, string Name, string Value, string Text, string Summary, bool InConfiguration = true)
{
    public static PublicConstant Double(string name, double value, string summary) =>
        new("double", name, Literals.Double(value), Literals.Number(value), summary);

    public static PublicConstant Bool(string name, bool value, string summary) =>
        new("bool", name, Literals.Bool(value), Literals.Bool(value), summary);

    public static PublicConstant Int(string name, int value, string summary) =>
        new("int", name, value.ToString(System.Globalization.CultureInfo.InvariantCulture), value.ToString(System.Globalization.CultureInfo.InvariantCulture), summary);

    /// <summary>A constant of one of the attributes' enums (e.g. <c>Gen.EpsilonPlacement</c>).</summary>
    public static PublicConstant Enum<TEnum>(string name, TEnum value, string summary)
        where TEnum : struct, System.Enum =>
        new("global::" + typeof(TEnum).FullName, name, "global::" + typeof(TEnum).FullName + "." + value, value.ToString(), summary);
}
