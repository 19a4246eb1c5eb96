using System;
using static Gen.Benchmarks.Workload;

namespace Gen.Benchmarks.Baselines;

/// <summary>
/// What a user writes first: a plain <c>for</c> over float arrays with <see cref="MathF.Sqrt"/>, one
/// fused pass, no SIMD (RyuJIT does not auto-vectorize), array bounds checks left to the JIT. Same
/// operations in the same order as the generated kernel, so the results are bit-identical
/// (checked by <see cref="Verification"/>); the only difference is that it skips the weight-decay
/// term, as PyTorch does when weight_decay is 0.
/// </summary>
public static class NaiveScalar
{
    public static void StepPlain(float[] p, float[] g, float[] v, float lr)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i];
            float vi = Alpha * v[i] + OneMinusAlpha * gi * gi;
            v[i] = vi;
            p[i] -= lr * gi / (MathF.Sqrt(vi) + Epsilon);
        }
    }

    public static void StepCenteredMomentum(float[] p, float[] g, float[] v, float[] m, float[] b, float lr)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i];
            float vi = Alpha * v[i] + OneMinusAlpha * gi * gi;
            float mi = Alpha * m[i] + OneMinusAlpha * gi;
            float bi = Momentum * b[i] + gi / (MathF.Sqrt(vi - mi * mi) + Epsilon);
            v[i] = vi;
            m[i] = mi;
            b[i] = bi;
            p[i] -= lr * bi;
        }
    }
}
