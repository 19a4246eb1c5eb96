// Model classes whose generated optimizers the tests save and load. Net carries one optimizer per
// kind and per state layout (every buffer a kind can keep appears at least once); the other classes
// differ from Net in exactly one way, for the mismatch tests.
using System;
using Gen;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Ranks 1 to 3, float and double, an empty member, per-member overrides and a frozen member that
/// checkpoints leave out.
/// </summary>
[RmsProp(Name = "RmsPropDefaults")]
[RmsProp(Name = "RmsPropEverything", LearningRate = 0.003, Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.01, Maximize = true)]
[RmsProp(Name = "RmsPropTensorFlow", InitialScale = 1, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, WeightDecay = 0.01)]
[Sgd(Name = "SgdPlain", LearningRate = 0.05, WeightDecay = 0.01)]
[Sgd(Name = "SgdDampened", LearningRate = 0.05, Momentum = 0.9, Dampening = 0.1, Maximize = true)]
[Sgd(Name = "SgdNesterov", LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01)]
[Adagrad(Name = "Adagrad", LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, WeightDecay = 0.01)]
[Adam(Name = "Adam", LearningRate = 0.01, WeightDecay = 0.01)]
[Adam(Name = "AdamAmsGrad", LearningRate = 0.01, AmsGrad = true, Maximize = true)]
[Adam(Name = "AdamBeta", LearningRate = 0.01, Beta1 = 0.8, WeightDecay = 0.01)]
[AdamW(Name = "AdamW", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.05)]
[Adadelta(Name = "Adadelta", LearningRate = 0.5, Rho = 0.95, WeightDecay = 0.01)]
[Lion(Name = "Lion", LearningRate = 0.001, WeightDecay = 0.1)]
[NAdam(Name = "NAdam", LearningRate = 0.01, WeightDecay = 0.01, MomentumDecay = 0.01)]
[NAdam(Name = "NAdamDecoupled", LearningRate = 0.01, WeightDecay = 0.05, DecoupledWeightDecay = true)]
[RAdam(Name = "RAdam", LearningRate = 0.01, WeightDecay = 0.01)]
[Adamax(Name = "Adamax", LearningRate = 0.01, WeightDecay = 0.01, Maximize = true)]
[Rprop(Name = "Rprop", LearningRate = 0.05, EtaMinus = 0.4, Maximize = true)]
[Asgd(Name = "Asgd", LearningRate = 0.05, Lambda = 0.1, T0 = 2, WeightDecay = 0.01)]
[ScheduleFreeAdamW(Name = "ScheduleFreeAdamW", LearningRate = 0.01, WeightDecay = 0.01, WarmupSteps = 3, InnerMomentum = 0.9)]
[ScheduleFreeSgd(Name = "ScheduleFreeSgd", LearningRate = 0.1, WarmupSteps = 3, WeightDecay = 0.01)]
[AdEMAMix(Name = "AdEMAMix", LearningRate = 0.01, AlphaWarmup = 10, Beta3Warmup = 10, WeightDecay = 0.01)]
[AdEMAMix(Name = "AdEMAMixNoFast", Beta1 = 0)]
[Adopt(Name = "Adopt", LearningRate = 0.01, WeightDecay = 0.01, Decouple = true)]
[Muon(Name = "Muon", LearningRate = 0.01, Momentum = 0.9, AdamWLearningRateScale = 0.5)]
[Lamb(Name = "Lamb", LearningRate = 0.01, WeightDecay = 0.01)]
[Lars(Name = "Lars", LearningRate = 0.1, WeightDecay = 0.01, Nesterov = true)]
[Adafactor(Name = "Adafactor", LearningRate = 0.05, WeightDecay = 0.01, Maximize = true)]
public sealed partial class Net
{
    public float[,] W = new float[4, 3];

    [NoWeightDecay]
    public float[] B { get; set; } = new float[5];

    [LearningRateScale(0.5)]
    public double[,,] K = new double[2, 2, 3];

    public float[] Empty = Array.Empty<float>();

    [Frozen]
    public float[] Scratch = new float[3];

    /// <summary>A model whose every element (the frozen member's too) is drawn from <paramref name="seed"/>.</summary>
    public static Net Create(int seed)
    {
        var model = new Net();
        Fill.Model(model, new Random(seed));
        Fill.Uniform(model.Scratch, new Random(seed + 1));
        return model;
    }
}

/// <summary>Net with one more member, X: a checkpoint of Net has nothing for it. Same member overrides as Net.</summary>
[Adam(Name = "Adam", LearningRate = 0.01, WeightDecay = 0.01)]
public sealed partial class ExtendedNet
{
    public float[,] W = new float[4, 3];

    [NoWeightDecay]
    public float[] B = new float[5];

    [LearningRateScale(0.5)]
    public double[,,] K = new double[2, 2, 3];

    public float[] Empty = Array.Empty<float>();

    public float[] X = new float[2];
}

/// <summary>Net without K: a checkpoint of Net has a member this model lacks.</summary>
[Adam(Name = "Adam", LearningRate = 0.01, WeightDecay = 0.01)]
[Sgd(Name = "SgdPlain", LearningRate = 0.05, WeightDecay = 0.01)]
public sealed partial class ShrunkNet
{
    public float[,] W = new float[4, 3];

    [NoWeightDecay]
    public float[] B = new float[5];

    public float[] Empty = Array.Empty<float>();
}

/// <summary>Net with W in double precision.</summary>
[Adam(Name = "Adam", LearningRate = 0.01, WeightDecay = 0.01)]
public sealed partial class DoubleNet
{
    public double[,] W = new double[4, 3];

    [NoWeightDecay]
    public float[] B = new float[5];

    [LearningRateScale(0.5)]
    public double[,,] K = new double[2, 2, 3];

    public float[] Empty = Array.Empty<float>();
}

/// <summary>A small model for the exhaustive truncation and byte-flip tests: every byte of its files is tried.</summary>
[RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.9, WeightDecay = 0.01)]
public sealed partial class Tiny
{
    public float[,] W = new float[2, 3];

    public double[] B = new double[2];
}

/// <summary>
/// The float32 model of the PyTorch interop tests: two parameters of the shapes
/// Golden/make_torch_checkpoint.py uses, and one optimizer per case of Golden/torch_checkpoints.json,
/// named as the case, with the hyperparameters the script gives torch.optim (the loads check them).
/// </summary>
[RmsProp(Name = "RMSprop", LearningRate = 0.01, Rho = 0.9, Momentum = 0.9, Centered = true, WeightDecay = 0.01)]
[Adam(Name = "Adam", LearningRate = 0.01, WeightDecay = 0.01)]
[AdamW(Name = "AdamW", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.05)]
[Sgd(Name = "SGD", LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01)]
[Adagrad(Name = "Adagrad", LearningRate = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, WeightDecay = 0.01)]
[Adadelta(Name = "Adadelta", LearningRate = 1.0, Rho = 0.9, Epsilon = 1e-6, WeightDecay = 0.01)]
[NAdam(Name = "NAdam", LearningRate = 0.01, WeightDecay = 0.01, MomentumDecay = 0.01)]
[RAdam(Name = "RAdam", LearningRate = 0.01, WeightDecay = 0.01)]
[Adamax(Name = "Adamax", LearningRate = 0.01, WeightDecay = 0.01, Maximize = true)]
[Rprop(Name = "Rprop", LearningRate = 0.05, EtaMinus = 0.4, EtaPlus = 1.3, MinStepSize = 1e-4, MaxStepSize = 1)]
[Asgd(Name = "ASGD", LearningRate = 0.05, Lambda = 0.1, Alpha = 0.6, T0 = 1, WeightDecay = 0.01)]
public sealed partial class TorchNet
{
    public float[] A = new float[37];

    public float[,] B = new float[3, 5];
}

/// <summary>The float64 model of the PyTorch interop tests.</summary>
[Adam(Name = "Adam64", LearningRate = 0.01, AmsGrad = true)]
[NAdam(Name = "NAdam64", LearningRate = 0.01, WeightDecay = 0.01)]
public sealed partial class TorchNet64
{
    public double[] A = new double[37];

    public double[,] B = new double[3, 5];
}


// Float16 state for squared gradients on purpose (GEN204 warns users of it).
#pragma warning disable GEN204
/// <summary>
/// Float members only, with optimizers whose state is 16-bit: bfloat16 and float16, rounded to nearest even and
/// stochastically, and (for the converting loads) the same configurations with float32 state.
/// </summary>
[Adam(Name = "AdamF32", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.01)]
[Adam(Name = "AdamBF16", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.01, StatePrecision = StatePrecision.BFloat16)]
[Adam(Name = "AdamF16", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.01, StatePrecision = StatePrecision.Float16)]
[AdamW(Name = "AdamWBF16SR", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[RmsProp(Name = "RmsPropF16SR", Centered = true, Momentum = 0.9, InitialScale = 0.5, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Adagrad(Name = "AdagradBF16", InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.BFloat16)]
[Sgd(Name = "SgdBF16", LearningRate = 0.05, Momentum = 0.9, StatePrecision = StatePrecision.BFloat16)]
[Adadelta(Name = "AdadeltaF16", LearningRate = 0.5, StatePrecision = StatePrecision.Float16)]
[Lion(Name = "LionBF16SR", LearningRate = 0.001, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[NAdam(Name = "NAdamBF16", LearningRate = 0.01, StatePrecision = StatePrecision.BFloat16)]
[RAdam(Name = "RAdamF16SR", LearningRate = 0.01, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Adamax(Name = "AdamaxBF16", LearningRate = 0.01, StatePrecision = StatePrecision.BFloat16)]
[Rprop(Name = "RpropF16", LearningRate = 0.05, StatePrecision = StatePrecision.Float16)]
[Asgd(Name = "AsgdBF16SR", LearningRate = 0.05, Lambda = 0.1, T0 = 1, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
public sealed partial class LeanNet
{
    public float[,] W = new float[4, 3];

    public float[] B = new float[5];

    public float[,,] K = new float[2, 2, 3];

    public static LeanNet Create(int seed)
    {
        var model = new LeanNet();
        Fill.Model(model, new Random(seed));
        return model;
    }
}

/// <summary>
/// Optimizers with 8-bit block-wise state: W (5,110 elements, not a multiple of 256) is quantized, B (300) keeps float32
/// state; and the same Adam with float32 and bfloat16 state, for the precision mismatches.
/// </summary>
[Adam(Name = "AdamI8", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
[Adam(Name = "AdamF32", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.01)]
[Adam(Name = "AdamBF16", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.01, StatePrecision = StatePrecision.BFloat16)]
[AdamW(Name = "AdamWI8", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Int8Blockwise)]
[RmsProp(Name = "RmsPropI8", Centered = true, Momentum = 0.9, InitialScale = 0.5, StatePrecision = StatePrecision.Int8Blockwise)]
[Adagrad(Name = "AdagradI8", InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.Int8Blockwise)]
[Sgd(Name = "SgdI8", LearningRate = 0.05, Momentum = 0.9, StatePrecision = StatePrecision.Int8Blockwise)]
[Adadelta(Name = "AdadeltaI8", LearningRate = 0.5, StatePrecision = StatePrecision.Int8Blockwise)]
[Lion(Name = "LionI8", LearningRate = 0.001, StatePrecision = StatePrecision.Int8Blockwise)]
[NAdam(Name = "NAdamI8", LearningRate = 0.01, WeightDecay = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
[NAdam(Name = "NAdamF32", LearningRate = 0.01, WeightDecay = 0.01)]
[RAdam(Name = "RAdamI8", LearningRate = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
[Adamax(Name = "AdamaxI8", LearningRate = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
[Rprop(Name = "RpropI8", LearningRate = 0.05, StatePrecision = StatePrecision.Int8Blockwise)]
[Asgd(Name = "AsgdI8", LearningRate = 0.05, Lambda = 0.1, T0 = 1, StatePrecision = StatePrecision.Int8Blockwise)]
[Asgd(Name = "AsgdF32", LearningRate = 0.05, Lambda = 0.1, T0 = 1)]
[Asgd(Name = "AsgdBF16", LearningRate = 0.05, Lambda = 0.1, T0 = 1, StatePrecision = StatePrecision.BFloat16)]
public sealed partial class QuantizedNet
{
    public float[,] W = new float[70, 73];

    public float[] B = new float[300];

    public static QuantizedNet Create(int seed)
    {
        var model = new QuantizedNet();
        Fill.Model(model, new Random(seed));
        return model;
    }
}
