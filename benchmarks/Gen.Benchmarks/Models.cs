using Gen;

namespace Gen.Benchmarks;

// The model classes the benchmarks train. The generator runs on them at build time, exactly as in a
// user's project: PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8) and, under the name
// CenteredMomentum, the same with centered = True and momentum = 0.9. Both optimizers share one
// Gradients type. Arrays are sized at setup (Workload), before an optimizer is created.

/// <summary>One flat parameter tensor: the 4K, 64K, 1M and 16M cases.</summary>
[RmsProp]
[RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.9)]
public sealed partial class FlatModel
{
    public float[] W = System.Array.Empty<float>();
}

/// <summary>
/// A small MLP, 32 → 64 → 64 → 32 → 4: eight tensors, 8,484 parameters. Per-tensor overhead
/// (argument checks, kernel entry, tails of 4 and 32 elements) matters here, not bandwidth.
/// </summary>
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
