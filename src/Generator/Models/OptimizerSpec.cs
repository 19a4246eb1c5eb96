namespace Gen.Generator.Models;

/// <summary>The hyperparameters of one optimizer attribute, validated. One subtype per optimizer kind.</summary>
/// <param name="Name">The generated nested type's name.</param>
/// <param name="LearningRate">Initial value of the optimizer's LearningRate property.</param>
/// <param name="WeightDecay">Initial value of the optimizer's WeightDecay property.</param>
internal abstract record OptimizerSpec(string Name, double LearningRate, double WeightDecay);

/// <summary>[RmsProp]: PyTorch's RMSprop with Keras/Optax epsilon placement, decoupled decay and an initial scale as options.</summary>
internal sealed record RmsPropSpec(
    string Name,
    double LearningRate,
    double WeightDecay,
    double Rho,
    double Epsilon,
    EpsilonPlacementKind EpsilonPlacement,
    double Momentum,
    bool Centered,
    WeightDecayModeKind WeightDecayMode,
    bool Maximize,
    double InitialScale)
    : OptimizerSpec(Name, LearningRate, WeightDecay);

/// <summary>Mirror of Gen.EpsilonPlacement (the generator does not reference the attributes assembly).</summary>
internal enum EpsilonPlacementKind
{
    OutsideSqrt = 0,
    InsideSqrt = 1,
}

/// <summary>Mirror of Gen.WeightDecayMode.</summary>
internal enum WeightDecayModeKind
{
    L2 = 0,
    Decoupled = 1,
}
