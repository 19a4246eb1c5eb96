using System;

namespace Gen
{
    /// <summary>
    /// Generates an Adafactor optimizer nested in the annotated partial class (Shazeer and Stern 2018, "Adafactor: Adaptive
    /// Learning Rates with Sublinear Memory Cost", arXiv:1804.04235): the second moment of a member of rank 2 or more is
    /// kept factored, as one running average per row and one per column of its last two dimensions (the leading ones are
    /// batch dimensions), so its state is O(rows + columns) instead of O(rows × columns); a vector keeps the full running
    /// average. The order of operations, the defaults and the state names are PyTorch 2.5's <c>torch.optim.Adafactor</c>
    /// (pytorch/pytorch, <c>torch/optim/_adafactor.py</c>, its single-tensor path).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Per member, with <c>t</c> the step (from 1): <c>w = t^Beta2Decay</c>; <c>rho = min(lr, 1/sqrt(t))</c>;
    /// <c>alpha = max(eps2, ‖p‖ / sqrt(n)) * rho</c> (<c>n</c> the member's element count, <c>p</c> before the decay);
    /// <c>p = p * (1 - lr * wd)</c>. For a matrix, <c>R = R + w * (mean_j(g²) - R)</c> per row and
    /// <c>C = C + w * (mean_i(g²) - C)</c> per column, and <c>v = R_i * C_j / max(mean(R), eps1)</c>; for a vector
    /// <c>V = V + w * (g² - V)</c> and <c>v = V</c>. Then <c>u = g / sqrt(max(v, eps1²))</c>,
    /// <c>denom = max(1, ‖u‖ / (sqrt(n) * d))</c> and <c>p = p + (-alpha / denom) * u</c>.
    /// </para>
    /// <para>
    /// Where PyTorch (and so Gen) differs from the paper, as PyTorch's documentation says: <c>eps1</c> is applied to the
    /// row mean the product is divided by and, squared, as a floor of the estimate before its inverse square root (the
    /// paper adds <c>eps1</c> to <c>g²</c>); the learning rate is the cap of the relative step size <c>rho</c> (the paper's
    /// <c>min(1e-2, 1/sqrt(t))</c>) and the coefficient of the decoupled weight decay; there is no first moment (the
    /// paper's optional beta1) and no update clipping by a running root mean square other than <c>d</c>'s
    /// <c>max(1, RMS(u)/d)</c>. A member marked <c>[NoWeightDecay]</c> skips the decay only.
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdafactorAttribute : Attribute
    {
        /// <summary>
        /// The cap of the relative step size <c>rho = min(lr, 1/sqrt(t))</c>, and the coefficient of the weight decay,
        /// at least 0. Default 0.01.
        /// </summary>
        public double LearningRate { get; set; } = 1e-2;

        /// <summary>
        /// The exponent of the second moment's decay: the running averages take the weight <c>t^Beta2Decay</c> of the new
        /// mean at step <c>t</c> (1 at the first step). At most 0. Default -0.8.
        /// </summary>
        public double Beta2Decay { get; set; } = -0.8;

        /// <summary>
        /// The floor of the row mean the factored estimate is divided by, and (squared) of the estimate itself, at least 0,
        /// or NaN for PyTorch's <c>None</c>: the machine epsilon of the member's element type (1.1920929e-07 for float
        /// members, 2.220446049250313e-16 for double ones). Default NaN (PyTorch's None).
        /// </summary>
        public double Epsilon1 { get; set; } = double.NaN;

        /// <summary>The floor of the parameter's root mean square in the step size, at least 0. Default 1e-3.</summary>
        public double Epsilon2 { get; set; } = 1e-3;

        /// <summary>
        /// The clipping threshold <c>d</c>: the update is divided by <c>max(1, RMS(u) / d)</c>. At least 1. Default 1.
        /// </summary>
        public double ClipThreshold { get; set; } = 1.0;

        /// <summary>Decoupled weight decay, <c>p * (1 - lr * wd)</c> before the update, at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Maximizes the objective instead of minimizing it (the gradient's sign is flipped). Default false.</summary>
        public bool Maximize { get; set; }

        /// <summary>
        /// How the state is stored. Only <see cref="Gen.StatePrecision.Float32"/> is accepted (GEN155): the factored state is
        /// already O(rows + columns) per matrix, and the only full-size state, a vector's running average, belongs to the
        /// smallest members. See docs/PRECISION.md. Default <see cref="Gen.StatePrecision.Float32"/>.
        /// </summary>
        public StatePrecision StatePrecision { get; set; } = StatePrecision.Float32;

        /// <summary>Rounds 16-bit state stores stochastically: needs 16-bit state, which Adafactor does not take (GEN114). Default false.</summary>
        public bool StochasticRounding { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>AdafactorOptimizer</c>.</summary>
        public string Name { get; set; } = "AdafactorOptimizer";
    }
}
