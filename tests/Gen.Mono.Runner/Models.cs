using Gen;

namespace Gen.Mono.Runner;

/// <summary>
/// Every optimizer kind with the options that change its kernel, on members whose lengths reach every
/// part of a kernel at every vector width (an unrolled body, single vectors and a scalar tail), in float
/// and double. The QuickStart's <c>SpiralNet</c> covers the four kinds it uses with their settings; this
/// class covers the rest. <c>Precision.Fast</c> is left out: its hardware estimates differ between
/// widths by design (docs/PRECISION.md), so it has no bit-for-bit contract across runtimes.
/// </summary>
[RmsProp(Name = "RmsPropCenteredMomentum", Centered = true, Momentum = 0.9, WeightDecay = 1e-2)]
[RmsProp(Name = "RmsPropInsideSqrtDecoupled", EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecay = 0.01,
    WeightDecayMode = WeightDecayMode.Decoupled, InitialScale = 1)]
[Sgd(Name = "NesterovSgd", LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4)]
[Adagrad(LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, WeightDecay = 1e-3)]
[Adam(AmsGrad = true, WeightDecay = 1e-3)]
[AdamW]
[Adadelta(Maximize = true)]
[Lion(WeightDecay = 0.1)]
[NAdam(WeightDecay = 1e-3)]
[RAdam(Name = "RAdamDecoupled", DecoupledWeightDecay = true, WeightDecay = 0.01)]
[Adamax(Maximize = true, WeightDecay = 1e-3)]
[Rprop(EtaMinus = 0.4, EtaPlus = 1.3, MaxStepSize = 0.5, Maximize = true)]
[Asgd(Lambda = 0.01, T0 = 2, WeightDecay = 1e-3)]
[ScheduleFreeAdamW(WarmupSteps = 3, WeightDecay = 0.01, InnerMomentum = 0.9)]
[ScheduleFreeSgd(LearningRate = 0.1, WarmupSteps = 3, WeightDecay = 1e-3)]
[AdEMAMix(AlphaWarmup = 5, Beta3Warmup = 5, WeightDecay = 0.01)]
[Adopt(Decouple = true, WeightDecay = 0.01, Maximize = true)]
[Lamb(WeightDecay = 0.01)]
[Lars(WeightDecay = 0.01, Nesterov = true)]
[Adafactor(WeightDecay = 0.01, Maximize = true)]
public sealed partial class Family
{
    public float[,] W = new float[7, 37];                               // 259: odd, past two 512-bit blocks of four
    [NoWeightDecay] public float[] Bias = new float[37];
    [LearningRateScale(0.1)] public double[] Embedding = new double[101];
    public float[] Long = new float[4099];                              // many unrolled blocks, then a tail of 3
    public double[] One = new double[1];                                // the scalar path alone
}

/// <summary>
/// 16-bit state (float members only), rounded to nearest even and stochastically, and the fused clip: the
/// netstandard2.1 storage helpers on Mono against the intrinsics ones on .NET. Float16 for squared gradients on purpose
/// (GEN204 warns users of it).
/// </summary>
#pragma warning disable GEN204
[Adam(Name = "AdamBFloat16Stochastic", AmsGrad = true, WeightDecay = 1e-3, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[RmsProp(Name = "RmsPropBFloat16", Centered = true, Momentum = 0.9, InitialScale = 0.1, StatePrecision = StatePrecision.BFloat16)]
[Adagrad(Name = "AdagradFloat16", InitialAccumulatorValue = 0.1, StatePrecision = StatePrecision.Float16)]
[Sgd(Name = "SgdFloat16Stochastic", LearningRate = 0.05, Momentum = 0.9, StatePrecision = StatePrecision.Float16, StochasticRounding = true)]
public sealed partial class LeanFamily
{
    public float[,] W = new float[7, 37];
    public float[] Long = new float[4099];
    public float[] One = new float[1];
}
#pragma warning restore GEN204

/// <summary>One member of a chosen length with PyTorch's RMSProp defaults: what <c>--bench</c> times.</summary>
[RmsProp]
public sealed partial class BenchNet
{
    public float[] W;

    public BenchNet(int length) => W = new float[length];
}
