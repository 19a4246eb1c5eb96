using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using Gen.__Internals;

namespace Gen;

/// <summary>One tensor of a checkpoint: its name and shape in the file, and the array that holds its values.</summary>
internal sealed class TensorSlot
{
    public TensorSlot(string name, string member, int[] shape, TensorRef values, bool isStep, bool ownShape = false, bool isConstant = false, string? floatKey = null, bool isShared = false)
    {
        Name = name;
        Member = member;
        Shape = shape;
        Values = values;
        IsStep = isStep;
        OwnShape = ownShape;
        IsConstant = isConstant;
        FloatKey = floatKey;
        IsShared = isShared;
    }

    /// <summary>For 8-bit state's codes, PyTorch's key of the buffer they hold.</summary>
    public string? FloatKey { get; }

    /// <summary>
    /// Set on the slots a converting load creates for a file tensor at another precision than the optimizer's 8-bit or
    /// float state (<see cref="Values"/> then only gives the staging length): what the staged values become.
    /// </summary>
    public BlockwiseConversion? Conversion { get; init; }

    /// <summary>The tensor name: the member (<c>W1</c>) or the member and a state key (<c>W1.square_avg</c>).</summary>
    public string Name { get; }

    /// <summary>The model member the tensor belongs to.</summary>
    public string Member { get; }

    /// <summary>The shape in the file: the model member's, or <c>[]</c> for a step.</summary>
    public int[] Shape { get; }

    /// <summary>The values: a model array, a flat state buffer, or a one-element array holding a step.</summary>
    public TensorRef Values { get; }

    /// <summary>A per-parameter step count, which is checked on load but not copied anywhere.</summary>
    public bool IsStep { get; }

    /// <summary>A state tensor whose shape is its own, not the member's (8-bit state's absmax and code table).</summary>
    public bool OwnShape { get; }

    /// <summary>A constant table (8-bit state's code, <c>qmap</c>): a load requires the file's to equal it bit for bit and copies nothing.</summary>
    public bool IsConstant { get; }

    /// <summary>
    /// A per-parameter scalar state of shape [] (ASGD's <c>eta</c> and <c>mu</c>): float32 in every state precision, loaded as
    /// it is (never converted).
    /// </summary>
    public bool IsScalarState => OwnShape && Shape.Length == 0 && !IsStep && !IsShared;

    /// <summary>
    /// A scalar the optimizer keeps once for every member (NAdam's <c>mu_product</c>, <see cref="OptimizerState.IsShared"/>):
    /// each member's slot holds the same array, a load requires every member's value to be equal, and it is never converted.
    /// </summary>
    public bool IsShared { get; }

    /// <summary>8-bit block-wise state: its codes, absmax or code table (only these are U8 or shaped on their own, with a dimension).</summary>
    public bool IsBlockwise => Values.Element == TensorElement.UInt8 || (OwnShape && Shape.Length > 0);

    public string Dtype => Dtypes.Of(Values.Element);

    public long ByteLength => Values.ByteLength;

    /// <summary>The values' bytes, in the machine's (little-endian) order.</summary>
    public Span<byte> Bytes => Dtypes.AsBytes(Values);

    /// <summary>
    /// A new array of this slot's length in the file's <paramref name="dtype"/> (the slot's own, or another
    /// state precision for a converting load), to stage loaded values in.
    /// </summary>
    public TensorRef CreateStaging(string dtype) => dtype switch
    {
        Dtypes.F32 => new TensorRef(Name, new float[Values.Length]),
        Dtypes.F64 => new TensorRef(Name, new double[Values.Length]),
        Dtypes.BF16 => new TensorRef(Name, new ushort[Values.Length], TensorElement.BFloat16),
        Dtypes.F16 => new TensorRef(Name, new ushort[Values.Length], TensorElement.Float16),
        Dtypes.U8 => new TensorRef(Name, new byte[Values.Length]),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a dtype Gen stages."),
    };

    public string FormatShape() => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>What the metadata of a checkpoint records: the values an optimizer load restores.</summary>
internal readonly record struct RestoredValues(long StepCount, double LearningRate, double WeightDecay, double? BaseLearningRate, ulong? RoundingSeed)
{
    /// <summary>The optimizer's group values (<see cref="Optimizer{TGradients}.GetGroupValue"/>), by index; null when it keeps none.</summary>
    public double[]? GroupValues { get; init; }
}

/// <summary>
/// The result of comparing a checkpoint's header with the model or optimizer it is loaded into:
/// the tensor of each file entry, or the first problem found. A problem is thrown only once the
/// checksum has been verified, so a damaged file is reported as damaged rather than as a mismatch.
/// </summary>
internal sealed class LoadPlan
{
    private LoadPlan(CheckpointException? error, Dictionary<string, TensorSlot>? slots, RestoredValues values)
    {
        Error = error;
        Slots = slots;
        Values = values;
    }

    public CheckpointException? Error { get; }

    /// <summary>File tensor name → the slot its data is staged for; null when <see cref="Error"/> is set.</summary>
    public Dictionary<string, TensorSlot>? Slots { get; }

    public RestoredValues Values { get; }

    public static LoadPlan Reject(CheckpointException error) => new(error, null, default);

    public static LoadPlan Accept(Dictionary<string, TensorSlot> slots, RestoredValues values) => new(null, slots, values);
}

/// <summary>
/// How a model or an optimizer is laid out in a checkpoint: the metadata that describes it and one
/// slot per tensor, in file order. Built from the live object both to save it and to check a file
/// before loading into it.
/// </summary>
internal sealed class CheckpointLayout
{
    public const string FormatTag = "gen.checkpoint";
    public const string FormatVersion = "1";

    public const string FormatKey = "format";
    public const string VersionKey = "format_version";
    public const string ContentKey = "content";
    public const string KindKey = "optimizer";
    public const string ParametersKey = "parameters";
    public const string StepKey = "step";
    public const string LearningRateKey = "lr";
    public const string WeightDecayKey = "weight_decay";

    /// <summary>BaseLearningRate, the rate an attached schedule scales: PyTorch's param_groups "initial_lr". Optional on load.</summary>
    public const string BaseLearningRateKey = "initial_lr";
    public const string ConfigurationPrefix = "config.";

    /// <summary>
    /// <see cref="Optimizer{TGradients}.StochasticRoundingSeed"/>, in decimal, written for optimizers that round stochastically.
    /// Optional on load: without it the optimizer keeps its seed.
    /// </summary>
    public const string RoundingSeedKey = "rounding_seed";

    public const string ModelContent = "model";
    public const string OptimizerContent = "optimizer";

    private CheckpointLayout(string content, string? kind, IReadOnlyList<KeyValuePair<string, string>> configuration, string[] members, List<KeyValuePair<string, string>> metadata, List<TensorSlot> slots)
    {
        Content = content;
        Kind = kind;
        Configuration = configuration;
        Members = members;
        Metadata = metadata;
        Slots = slots;
    }

    /// <summary><see cref="ModelContent"/> or <see cref="OptimizerContent"/>.</summary>
    public string Content { get; }

    /// <summary>The optimizer kind; null for a model.</summary>
    public string? Kind { get; }

    /// <summary>The optimizer's compile-time configuration; empty for a model.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Configuration { get; }

    /// <summary>The trainable members, in declaration order.</summary>
    public string[] Members { get; }

    /// <summary>
    /// The optimizer's group values (<see cref="Optimizer{TGradients}.GetGroupValue"/>) when the layout was made, by index:
    /// each must be in a file to load, under its key, as a finite number or, for a flag, <c>true</c> or <c>false</c>.
    /// </summary>
    public GroupValue[] GroupValues { get; private init; } = Array.Empty<GroupValue>();

    /// <summary>Every metadata entry to write except the checksum.</summary>
    public List<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>Every tensor, in file order: double-precision tensors first so that every tensor is aligned to its element size.</summary>
    public List<TensorSlot> Slots { get; }

    /// <summary>
    /// Whether PyTorch keeps a per-parameter <c>step</c> in the state of this kind of optimizer. It
    /// does for Adam, AdamW, Adagrad, NAdam, RAdam, Adamax and ASGD (a float32 scalar tensor in 1.13) and for RMSprop,
    /// Adadelta and Rprop (a Python int in 1.13, a float32 scalar tensor from 2.0); not for SGD; lion-pytorch keeps none
    /// for Lion, nor do LARS ports (whose update, like SGD's, does not depend on the step), while LAMB ports keep one;
    /// schedulefree keeps its step count <c>k</c> in the parameter group, not per parameter. Gen writes <c>step</c> as a
    /// float32 scalar wherever PyTorch keeps one.
    /// </summary>
    public static bool HasStepTensor(string kind) => kind is not ("SGD" or "Lion" or "LARS" or "ScheduleFreeAdamW" or "ScheduleFreeSGD");

    /// <summary>The layout of a model: one tensor per trainable member, named as the member.</summary>
    /// <param name="model">The model, as it is now.</param>
    /// <param name="targetError">Makes the exception for a member whose array is null.</param>
    public static CheckpointLayout ForModel(ITrainable model, Func<string, string, Exception> targetError)
    {
        TensorRef[] members = Parameters(model, targetError);
        var slots = new List<TensorSlot>(members.Length);
        foreach (TensorRef member in members)
        {
            slots.Add(new TensorSlot(member.Name, member.Name, Shape(member.Array!), member, isStep: false));
        }

        var metadata = new List<KeyValuePair<string, string>>
        {
            new(FormatKey, FormatTag),
            new(VersionKey, FormatVersion),
            new(ContentKey, ModelContent),
        };
        return new CheckpointLayout(ModelContent, null, Array.Empty<KeyValuePair<string, string>>(), Names(members), metadata, AlignedOrder(slots));
    }

    /// <summary>
    /// The layout of an optimizer: per member, in declaration order, <c>member.step</c> (for the kinds
    /// where PyTorch keeps one) then <c>member.key</c> for each state buffer, shaped as the member (or as the state
    /// says: 8-bit state's absmax and code table, and scalar state such as ASGD's <c>eta</c>, of shape []).
    /// </summary>
    /// <param name="optimizer">The optimizer, as it is now.</param>
    /// <param name="targetError">Makes the exception for a member that is null or no longer has the optimizer's length.</param>
    /// <param name="wholeStates">
    /// The state buffers to save or load instead of the optimizer's own (a sharded optimizer's, gathered whole), in
    /// <see cref="Optimizer{TGradients}.GetState"/>'s order; null for the optimizer's own, which must then not be sharded.
    /// </param>
    public static CheckpointLayout ForOptimizer<TGradients>(Optimizer<TGradients> optimizer, Func<string, string, Exception> targetError, IReadOnlyList<OptimizerState>? wholeStates = null)
        where TGradients : GradientsBase
    {
        if (wholeStates is null && optimizer.Shard is { } shard)
        {
            throw new InvalidOperationException(
                $"This optimizer keeps the state of {shard} only. Save and load it through Gen.Distributed's DataParallel, which gathers the shards into the single-process checkpoint and gives each process its shard of one.");
        }

        TensorRef[] members = Parameters(optimizer.Model, targetError);
        var states = new List<OptimizerState>[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            states[i] = new List<OptimizerState>();
        }

        int stateCount = wholeStates?.Count ?? optimizer.StateCount;
        for (int i = 0; i < stateCount; i++)
        {
            OptimizerState state = wholeStates?[i] ?? optimizer.GetState(i);
            TensorRef member = members[state.ParameterIndex];
            if (state.Shape is null && state.Buffer.Length != member.Length)
            {
                throw targetError(member.Name, $"model member '{member.Name}' now holds {member.Length} elements but the optimizer state was created for {state.Buffer.Length}. Create a new optimizer after replacing a model array with one of another size.");
            }

            states[state.ParameterIndex].Add(state);
        }

        string kind = optimizer.Kind;
        bool hasStep = HasStepTensor(kind);
        var slots = new List<TensorSlot>();
        for (int i = 0; i < members.Length; i++)
        {
            TensorRef member = members[i];
            int[] shape = Shape(member.Array!);
            if (hasStep)
            {
                slots.Add(new TensorSlot(member.Name + "." + StepKey, member.Name, Array.Empty<int>(), new TensorRef(member.Name, new[] { (float)optimizer.StepCount }), isStep: true));
            }

            foreach (OptimizerState state in states[i])
            {
                slots.Add(new TensorSlot(member.Name + "." + state.Key, member.Name, state.Shape ?? shape, state.Buffer, isStep: false, ownShape: state.Shape is not null, state.IsConstant, state.FloatKey, state.IsShared));
            }
        }

        IReadOnlyList<KeyValuePair<string, string>> configuration = optimizer.Configuration;
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(FormatKey, FormatTag),
            new(VersionKey, FormatVersion),
            new(ContentKey, OptimizerContent),
            new(KindKey, kind),
            new(ParametersKey, string.Join(",", Names(members))),
            new(StepKey, optimizer.StepCount.ToString(CultureInfo.InvariantCulture)),
            new(LearningRateKey, optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
            new(WeightDecayKey, optimizer.WeightDecay.ToString("R", CultureInfo.InvariantCulture)),
            new(BaseLearningRateKey, optimizer.BaseLearningRate.ToString("R", CultureInfo.InvariantCulture)),
        };
        if (optimizer.RoundsStochastically)
        {
            metadata.Add(new(RoundingSeedKey, optimizer.StochasticRoundingSeed.ToString(CultureInfo.InvariantCulture)));
        }

        var groupValues = new GroupValue[optimizer.GroupValueCount];
        for (int i = 0; i < groupValues.Length; i++)
        {
            GroupValue value = optimizer.GetGroupValue(i);
            groupValues[i] = value;
            metadata.Add(new(value.Key, value.IsFlag ? (value.Value != 0 ? "true" : "false") : value.Value.ToString("R", CultureInfo.InvariantCulture)));
        }

        foreach (KeyValuePair<string, string> pair in configuration)
        {
            metadata.Add(new(ConfigurationPrefix + pair.Key, pair.Value));
        }

        return new CheckpointLayout(OptimizerContent, kind, configuration, Names(members), metadata, AlignedOrder(slots)) { GroupValues = groupValues };
    }

    /// <summary>
    /// Compares a checkpoint's header with this layout, in this order: format tag, version, content,
    /// kind, configuration, members, the recorded values, then every tensor's presence, dtype and shape.
    /// </summary>
    /// <param name="header">The checkpoint's header.</param>
    /// <param name="path">The file, for messages; null for a stream.</param>
    /// <param name="convertStatePrecision">
    /// Accept optimizer state stored at another of the float precisions (F32, BF16, F16): the load converts it. Steps and
    /// model members are never converted.
    /// </param>
    public LoadPlan Plan(SafetensorsHeader header, string? path, bool convertStatePrecision = false)
    {
        IReadOnlyDictionary<string, string> metadata = header.Metadata;
        CheckpointException Fail(CheckpointError error, string? name, string detail) => new(error, name, path, detail);

        string? format = Find(metadata, FormatKey);
        if (format != FormatTag)
        {
            return LoadPlan.Reject(Fail(CheckpointError.NotGenCheckpoint, null, format is null
                ? $"it is a safetensors file, but not a Gen checkpoint (its metadata has no \"{FormatKey}\": \"{FormatTag}\")."
                : $"it is a safetensors file of format '{format}', not a Gen checkpoint ('{FormatTag}')."));
        }

        string? version = Find(metadata, VersionKey);
        if (version != FormatVersion)
        {
            return LoadPlan.Reject(Fail(CheckpointError.UnsupportedVersion, null, $"it has format version '{version ?? "(none)"}'; this runtime reads version {FormatVersion}."));
        }

        string? content = Find(metadata, ContentKey);
        if (content != Content)
        {
            return LoadPlan.Reject(Fail(CheckpointError.WrongContent, null, content is ModelContent or OptimizerContent
                ? $"it is {Article(content)} {content} checkpoint, not {Article(Content)} {Content} checkpoint: load it with Checkpoint.Load{(content == ModelContent ? "Model" : "Optimizer")}."
                : $"its content is '{content ?? "(none)"}', not '{Content}'."));
        }

        RestoredValues values = default;
        if (Kind is not null)
        {
            string? kind = Find(metadata, KindKey);
            if (kind != Kind)
            {
                return LoadPlan.Reject(Fail(CheckpointError.KindMismatch, null, $"it holds the state of optimizer kind '{kind ?? "(none)"}', and this optimizer is of kind '{Kind}'."));
            }

            if (CompareMembers(Find(metadata, ParametersKey), path) is { } memberError)
            {
                return LoadPlan.Reject(memberError);
            }

            // After the members: a member override (e.g. LearningRateScale.K) of a member the model
            // lacks is reported as the missing member it is.
            if (CompareConfiguration(metadata, path) is { } configurationError)
            {
                return LoadPlan.Reject(configurationError);
            }

            if (!long.TryParse(Find(metadata, StepKey), NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            {
                return LoadPlan.Reject(Fail(CheckpointError.InvalidValue, StepKey, $"its step count (metadata '{StepKey}') is '{Find(metadata, StepKey) ?? "(none)"}', not an integer >= 0."));
            }

            if (ParseRate(metadata, LearningRateKey, "learning rate", path, out double learningRate) is { } lrError)
            {
                return LoadPlan.Reject(lrError);
            }

            if (ParseRate(metadata, WeightDecayKey, "weight decay", path, out double weightDecay) is { } wdError)
            {
                return LoadPlan.Reject(wdError);
            }

            double? baseLearningRate = null;
            if (Find(metadata, BaseLearningRateKey) is not null)
            {
                if (ParseRate(metadata, BaseLearningRateKey, "base learning rate", path, out double parsed) is { } baseError)
                {
                    return LoadPlan.Reject(baseError);
                }

                baseLearningRate = parsed;
            }

            ulong? roundingSeed = null;
            if (Find(metadata, RoundingSeedKey) is { } seedText)
            {
                if (!ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                {
                    return LoadPlan.Reject(Fail(CheckpointError.InvalidValue, RoundingSeedKey, $"its stochastic rounding seed (metadata '{RoundingSeedKey}') is '{seedText}', not an integer from 0 to {ulong.MaxValue}."));
                }

                roundingSeed = seed;
            }

            double[]? groupValues = null;
            if (GroupValues.Length > 0)
            {
                groupValues = new double[GroupValues.Length];
                for (int i = 0; i < GroupValues.Length; i++)
                {
                    string key = GroupValues[i].Key;
                    string? text = Find(metadata, key);
                    bool isFlag = GroupValues[i].IsFlag;
                    if (isFlag ? text is not ("true" or "false")
                        : !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out groupValues[i]) || double.IsNaN(groupValues[i]) || double.IsInfinity(groupValues[i]))
                    {
                        return LoadPlan.Reject(Fail(CheckpointError.InvalidValue, key, $"its parameter-group value '{key}' is '{text ?? "(none)"}', not {(isFlag ? "true or false" : "a finite number")}; this {Kind} optimizer keeps it across steps."));
                    }

                    if (isFlag)
                    {
                        groupValues[i] = text == "true" ? 1 : 0;
                    }
                }
            }

            values = new RestoredValues(step, learningRate, weightDecay, baseLearningRate, roundingSeed) { GroupValues = groupValues };
        }

        var converted = new HashSet<string>(StringComparer.Ordinal);
        if (Content == OptimizerContent && CompareBlockwise(header, path, convertStatePrecision, converted) is { } blockwiseError)
        {
            return LoadPlan.Reject(blockwiseError);
        }

        var slots = new Dictionary<string, TensorSlot>(Slots.Count, StringComparer.Ordinal);
        foreach (TensorSlot slot in Slots)
        {
            if (!slot.IsStep && !slot.IsScalarState && !slot.IsShared && converted.Contains(slot.Member))
            {
                if (PlanConversion(slot, header, slots, path) is { } conversionError)
                {
                    return LoadPlan.Reject(conversionError);
                }

                continue;
            }

            TensorEntry? entry = header.Find(slot.Name);
            if (entry is null)
            {
                return LoadPlan.Reject(Content == ModelContent
                    ? Fail(CheckpointError.MissingMember, slot.Name, $"it has no tensor for model member '{slot.Name}'.")
                    : Fail(CheckpointError.MissingTensor, slot.Name, $"it has no tensor '{slot.Name}', which this optimizer keeps for member '{slot.Member}'."));
            }

            bool stateAtAnotherPrecision = Content == OptimizerContent && !slot.IsStep && !slot.IsBlockwise && !slot.IsScalarState && !slot.IsShared && Dtypes.IsStatePrecision(entry.Dtype) && Dtypes.IsStatePrecision(slot.Dtype);
            if (entry.Dtype != slot.Dtype && stateAtAnotherPrecision && !convertStatePrecision)
            {
                return LoadPlan.Reject(Fail(CheckpointError.DtypeMismatch, slot.Name,
                    $"tensor '{slot.Name}' is {entry.Dtype}, but this optimizer stores its state as {slot.Dtype} (StatePrecision.{Dtypes.StatePrecisionName(slot.Dtype)}). "
                    + "Load with convertStatePrecision: true to convert it (to nearest even when narrowing), or load it into an optimizer generated with the file's StatePrecision."));
            }

            if (entry.Dtype != slot.Dtype && !stateAtAnotherPrecision)
            {
                return LoadPlan.Reject(Fail(CheckpointError.DtypeMismatch, slot.Name, slot.IsStep
                    ? $"tensor '{slot.Name}' is {entry.Dtype}, but a step is stored as a {slot.Dtype} scalar, as in PyTorch."
                    : slot.IsShared
                    ? $"tensor '{slot.Name}' is {entry.Dtype}, but this optimizer keeps it as a {slot.Dtype} scalar, as PyTorch does."
                    : slot.IsBlockwise
                    ? $"tensor '{slot.Name}' is {entry.Dtype}, but this optimizer's 8-bit state keeps it as {slot.Dtype}."
                    : slot.IsScalarState
                    ? $"tensor '{slot.Name}' is {entry.Dtype}, but this optimizer keeps it as a {slot.Dtype} scalar, as PyTorch does."
                    : $"tensor '{slot.Name}' is {entry.Dtype}, but model member '{slot.Member}' is {ElementName(slot.Dtype)} ({slot.Dtype})."));
            }

            if (!SameShape(entry.Shape, slot.Shape))
            {
                return LoadPlan.Reject(Fail(CheckpointError.ShapeMismatch, slot.Name, slot.IsStep
                    ? $"tensor '{slot.Name}' has shape {SafetensorsHeader.FormatShape(entry.Shape)}, but a step is stored as a scalar (shape [])."
                    : slot.OwnShape
                    ? $"tensor '{slot.Name}' has shape {SafetensorsHeader.FormatShape(entry.Shape)}, but this optimizer's '{slot.Name}' has shape {slot.FormatShape()}."
                    : $"tensor '{slot.Name}' has shape {SafetensorsHeader.FormatShape(entry.Shape)}, but model member '{slot.Member}' has shape {slot.FormatShape()}."));
            }

            slots.Add(slot.Name, slot);
        }

        foreach (TensorEntry entry in header.Tensors)
        {
            if (!slots.ContainsKey(entry.Name))
            {
                return LoadPlan.Reject(Content == ModelContent
                    ? Fail(CheckpointError.UnexpectedMember, entry.Name, $"it has a tensor '{entry.Name}', but the model has no trainable member of that name.")
                    : Fail(CheckpointError.UnexpectedTensor, entry.Name, $"it has a tensor '{entry.Name}', which this optimizer does not keep (it keeps {string.Join(", ", Slots.ConvertAll(s => s.Name))})."));
            }
        }

        return LoadPlan.Accept(slots, values);
    }

    /// <summary>
    /// Whether each member's state is 8-bit block-wise in the file exactly when it is in this optimizer (a U8 tensor of
    /// the member). A converting load adds the members where they differ to <paramref name="converted"/>; else they are rejected.
    /// </summary>
    private CheckpointException? CompareBlockwise(SafetensorsHeader header, string? path, bool convertStatePrecision, HashSet<string> converted)
    {
        foreach (string member in Members)
        {
            TensorSlot? ours = Slots.Find(s => s.Member == member && s.Dtype == Dtypes.U8);
            TensorEntry? theirs = null;
            foreach (TensorEntry entry in header.Tensors)
            {
                if (entry.Dtype == Dtypes.U8 && entry.Name.StartsWith(member + ".", StringComparison.Ordinal))
                {
                    theirs = entry;
                    break;
                }
            }

            if ((ours is null) == (theirs is null))
            {
                continue;
            }

            if (convertStatePrecision)
            {
                converted.Add(member);
                continue;
            }

            const string Hint = "Load with convertStatePrecision: true to convert it (8-bit state is dequantized, float state quantized block by block), or load it into an optimizer generated with the file's StatePrecision.";
            string name = (ours?.Name ?? theirs!.Name);
            return new CheckpointException(CheckpointError.DtypeMismatch, name, path, ours is not null
                ? $"this optimizer keeps member '{member}' as 8-bit block-wise state (StatePrecision.Int8Blockwise: '{ours.Name}', U8), but the file keeps it at another precision (no U8 tensor of '{member}'). " + Hint
                : $"the file keeps member '{member}' as 8-bit block-wise state ('{theirs!.Name}', U8), but this optimizer keeps it at another precision (StatePrecision.Int8Blockwise keeps float32 state for members under 4,096 elements). " + Hint);
        }

        return null;
    }

    /// <summary>
    /// Plans a converting load of one state slot of a member whose state is 8-bit in the file and not here, or the other
    /// way round: this optimizer's codes <c>state{k}</c> from the file's float tensor of the same PyTorch key (its absmax
    /// and code table follow), or this optimizer's float buffer k from the file's <c>state{k}</c>, <c>absmax{k}</c> and
    /// <c>qmap{k}</c> (k counts the member's buffers in order). The file's tensors are staged under new slots.
    /// </summary>
    private CheckpointException? PlanConversion(TensorSlot slot, SafetensorsHeader header, Dictionary<string, TensorSlot> slots, string? path)
    {
        CheckpointException? Check(string name, Func<string, bool> dtype, string expected, int[] shape, out TensorEntry? entry)
        {
            entry = header.Find(name);
            if (entry is null)
            {
                return new CheckpointException(CheckpointError.MissingTensor, name, path, $"it has no tensor '{name}', which converting this optimizer's '{slot.Name}' needs.");
            }

            if (!dtype(entry.Dtype))
            {
                return new CheckpointException(CheckpointError.DtypeMismatch, name, path, $"tensor '{name}' is {entry.Dtype}, but converting it into this optimizer's '{slot.Name}' needs {expected}.");
            }

            return SameShape(entry.Shape, shape) ? null : new CheckpointException(CheckpointError.ShapeMismatch, name, path,
                $"tensor '{name}' has shape {SafetensorsHeader.FormatShape(entry.Shape)}, but converting it into this optimizer's '{slot.Name}' needs shape [{string.Join(", ", shape)}].");
        }

        if (slot.Dtype == Dtypes.U8)
        {
            // This optimizer's 8-bit buffer k from the file's float buffer of the same key.
            string number = slot.Name.Substring(slot.Name.LastIndexOf(".state", StringComparison.Ordinal) + ".state".Length);
            TensorSlot absmax = Slots.Find(s => s.Name == slot.Member + ".absmax" + number)!;
            TensorSlot code = Slots.Find(s => s.Name == slot.Member + ".qmap" + number)!;
            if (Check(slot.Member + "." + slot.FloatKey, Dtypes.IsStatePrecision, "F32, BF16 or F16", slot.Shape, out TensorEntry? entry) is { } error)
            {
                return error;
            }

            var conversion = BlockwiseConversion.Quantize(slot.Values, absmax.Values, signed: code.Values.AsSingleSpan()[0] < 0);
            slots.Add(entry!.Name, new TensorSlot(entry.Name, slot.Member, slot.Shape, slot.Values, isStep: false) { Conversion = conversion });
            return null;
        }

        if (slot.IsBlockwise)
        {
            // absmax{k} and qmap{k}: written with state{k}.
            return null;
        }

        // This optimizer's float buffer k from the file's 8-bit buffer k.
        int k = 1 + Slots.FindAll(s => s.Member == slot.Member && !s.IsStep && !s.IsScalarState && !s.IsShared).IndexOf(slot);
        int blocks = BlockwiseQuantization.BlockCount(slot.Values.Length);
        string prefix = slot.Member + ".";
        if (Check(prefix + "state" + k, d => d == Dtypes.U8, Dtypes.U8, slot.Shape, out TensorEntry? codes) is { } codesError)
        {
            return codesError;
        }

        if (Check(prefix + "absmax" + k, d => d == Dtypes.F32, Dtypes.F32, new[] { blocks }, out TensorEntry? scales) is { } absmaxError)
        {
            return absmaxError;
        }

        if (Check(prefix + "qmap" + k, d => d == Dtypes.F32, Dtypes.F32, new[] { DynamicCode.Length }, out TensorEntry? table) is { } qmapError)
        {
            return qmapError;
        }

        var dequantize = BlockwiseConversion.Dequantize(slot.Values);
        dequantize.Codes = new TensorSlot(codes!.Name, slot.Member, slot.Shape, new TensorRef(codes.Name, new byte[slot.Values.Length]), isStep: false) { Conversion = dequantize };
        dequantize.Absmax = new TensorSlot(scales!.Name, slot.Member, new[] { blocks }, new TensorRef(scales.Name, new float[blocks]), isStep: false) { Conversion = dequantize };
        dequantize.Code = new TensorSlot(table!.Name, slot.Member, new[] { DynamicCode.Length }, new TensorRef(table.Name, new float[DynamicCode.Length]), isStep: false) { Conversion = dequantize };
        slots.Add(codes.Name, dequantize.Codes);
        slots.Add(scales.Name, dequantize.Absmax);
        slots.Add(table.Name, dequantize.Code);
        return null;
    }

    private CheckpointException? CompareConfiguration(IReadOnlyDictionary<string, string> metadata, string? path)
    {
        var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> pair in metadata)
        {
            if (pair.Key.StartsWith(ConfigurationPrefix, StringComparison.Ordinal))
            {
                recorded.Add(pair.Key.Substring(ConfigurationPrefix.Length), pair.Value);
            }
        }

        foreach (KeyValuePair<string, string> pair in Configuration)
        {
            if (!recorded.Remove(pair.Key, out string? value))
            {
                return new CheckpointException(CheckpointError.ConfigurationMismatch, pair.Key, path, $"it does not record the hyperparameter '{pair.Key}', which this {Kind} optimizer has ({pair.Key} = {pair.Value}).");
            }

            if (value != pair.Value)
            {
                return new CheckpointException(CheckpointError.ConfigurationMismatch, pair.Key, path, $"its hyperparameter '{pair.Key}' is {value}, and this optimizer's is {pair.Value}. Compile-time hyperparameters must be equal to continue training.");
            }
        }

        foreach (KeyValuePair<string, string> pair in recorded)
        {
            return new CheckpointException(CheckpointError.ConfigurationMismatch, pair.Key, path, $"it records the hyperparameter '{pair.Key}' = {pair.Value}, which this {Kind} optimizer does not have.");
        }

        return null;
    }

    private CheckpointException? CompareMembers(string? recorded, string? path)
    {
        if (recorded is null)
        {
            return new CheckpointException(CheckpointError.InvalidFormat, ParametersKey, path, $"its metadata has no '{ParametersKey}' entry listing the model members.");
        }

        string[] names = recorded.Length == 0 ? Array.Empty<string>() : recorded.Split(',');
        var expected = new HashSet<string>(Members, StringComparer.Ordinal);
        var found = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (string member in Members)
        {
            if (!found.Contains(member))
            {
                return new CheckpointException(CheckpointError.MissingMember, member, path, $"it has no state for model member '{member}' (it records {Describe(names)}).");
            }
        }

        foreach (string name in names)
        {
            if (!expected.Contains(name))
            {
                return new CheckpointException(CheckpointError.UnexpectedMember, name, path, $"it records state for a member '{name}', but the model has no trainable member of that name (it has {Describe(Members)}).");
            }
        }

        return null;
    }

    private static CheckpointException? ParseRate(IReadOnlyDictionary<string, string> metadata, string key, string what, string? path, out double value)
    {
        string? text = Find(metadata, key);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= 0 && !double.IsPositiveInfinity(value))
        {
            return null;
        }

        return new CheckpointException(CheckpointError.InvalidValue, key, path, $"its {what} (metadata '{key}') is '{text ?? "(none)"}', not a finite number >= 0.");
    }

    private static TensorRef[] Parameters(ITrainable model, Func<string, string, Exception> targetError)
    {
        var members = new TensorRef[model.ParameterCount];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = model.GetParameter(i);
            if (members[i].Array is null)
            {
                throw targetError(members[i].Name, $"model member '{members[i].Name}' is null.");
            }
        }

        return members;
    }

    /// <summary>Stable order by element size (8, 4, 2, 1 bytes), largest first: each tensor then starts at a multiple of its element size.</summary>
    private static List<TensorSlot> AlignedOrder(List<TensorSlot> slots)
    {
        var ordered = new List<TensorSlot>(slots.Count);
        foreach (int size in new[] { 8, 4, 2, 1 })
        {
            ordered.AddRange(slots.FindAll(s => Dtypes.SizeOf(s.Dtype) == size));
        }

        return ordered;
    }

    private static int[] Shape(Array array)
    {
        var shape = new int[array.Rank];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = array.GetLength(d);
        }

        return shape;
    }

    private static bool SameShape(long[] recorded, int[] expected)
    {
        if (recorded.Length != expected.Length)
        {
            return false;
        }

        for (int d = 0; d < expected.Length; d++)
        {
            if (recorded[d] != expected[d])
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Names(TensorRef[] members) => Array.ConvertAll(members, m => m.Name);

    private static string? Find(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? value) ? value : null;

    private static string Describe(string[] names) => names.Length == 0 ? "none" : string.Join(", ", names);

    private static string ElementName(string dtype) => dtype switch
    {
        Dtypes.F32 => "float",
        Dtypes.F64 => "double",
        _ => dtype,
    };

    private static string Article(string content) => content == OptimizerContent ? "an" : "a";
}

/// <summary>
/// What a converting load does with the staged tensors of one buffer whose state is 8-bit block-wise on one side only:
/// quantize a staged float (or 16-bit) tensor into this optimizer's codes and absmax, or dequantize the file's codes,
/// absmax and code table into this optimizer's float (or 16-bit) buffer.
/// </summary>
internal sealed class BlockwiseConversion
{
    private BlockwiseConversion(TensorRef target, TensorRef absmax, bool signed)
    {
        Target = target;
        TargetAbsmax = absmax;
        Signed = signed;
    }

    /// <summary>This optimizer's codes (quantizing) or float buffer (dequantizing).</summary>
    public TensorRef Target { get; }

    /// <summary>This optimizer's absmax, when quantizing.</summary>
    public TensorRef TargetAbsmax { get; }

    /// <summary>The code the quantization uses (this optimizer's, when quantizing).</summary>
    public bool Signed { get; }

    public bool Quantizes => Target.Element == TensorElement.UInt8;

    /// <summary>When dequantizing: the slots the file's <c>state{k}</c>, <c>absmax{k}</c> and <c>qmap{k}</c> are staged in.</summary>
    public TensorSlot? Codes { get; set; }

    public TensorSlot? Absmax { get; set; }

    public TensorSlot? Code { get; set; }

    public static BlockwiseConversion Quantize(TensorRef codes, TensorRef absmax, bool signed) => new(codes, absmax, signed);

    public static BlockwiseConversion Dequantize(TensorRef target) => new(target, default, signed: false);
}
