using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector512;

namespace Gen.Benchmarks.Experiments;

// Two shapes of the same float kernel, 512-bit main loop and a scalar tail (the experiment needs
// Vector512; the other widths are the generator's business). "Generated" is the shape
// OptimizerEmitter emits today: UpdateBlock512 called four times, each block loading, computing
// and storing before the next starts. "Staged" performs exactly the same operations per element, in
// the same order, but interleaves the four registers statement by statement: all loads, then each
// arithmetic step on the four registers, then the stores. The results are bit-identical.

/// <summary>Centered + momentum 0.9, PyTorch defaults otherwise.</summary>
internal static class CenteredMomentumKernels
{
    const float Rho = 0.99f, OneMinusRho = 0.01f, Eps = 1e-8f, Mu = 0.9f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i, Vector512<float> negLr, Vector512<float> wd)
    {
        var grad = V.LoadUnsafe(ref g, i);
        var param = V.LoadUnsafe(ref p, i);
        grad = grad + wd * param;
        var squareAvg = V.LoadUnsafe(ref v, i) * V.Create(Rho) + V.Create(OneMinusRho) * grad * grad;
        var gradAvg = V.LoadUnsafe(ref m, i) * V.Create(Rho) + V.Create(OneMinusRho) * grad;
        var d = V.Sqrt(squareAvg - gradAvg * gradAvg) + V.Create(Eps);
        var buffer = V.LoadUnsafe(ref b, i) * V.Create(Mu) + grad / d;
        V.StoreUnsafe(squareAvg, ref v, i);
        V.StoreUnsafe(gradAvg, ref m, i);
        V.StoreUnsafe(buffer, ref b, i);
        V.StoreUnsafe(param + negLr * buffer, ref p, i);
    }

    static void Tail(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i, nuint n, float negLr, float wd)
    {
        for (; i < n; i++)
        {
            float grad = Unsafe.Add(ref g, i), param = Unsafe.Add(ref p, i);
            grad = grad + wd * param;
            float sa = Unsafe.Add(ref v, i) * Rho + OneMinusRho * grad * grad;
            float ga = Unsafe.Add(ref m, i) * Rho + OneMinusRho * grad;
            float d = MathF.Sqrt(sa - ga * ga) + Eps;
            float bu = Unsafe.Add(ref b, i) * Mu + grad / d;
            Unsafe.Add(ref v, i) = sa; Unsafe.Add(ref m, i) = ga; Unsafe.Add(ref b, i) = bu;
            Unsafe.Add(ref p, i) = param + negLr * bu;
        }
    }

    /// <summary>The shape emitted today: four blocks, one after the other.</summary>
    public static void Generated(Span<float> P, Span<float> G, Span<float> Vv, Span<float> M, Span<float> B, float negLr, float wd)
    {
        ref float p = ref MemoryMarshal.GetReference(P); ref float g = ref MemoryMarshal.GetReference(G);
        ref float v = ref MemoryMarshal.GetReference(Vv); ref float m = ref MemoryMarshal.GetReference(M); ref float b = ref MemoryMarshal.GetReference(B);
        nuint n = (nuint)P.Length, i = 0, w = 16;
        var nl = V.Create(negLr); var wv = V.Create(wd);
        for (; i + 4 * w <= n; i += 4 * w)
        {
            Block(ref p, ref g, ref v, ref m, ref b, i, nl, wv);
            Block(ref p, ref g, ref v, ref m, ref b, i + w, nl, wv);
            Block(ref p, ref g, ref v, ref m, ref b, i + 2 * w, nl, wv);
            Block(ref p, ref g, ref v, ref m, ref b, i + 3 * w, nl, wv);
        }
        for (; i + w <= n; i += w) Block(ref p, ref g, ref v, ref m, ref b, i, nl, wv);
        Tail(ref p, ref g, ref v, ref m, ref b, i, n, negLr, wd);
    }

    /// <summary>Staged ×4: every register's loads and pre-√ math, the four square roots, the four divisions, then the rest and the stores.</summary>
    public static void Staged(Span<float> P, Span<float> G, Span<float> Vv, Span<float> M, Span<float> B, float negLr, float wd)
    {
        ref float p = ref MemoryMarshal.GetReference(P); ref float g = ref MemoryMarshal.GetReference(G);
        ref float v = ref MemoryMarshal.GetReference(Vv); ref float m = ref MemoryMarshal.GetReference(M); ref float b = ref MemoryMarshal.GetReference(B);
        nuint n = (nuint)P.Length, i = 0, w = 16;
        var nl = V.Create(negLr); var wv = V.Create(wd);
        var rho = V.Create(Rho); var omr = V.Create(OneMinusRho); var eps = V.Create(Eps); var mu = V.Create(Mu);
        for (; i + 4 * w <= n; i += 4 * w)
        {
            var g0 = V.LoadUnsafe(ref g, i); var g1 = V.LoadUnsafe(ref g, i + w); var g2 = V.LoadUnsafe(ref g, i + 2 * w); var g3 = V.LoadUnsafe(ref g, i + 3 * w);
            var p0 = V.LoadUnsafe(ref p, i); var p1 = V.LoadUnsafe(ref p, i + w); var p2 = V.LoadUnsafe(ref p, i + 2 * w); var p3 = V.LoadUnsafe(ref p, i + 3 * w);
            g0 = g0 + wv * p0; g1 = g1 + wv * p1; g2 = g2 + wv * p2; g3 = g3 + wv * p3;
            var s0 = V.LoadUnsafe(ref v, i) * rho + omr * g0 * g0;
            var s1 = V.LoadUnsafe(ref v, i + w) * rho + omr * g1 * g1;
            var s2 = V.LoadUnsafe(ref v, i + 2 * w) * rho + omr * g2 * g2;
            var s3 = V.LoadUnsafe(ref v, i + 3 * w) * rho + omr * g3 * g3;
            var a0 = V.LoadUnsafe(ref m, i) * rho + omr * g0;
            var a1 = V.LoadUnsafe(ref m, i + w) * rho + omr * g1;
            var a2 = V.LoadUnsafe(ref m, i + 2 * w) * rho + omr * g2;
            var a3 = V.LoadUnsafe(ref m, i + 3 * w) * rho + omr * g3;
            var d0 = V.Sqrt(s0 - a0 * a0) + eps;
            var d1 = V.Sqrt(s1 - a1 * a1) + eps;
            var d2 = V.Sqrt(s2 - a2 * a2) + eps;
            var d3 = V.Sqrt(s3 - a3 * a3) + eps;
            V.StoreUnsafe(s0, ref v, i); V.StoreUnsafe(s1, ref v, i + w); V.StoreUnsafe(s2, ref v, i + 2 * w); V.StoreUnsafe(s3, ref v, i + 3 * w);
            V.StoreUnsafe(a0, ref m, i); V.StoreUnsafe(a1, ref m, i + w); V.StoreUnsafe(a2, ref m, i + 2 * w); V.StoreUnsafe(a3, ref m, i + 3 * w);
            var b0 = V.LoadUnsafe(ref b, i) * mu + g0 / d0;
            var b1 = V.LoadUnsafe(ref b, i + w) * mu + g1 / d1;
            var b2 = V.LoadUnsafe(ref b, i + 2 * w) * mu + g2 / d2;
            var b3 = V.LoadUnsafe(ref b, i + 3 * w) * mu + g3 / d3;
            V.StoreUnsafe(b0, ref b, i); V.StoreUnsafe(b1, ref b, i + w); V.StoreUnsafe(b2, ref b, i + 2 * w); V.StoreUnsafe(b3, ref b, i + 3 * w);
            V.StoreUnsafe(p0 + nl * b0, ref p, i); V.StoreUnsafe(p1 + nl * b1, ref p, i + w); V.StoreUnsafe(p2 + nl * b2, ref p, i + 2 * w); V.StoreUnsafe(p3 + nl * b3, ref p, i + 3 * w);
        }
        for (; i + w <= n; i += w) Block(ref p, ref g, ref v, ref m, ref b, i, nl, wv);
        Tail(ref p, ref g, ref v, ref m, ref b, i, n, negLr, wd);
    }
}

/// <summary>Plain RMSProp, PyTorch defaults.</summary>
internal static class PlainKernels
{
    const float Rho = 0.99f, OneMinusRho = 0.01f, Eps = 1e-8f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block(ref float p, ref float g, ref float v, nuint i, Vector512<float> negLr, Vector512<float> wd)
    {
        var grad = V.LoadUnsafe(ref g, i);
        var param = V.LoadUnsafe(ref p, i);
        grad = grad + wd * param;
        var squareAvg = V.LoadUnsafe(ref v, i) * V.Create(Rho) + V.Create(OneMinusRho) * grad * grad;
        var d = V.Sqrt(squareAvg) + V.Create(Eps);
        V.StoreUnsafe(squareAvg, ref v, i);
        V.StoreUnsafe(param + negLr * grad / d, ref p, i);
    }

    static void Tail(ref float p, ref float g, ref float v, nuint i, nuint n, float negLr, float wd)
    {
        for (; i < n; i++)
        {
            float grad = Unsafe.Add(ref g, i), param = Unsafe.Add(ref p, i);
            grad = grad + wd * param;
            float sa = Unsafe.Add(ref v, i) * Rho + OneMinusRho * grad * grad;
            float d = MathF.Sqrt(sa) + Eps;
            Unsafe.Add(ref v, i) = sa;
            Unsafe.Add(ref p, i) = param + negLr * grad / d;
        }
    }

    /// <summary>The shape emitted today.</summary>
    public static void Generated(Span<float> P, Span<float> G, Span<float> Vv, Span<float> M, Span<float> B, float negLr, float wd)
    {
        ref float p = ref MemoryMarshal.GetReference(P); ref float g = ref MemoryMarshal.GetReference(G); ref float v = ref MemoryMarshal.GetReference(Vv);
        nuint n = (nuint)P.Length, i = 0, w = 16;
        var nl = V.Create(negLr); var wv = V.Create(wd);
        for (; i + 4 * w <= n; i += 4 * w)
        {
            Block(ref p, ref g, ref v, i, nl, wv); Block(ref p, ref g, ref v, i + w, nl, wv);
            Block(ref p, ref g, ref v, i + 2 * w, nl, wv); Block(ref p, ref g, ref v, i + 3 * w, nl, wv);
        }
        for (; i + w <= n; i += w) Block(ref p, ref g, ref v, i, nl, wv);
        Tail(ref p, ref g, ref v, i, n, negLr, wd);
    }

    /// <summary>Staged ×4.</summary>
    public static void Staged(Span<float> P, Span<float> G, Span<float> Vv, Span<float> M, Span<float> B, float negLr, float wd)
    {
        ref float p = ref MemoryMarshal.GetReference(P); ref float g = ref MemoryMarshal.GetReference(G); ref float v = ref MemoryMarshal.GetReference(Vv);
        nuint n = (nuint)P.Length, i = 0, w = 16;
        var nl = V.Create(negLr); var wv = V.Create(wd);
        var rho = V.Create(Rho); var omr = V.Create(OneMinusRho); var eps = V.Create(Eps);
        for (; i + 4 * w <= n; i += 4 * w)
        {
            var g0 = V.LoadUnsafe(ref g, i); var g1 = V.LoadUnsafe(ref g, i + w); var g2 = V.LoadUnsafe(ref g, i + 2 * w); var g3 = V.LoadUnsafe(ref g, i + 3 * w);
            var p0 = V.LoadUnsafe(ref p, i); var p1 = V.LoadUnsafe(ref p, i + w); var p2 = V.LoadUnsafe(ref p, i + 2 * w); var p3 = V.LoadUnsafe(ref p, i + 3 * w);
            var v0 = V.LoadUnsafe(ref v, i); var v1 = V.LoadUnsafe(ref v, i + w); var v2 = V.LoadUnsafe(ref v, i + 2 * w); var v3 = V.LoadUnsafe(ref v, i + 3 * w);
            g0 = g0 + wv * p0; g1 = g1 + wv * p1; g2 = g2 + wv * p2; g3 = g3 + wv * p3;
            v0 = v0 * rho + omr * g0 * g0; v1 = v1 * rho + omr * g1 * g1; v2 = v2 * rho + omr * g2 * g2; v3 = v3 * rho + omr * g3 * g3;
            var d0 = V.Sqrt(v0) + eps; var d1 = V.Sqrt(v1) + eps; var d2 = V.Sqrt(v2) + eps; var d3 = V.Sqrt(v3) + eps;
            V.StoreUnsafe(v0, ref v, i); V.StoreUnsafe(v1, ref v, i + w); V.StoreUnsafe(v2, ref v, i + 2 * w); V.StoreUnsafe(v3, ref v, i + 3 * w);
            V.StoreUnsafe(p0 + nl * g0 / d0, ref p, i); V.StoreUnsafe(p1 + nl * g1 / d1, ref p, i + w);
            V.StoreUnsafe(p2 + nl * g2 / d2, ref p, i + 2 * w); V.StoreUnsafe(p3 + nl * g3 / d3, ref p, i + 3 * w);
        }
        for (; i + w <= n; i += w) Block(ref p, ref g, ref v, i, nl, wv);
        Tail(ref p, ref g, ref v, i, n, negLr, wd);
    }
}
