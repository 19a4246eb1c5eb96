namespace Gen.Tests;

/// <summary>
/// The model classes of the generator's end-to-end snapshots (tests/Gen.Generator.Tests/SnapshotTests.cs),
/// shared with the emulated Unity compile (tests/Gen.Unity.Tests), which compiles each at C# 9 as Unity 6 does:
/// so they use only C# 9 (block-scoped namespaces). Between them they hold every optimizer kind with its
/// options, several attributes on one class, nested and generic classes, a record, float and double members,
/// <c>Precision.Fast</c>, 16-bit state, and <c>[Frozen]</c>, <c>[NoWeightDecay]</c> and <c>[LearningRateScale]</c>.
/// </summary>
internal static class GeneratorModels
{
    /// <summary>README's example. <c>Temperature</c> (a float, not an array) draws the GEN003 warning, on purpose.</summary>
    public const string QuickStartPolicy = """
        using Gen;

        namespace Demo
        {
            [RmsProp(LearningRate = 1e-3, Rho = 0.9)]
            public partial class Policy
            {
                public float[,] W1 = new float[16, 32];
                public float[] B1 = new float[32];
                [Frozen] public float[] Embedding = new float[100];
                public float Temperature = 1f;
            }
        }
        """;

    /// <summary>A generic record nested in a static class, every RMSProp option, float and double members.</summary>
    public const string EveryOptionMixedPrecisionNestedGenericRecord = """
        using Gen;

        namespace Demo.Models
        {
            public static partial class Outer
            {
                [RmsProp(Name = "Tuned", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-6,
                    EpsilonPlacement = EpsilonPlacement.InsideSqrt, Momentum = 0.9, Centered = true,
                    WeightDecay = 0.01, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true, InitialScale = 1)]
                public sealed partial record Critic<T>(double[,,] Kernel)
                    where T : class
                {
                    public float[] @event { get; set; } = new float[3];
                    private double[] _bias = new double[4];
                    public T? Tag { get; set; }
                }
            }
        }
        """;

    public const string TwoOptimizersShareOneGradients = """
        using Gen;

        [RmsProp]
        [RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.5)]
        partial class Tiny
        {
            public float[] Weights = new float[8];
        }
        """;

    public const string EveryOptimizerKindWithItsOptionsAndMemberOverrides = """
        using Gen;

        namespace Demo
        {
            [Sgd(Name = "NesterovSgd", LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4)]
            [Sgd(Name = "PlainSgd", LearningRate = 0.05, Maximize = true)]
            [Adagrad(LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1)]
            [Adam(AmsGrad = true, WeightDecay = 1e-3)]
            [AdamW]
            [Adadelta(Maximize = true)]
            [Lion(WeightDecay = 0.1)]
            [Rprop(EtaMinus = 0.4, EtaPlus = 1.5, MinStepSize = 1e-5, MaxStepSize = 10, Maximize = true)]
            [Asgd(Lambda = 1e-3, Alpha = 0.5, T0 = 100, WeightDecay = 1e-3, Maximize = true)]
            public partial class Family
            {
                public float[,] W = new float[4, 8];
                [NoWeightDecay] public float[] Bias = new float[8];
                [LearningRateScale(0.1)] public double[] Embedding = new double[16];
            }
        }
        """;

    public const string FastPrecisionOutsideAndInsideSqrt = """
        using Gen;

        [RmsProp(Name = "FastOutside", Precision = Precision.Fast, Centered = true, Momentum = 0.9)]
        [RmsProp(Name = "FastInside", Precision = Precision.Fast, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
        public partial class FastNet
        {
            public float[] W = new float[64];
            public double[] D = new double[8];
        }
        """;

    /// <summary>16-bit state: bfloat16 with stochastic rounding (AdamW), float16 to nearest even (SGD's momentum: GEN204 warns of float16 for squared gradients).</summary>
    public const string HalfPrecisionState = """
        using Gen;

        [AdamW(StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
        [Sgd(Name = "Fp16Sgd", LearningRate = 0.01, Momentum = 0.9, Nesterov = true, StatePrecision = StatePrecision.Float16)]
        public partial class LeanNet
        {
            public float[,] W = new float[32, 16];
            public float[] B = new float[16];
        }
        """;

    /// <summary>
    /// 8-bit block-wise state: Adam with coupled decay (signed exp_avg, unsigned exp_avg_sq), centered RMSProp with momentum
    /// and a nonzero initial value (unsigned square_avg, signed grad_avg and momentum_buffer).
    /// </summary>
    public const string BlockwiseState = """
        using Gen;

        [Adam(StatePrecision = StatePrecision.Int8Blockwise, WeightDecay = 0.01)]
        [RmsProp(Name = "Int8RmsProp", StatePrecision = StatePrecision.Int8Blockwise, Centered = true, InitialScale = 0.1, Momentum = 0.9)]
        public partial class WideNet
        {
            public float[,] W = new float[128, 64];
            public float[] B = new float[64];
        }
        """;

    /// <summary>
    /// NAdam, RAdam and Adamax with their options and member overrides: NAdam's momentum product (a float32 scalar kept
    /// across steps, listed under every member), RAdam's per-step rectified form (the kind's step branch, chosen by a condition on a step scalar,
    /// nested with coupled decay's), PyTorch 2.x's decoupled decay, and float and double members.
    /// </summary>
    public const string AdamVariantsWithTheirOptionsAndMemberOverrides = """
        using Gen;

        namespace Demo
        {
            [NAdam(WeightDecay = 0.01, MomentumDecay = 0.005)]
            [NAdam(Name = "DecoupledNAdam", WeightDecay = 0.01, DecoupledWeightDecay = true)]
            [RAdam(WeightDecay = 1e-3)]
            [RAdam(Name = "DecoupledRAdam", LearningRate = 0.01, WeightDecay = 0.1, DecoupledWeightDecay = true)]
            [Adamax(WeightDecay = 1e-3, Maximize = true)]
            public partial class Variants
            {
                public float[,] W = new float[4, 8];
                [NoWeightDecay] public float[] Bias = new float[8];
                [LearningRateScale(0.1)] public double[] Embedding = new double[16];
            }
        }
        """;

    /// <summary>
    /// Rprop's step sizes set by the first step (a kernel switch) in bfloat16 state rounded stochastically, and ASGD's
    /// scalar states, averaging switch and CopyAveragedTo with 8-bit block-wise state (W quantized, B float32).
    /// </summary>
    public const string NarrowStateOfRpropAndAsgd = """
        using Gen;

        [Rprop(StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
        [Asgd(Name = "Int8Asgd", StatePrecision = StatePrecision.Int8Blockwise, T0 = 10)]
        public partial class ResilientNet
        {
            public float[,] W = new float[128, 64];
            public float[] B = new float[64];
        }
        """;

    /// <summary>
    /// Schedule-Free AdamW and SGD (warm-up, averaging powers, inner momentum, decay at z; the Eval/Train swap and the
    /// step scalars kept across steps, per member with its own learning rate), AdEMAMix with both warm-ups and without a
    /// fast momentum, ADOPT with decoupled decay and maximize, over float and double members with member overrides.
    /// </summary>
    public const string ScheduleFreeAdEMAMixAndAdopt = """
        using Gen;

        namespace Demo
        {
            [ScheduleFreeAdamW(WarmupSteps = 100, WeightDecay = 0.01, InnerMomentum = 0.9, R = 1)]
            [ScheduleFreeAdamW(Name = "ScheduleFreeAdamWDecayAtZ", DecayAtZ = true, WeightDecay = 0.1)]
            [ScheduleFreeSgd(WarmupSteps = 10, WeightDecay = 1e-4)]
            [AdEMAMix(AlphaWarmup = 1000, Beta3Warmup = 1000, WeightDecay = 0.1)]
            [AdEMAMix(Name = "AdEMAMixWithoutFastMomentum", Beta1 = 0)]
            [Adopt(Decouple = true, WeightDecay = 0.01, Maximize = true)]
            [Adopt(Name = "AdoptL2Unclipped", Clipping = false, WeightDecay = 0.01, Beta1 = 0.25)]
            public partial class Beyond
            {
                public float[,] W = new float[4, 8];
                [NoWeightDecay] public float[] Bias = new float[8];
                [LearningRateScale(0.1)] public double[] Embedding = new double[16];
            }
        }
        """;

    /// <summary>AdEMAMix with bfloat16 state rounded stochastically, ADOPT with 8-bit block-wise state.</summary>
    public const string NarrowStateOfAdEMAMixAndAdopt = """
        using Gen;

        [AdEMAMix(StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
        [Adopt(StatePrecision = StatePrecision.Int8Blockwise)]
        public partial class LeanMix
        {
            public float[,] W = new float[128, 64];
            public float[] B = new float[64];
        }
        """;

    /// <summary>
    /// [Muon]: float matrices take Muon's three passes (one with [LearningRateScale]); a marked matrix, a float vector with
    /// [NoWeightDecay], a double vector and a rank-3 member take the AdamW part. A second [Muon] with every option changed.
    /// </summary>
    public const string MuonMatricesWithAnAdamWPart = """
        using Gen;

        namespace Demo
        {
            [Muon]
            [Muon(Name = "MoonshotMuon", LearningRate = 0.02, WeightDecay = 0.01, Momentum = 0.9, Nesterov = false, NewtonSchulzA = 3, NewtonSchulzB = -3.2,
                NewtonSchulzC = 1.2, NewtonSchulzSteps = 3, Epsilon = 1e-6, LearningRateAdjustment = MuonLearningRateAdjustment.MatchRmsAdamW,
                AdamWLearningRateScale = 0.5, AdamWBeta1 = 0.8, AdamWBeta2 = 0.99, AdamWEpsilon = 1e-6, AdamWWeightDecay = 0.1)]
            public partial class Transformer
            {
                public float[,] Attention = new float[16, 8];
                [LearningRateScale(0.5)] public float[,] Mlp = new float[8, 32];
                [ExcludeFromMuon] public float[,] Head = new float[8, 4];
                [NoWeightDecay] public float[] Bias = new float[8];
                public double[] Gain = new double[4];
                public float[,,] Conv = new float[2, 3, 3];
            }
        }
        """;

    /// <summary>[Muon] with bfloat16 state rounded stochastically, and with 8-bit block-wise state (the matrix has 8,192 elements).</summary>
    public const string MuonLeanState = """
        using Gen;

        [Muon(Name = "Bf16Muon", StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
        [Muon(Name = "Int8Muon", StatePrecision = StatePrecision.Int8Blockwise)]
        public partial class LeanTransformer
        {
            public float[,] W = new float[128, 64];
            public float[] B = new float[64];
        }
        """;

    /// <summary>
    /// [Lamb]: three passes per member around the trust ratio (float and double members, a [NoWeightDecay] bias that skips
    /// the ratio, a [LearningRateScale] member, a [Frozen] one) and a second [Lamb] with every option changed; on float
    /// members, bfloat16 state rounded stochastically and 8-bit block-wise state (the matrix has 8,192 elements).
    /// </summary>
    public const string LambLayerwise = """
        using Gen;

        namespace Demo
        {
            [Lamb]
            [Lamb(Name = "TunedLamb", LearningRate = 0.002, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-8, WeightDecay = 0.01)]
            public partial class Encoder
            {
                public float[,] W = new float[16, 8];
                [LearningRateScale(0.5)] public float[,] Mlp = new float[8, 32];
                [NoWeightDecay] public float[] Bias = new float[8];
                public double[] Gain = new double[4];
                [Frozen] public float[] Embedding = new float[16];
            }

            [Lamb(Name = "Bf16Lamb", StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
            [Lamb(Name = "Int8Lamb", StatePrecision = StatePrecision.Int8Blockwise)]
            public partial class LeanEncoder
            {
                public float[,] W = new float[128, 64];
                [NoWeightDecay] public float[] B = new float[64];
            }
        }
        """;

    /// <summary>
    /// [Lars]: three passes per member around the trust ratio (float and double members, a [NoWeightDecay] bias, a
    /// [LearningRateScale] member), the defaults and every option changed (Nesterov); bfloat16 state on float members.
    /// </summary>
    public const string LarsLayerwise = """
        using Gen;

        namespace Demo
        {
            [Lars]
            [Lars(Name = "TunedLars", LearningRate = 0.1, WeightDecay = 1e-4, TrustCoefficient = 0.02, Epsilon = 1e-9, Momentum = 0.8, Nesterov = true)]
            public partial class ResNetHead
            {
                public float[,] W = new float[16, 8];
                [LearningRateScale(0.5)] public float[,] Fc = new float[8, 32];
                [NoWeightDecay] public float[] Bias = new float[8];
                public double[] Gain = new double[4];
            }

            [Lars(Name = "Bf16Lars", StatePrecision = StatePrecision.BFloat16)]
            public partial class LeanHead
            {
                public float[,] W = new float[16, 8];
                [NoWeightDecay] public float[] B = new float[8];
            }
        }
        """;

    /// <summary>
    /// [Adafactor]: a factored matrix, a rank-3 member (batch dimension), a [NoWeightDecay] vector, a [LearningRateScale]
    /// matrix and a double vector; the defaults (eps1 the machine epsilon) and every option changed.
    /// </summary>
    public const string AdafactorFactored = """
        using Gen;

        namespace Demo
        {
            [Adafactor]
            [Adafactor(Name = "TunedAdafactor", LearningRate = 0.05, Beta2Decay = -0.5, Epsilon1 = 1e-30, Epsilon2 = 1e-2, ClipThreshold = 2, WeightDecay = 1e-2, Maximize = true)]
            public partial class Transformer
            {
                public float[,] W = new float[16, 8];
                [LearningRateScale(0.5)] public float[,,] Heads = new float[2, 4, 8];
                [NoWeightDecay] public float[] Bias = new float[8];
                public double[] Gain = new double[4];
            }
        }
        """;
}
