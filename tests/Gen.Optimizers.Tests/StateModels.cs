// Optimizers with 16-bit state: each configuration with float32 state (the reference) and with bfloat16 and
// float16 state, rounded to nearest even and stochastically. Names are "<configuration>_<storage>".
using Gen;

// Float16 state for squared gradients is tested on purpose (GEN204 warns users of it).
#pragma warning disable GEN204

namespace Gen.Optimizers.Tests;

[RmsProp(Name = "Centered_F32", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05)]
[RmsProp(Name = "Centered_BF16", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16)]
[RmsProp(Name = "Centered_F16", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05, StatePrecision = StatePrecision.Float16)]
[RmsProp(Name = "Centered_BF16SR", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[RmsProp(Name = "Centered_F16SR", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[RmsProp(Name = "Scaled_F32", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5)]
[RmsProp(Name = "Scaled_BF16", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5, StatePrecision = StatePrecision.BFloat16)]
[RmsProp(Name = "Scaled_F16", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5, StatePrecision = StatePrecision.Float16)]
[RmsProp(Name = "Scaled_BF16SR", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[RmsProp(Name = "Scaled_F16SR", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Sgd(Name = "Nesterov_F32", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true)]
[Sgd(Name = "Nesterov_BF16", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true, StatePrecision = StatePrecision.BFloat16)]
[Sgd(Name = "Nesterov_F16", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true, StatePrecision = StatePrecision.Float16)]
[Sgd(Name = "Nesterov_BF16SR", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Sgd(Name = "Nesterov_F16SR", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Adagrad(Name = "Adagrad_F32", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1)]
[Adagrad(Name = "Adagrad_BF16", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.BFloat16)]
[Adagrad(Name = "Adagrad_F16", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.Float16)]
[Adagrad(Name = "Adagrad_BF16SR", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Adagrad(Name = "Adagrad_F16SR", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Adam(Name = "AmsGrad_F32", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true)]
[Adam(Name = "AmsGrad_BF16", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true, StatePrecision = StatePrecision.BFloat16)]
[Adam(Name = "AmsGrad_F16", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true, StatePrecision = StatePrecision.Float16)]
[Adam(Name = "AmsGrad_BF16SR", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Adam(Name = "AmsGrad_F16SR", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[AdamW(Name = "AdamW_F32", LearningRate = 0.01, WeightDecay = 0.05)]
[AdamW(Name = "AdamW_BF16", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16)]
[AdamW(Name = "AdamW_F16", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Float16)]
[AdamW(Name = "AdamW_BF16SR", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[AdamW(Name = "AdamW_F16SR", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Adadelta(Name = "Adadelta_F32", WeightDecay = 0.05, Maximize = true)]
[Adadelta(Name = "Adadelta_BF16", WeightDecay = 0.05, Maximize = true, StatePrecision = StatePrecision.BFloat16)]
[Adadelta(Name = "Adadelta_F16", WeightDecay = 0.05, Maximize = true, StatePrecision = StatePrecision.Float16)]
[Adadelta(Name = "Adadelta_BF16SR", WeightDecay = 0.05, Maximize = true, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Adadelta(Name = "Adadelta_F16SR", WeightDecay = 0.05, Maximize = true, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Lion(Name = "Lion_F32", LearningRate = 0.01, WeightDecay = 0.05)]
[Lion(Name = "Lion_BF16", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16)]
[Lion(Name = "Lion_F16", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Float16)]
[Lion(Name = "Lion_BF16SR", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Lion(Name = "Lion_F16SR", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[AdEMAMix(Name = "AdEMAMix_F32", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3)]
[AdEMAMix(Name = "AdEMAMix_BF16", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3, StatePrecision = StatePrecision.BFloat16)]
[AdEMAMix(Name = "AdEMAMix_F16", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3, StatePrecision = StatePrecision.Float16)]
[AdEMAMix(Name = "AdEMAMix_BF16SR", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[AdEMAMix(Name = "AdEMAMix_F16SR", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
[Adopt(Name = "Adopt_F32", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true)]
[Adopt(Name = "Adopt_BF16", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true, StatePrecision = StatePrecision.BFloat16)]
[Adopt(Name = "Adopt_F16", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true, StatePrecision = StatePrecision.Float16)]
[Adopt(Name = "Adopt_BF16SR", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Adopt(Name = "Adopt_F16SR", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
public sealed partial class HalfStateModel
{
    public float[] P = System.Array.Empty<float>();
}

// Optimizers with 8-bit block-wise state: each configuration with float32 state (the reference) and with
// StatePrecision.Int8Blockwise. L is quantized (5,000 elements: at least 4,096, and not a multiple of 256),
// S keeps float32 state (1,000 elements). Names are "<configuration>_<storage>".
[RmsProp(Name = "Centered_F32", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05)]
[RmsProp(Name = "Centered_I8", Rho = 0.9, Centered = true, Momentum = 0.9, WeightDecay = 0.05, StatePrecision = StatePrecision.Int8Blockwise)]
[RmsProp(Name = "Scaled_F32", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5)]
[RmsProp(Name = "Scaled_I8", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5, StatePrecision = StatePrecision.Int8Blockwise)]
[Sgd(Name = "Nesterov_F32", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true)]
[Sgd(Name = "Nesterov_I8", LearningRate = 0.05, WeightDecay = 0.05, Momentum = 0.9, Nesterov = true, StatePrecision = StatePrecision.Int8Blockwise)]
[Adagrad(Name = "Adagrad_F32", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1)]
[Adagrad(Name = "Adagrad_I8", WeightDecay = 0.05, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.Int8Blockwise)]
[Adam(Name = "AmsGrad_F32", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true)]
[Adam(Name = "AmsGrad_I8", LearningRate = 0.01, WeightDecay = 0.05, AmsGrad = true, StatePrecision = StatePrecision.Int8Blockwise)]
[Adam(Name = "Adam_F32", LearningRate = 0.01)]
[Adam(Name = "Adam_I8", LearningRate = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
[AdamW(Name = "AdamW_F32", LearningRate = 0.01, WeightDecay = 0.05)]
[AdamW(Name = "AdamW_I8", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Int8Blockwise)]
[Adadelta(Name = "Adadelta_F32", WeightDecay = 0.05, Maximize = true)]
[Adadelta(Name = "Adadelta_I8", WeightDecay = 0.05, Maximize = true, StatePrecision = StatePrecision.Int8Blockwise)]
[Lion(Name = "Lion_F32", LearningRate = 0.01, WeightDecay = 0.05)]
[Lion(Name = "Lion_I8", LearningRate = 0.01, WeightDecay = 0.05, StatePrecision = StatePrecision.Int8Blockwise)]
[AdEMAMix(Name = "AdEMAMix_F32", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3)]
[AdEMAMix(Name = "AdEMAMix_I8", LearningRate = 0.01, WeightDecay = 0.05, AlphaWarmup = 3, Beta3Warmup = 3, StatePrecision = StatePrecision.Int8Blockwise)]
[Adopt(Name = "Adopt_F32", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true)]
[Adopt(Name = "Adopt_I8", LearningRate = 0.01, WeightDecay = 0.05, Decouple = true, StatePrecision = StatePrecision.Int8Blockwise)]
[Sgd(Name = "Plain_I8", LearningRate = 0.05, StatePrecision = StatePrecision.Int8Blockwise)]
public sealed partial class Int8StateModel
{
    public float[] L = System.Array.Empty<float>();

    public float[,] S = new float[0, 0];
}
