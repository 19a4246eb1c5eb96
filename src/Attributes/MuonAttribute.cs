using System;

namespace Gen
{
    /// <summary>
    /// Generates a Muon optimizer nested in the annotated partial class: momentum orthogonalized by Newton–Schulz
    /// iterations for the matrix members (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks",
    /// kellerjordan.github.io/posts/muon, reference code github.com/KellerJordan/Muon; PyTorch 2.9's
    /// <c>torch.optim.Muon</c>, pytorch/pytorch <c>torch/optim/_muon.py</c>, whose semantics and defaults these are), and
    /// AdamW (PyTorch's <c>torch.optim.AdamW</c>, the same update as <see cref="AdamWAttribute"/>) for every other member,
    /// in the same optimizer, as Keras's <c>keras.optimizers.Muon</c> and Optax's <c>optax.contrib.muon</c> do.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Which members take which update: a float matrix (<c>float[,]</c>) takes Muon's unless it is marked
    /// <see cref="ExcludeFromMuonAttribute"/> (embeddings and output layers usually are); vectors, members of rank 3 and
    /// marked matrices take AdamW's. PyTorch's Muon accepts only matrices; like Keras's current Muon and Optax's default,
    /// Gen does not reshape rank-3 members into matrices. A <c>double[,]</c> member must be marked: the orthogonalization
    /// runs in float32 (GEN130).
    /// </para>
    /// <para>
    /// Muon, per matrix member of <c>rows × columns</c>, with PyTorch's <c>lerp</c> (<c>start + w · (end − start)</c> for
    /// <c>|w| &lt; 0.5</c>, else <c>end − (end − start) · (1 − w)</c>, with <c>w</c> in the element type):
    /// <c>b = lerp(b, g, 1 − momentum)</c>; <c>u = lerp(g, b, momentum)</c> (Nesterov) or <c>u = b</c>;
    /// <c>u = NS(u)</c>: <c>X = u</c> (transposed when it has more rows than columns) divided by <c>max(‖X‖_F, eps)</c>, then
    /// <see cref="NewtonSchulzSteps"/> times <c>A = X·Xᵀ</c>, <c>X = a·X + (b·A + c·A·A)·X</c>;
    /// <c>p = p · (1 − lr · wd)</c>; <c>p = p − lr' · u</c> with <c>lr'</c> as <see cref="LearningRateAdjustment"/> says.
    /// PyTorch iterates in bfloat16 (for GPU tensor cores); Gen iterates in float32 (docs/PRECISION.md).
    /// </para>
    /// <para>
    /// AdamW, per other member, exactly <see cref="AdamWAttribute"/>'s update with <see cref="AdamWBeta1"/>,
    /// <see cref="AdamWBeta2"/>, <see cref="AdamWEpsilon"/>, the weight decay <see cref="AdamWWeightDecay"/> and the
    /// learning rate <c>LearningRate · AdamWLearningRateScale</c>: bit for bit what an [AdamW] with those values computes.
    /// The optimizer's runtime <c>WeightDecay</c> is Muon's; the AdamW part's is the constant.
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MuonAttribute : Attribute
    {
        /// <summary>Step size of both parts (the AdamW part's is scaled by <see cref="AdamWLearningRateScale"/>). Default 1e-3.</summary>
        public double LearningRate { get; set; } = 1e-3;

        /// <summary>Decoupled weight decay of the matrix members (<c>p = p * (1 - lr * wd)</c>), at least 0. Default 0.1.</summary>
        public double WeightDecay { get; set; } = 0.1;

        /// <summary>Momentum of the matrix members' buffer, in [0, 1). Default 0.95.</summary>
        public double Momentum { get; set; } = 0.95;

        /// <summary>Orthogonalizes the Nesterov look-ahead <c>lerp(g, b, momentum)</c> instead of the buffer itself. Default true.</summary>
        public bool Nesterov { get; set; } = true;

        /// <summary>Coefficient a of the quintic Newton–Schulz iteration (<c>a·X + (b·A + c·A·A)·X</c>). Default 3.4445.</summary>
        public double NewtonSchulzA { get; set; } = 3.4445;

        /// <summary>Coefficient b of the quintic Newton–Schulz iteration. Default -4.775.</summary>
        public double NewtonSchulzB { get; set; } = -4.775;

        /// <summary>Coefficient c of the quintic Newton–Schulz iteration. Default 2.0315.</summary>
        public double NewtonSchulzC { get; set; } = 2.0315;

        /// <summary>Number of Newton–Schulz iterations per step, in [0, 100) as PyTorch requires. Default 5.</summary>
        public int NewtonSchulzSteps { get; set; } = 5;

        /// <summary>Lower bound of the Frobenius norm the matrix is divided by before the iterations, above 0. Default 1e-7.</summary>
        public double Epsilon { get; set; } = 1e-7;

        /// <summary>
        /// How a matrix member's learning rate is scaled by its shape. Default <see cref="MuonLearningRateAdjustment.Original"/>.
        /// </summary>
        public MuonLearningRateAdjustment LearningRateAdjustment { get; set; } = MuonLearningRateAdjustment.Original;

        /// <summary>
        /// The AdamW part's learning rate as a multiple of the optimizer's (Keras's <c>adam_lr_ratio</c>): schedules and
        /// runtime changes of LearningRate move both parts. Finite, at least 0. Default 1.
        /// </summary>
        public double AdamWLearningRateScale { get; set; } = 1;

        /// <summary>The AdamW part's decay rate of the first moment, in [0, 1). Default 0.9.</summary>
        public double AdamWBeta1 { get; set; } = 0.9;

        /// <summary>The AdamW part's decay rate of the second moment, in [0, 1). Default 0.999.</summary>
        public double AdamWBeta2 { get; set; } = 0.999;

        /// <summary>The AdamW part's term added to the denominator. Default 1e-8.</summary>
        public double AdamWEpsilon { get; set; } = 1e-8;

        /// <summary>The AdamW part's decoupled weight decay (a constant: the optimizer's runtime WeightDecay is Muon's), at least 0. Default 0.01.</summary>
        public double AdamWWeightDecay { get; set; } = 0.01;

        /// <summary>
        /// How the state buffers are stored: <see cref="Gen.StatePrecision.Float32"/> (as the members),
        /// <see cref="Gen.StatePrecision.BFloat16"/> or <see cref="Gen.StatePrecision.Float16"/> (2 bytes per element,
        /// float arithmetic; float members only), or <see cref="Gen.StatePrecision.Int8Blockwise"/> (1 byte per element
        /// and 4 per block of 256, for members of 4,096 elements or more; float members only). See docs/PRECISION.md.
        /// Default <see cref="Gen.StatePrecision.Float32"/>.
        /// </summary>
        public StatePrecision StatePrecision { get; set; } = StatePrecision.Float32;

        /// <summary>
        /// Rounds 16-bit state stores up or down at random, with probability proportional to the distance, so that
        /// updates smaller than half a unit in the last place still move the state on average. Reproducible from the
        /// optimizer's <c>StochasticRoundingSeed</c> and the step. Needs <see cref="StatePrecision"/> BFloat16 or Float16
        /// (8-bit block-wise state is not rounded this way). Default false.
        /// </summary>
        public bool StochasticRounding { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>MuonOptimizer</c>.</summary>
        public string Name { get; set; } = "MuonOptimizer";
    }
}
