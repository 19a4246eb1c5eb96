using System;

namespace Gen
{
    /// <summary>
    /// Generates an Adagrad optimizer nested in the annotated partial class, with PyTorch's
    /// <c>torch.optim.Adagrad</c> semantics and defaults.
    /// </summary>
    /// <remarks>
    /// Per element, at step t (1-based): <c>g = -g</c> (Maximize); <c>g = g + wd * p</c>;
    /// <c>clr = lr / (1 + (t - 1) * lr_decay)</c>; <c>s = s + g * g</c>; <c>p = p - clr * g / (sqrt(s) + eps)</c>.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdagradAttribute : Attribute
    {
        /// <summary>Step size. Default 0.01.</summary>
        public double LearningRate { get; set; } = 0.01;

        /// <summary>Learning-rate decay per step, at least 0 (PyTorch's <c>lr_decay</c>). Default 0.</summary>
        public double LearningRateDecay { get; set; }

        /// <summary>Coupled L2 weight decay factor, at least 0. Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Initial value of the sum of squared gradients, at least 0. Default 0.</summary>
        public double InitialAccumulatorValue { get; set; }

        /// <summary>Added to the denominator. Default 1e-10.</summary>
        public double Epsilon { get; set; } = 1e-10;

        /// <summary>Maximizes the objective instead of minimizing it. Default false.</summary>
        public bool Maximize { get; set; }

        /// <summary>Name of the generated nested optimizer type. Default <c>AdagradOptimizer</c>.</summary>
        public string Name { get; set; } = "AdagradOptimizer";
    }
}
