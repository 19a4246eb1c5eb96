using System;

namespace Gen
{
    /// <summary>
    /// Turns weight decay off for one trainable member (the usual choice for biases and norms),
    /// whatever the optimizer's WeightDecay is.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
    public sealed class NoWeightDecayAttribute : Attribute
    {
    }

    /// <summary>
    /// Multiplies the optimizer's learning rate by a constant for one trainable member, e.g. a smaller
    /// rate for an embedding. Schedules and runtime changes of LearningRate are scaled the same way.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
    public sealed class LearningRateScaleAttribute : Attribute
    {
        /// <summary>Scales this member's learning rate by <paramref name="scale"/> (finite, at least 0).</summary>
        public LearningRateScaleAttribute(double scale)
        {
            Scale = scale;
        }

        /// <summary>The factor applied to the learning rate for this member.</summary>
        public double Scale { get; }
    }
}
