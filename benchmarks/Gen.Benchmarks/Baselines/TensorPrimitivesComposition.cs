using System;
using System.Numerics.Tensors;
using static Gen.Benchmarks.Workload;

namespace Gen.Benchmarks.Baselines;

/// <summary>
/// The update a .NET user would compose today from <see cref="TensorPrimitives"/>: one vectorized
/// call per algebraic step (the composition in the project's research notes on RMSprop, optimizer
/// anchors §6), with a scratch buffer
/// allocated once at setup, so nothing allocates per step. Each call is its own pass over memory:
/// 6 passes and 15 streams for plain RMSProp, 10 passes and 27 streams for centered + momentum,
/// against 5 and 9 streams for one fused loop.
/// </summary>
/// <remarks>
/// Same math, not the same roundings: Lerp computes v·(1−w) + t·w and the last step multiplies
/// g/d by −lr where PyTorch and the generated code divide (−lr·g) by d, so elements differ by an ulp
/// or two; <see cref="Verification"/> bounds the difference.
/// </remarks>
public static class TensorPrimitivesComposition
{
    public static void StepPlain(Span<float> p, ReadOnlySpan<float> g, Span<float> v, Span<float> scratch, float lr)
    {
        Span<float> t = scratch.Slice(0, p.Length);
        TensorPrimitives.Multiply(g, g, t);                       // t = g²
        TensorPrimitives.Lerp(v, t, OneMinusAlpha, v);            // v = α·v + (1−α)·t
        TensorPrimitives.Sqrt(v, t);                              // t = √v
        TensorPrimitives.Add(t, Epsilon, t);                      // t = √v + ε
        TensorPrimitives.Divide(g, t, t);                         // t = g / t
        TensorPrimitives.MultiplyAdd(t, -lr, p, p);               // p = p − lr·t
    }

    public static void StepCenteredMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> v, Span<float> m, Span<float> b, Span<float> scratch, float lr)
    {
        Span<float> t = scratch.Slice(0, p.Length);
        TensorPrimitives.Multiply(g, g, t);                       // t = g²
        TensorPrimitives.Lerp(v, t, OneMinusAlpha, v);            // v = α·v + (1−α)·g²
        TensorPrimitives.Lerp(m, g, OneMinusAlpha, m);            // m = α·m + (1−α)·g
        TensorPrimitives.Multiply(m, m, t);                       // t = m²
        TensorPrimitives.Subtract(v, t, t);                       // t = v − m²
        TensorPrimitives.Sqrt(t, t);                              // t = √(v − m²)
        TensorPrimitives.Add(t, Epsilon, t);                      // t = d
        TensorPrimitives.Divide(g, t, t);                         // t = g / d
        TensorPrimitives.MultiplyAdd(b, Momentum, t, b);          // b = μ·b + g/d
        TensorPrimitives.MultiplyAdd(b, -lr, p, p);               // p = p − lr·b
    }
}
