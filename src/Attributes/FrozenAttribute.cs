using System;

namespace Gen
{
    /// <summary>
    /// Excludes a field or property of a model class from training: no gradient, no optimizer state,
    /// never written by a step.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
    public sealed class FrozenAttribute : Attribute
    {
    }
}
