// Model classes of the [Lars] tests.
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>
/// A matrix of 960 elements (split across the step workers), a vector, one that starts at 0 (ratio 1 on the first step),
/// a [NoWeightDecay] bias, a rank-3 member at half the rate and an empty one; the defaults, every option changed with
/// Nesterov, and every option changed without it.
/// </summary>
[Lars(Name = "Defaults")]
[Lars(Name = "Everything", LearningRate = 0.5, WeightDecay = 1e-3, TrustCoefficient = 0.02, Epsilon = 1e-6, Momentum = 0.8, Nesterov = true)]
[Lars(Name = "Plain", LearningRate = 0.2, WeightDecay = 5e-4, TrustCoefficient = 0.01, Epsilon = 1e-9, Momentum = 0.3)]
public sealed partial class LarsNet
{
    public float[,] W = new float[24, 40];

    public float[] V = new float[37];

    public float[] Zero = new float[13];

    [NoWeightDecay]
    public float[] Bias = new float[11];

    [LearningRateScale(0.5)]
    public float[,,] Kernel = new float[2, 3, 5];

    public float[] Empty = new float[0];
}

/// <summary>Double members: the double kernels and the trust ratio in double.</summary>
[Lars(Name = "Lars", WeightDecay = 1e-3, Nesterov = true)]
public sealed partial class LarsDoubleNet
{
    public double[] D = new double[37];

    public double[,] E = new double[5, 7];

    [NoWeightDecay]
    public double[] B = new double[6];
}

/// <summary>[Lars] with each state precision: a matrix of 4,800 elements (8-bit block-wise state from 4,096) and a vector (float32 state under Int8Blockwise).</summary>
[Lars(Name = "F32", LearningRate = 0.5, WeightDecay = 1e-3, TrustCoefficient = 0.02)]
[Lars(Name = "BF16", LearningRate = 0.5, WeightDecay = 1e-3, TrustCoefficient = 0.02, StatePrecision = StatePrecision.BFloat16)]
[Lars(Name = "I8", LearningRate = 0.5, WeightDecay = 1e-3, TrustCoefficient = 0.02, StatePrecision = StatePrecision.Int8Blockwise)]
public sealed partial class LarsLeanNet
{
    public float[,] W = new float[75, 64];

    public float[] B = new float[64];
}

/// <summary>The members and configurations of Golden/layerwise.json (make_layerwise_golden.py): float32 numpy trajectories of LAMB and LARS.</summary>
[Lamb(Name = "LambDefaults")]
[Lamb(Name = "LambEverything", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-8, WeightDecay = 0.05)]
[Lars(Name = "LarsDefaults")]
[Lars(Name = "LarsEverything", LearningRate = 0.5, WeightDecay = 1e-3, TrustCoefficient = 0.02, Epsilon = 1e-6, Momentum = 0.8, Nesterov = true)]
public sealed partial class LayerwiseGoldenNet
{
    public float[] W = new float[40];

    public float[] Zero = new float[13];

    [NoWeightDecay]
    public float[] Bias = new float[7];
}
