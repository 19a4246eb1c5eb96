using System.ComponentModel;

namespace Gen.__Internals;

/// <summary>
/// Type arguments that generated kernels with coupled (L2) weight decay are compiled for: with the term
/// <c>g + wd·p</c>, or without it when the step's decay is 0. The JIT and NativeAOT compile one kernel
/// per struct argument and drop the branch that does not apply, so a step without decay neither pays
/// for the term nor lets a non-finite parameter reach the gradient (PyTorch skips the term at 0 too).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct WithCoupledDecay
{
}

/// <inheritdoc cref="WithCoupledDecay"/>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct WithoutCoupledDecay
{
}

/// <summary>
/// Type arguments of generated kernels for a step whose gradients <c>GlobalNormClip</c> scales
/// (<c>g·scale</c> in the element type, as <c>ClipByGlobalNorm</c> would have stored it) or not: a step
/// without clipping runs the kernel without the multiplication.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ScaledGradient
{
}

/// <inheritdoc cref="ScaledGradient"/>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct UnscaledGradient
{
}

/// <summary>
/// Type arguments of generated kernels for <c>Step(gradients, clearGradients: true)</c>, which zeroes each
/// gradient element once it has read it (in the same pass), or a plain step, which does not write the gradients.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ClearedGradient
{
}

/// <inheritdoc cref="ClearedGradient"/>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct KeptGradient
{
}

/// <summary>
/// Type arguments of generated kernels whose rule has two forms chosen per member and step, not per element (RAdam: the
/// rectified update once the variance of the adaptive rate is tractable, the un-adapted momentum update before; Rprop:
/// the first step, whose step sizes PyTorch creates from the learning rate, or a later one, which reads them; ASGD: the
/// running average once its weight μ is not 1, a copy of the parameters before; Schedule-Free and ADOPT: the first step,
/// which builds z, x and y from the parameter or only initializes exp_avg_sq): the kernel is compiled once per form,
/// and each call runs the one its condition selects.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct BranchOn
{
}

/// <inheritdoc cref="BranchOn"/>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct BranchOff
{
}
