using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Helpers;

namespace Gen.Generator.Models;

/// <summary>
/// Everything the emitters need to write one optimizer, computed once from its validated spec and the model's members by
/// its kind (<c>Kinds/</c>): names, constants, and the update parts with the member each updates. Every kind but [Muon]
/// has one part, which updates every member; [Muon] has two (Muon for matrices, AdamW for the rest). The parser reads it
/// too (<see cref="MemberNames"/>), so what it checks and what is emitted come from one record.
/// </summary>
/// <param name="TypeName">The generated nested type's name (the attribute's Name).</param>
/// <param name="DisplayName">"RMSProp": docs, and the optimizer's Kind (checkpoints store it).</param>
/// <param name="LearningRate">The attribute's LearningRate: where the LearningRate property starts.</param>
/// <param name="WeightDecay">The attribute's WeightDecay: where the WeightDecay property starts.</param>
/// <param name="Constants">The other hyperparameters, as public constants, in attribute order.</param>
/// <param name="Parts">The ways members are updated, the kind's main one first.</param>
/// <param name="MemberParts">The index in <paramref name="Parts"/> of each model member's part, in declaration order.</param>
internal sealed record OptimizerLayout(
    string TypeName,
    string DisplayName,
    double LearningRate,
    double WeightDecay,
    EquatableArray<PublicConstant> Constants,
    EquatableArray<UpdatePart> Parts,
    EquatableArray<int> MemberParts)
{
    /// <summary>A layout of one part that updates every member (how every kind but [Muon] is described).</summary>
    public OptimizerLayout(
        string typeName,
        string displayName,
        double learningRate,
        double weightDecay,
        EquatableArray<PublicConstant> constants,
        EquatableArray<StateBuffer> buffers,
        EquatableArray<StepScalar> scalars,
        EquatableArray<string> updateRule,
        EquatableArray<KernelDescription> kernels)
        : this(typeName, displayName, learningRate, weightDecay, constants, new[] { UpdatePart.Single(buffers, scalars, updateRule, kernels) }.ToEquatableArray(), default)
    {
    }

    // What follows up to the skeleton is the optimizer's, not a part's: the step's values and states, per-member scalar
    // states, switch conditions and the mode swap belong to the kind's own (first) part. A kind with further parts
    // ([Muon]) may not use them in those (OptimizerKind.DescribePart checks), so they stay one mechanism per concept.

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

    /// <summary>The step scalars kept across steps (<see cref="StepScalar.GroupKey"/>), which checkpoints save: the first part's.</summary>
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
        "PassCount", "IsWholeMemberPass", "UpdatePass", "CheckShardKeepsWholeMembers",
        "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize",
    };

    /// <summary>The first part's state buffers: for every kind but [Muon], the optimizer's.</summary>
    public EquatableArray<StateBuffer> Buffers => Parts[0].Buffers;

    /// <summary>The first part's step scalars: for every kind but [Muon], the optimizer's.</summary>
    public EquatableArray<StepScalar> Scalars => Parts[0].Scalars;

    /// <summary>The first part's update rule.</summary>
    public EquatableArray<string> UpdateRule => Parts[0].UpdateRule;

    /// <summary>Every kernel of every part.</summary>
    public IEnumerable<KernelDescription> Kernels => Parts.SelectMany(p => p.Kernels);

    /// <summary>Every member name of the generated optimizer.</summary>
    public IEnumerable<string> MemberNames =>
        SkeletonMemberNames
            .Concat(Constants.Select(c => c.Name))
            .Concat(Parts.SelectMany(p => p.Scalars.Select(p.ScalarField)))
            .Concat(Parts.SelectMany(p => p.FieldNames))
            .Concat(Kernels.SelectMany(k => k.MethodNames))
            .Concat(States.Select(s => s.FieldName))
            .Concat(Buffers.Select(b => b.CopyMethod).OfType<string>())
            .Concat(Modes is null ? Enumerable.Empty<string>() : ModeSwap.MemberNames);

    /// <summary>True when the kernels take coupled (L2) decay and are compiled with and without it.</summary>
    public bool HasCoupledDecay => Parts.Any(p => p.Scalars.Any(s => s.IsCoupledDecay));

    /// <summary>
    /// The scalars of <paramref name="part"/> with one value for all its members, computed once per step into the part's
    /// fields: not the per-member ones (<see cref="StepScalar.IsPerMember"/>), and the gradient scale once, in the first part.
    /// </summary>
    public IEnumerable<StepScalar> SharedScalars(UpdatePart part) =>
        part.Scalars.Where(s => !s.IsPerMember && (part == Parts[0] || s != StepScalar.GradientScale));

    /// <summary>The part that updates the member at <paramref name="index"/> (declaration order).</summary>
    public UpdatePart PartOf(int index) => Parts[MemberParts.Count == 0 ? 0 : MemberParts[index]];

    /// <summary>
    /// True when some member's update takes more than one pass (a matrix routine between element-wise passes) or is a
    /// routine on the whole member ([Adafactor]): the base class then walks passes, and a shard may not cut such a member.
    /// </summary>
    public bool HasPasses(int memberCount) =>
        Enumerable.Range(0, memberCount).Any(i => PartOf(i).Passes.Count > 1 || PartOf(i).Passes.Any(p => p.Routine is not null));

    /// <summary>True when every routine of the parts is a member's whole update (no element-wise passes around it).</summary>
    public bool OnlyWholeUpdates => Parts.SelectMany(p => p.Routines).Any() && Parts.SelectMany(p => p.Routines).All(r => r.WholeUpdate);
}

/// <summary>
/// One way an optimizer updates members: its state buffers, step scalars, rule and the passes of its update, each
/// element-wise (a kernel per element type) or a matrix routine. Every kind but [Muon] has one part, of one pass.
/// </summary>
/// <param name="Name">What the part is, for docs ("Muon", "AdamW"); empty for a kind's only part.</param>
/// <param name="Prefix">
/// Prefix of the part's step-scalar and scratch fields, so that two parts' scalars of the same name stay apart: empty for
/// the first part ("_decay"), "adamW" for [Muon]'s second ("_adamWDecay"). The kernels' parameters keep the plain names.
/// </param>
/// <param name="LearningRate">The part's learning rate in <c>ApplyStep</c>, as C#: "learningRate", "(learningRate * AdamWLearningRateScale)".</param>
/// <param name="WeightDecay">The part's weight decay in <c>ApplyStep</c>, as C#: "weightDecay" (the runtime property), "AdamWWeightDecay" (a constant).</param>
/// <param name="Buffers">The state buffers of each member the part updates, in kernel argument order.</param>
/// <param name="Scalars">Values computed once per step in double and passed to the part's kernels.</param>
/// <param name="UpdateRule">The update rule, one line per operation, in math form.</param>
/// <param name="Passes">The passes of one member's update, in order.</param>
internal sealed record UpdatePart(
    string Name,
    string Prefix,
    string LearningRate,
    string WeightDecay,
    EquatableArray<StateBuffer> Buffers,
    EquatableArray<StepScalar> Scalars,
    EquatableArray<string> UpdateRule,
    EquatableArray<UpdatePass> Passes)
{
    /// <summary>The ApplyStep rate expressions of a part that uses the optimizer's runtime LearningRate and WeightDecay.</summary>
    public const string RuntimeLearningRate = "learningRate";

    /// <inheritdoc cref="RuntimeLearningRate"/>
    public const string RuntimeWeightDecay = "weightDecay";

    /// <summary>A kind's only part: one element-wise pass, the optimizer's rates.</summary>
    public static UpdatePart Single(EquatableArray<StateBuffer> buffers, EquatableArray<StepScalar> scalars, EquatableArray<string> updateRule, EquatableArray<KernelDescription> kernels) =>
        new(string.Empty, string.Empty, RuntimeLearningRate, RuntimeWeightDecay, buffers, scalars, updateRule, new[] { new UpdatePass(kernels) }.ToEquatableArray());

    /// <summary>Every kernel of every pass.</summary>
    public IEnumerable<KernelDescription> Kernels => Passes.SelectMany(p => p.Kernels);

    /// <summary>The matrix routines of the passes (at most one per part).</summary>
    public IEnumerable<MatrixRoutine> Routines => Passes.Where(p => p.Routine is not null).Select(p => p.Routine!);

    /// <summary>The field holding <paramref name="scalar"/>'s shared value: "_decay", "_adamWDecay"; the gradient scale is every part's "_gradientScale".</summary>
    public string ScalarField(StepScalar scalar) => "_" + Prefixed(scalar == StepScalar.GradientScale ? string.Empty : Prefix, scalar.Name);

    /// <summary>The part's scratch buffer field ("_update") and its routine's workspace field ("_workspace").</summary>
    public string ScratchField(MatrixRoutine routine) => "_" + Prefixed(Prefix, routine.ScratchSpan);

    /// <summary>The scratch buffer field for members of <paramref name="element"/>: <see cref="ScratchField(MatrixRoutine)"/>, "_updateDouble" for double members.</summary>
    public string ScratchField(MatrixRoutine routine, ElementKind element) => ScratchField(routine) + (element == ElementKind.Double ? "Double" : string.Empty);

    /// <inheritdoc cref="ScratchField"/>
    public string WorkspaceField(MatrixRoutine routine) => "_" + Prefixed(Prefix, "workspace");

    /// <summary>The fields of the part's routines.</summary>
    public IEnumerable<string> FieldNames => Routines.Where(r => !r.WholeUpdate).SelectMany(r => r.OnVector
        ? new[] { ScratchField(r, ElementKind.Single), ScratchField(r, ElementKind.Double) }
        : new[] { ScratchField(r), WorkspaceField(r) });

    private static string Prefixed(string prefix, string name) =>
        prefix.Length == 0 ? name : prefix + char.ToUpperInvariant(name[0]) + name.Substring(1);
}

/// <summary>
/// One pass over a member's elements: element-wise (one kernel per element type the part's members have, which large
/// members split across threads), or a matrix routine on the whole member.
/// </summary>
internal sealed record UpdatePass(EquatableArray<KernelDescription> Kernels, MatrixRoutine? Routine = null);

/// <summary>
/// A runtime routine that transforms a matrix member's scratch buffer in place between two element-wise passes
/// (Muon's Newton–Schulz orthogonalization), called as
/// <c>Method(scratch, rows, columns, scratch, Arguments..., workspace)</c> on the member's <c>rows × columns</c> slice of
/// the scratch buffer. The workspace type has a constructor <c>(int maxShortSide, int maxLongSide)</c>, called once for the
/// part's largest matrices, and <c>EnsureFits(int rows, int columns, string member)</c>, which <c>ValidateStep</c> calls.
/// </summary>
/// <param name="Method">The routine, e.g. "global::Gen.__Internals.NewtonSchulz.Orthogonalize".</param>
/// <param name="Workspace">The workspace type, e.g. "global::Gen.__Internals.NewtonSchulzWorkspace".</param>
/// <param name="Scratch">The scratch buffer's reference in the kernels, e.g. "u".</param>
/// <param name="ScratchSpan">The scratch buffer's span and field stem, e.g. "update".</param>
/// <param name="Arguments">The routine's constant arguments, as C# literals.</param>
/// <param name="Description">What the routine does, for comments.</param>
/// <param name="OnVector">
/// A routine on the member's elements as one vector with its parameter instead of a matrix (the trust ratio of [Lamb] and
/// [Lars]): called as <c>Method(scratch, parameter, Arguments...)</c> on the member's whole scratch and parameter spans,
/// with no workspace (<paramref name="Workspace"/> is empty), the scratch buffer in the member's element type (a float
/// and a double one, each sized for the part's longest member of that type). Its <paramref name="Arguments"/> are double
/// literals, converted to float (<c>(float)1d</c>) for float members.
/// </param>
/// <param name="SkipsNoWeightDecay">Whether a member marked [NoWeightDecay] skips the routine (its scratch passes through unchanged).</param>
/// <param name="WholeUpdate">
/// A routine that is the member's whole update ([Adafactor], whose step size reads the norms of the whole parameter and
/// update, and whose state may be per row and per column): called as <c>Method(parameter, gradient, states..., [batches,
/// rows, columns,] scalars..., Arguments..., clearGradient)</c> on the whole member, with its part's state buffers in order,
/// the shape of its last two dimensions when a buffer has a <see cref="StateShape"/> other than Element, and the part's
/// passed step scalars (the gradient scale among them) as doubles. No scratch buffer or workspace (<paramref name="Scratch"/>,
/// <paramref name="ScratchSpan"/> and <paramref name="Workspace"/> are empty); its <paramref name="Arguments"/> are C# literals.
/// </param>
internal sealed record MatrixRoutine(
    string Method,
    string Workspace,
    string Scratch,
    string ScratchSpan,
    EquatableArray<string> Arguments,
    string Description,
    bool OnVector = false,
    bool SkipsNoWeightDecay = false,
    bool WholeUpdate = false);

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
    /// How many elements the buffer holds for a member, and the shape checkpoints give it (<see cref="StateShape"/>): one per
    /// element by default; one per row or per column of the member's last two dimensions for [Adafactor]'s factored averages.
    /// </summary>
    public StateShape Shape { get; init; } = StateShape.Element;

    /// <summary>
    /// When set, the buffer holds values of the parameters themselves (ASGD's average, <c>ax</c>), and the optimizer gets a
    /// public method of this name that copies it into a model of the same class: <c>CopyAveragedTo(model)</c>.
    /// </summary>
    public string? CopyMethod { get; init; }
}

/// <summary>
/// The shape of a state buffer relative to its member's. A member of rank r ≥ 2 is read as <c>batches</c> matrices of its
/// last two dimensions, <c>rows × columns</c> (the leading r − 2 dimensions are batch dimensions, as PyTorch's
/// <c>dim=-1</c> and <c>dim=-2</c> reductions read them).
/// </summary>
internal enum StateShape
{
    /// <summary>One value per element, the member's shape (every kind's buffers).</summary>
    Element,

    /// <summary>One value per row: <c>batches·rows</c> elements, shape <c>[..., rows, 1]</c> (Adafactor's <c>row_var</c>).</summary>
    Rows,

    /// <summary>One value per column: <c>batches·columns</c> elements, shape <c>[..., 1, columns]</c> (Adafactor's <c>col_var</c>).</summary>
    Columns,
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

    /// <summary>
    /// True when the value is the member's own, with no shared one: the template reads something every member has its own
    /// of, a <see cref="ScalarState"/> (<c>{state:eta}</c>, ASGD) or the member's shape (<c>{rows}</c>, <c>{columns}</c>: a
    /// matrix member's first and second dimensions, Muon's learning-rate adjustment).
    /// </summary>
    public bool IsPerMember => Template.Contains("{state:") || Template.Contains("{rows}") || Template.Contains("{columns}");

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
