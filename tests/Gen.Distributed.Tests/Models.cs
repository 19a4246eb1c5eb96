// The models the distributed scenarios train (shared with tests/Gen.Distributed.Mpi).
using Gen;

namespace Gen.Distributed.Tests;

/// <summary>
/// Members of every rank and shape, none a multiple of 256 elements; Big has 8-bit state under AdamInt8 (at least 4,096
/// elements). One optimizer per kind of state: none, float32, bfloat16 with stochastic rounding, 8-bit block-wise; and
/// the kinds with state beyond buffers: NAdam's shared mu_product, RAdam's step-keyed branch, Rprop's step sizes, ASGD's
/// per-member eta and mu and its average (T0 = 2, so it averages from the third step); Schedule-Free's z, x and y built
/// at the first step and its per-group lr_max and weight_sum, AdEMAMix's warm-ups, ADOPT's first step and decoupled decay.
/// </summary>
[Adam(Name = "Adam", LearningRate = 0.01, WeightDecay = 0.01)]
[AdamW(Name = "AdamWBf16", LearningRate = 0.01, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Sgd(Name = "NesterovSgd", LearningRate = 0.05, Momentum = 0.9, Nesterov = true)]
[Sgd(Name = "Plain", LearningRate = 0.05)]
[RmsProp(Name = "CenteredRmsProp", Rho = 0.9, Centered = true, Momentum = 0.5)]
[Adam(Name = "AdamInt8", LearningRate = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
[Lion(Name = "Lion", LearningRate = 0.001)]
[NAdam(Name = "NAdam", LearningRate = 0.01)]
[RAdam(Name = "RAdam", LearningRate = 0.01, WeightDecay = 0.01, DecoupledWeightDecay = true)]
[Adamax(Name = "Adamax", LearningRate = 0.01)]
[Rprop(Name = "Rprop", LearningRate = 0.01)]
[Asgd(Name = "Asgd", LearningRate = 0.05, T0 = 2)]
[ScheduleFreeAdamW(Name = "ScheduleFreeAdamW", LearningRate = 0.01, WeightDecay = 0.01, WarmupSteps = 3)]
[ScheduleFreeSgd(Name = "ScheduleFreeSgd", LearningRate = 0.05, WarmupSteps = 3)]
[AdEMAMix(Name = "AdEMAMix", LearningRate = 0.01, AlphaWarmup = 5, Beta3Warmup = 5, WeightDecay = 0.01)]
[Adopt(Name = "Adopt", LearningRate = 0.01, WeightDecay = 0.01, Decouple = true)]
public sealed partial class Net
{
    public float[,] W1 = new float[16, 40];
    public float[] B1 = new float[40];
    public float[] Big = new float[5000];
    public float[,,] W3 = new float[3, 7, 11];
    public float[] B3 = new float[3];
}

/// <summary>Float and double members together: each is reduced in its own type.</summary>
[Adam(Name = "Adam", LearningRate = 0.01)]
[Sgd(Name = "NesterovSgd", LearningRate = 0.05, Momentum = 0.9, Nesterov = true)]
public sealed partial class Mixed
{
    public double[] D1 = new double[700];
    public float[] F1 = new float[300];
    public double[,] D2 = new double[9, 13];
    public float[] F2 = new float[1000];
}

/// <summary>Linear least squares, y ≈ x·W + b, for comparing N ranks on shards of a batch with one process on all of it.</summary>
[Adam(Name = "Adam", LearningRate = 0.01)]
[Sgd(Name = "MomentumSgd", LearningRate = 0.05, Momentum = 0.9)]
public sealed partial class Linear
{
    public const int Inputs = 24;
    public const int Outputs = 5;

    public float[,] W = new float[Inputs, Outputs];
    public float[] B = new float[Outputs];
}

/// <summary>
/// [Muon]'s matrices and its AdamW part, with lengths whose shard cuts at 1 to 4 ranks fall inside the vector V (the AdamW
/// part, element-wise) or at a matrix's end, never inside a matrix: at 2 ranks [0, 1024) and [1024, 2024), at 3 [0, 768),
/// [768, 1280) and [1280, 2024). At 8 the first cut falls at element 256 of M1, which a Muon optimizer refuses.
/// </summary>
[Muon(Name = "Muon", LearningRate = 0.02, WeightDecay = 0.01)]
public sealed partial class Matrices
{
    public float[,] M1 = new float[16, 32];
    public float[] V = new float[1000];
    public float[,] M2 = new float[32, 16];
}

/// <summary>
/// [Adafactor]: every member's update reads its whole norms (and a matrix its row means), so a shard holds each member
/// whole or not at all, the [NoWeightDecay] vector included. Lengths whose boundaries (768, 1024, 1536, 2048, 2304 of
/// 3,072) are every cut at 1 to 4 ranks; at 8 the first cut falls at element 256 of W1, which is refused.
/// </summary>
[Adafactor(Name = "Adafactor", LearningRate = 0.05, WeightDecay = 0.01)]
public sealed partial class Factors
{
    public float[,] W1 = new float[16, 48];
    public float[] V = new float[256];
    public float[,] W2 = new float[32, 16];
    public float[,,] Heads = new float[2, 16, 16];
    [NoWeightDecay] public float[] B = new float[256];
    public float[,] W3 = new float[24, 32];
}

/// <summary>
/// [Lamb] and [Lars]: their trust ratio needs each member's whole norms, so a shard holds such a member whole or not at
/// all, while a [NoWeightDecay] member skips the ratio (its passes are element-wise) and is cut anywhere. The lengths are
/// <see cref="Matrices"/>': at 1 to 4 ranks the cuts fall inside Bias or at a member's end; at 8 inside W1.
/// </summary>
[Lamb(Name = "Lamb", LearningRate = 0.01, WeightDecay = 0.01)]
[Lars(Name = "Lars", LearningRate = 0.05, WeightDecay = 0.01, Nesterov = true)]
public sealed partial class Layers
{
    public float[,] W1 = new float[16, 32];
    [NoWeightDecay] public float[] Bias = new float[1000];
    public float[] W2 = new float[512];
}
