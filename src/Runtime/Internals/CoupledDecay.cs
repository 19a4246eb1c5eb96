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
