namespace Gen;

/// <summary>
/// What <see cref="Optimizer{TGradients}.Step(TGradients)"/> does when a gradient element is NaN or infinite.
/// The check runs after the argument checks and before the first write.
/// </summary>
public enum NonFinitePolicy
{
    /// <summary>
    /// Throw a <see cref="NonFiniteGradientException"/> that names the first such element; the
    /// parameters, the state and the step count are unchanged. The default: a NaN that reaches the
    /// parameters cannot be undone.
    /// </summary>
    Throw = 0,

    /// <summary>
    /// Leave the parameters, the state and <see cref="Optimizer{TGradients}.StepCount"/> unchanged
    /// and count the step in <see cref="Optimizer{TGradients}.SkippedSteps"/> (as mixed-precision
    /// loss scalers do when a scaled gradient overflows).
    /// </summary>
    SkipStep = 1,

    /// <summary>Do not check: the step applies whatever the gradients hold, and costs no extra pass over them.</summary>
    Ignore = 2,
}
