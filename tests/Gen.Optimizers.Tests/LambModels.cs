// Model classes of the [Lamb] tests.
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>
/// A matrix of 960 elements (split across the step workers), a vector, one that starts at 0 (its trust ratio is 1 on the
/// first step: ‖p‖ = 0), a [NoWeightDecay] bias (neither decay nor ratio), a rank-3 member at half the rate and an empty
/// one; the defaults and every option changed.
/// </summary>
[Lamb(Name = "Defaults")]
[Lamb(Name = "Everything", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-8, WeightDecay = 0.05)]
public sealed partial class LambNet
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
[Lamb(Name = "Lamb", WeightDecay = 0.01)]
public sealed partial class LambDoubleNet
{
    public double[] D = new double[37];

    public double[,] E = new double[5, 7];

    [NoWeightDecay]
    public double[] B = new double[6];
}

/// <summary>[Lamb] with each state precision: a matrix of 4,800 elements (8-bit block-wise state from 4,096) and a vector (float32 state under Int8Blockwise).</summary>
[Lamb(Name = "F32", WeightDecay = 0.01)]
[Lamb(Name = "BF16", WeightDecay = 0.01, StatePrecision = StatePrecision.BFloat16)]
[Lamb(Name = "I8", WeightDecay = 0.01, StatePrecision = StatePrecision.Int8Blockwise)]
public sealed partial class LambLeanNet
{
    public float[,] W = new float[75, 64];

    public float[] B = new float[64];
}
