using Gen;

namespace Gen.Benchmarks;

// The model classes the benchmarks train. The generator runs on them at build time, exactly as in a
// user's project. Every optimizer of a class shares its one Gradients type; arrays are sized at setup
// (Workload), before an optimizer is created.
//
//   RmsPropOptimizer       PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8)
//   CenteredMomentum       the same with centered = True and momentum = 0.9
//   Fast, FastCenteredMomentum   the same two with Precision.Fast (docs/PRECISION.md)
//   SgdMomentum            SGD, lr 0.01, momentum 0.9
//   AdagradOptimizer, AdamOptimizer, AdamWOptimizer, AdadeltaOptimizer, LionOptimizer, NAdamOptimizer,
//   RAdamOptimizer, AdamaxOptimizer, RpropOptimizer: the defaults, which are PyTorch's (Lion: the paper's; PyTorch
//                          1.13 has none)
//   AsgdOptimizer          PyTorch's defaults but T0 = 0, so that every step averages (reads and writes ax); with the
//                          default 1e6 every timed step would only copy the parameters into ax
//   ScheduleFreeAdamWOptimizer, ScheduleFreeSgdOptimizer, AdEMAMixOptimizer, AdoptOptimizer: the defaults, which are
//                          their reference implementations' (PyTorch 1.13 has none; the peer restates them)
//   LambOptimizer          the defaults (Optax's lamb, learning rate 1e-3; PyTorch 1.13 has none)
//   LarsOptimizer          the defaults (Optax's lars, learning rate 0.01; PyTorch 1.13 has none)
//   AdafactorOptimizer     the defaults (PyTorch 2.5's torch.optim.Adafactor; 1.13 has none): on the flat member, a
//                          vector, its full running average; on the MLP's matrices, per-row and per-column averages

/// <summary>One flat parameter tensor: the 4K, 64K, 1M and 16M cases.</summary>
[RmsProp]
[RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.9)]
[RmsProp(Name = "Fast", Precision = Precision.Fast)]
[RmsProp(Name = "FastCenteredMomentum", Centered = true, Momentum = 0.9, Precision = Precision.Fast)]
[Sgd(Name = "SgdMomentum", LearningRate = 0.01, Momentum = 0.9)]
[Adagrad]
[Adam]
[AdamW]
[Adadelta]
[Lion]
[NAdam]
[RAdam]
[Adamax]
[Rprop]
[Asgd(T0 = 0)]
[ScheduleFreeAdamW]
[ScheduleFreeSgd]
[AdEMAMix]
[Adopt]
[Lamb]
[Lars]
[Adafactor]
public sealed partial class FlatModel
{
    public float[] W = System.Array.Empty<float>();
}

/// <summary>
/// A small MLP, 32 → 64 → 64 → 32 → 4: eight tensors, 8,484 parameters. Per-tensor overhead
/// (argument checks, kernel entry, tails of 4 and 32 elements) matters here, not bandwidth. The family's
/// optimizers are here for the cross-check with PyTorch, which runs on this model.
/// </summary>
[RmsProp]
[RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.9)]
[RmsProp(Name = "Fast", Precision = Precision.Fast)]
[RmsProp(Name = "FastCenteredMomentum", Centered = true, Momentum = 0.9, Precision = Precision.Fast)]
[Sgd(Name = "SgdMomentum", LearningRate = 0.01, Momentum = 0.9)]
[Adagrad]
[Adam]
[AdamW]
[Adadelta]
[Lion]
[NAdam]
[RAdam]
[Adamax]
[Rprop]
[Asgd(T0 = 0)]
[ScheduleFreeAdamW]
[ScheduleFreeSgd]
[AdEMAMix]
[Adopt]
[Lamb]
[Lars]
[Adafactor]
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


// Float16 state for squared gradients on purpose (GEN204 warns users of it).
#pragma warning disable GEN204
/// <summary>
/// The lean-memory rows (<see cref="Lean"/>): Adam (PyTorch's defaults) with each state precision, on one flat member.
/// </summary>
[Adam(Name = "AdamFloat32")]
[Adam(Name = "AdamBFloat16", StatePrecision = StatePrecision.BFloat16)]
[Adam(Name = "AdamBFloat16Stochastic", StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Adam(Name = "AdamFloat16", StatePrecision = StatePrecision.Float16)]
[Adam(Name = "AdamInt8", StatePrecision = StatePrecision.Int8Blockwise)]
public sealed partial class LeanModel
{
    public float[] P = System.Array.Empty<float>();
}

/// <summary>
/// The matrix rows (<see cref="Matrix"/>): Muon and AdamW with their defaults (PyTorch's) on one matrix member, whose shape
/// each row sets before it creates the optimizer.
/// </summary>
[Muon]
[AdamW]
public sealed partial class MatrixModel
{
    public float[,] W = new float[0, 0];
}
