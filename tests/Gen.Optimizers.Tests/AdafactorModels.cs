// Model classes of the [Adafactor] tests.
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>
/// A matrix of 960 elements, a wide matrix whose rows are longer than the routine's chunk of 1,024 (its row sums are
/// taken chunk by chunk), a vector, one that starts at 0 (‖p‖ = 0: the step size is eps2·rho), a [NoWeightDecay] bias
/// (no decay), a rank-3 member at half the rate (two batches of 3 × 5 matrices), a tall matrix of one column and an
/// empty one; the defaults and every option changed, with a learning rate above 1/√t for the first steps (rho switches).
/// </summary>
[Adafactor(Name = "Defaults")]
[Adafactor(Name = "Everything", LearningRate = 0.3, Beta2Decay = -0.5, Epsilon1 = 1e-6, Epsilon2 = 1e-2, ClipThreshold = 1.5, WeightDecay = 0.05, Maximize = true)]
public sealed partial class AdafactorNet
{
    public float[,] W = new float[24, 40];

    public float[,] Wide = new float[3, 1100];

    public float[] V = new float[37];

    public float[] Zero = new float[13];

    [NoWeightDecay]
    public float[] Bias = new float[11];

    [LearningRateScale(0.5)]
    public float[,,] Kernel = new float[2, 3, 5];

    public float[,] Column = new float[9, 1];

    public float[] Empty = new float[0];
}

/// <summary>Double members: eps1 is double's machine epsilon, nothing is rounded to float. A [Frozen] member is not trained.</summary>
[Adafactor(Name = "Adafactor", WeightDecay = 0.01)]
public sealed partial class AdafactorDoubleNet
{
    [Frozen]
    public double[,] Table = new double[3, 3];

    public double[] D = new double[37];

    public double[,] E = new double[5, 7];

    [NoWeightDecay]
    public double[,,] B = new double[2, 2, 3];
}

/// <summary>The members of Golden/make_adafactor_golden.py's cases, in float32 (one attribute per case).</summary>
[Adafactor(Name = "Defaults")]
[Adafactor(Name = "Decay", WeightDecay = 0.1, LearningRate = 0.02)]
[Adafactor(Name = "Maximized", Maximize = true, Beta2Decay = -0.5)]
[Adafactor(Name = "Clipped", ClipThreshold = 1.5, Epsilon2 = 1e-2)]
[Adafactor(Name = "ExplicitEpsilon1", Epsilon1 = 1e-4)]
[Adafactor(Name = "Switching", LearningRate = 0.5, WeightDecay = 0.01)]
public sealed partial class AdafactorGoldenNet
{
    public float[,] W = new float[6, 10];

    public float[,,] Heads = new float[2, 3, 4];

    public float[,] Column = new float[5, 1];

    public float[] V = new float[11];

    public float[] Zero = new float[7];

    [NoWeightDecay]
    public float[] Bias = new float[5];
}

/// <summary><see cref="AdafactorGoldenNet"/> in float64.</summary>
[Adafactor(Name = "Defaults")]
[Adafactor(Name = "Decay", WeightDecay = 0.1, LearningRate = 0.02)]
[Adafactor(Name = "Maximized", Maximize = true, Beta2Decay = -0.5)]
[Adafactor(Name = "Clipped", ClipThreshold = 1.5, Epsilon2 = 1e-2)]
[Adafactor(Name = "ExplicitEpsilon1", Epsilon1 = 1e-4)]
[Adafactor(Name = "Switching", LearningRate = 0.5, WeightDecay = 0.01)]
public sealed partial class AdafactorGoldenDoubleNet
{
    public double[,] W = new double[6, 10];

    public double[,,] Heads = new double[2, 3, 4];

    public double[,] Column = new double[5, 1];

    public double[] V = new double[11];

    public double[] Zero = new double[7];

    [NoWeightDecay]
    public double[] Bias = new double[5];
}
