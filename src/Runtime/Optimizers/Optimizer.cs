using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using Gen.__Internals;

namespace Gen;

/// <summary>
/// Base of every generated optimizer: the runtime hyperparameters, the step counter and the
/// check-then-update order of <see cref="Step(TGradients)"/>. The update itself is generated for one model class.
/// </summary>
/// <typeparam name="TGradients">The model's generated <c>Gradients</c> type.</typeparam>
public abstract class Optimizer<TGradients> : IRangeJob
    where TGradients : GradientsBase
{
    private int _maxDegreeOfParallelism = 1;
    private int _parallelThreshold = 1 << 18;
    private double _learningRate;
    private double _baseLearningRate;
    private double _weightDecay;
    private NonFinitePolicy _nonFinitePolicy;
    private NonFiniteSearch? _nonFiniteSearch;
    private double? _globalNormClip;

    /// <summary>Each member's element count when the optimizer was created (its state was sized by it).</summary>
    private readonly int[] _memberLengths;

    /// <summary>Starts with the attribute's learning rate (as both <see cref="LearningRate"/> and <see cref="BaseLearningRate"/>) and weight decay.</summary>
    protected Optimizer(ITrainable model, double learningRate, double weightDecay)
        : this(model, learningRate, weightDecay, shard: null)
    {
    }

    /// <summary>
    /// Starts with the attribute's learning rate (as both <see cref="LearningRate"/> and <see cref="BaseLearningRate"/>) and
    /// weight decay, keeping state for <paramref name="shard"/>'s elements only (null: the whole model).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="shard"/> was cut for a model with other members or lengths.</exception>
    protected Optimizer(ITrainable model, double learningRate, double weightDecay, OptimizerShard? shard)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        shard?.CheckFits(model, nameof(shard));
        Shard = shard;
        _memberLengths = new int[model.ParameterCount];
        for (int member = 0; member < _memberLengths.Length; member++)
        {
            // A null member is named by the generated constructor's own check, which follows.
            _memberLengths[member] = model.GetParameter(member).Array?.Length ?? -1;
        }

        LearningRate = learningRate;
        BaseLearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The model whose parameters this optimizer updates.</summary>
    public ITrainable Model { get; }

    /// <summary>
    /// The part of the model whose state this optimizer keeps and whose elements its steps update (ZeRO stage 1), or null
    /// (the default) for the whole model. Set by the constructor that takes an <see cref="OptimizerShard"/>.
    /// </summary>
    /// <remarks>
    /// A sharded optimizer's <see cref="GetState"/> lists the shard's part of each buffer (flat, shorter than the member),
    /// and <see cref="StateBytes"/> counts only those. It cannot be saved by <see cref="Checkpoint"/> on its own: the
    /// Gen.Distributed package's <c>DataParallel</c> gathers the shards and writes the single-process checkpoint.
    /// </remarks>
    public OptimizerShard? Shard { get; }

    /// <summary>The optimizer's kind, e.g. <c>RMSProp</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// The compile-time hyperparameters (the attribute's values other than LearningRate and
    /// WeightDecay), as invariant text: two optimizers with equal configurations compute the same update.
    /// </summary>
    public abstract IReadOnlyList<KeyValuePair<string, string>> Configuration { get; }

    /// <summary>Number of state buffers: one per parameter per buffer the configuration needs.</summary>
    public abstract int StateCount { get; }

    /// <summary>The state buffer at <paramref name="index"/>, parameter by parameter, in declaration order.</summary>
    public abstract OptimizerState GetState(int index);

    /// <summary>
    /// Number of values the optimizer keeps across steps for a parameter group rather than per element (PyTorch's
    /// <c>param_groups</c> entries such as Schedule-Free's <c>weight_sum</c>); 0 for most kinds.
    /// </summary>
    public virtual int GroupValueCount => 0;

    /// <summary>The group value at <paramref name="index"/>, with its current value.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="GroupValueCount"/>.</exception>
    public virtual GroupValue GetGroupValue(int index) => throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Sets the group value at <paramref name="index"/> (checkpoints restore them; a flag is true when not 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="GroupValueCount"/>.</exception>
    protected virtual void SetGroupValue(int index, double value) => throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Restores a group value (checkpoints).</summary>
    internal void RestoreGroupValue(int index, double value) => SetGroupValue(index, value);

    /// <summary>
    /// Step size used by the next <see cref="Step(TGradients)"/>. Settable for sweeps and for schedules you step
    /// yourself. While a <see cref="Schedule"/> is attached, <see cref="Step(TGradients)"/> overwrites it with the
    /// schedule's rate before each update, so it reads as the rate the last step used.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">A <see cref="Schedule"/> is attached: it sets the rate.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (Schedule is not null)
            {
                // A rate set here would be replaced at the next step without a trace, which makes a
                // sweep silently run every setting at the schedule's rate.
                throw new InvalidOperationException(
                    "LearningRate is set by the attached Schedule before every step. Set BaseLearningRate to scale the schedule, or set Schedule to null before setting LearningRate.");
            }

            _learningRate = Guard.NonNegativeFinite(value, nameof(LearningRate));
        }
    }

    /// <summary>Sets the current rate whether or not a schedule is attached (checkpoints restore it).</summary>
    internal void RestoreLearningRate(double value) => _learningRate = Guard.NonNegativeFinite(value, nameof(LearningRate));

    /// <summary>
    /// The rate an attached <see cref="Schedule"/> scales (PyTorch's <c>initial_lr</c>; <c>max_lr</c> for a
    /// <see cref="OneCycleSchedule"/>). Starts at the attribute's LearningRate; setting
    /// <see cref="LearningRate"/> does not change it. Unused while no schedule is attached.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double BaseLearningRate
    {
        get => _baseLearningRate;
        set => _baseLearningRate = Guard.NonNegativeFinite(value, nameof(BaseLearningRate));
    }

    /// <summary>
    /// A learning-rate schedule that <see cref="Step(TGradients)"/> follows, or null (the default) to use
    /// <see cref="LearningRate"/> as set. Step t (0-based: <see cref="StepCount"/> before the step)
    /// uses <c>Schedule.GetLearningRate(t, BaseLearningRate)</c>, which is what PyTorch's optimizer
    /// uses when <c>scheduler.step()</c> follows every <c>optimizer.step()</c>. Attach or replace it at
    /// any time; it takes effect at the next step.
    /// </summary>
    /// <remarks>
    /// To schedule per epoch instead of per step, either leave this null and set
    /// <c>LearningRate = schedule.GetLearningRate(epoch, BaseLearningRate)</c> at the start of each epoch,
    /// or attach a schedule whose step counts are in optimizer steps (an epoch of N steps is N steps).
    /// A <see cref="ReduceOnPlateauSchedule"/> is attached like any other and fed with its
    /// <see cref="ReduceOnPlateauSchedule.Report"/>.
    /// </remarks>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Weight decay factor used by the next <see cref="Step(TGradients)"/>, applied as the attribute's mode says.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = Guard.NonNegativeFinite(value, nameof(WeightDecay));
    }

    /// <summary>
    /// How many threads one step may use (default 1: the calling thread only). Above 1, every member
    /// with at least <see cref="ParallelThreshold"/> elements is split into contiguous chunks updated
    /// in parallel by the caller and a pool of background threads (one per extra core, created on first
    /// use). Results are bit-identical to a serial step, and a step still allocates nothing. If another
    /// step is using the pool at the same moment, this one runs serially.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "MaxDegreeOfParallelism must be at least 1.");
    }

    /// <summary>
    /// The element count from which a member is updated in parallel when
    /// <see cref="MaxDegreeOfParallelism"/> is above 1. Default 262,144 (1 MiB of floats): below it, waking
    /// a thread costs more than it saves.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ParallelThreshold
    {
        get => _parallelThreshold;
        set => _parallelThreshold = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ParallelThreshold), value, "ParallelThreshold must be at least 1.");
    }

    /// <summary>
    /// What <see cref="Step(TGradients)"/> does with a gradient that holds NaN or ±∞: <see cref="NonFinitePolicy.Throw"/>
    /// (the default), <see cref="NonFinitePolicy.SkipStep"/> or <see cref="NonFinitePolicy.Ignore"/>.
    /// The check reads every gradient element once more per step unless the policy is Ignore.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Gen.NonFinitePolicy"/>.</exception>
    public NonFinitePolicy NonFinitePolicy
    {
        get => _nonFinitePolicy;
        set => _nonFinitePolicy = value is NonFinitePolicy.Throw or NonFinitePolicy.SkipStep or NonFinitePolicy.Ignore
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NonFinitePolicy), value, "Not a defined NonFinitePolicy.");
    }

    /// <summary>
    /// Number of completed steps since construction or <see cref="Reset"/>, or as restored from a
    /// <see cref="Checkpoint"/>. Skipped steps do not count.
    /// </summary>
    /// <remarks>The setter is internal for <see cref="Checkpoint"/>, which restores the count with the state it belongs to.</remarks>
    public long StepCount { get; internal set; }

    /// <summary>
    /// Number of steps skipped under <see cref="NonFinitePolicy.SkipStep"/> since construction or
    /// <see cref="Reset"/>.
    /// </summary>
    public long SkippedSteps { get; private set; }

    /// <summary>
    /// When set, every step first clips the gradients' global L2 norm to this value, as PyTorch's
    /// <c>torch.nn.utils.clip_grad_norm_(parameters, max_norm)</c> followed by the step: the norm of all
    /// gradients together (<see cref="GradientsBase.L2Norm"/>, one pass) gives the factor
    /// <c>min(1, max / (norm + 1e-6))</c>, which the update pass multiplies each gradient element by as it reads
    /// it. The gradients themselves are not rewritten. Null (the default) clips nothing.
    /// </summary>
    /// <remarks>
    /// The parameters and the state come out bit for bit as after <see cref="GradientsBase.ClipByGlobalNorm"/>
    /// then <see cref="Step(TGradients)"/>, with one pass over the gradients fewer (two: the norm doubles as the
    /// non-finite check, and nothing is written back). A non-finite norm means a non-finite gradient element, which
    /// <see cref="NonFinitePolicy"/> handles as it would after a separate clip: <see cref="NonFinitePolicy.Throw"/>
    /// names the first such element of the gradients as given (a separate clip would have turned them all into NaN
    /// first), <see cref="NonFinitePolicy.SkipStep"/> leaves the gradients as given, and
    /// <see cref="NonFinitePolicy.Ignore"/> updates with the scaled values a separate clip would have stored. The
    /// norm is in <see cref="LastGradientNorm"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or NaN (+∞ computes the norm and clips nothing).</exception>
    public double? GlobalNormClip
    {
        get => _globalNormClip;
        set => _globalNormClip = value is not { } limit || limit >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(GlobalNormClip), value, "GlobalNormClip must be a number >= 0, or null for no clipping.");
    }

    /// <summary>
    /// The global L2 norm of the gradients that the last <see cref="Step(TGradients)"/> computed for
    /// <see cref="GlobalNormClip"/>, before clipping (what <c>clip_grad_norm_</c> returns), also when that step was
    /// then skipped or threw for a non-finite gradient; NaN until a step has computed one.
    /// </summary>
    public double LastGradientNorm { get; private set; } = double.NaN;

    /// <summary>
    /// Seed of the stochastic rounding of 16-bit state (optimizers generated with <c>StochasticRounding = true</c>;
    /// others ignore it). Each element's rounding is a function of the seed, <see cref="StepCount"/>, the member and
    /// the element's index, so a run is reproducible from the seed, whatever <see cref="MaxDegreeOfParallelism"/> and
    /// SIMD width. Give each optimizer (each rank, each run) its own seed. Default 0; checkpoints save and restore it.
    /// </summary>
    public ulong StochasticRoundingSeed { get; set; }

    /// <summary>
    /// True for optimizers generated with <c>StochasticRounding = true</c>: their steps depend on
    /// <see cref="StochasticRoundingSeed"/>, which checkpoints then record.
    /// </summary>
    public virtual bool RoundsStochastically => false;

    /// <summary>
    /// Bytes of optimizer state: every state buffer's elements times their size (4 for float, 8 for double, 2 for
    /// bfloat16 and float16 state; for 8-bit block-wise state 1 per element and 4 per block of 256 for its absmax,
    /// the code tables being shared; a scalar kept once for every parameter, such as NAdam's <c>mu_product</c>, once).
    /// The arrays' object headers are not counted.
    /// </summary>
    public long StateBytes
    {
        get
        {
            long total = 0;
            for (int i = 0; i < StateCount; i++)
            {
                OptimizerState state = GetState(i);
                total += state.IsConstant || (state.IsShared && state.ParameterIndex != 0) ? 0 : state.Buffer.ByteLength;
            }

            return total;
        }
    }

    /// <summary>
    /// The factor the kernels multiply each gradient by during the step in progress: <see cref="GlobalNormClip"/>'s
    /// clipping coefficient, or 1 (the kernels then skip the multiplication).
    /// </summary>
    protected double GradientScale { get; private set; } = 1;

    /// <summary>True during a step that zeroes each gradient element once the kernel has read it.</summary>
    protected bool ClearsGradients { get; private set; }

    /// <summary>
    /// Updates the model's parameters in place from <paramref name="gradients"/>. Every argument is
    /// checked before the first write, then the gradients are checked for NaN and ±∞ as
    /// <see cref="NonFinitePolicy"/> says (with <see cref="GlobalNormClip"/> set, their norm is computed and serves as
    /// that check), then the rate of the attached <see cref="Schedule"/> for
    /// <see cref="StepCount"/>, if there is one, is computed (it becomes <see cref="LearningRate"/>).
    /// So a step that throws or is skipped leaves the model, the state, <see cref="StepCount"/> and
    /// <see cref="LearningRate"/> unchanged. Allocates nothing (except an exception it throws; nor do
    /// the built-in schedules).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> or one of its arrays is null.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    /// <exception cref="InvalidOperationException">A model array was replaced by one of another length, or
    /// the schedule gave a rate that is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The schedule has no rate for this step (a
    /// <see cref="OneCycleSchedule"/> past its end).</exception>
    /// <exception cref="NonFiniteGradientException">
    /// <see cref="NonFinitePolicy"/> is <see cref="NonFinitePolicy.Throw"/> and a gradient element is NaN
    /// or infinite; the exception names the first one.
    /// </exception>
    public void Step(TGradients gradients) => Step(gradients, clearGradients: false);

    /// <summary>
    /// <see cref="Step(TGradients)"/>, then, with <paramref name="clearGradients"/>, every gradient element set to 0
    /// for the next accumulation, in the same pass over memory: each element is zeroed as soon as the update has
    /// read it. The result is bit for bit <c>Step(gradients)</c> followed by <see cref="GradientsBase.Clear"/>: a
    /// step skipped under <see cref="NonFinitePolicy.SkipStep"/> still clears, and a step that throws changes
    /// nothing, the gradients included.
    /// </summary>
    /// <inheritdoc cref="Step(TGradients)" path="/exception"/>
    public void Step(TGradients gradients, bool clearGradients) => Step(gradients, clearGradients, gradientFactor: 1);

    /// <summary>
    /// <see cref="Step(TGradients, bool)"/> on the gradients times <paramref name="gradientFactor"/>, which the kernels
    /// multiply each element by as they read it (with <see cref="GlobalNormClip"/>'s coefficient): what the
    /// Gen.Distributed package's <c>DataParallel</c> steps with after summing the gradients of N processes (factor 1/N).
    /// The gradients are not rewritten; the norm <see cref="GlobalNormClip"/> limits is the scaled gradients' norm. With
    /// a factor of 1, exactly <see cref="Step(TGradients, bool)"/>: multiplying by 1 changes no bits.
    /// </summary>
    internal void Step(TGradients gradients, bool clearGradients, double gradientFactor)
    {
        Validate(gradients);
        double scale = gradientFactor;
        bool knownFinite = false;
        if (_globalNormClip is { } limit)
        {
            // L2Norm neither overflows nor underflows: it is finite exactly when every element is.
            double norm = gradients.L2Norm() * gradientFactor;
            LastGradientNorm = norm;
            scale = ClipNorm.Coefficient(limit, norm) * gradientFactor;
            knownFinite = double.IsFinite(norm);
        }

        if (_nonFinitePolicy != NonFinitePolicy.Ignore && !knownFinite && FindNonFinite(gradients, out string? member, out int index))
        {
            if (_nonFinitePolicy == NonFinitePolicy.SkipStep)
            {
                SkipStep(gradients, clearGradients);
                return;
            }

            throw NonFiniteGradientException.For(gradients, member, index);
        }

        ApplyCheckedStep(gradients, scale, clearGradients);
    }

    /// <summary>
    /// Every check of a step that reads only the arguments: <paramref name="gradients"/> is not null, and
    /// <see cref="ValidateStep"/> (and for a sharded optimizer, that every member still has the length its shard was cut
    /// for). Writes nothing.
    /// </summary>
    internal void Validate(TGradients gradients)
    {
        if (gradients is null)
        {
            throw new ArgumentNullException(nameof(gradients));
        }

        if (Shard is not null)
        {
            for (int member = 0; member < _memberLengths.Length; member++)
            {
                TensorRef parameter = Model.GetParameter(member);
                if (parameter.Array is { } array && array.Length != _memberLengths[member])
                {
                    throw new InvalidOperationException(
                        $"Model member '{parameter.Name}' now holds {array.Length} elements but the optimizer's shard was cut for {_memberLengths[member]}. Create a new shard and optimizer after replacing a model array with one of another size.");
                }
            }
        }

        ValidateStep(gradients);
    }

    /// <summary>A step skipped under <see cref="NonFinitePolicy.SkipStep"/>: counted, and the gradients cleared when asked.</summary>
    internal void SkipStep(TGradients gradients, bool clearGradients)
    {
        SkippedSteps++;
        if (clearGradients)
        {
            gradients.Clear();
        }
    }

    /// <summary>Records the norm a step computed for <see cref="GlobalNormClip"/> (DataParallel's sharded steps compute it across processes).</summary>
    internal void RecordGradientNorm(double norm) => LastGradientNorm = norm;

    /// <summary>
    /// The update of a step whose gradients passed every check: the attached <see cref="Schedule"/>'s rate (which may
    /// still throw, before any write), then <see cref="ApplyStep"/> with every gradient element multiplied by
    /// <paramref name="gradientScale"/>, then <see cref="StepCount"/> + 1.
    /// </summary>
    internal void ApplyCheckedStep(TGradients gradients, double gradientScale, bool clearGradients)
    {
        if (Schedule is { } schedule)
        {
            // The last check: GetLearningRate throws for a step it has no rate for, and guarantees a
            // finite rate >= 0 otherwise.
            _learningRate = schedule.GetLearningRate(StepCount, _baseLearningRate);
        }

        GradientScale = gradientScale;
        ClearsGradients = clearGradients;
        try
        {
            ApplyStep(gradients, _learningRate, _weightDecay);
        }
        finally
        {
            GradientScale = 1;
            ClearsGradients = false;
        }

        StepCount++;
    }

    /// <summary>
    /// Returns every state buffer, <see cref="StepCount"/> and <see cref="SkippedSteps"/> to their
    /// initial values, so an attached <see cref="Schedule"/> starts again from its step 0. The rates,
    /// the schedule and <see cref="NonFinitePolicy"/> stay as they are; a
    /// <see cref="ReduceOnPlateauSchedule"/>'s reports are its own (call its
    /// <see cref="ReduceOnPlateauSchedule.Reset"/> to forget them).
    /// </summary>
    public void Reset()
    {
        ResetState();
        StepCount = 0;
        SkippedSteps = 0;
    }

    /// <summary>Throws if a step with <paramref name="gradients"/> cannot complete. Must not write anything.</summary>
    protected abstract void ValidateStep(TGradients gradients);

    /// <summary>
    /// Applies one update to every parameter. Called only after <see cref="ValidateStep"/> passed.
    /// Generated optimizers compute the step's scalars, then call <see cref="UpdateMembers"/>.
    /// </summary>
    protected abstract void ApplyStep(TGradients gradients, double learningRate, double weightDecay);

    /// <summary>
    /// Updates elements [start, start + count) of the member at <paramref name="member"/>, with the current step's scalars.
    /// The member's state buffers hold its elements from <see cref="StateStart"/> on (all of them without a
    /// <see cref="Shard"/>): element <c>i</c>'s state is at <c>i - StateStart(member)</c>.
    /// </summary>
    protected abstract void UpdateRange(int member, int start, int count);

    /// <summary>
    /// How many elements of member <paramref name="member"/>, of <paramref name="parameterLength"/> elements, the state
    /// buffers hold: all of them, or with a <see cref="Shard"/> the shard's part. Generated constructors size the state by it.
    /// </summary>
    protected int StateLength(int member, int parameterLength) => Shard?.GetMemberLength(member) ?? parameterLength;

    /// <summary>
    /// The element of member <paramref name="member"/> whose state is the first of its state buffers: 0, or with a
    /// <see cref="Shard"/> where the shard's part of the member begins.
    /// </summary>
    protected int StateStart(int member) => Shard?.GetMemberStart(member) ?? 0;

    /// <summary>
    /// The element count member <paramref name="member"/> had when the optimizer was created, which its state was sized
    /// by; a step requires the same count (<c>ValidateStep</c>).
    /// </summary>
    protected int MemberLength(int member) => _memberLengths[member];

    /// <summary>
    /// Updates every member in declaration order (with a <see cref="Shard"/>, the shard's part of each): whole, on the
    /// calling thread, or split across the step workers when it is large and <see cref="MaxDegreeOfParallelism"/> allows.
    /// </summary>
    protected void UpdateMembers()
    {
        int members = Model.ParameterCount;
        for (int member = 0; member < members; member++)
        {
            int start = 0, length = Model.GetParameter(member).Length;
            if (Shard is { } shard)
            {
                (start, length) = (shard.GetMemberStart(member), shard.GetMemberLength(member));
                if (length == 0)
                {
                    continue;
                }
            }

            if (_maxDegreeOfParallelism > 1 && length >= _parallelThreshold && StepWorkers.WorkerCount > 0
                && StepWorkers.TryRun(this, member, start, length, _maxDegreeOfParallelism))
            {
                continue;
            }

            UpdateRange(member, start, length);
        }
    }

    void IRangeJob.Run(int member, int start, int count, int part) => UpdateRange(member, start, count);

    /// <summary>
    /// The first NaN or infinite gradient element, as <see cref="GradientsBase.TryFindNonFinite"/> finds
    /// it, with large members searched in parallel slices when <see cref="MaxDegreeOfParallelism"/>
    /// allows (the search reads every gradient once, so a serial search would leave a parallel step
    /// waiting on one core).
    /// </summary>
    private bool FindNonFinite(TGradients gradients, [NotNullWhen(true)] out string? member, out int index)
    {
        if (_maxDegreeOfParallelism <= 1 || StepWorkers.WorkerCount == 0)
        {
            return gradients.TryFindNonFinite(out member, out index);
        }

        gradients.EnsureAllPresent();
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            int length = gradients.GetMember(i).Length;
            NonFiniteSearch search = _nonFiniteSearch ??= new NonFiniteSearch();
            search.Start(gradients);
            index = length >= _parallelThreshold && StepWorkers.TryRun(search, i, 0, length, _maxDegreeOfParallelism)
                ? search.First()
                : gradients.IndexOfNonFinite(i, 0, length);
            search.Start(null);
            if (index >= 0)
            {
                member = gradients.GetMember(i).Name;
                return true;
            }
        }

        member = null;
        index = -1;
        return false;
    }

    /// <summary>The non-finite search as a step-worker job: one result per slice, the earliest slice wins.</summary>
    private sealed class NonFiniteSearch : IRangeJob
    {
        private readonly int[] _found = new int[StepWorkers.MaxParts];
        private GradientsBase? _gradients;

        public void Start(GradientsBase? gradients)
        {
            _gradients = gradients;
            Array.Fill(_found, -1);
        }

        public void Run(int member, int start, int count, int part) =>
            _found[part] = _gradients!.IndexOfNonFinite(member, start, count);

        public int First()
        {
            foreach (int index in _found)
            {
                if (index >= 0)
                {
                    return index;
                }
            }

            return -1;
        }
    }

    /// <summary>Sets every state buffer to its initial value.</summary>
    protected abstract void ResetState();
}
