namespace Gen.Generator.Models;

/// <summary>
/// The hyperparameters of one optimizer attribute, copied from a real attribute instance (so every
/// default is the attribute class's own) and validated. One subtype per optimizer kind; enums are the
/// attributes' own.
/// </summary>
/// <param name="Name">The generated nested type's name.</param>
/// <param name="LearningRate">Initial value of the optimizer's LearningRate property.</param>
/// <param name="WeightDecay">Initial value of the optimizer's WeightDecay property.</param>
internal abstract record OptimizerSpec(string? Name, double LearningRate, double WeightDecay)
{
    /// <summary>How the state buffers are stored (every attribute's StatePrecision and StochasticRounding).</summary>
    public StateStorage State { get; init; } = new(StatePrecision.Float32, false);
}

/// <summary>The attributes' StatePrecision and StochasticRounding.</summary>
internal sealed record StateStorage(StatePrecision Precision, bool StochasticRounding)
{
    /// <summary>
    /// The element type a state buffer of a member of <paramref name="element"/> has in memory; for 8-bit block-wise
    /// state, the element type of a small member's state and of the kernel's dequantized block.
    /// </summary>
    public ElementKind Memory(ElementKind element) => Precision switch
    {
        StatePrecision.BFloat16 => ElementKind.BFloat16,
        StatePrecision.Float16 => ElementKind.Float16,
        _ => element,
    };

    /// <summary>How its stores round.</summary>
    public StoreRounding Rounding => StochasticRounding && Precision is StatePrecision.BFloat16 or StatePrecision.Float16 ? StoreRounding.Stochastic : StoreRounding.NearestEven;

    /// <summary>The 8-bit code <paramref name="buffer"/> is quantized with between steps, or none.</summary>
    public BlockwiseCode Blockwise(StateBuffer buffer) => Precision != StatePrecision.Int8Blockwise
        ? BlockwiseCode.None
        : buffer.NonNegative ? BlockwiseCode.Unsigned : BlockwiseCode.Signed;
}

/// <summary>[RmsProp]: PyTorch's RMSprop with Keras/Optax epsilon placement, decoupled decay and an initial scale as options.</summary>
internal sealed record RmsPropSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Rho,
    double Epsilon,
    EpsilonPlacement EpsilonPlacement,
    double Momentum,
    bool Centered,
    WeightDecayMode WeightDecayMode,
    bool Maximize,
    double InitialScale,
    Precision Precision)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Sgd]: PyTorch's SGD with momentum, dampening and Nesterov.</summary>
internal sealed record SgdSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Momentum,
    double Dampening,
    bool Nesterov,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Adagrad]: PyTorch's Adagrad.</summary>
internal sealed record AdagradSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double LearningRateDecay,
    double InitialAccumulatorValue,
    double Epsilon,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Adam] (L2 weight decay) and [AdamW] (decoupled weight decay): PyTorch's Adam and AdamW.</summary>
internal sealed record AdamSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon,
    bool AmsGrad,
    bool Maximize,
    WeightDecayMode WeightDecayMode)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Adadelta]: PyTorch's Adadelta.</summary>
internal sealed record AdadeltaSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Rho,
    double Epsilon,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Lion]: Chen et al. 2023, with decoupled weight decay.</summary>
internal sealed record LionSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[NAdam]: PyTorch's NAdam, with PyTorch 2.x's decoupled weight decay as an option.</summary>
internal sealed record NAdamSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon,
    double MomentumDecay,
    WeightDecayMode WeightDecayMode)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[RAdam]: PyTorch's RAdam, with PyTorch 2.x's decoupled weight decay as an option.</summary>
internal sealed record RAdamSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon,
    WeightDecayMode WeightDecayMode)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Adamax]: PyTorch's Adamax.</summary>
internal sealed record AdamaxSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Rprop]: PyTorch's Rprop. It has no weight decay: WeightDecay is 0.</summary>
internal sealed record RpropSpec(
    string? Name,
    double LearningRate,
    double EtaMinus,
    double EtaPlus,
    double MinStepSize,
    double MaxStepSize,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay: 0);

/// <summary>[Asgd]: PyTorch's ASGD.</summary>
internal sealed record AsgdSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Lambda,
    double Alpha,
    double T0,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[ScheduleFreeAdamW]: schedulefree's AdamWScheduleFreeReference.</summary>
internal sealed record ScheduleFreeAdamWSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon,
    int WarmupSteps,
    double R,
    double WeightLrPower,
    bool DecayAtZ,
    double InnerMomentum)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[ScheduleFreeSgd]: schedulefree's SGDScheduleFreeReference.</summary>
internal sealed record ScheduleFreeSgdSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Momentum,
    int WarmupSteps,
    double R,
    double WeightLrPower)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[AdEMAMix]: apple/ml-ademamix's PyTorch AdEMAMix.</summary>
internal sealed record AdEMAMixSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Beta3,
    double Alpha,
    int AlphaWarmup,
    int Beta3Warmup,
    double Epsilon)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Adopt]: iShohei220/adopt's ADOPT.</summary>
internal sealed record AdoptSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon,
    bool Clipping,
    double ClipExponent,
    bool Decouple,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Muon]: PyTorch 2.9's Muon for matrix members, with an AdamW part for the others.</summary>
internal sealed record MuonSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Momentum,
    bool Nesterov,
    double NewtonSchulzA,
    double NewtonSchulzB,
    double NewtonSchulzC,
    int NewtonSchulzSteps,
    double Epsilon,
    MuonLearningRateAdjustment LearningRateAdjustment,
    double AdamWLearningRateScale,
    double AdamWBeta1,
    double AdamWBeta2,
    double AdamWEpsilon,
    double AdamWWeightDecay)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Lamb]: You et al. 2019 as Optax's <c>lamb</c>.</summary>
internal sealed record LambSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Epsilon)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Lars]: You, Gitman and Ginsburg 2017 as Optax's <c>lars</c>.</summary>
internal sealed record LarsSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double TrustCoefficient,
    double Epsilon,
    double Momentum,
    bool Nesterov)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>[Adafactor]: Shazeer and Stern 2018 as PyTorch 2.5's <c>torch.optim.Adafactor</c>.</summary>
/// <param name="Epsilon1">PyTorch's <c>eps1</c>; NaN for its <c>None</c> (the member's machine epsilon).</param>
internal sealed record AdafactorSpec(
    string? Name,
    double LearningRate,
    double WeightDecay,
    double Beta2Decay,
    double Epsilon1,
    double Epsilon2,
    double ClipThreshold,
    bool Maximize)
    : OptimizerSpec(Name, LearningRate, WeightDecay)
{
    /// <summary>True for the description of the vectors' part (a full running average) rather than the factored one.</summary>
    public bool Unfactored { get; init; }
}
