using Gen;

namespace Gen.Benchmarks.Portable;

// Gen.Benchmarks' FlatModel and SmallMlp (its Models.cs) with RMSProp's two benchmark configurations only:
//   RmsPropOptimizer   PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8)
//   CenteredMomentum   the same with centered = True and momentum = 0.9

/// <summary>One flat parameter tensor: the 4K, 64K, 1M and 16M cases.</summary>
[RmsProp]
[RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.9)]
public sealed partial class FlatModel
{
    public float[] W = System.Array.Empty<float>();
}

/// <summary>The small MLP, 32 → 64 → 64 → 32 → 4: eight tensors, 8,484 parameters.</summary>
[RmsProp]
[RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.9)]
public sealed partial class SmallMlp
{
    public float[,] W1 = new float[32, 64];
    public float[] B1 = new float[64];
    public float[,] W2 = new float[64, 64];
    public float[] B2 = new float[64];
    public float[,] W3 = new float[64, 32];
    public float[] B3 = new float[32];
    public float[,] W4 = new float[32, 4];
    public float[] B4 = new float[4];
}
