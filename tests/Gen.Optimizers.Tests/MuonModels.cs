// Model classes of the [Muon] tests: the configurations under test, and [AdamW] twins with the hyperparameters of a
// [Muon]'s AdamW part, whose members must come out bit for bit the same.
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>
/// A wide matrix (24 × 40), a tall one (37 × 11: transposed for the iteration, its rate scaled by √(37/11)), an empty
/// one, and the AdamW part's members: a matrix marked [ExcludeFromMuon], a vector without weight decay, a rank-3 member.
/// Every Muon option is exercised: Nesterov off, Moonshot's adjustment, a momentum below 0.5 (the other branch of
/// PyTorch's lerp for both interpolations), other coefficients, iterations and epsilon, and the AdamW part's values.
/// </summary>
[Muon(Name = "Defaults")]
[Muon(Name = "Plain", LearningRate = 0.02, WeightDecay = 0.05, Momentum = 0.9, Nesterov = false)]
[Muon(Name = "Everything", LearningRate = 0.01, WeightDecay = 0.2, Momentum = 0.3, NewtonSchulzA = 3.0, NewtonSchulzB = -3.2, NewtonSchulzC = 1.2,
    NewtonSchulzSteps = 7, Epsilon = 1e-6, LearningRateAdjustment = MuonLearningRateAdjustment.MatchRmsAdamW,
    AdamWLearningRateScale = 0.5, AdamWBeta1 = 0.8, AdamWBeta2 = 0.99, AdamWEpsilon = 1e-6, AdamWWeightDecay = 0.1)]
[AdamW(Name = "DefaultsTwin")]
[AdamW(Name = "EverythingTwin", LearningRate = 0.005, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.1)]
public sealed partial class MuonNet
{
    public float[,] Wide = new float[24, 40];

    public float[,] Tall = new float[37, 11];

    public float[,] Empty = new float[0, 3];

    [ExcludeFromMuon]
    public float[,] Head = new float[10, 6];

    [NoWeightDecay]
    public float[] Bias = new float[13];

    public float[,,] Kernel = new float[2, 3, 5];
}

/// <summary>Double members take the AdamW part's double kernels (a float matrix takes Muon's); the [AdamW] twin has its defaults.</summary>
[Muon(Name = "Muon")]
[AdamW(Name = "AdamWTwin")]
public sealed partial class MuonMixedNet
{
    public float[,] W = new float[8, 12];

    public double[] D = new double[37];

    [ExcludeFromMuon]
    public double[,] E = new double[5, 7];
}

/// <summary>
/// [Muon] with each state precision: a matrix of 4,800 elements (8-bit block-wise state from 4,096; the last block is short)
/// and a vector of the AdamW part (under 4,096: float32 state with Int8Blockwise).
/// </summary>
[Muon(Name = "F32", Momentum = 0.9)]
[Muon(Name = "BF16", Momentum = 0.9, StatePrecision = StatePrecision.BFloat16)]
[Muon(Name = "I8", Momentum = 0.9, StatePrecision = StatePrecision.Int8Blockwise)]
public sealed partial class MuonLeanNet
{
    public float[,] W = new float[75, 64];

    public float[] B = new float[13];
}
