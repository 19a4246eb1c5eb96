using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen.Benchmarks.Baselines;

/// <summary>
/// Hand-written kernels that bound what any exact, single-threaded RMSProp step can reach.
/// <list type="bullet">
/// <item><b>Memory roof</b>: the same loads and stores per element as the real update (plain: read p,
/// g, v, write p, v; centered + momentum: also read and write m and b) but trivial math (adds).
/// Generated ÷ memory roof says how close the generated kernel is to the bandwidth limit.</item>
/// <item><b>Arithmetic roof</b>: the same loads and stores, and per element only what no exact
/// kernel can avoid: one square root and one division (p ← p + g/√v; the other buffers are
/// stored back unchanged). Generated ÷ arithmetic roof says how close it is to the divider limit,
/// which is what bounds in-cache sizes.</item>
/// </list>
/// Both use the generated kernel's loop shape: the widest accelerated width, a ×4 unrolled main
/// loop, one register at a time, then scalars; refs and nuint offsets, no bounds checks.
/// </summary>
public static class Roofs
{
    public static void MemoryPlain(Span<float> p, ReadOnlySpan<float> g, Span<float> v) =>
        Run<MemoryRoofPlain>(p, g, v, v, v);

    public static void MemoryCenteredMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> v, Span<float> m, Span<float> b) =>
        Run<MemoryRoofCenteredMomentum>(p, g, v, m, b);

    public static void ArithmeticPlain(Span<float> p, ReadOnlySpan<float> g, Span<float> v) =>
        Run<ArithmeticRoofPlain>(p, g, v, v, v);

    public static void ArithmeticCenteredMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> v, Span<float> m, Span<float> b) =>
        Run<ArithmeticRoofCenteredMomentum>(p, g, v, m, b);

    /// <summary>One element-wise operation at each width. Plain kernels ignore m and b.</summary>
    private interface IBlock
    {
        static abstract void Block512(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i);

        static abstract void Block256(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i);

        static abstract void Element(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i);
    }

    private static void Run<TBlock>(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> squareAvg, Span<float> gradAvg, Span<float> momentumBuffer)
        where TBlock : struct, IBlock
    {
        nuint length = (nuint)parameter.Length;
        if ((nuint)gradient.Length != length || (nuint)squareAvg.Length != length || (nuint)gradAvg.Length != length || (nuint)momentumBuffer.Length != length)
        {
            throw new ArgumentException("Buffers differ in length.");
        }

        ref float p = ref MemoryMarshal.GetReference(parameter);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float v = ref MemoryMarshal.GetReference(squareAvg);
        ref float m = ref MemoryMarshal.GetReference(gradAvg);
        ref float b = ref MemoryMarshal.GetReference(momentumBuffer);
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector512<float>.Count;
            for (; i + 4 * width <= length; i += 4 * width)
            {
                TBlock.Block512(ref p, ref g, ref v, ref m, ref b, i);
                TBlock.Block512(ref p, ref g, ref v, ref m, ref b, i + width);
                TBlock.Block512(ref p, ref g, ref v, ref m, ref b, i + 2 * width);
                TBlock.Block512(ref p, ref g, ref v, ref m, ref b, i + 3 * width);
            }

            for (; i + width <= length; i += width)
            {
                TBlock.Block512(ref p, ref g, ref v, ref m, ref b, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector256<float>.Count;
            if (!Vector512.IsHardwareAccelerated)
            {
                for (; i + 4 * width <= length; i += 4 * width)
                {
                    TBlock.Block256(ref p, ref g, ref v, ref m, ref b, i);
                    TBlock.Block256(ref p, ref g, ref v, ref m, ref b, i + width);
                    TBlock.Block256(ref p, ref g, ref v, ref m, ref b, i + 2 * width);
                    TBlock.Block256(ref p, ref g, ref v, ref m, ref b, i + 3 * width);
                }
            }

            for (; i + width <= length; i += width)
            {
                TBlock.Block256(ref p, ref g, ref v, ref m, ref b, i);
            }
        }

        for (; i < length; i++)
        {
            TBlock.Element(ref p, ref g, ref v, ref m, ref b, i);
        }
    }

    private struct MemoryRoofPlain : IBlock
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block512(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector512.LoadUnsafe(ref g, i);
            var param = Vector512.LoadUnsafe(ref p, i);
            var square = Vector512.LoadUnsafe(ref v, i);
            Vector512.StoreUnsafe(square + grad, ref v, i);
            Vector512.StoreUnsafe(param + grad, ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block256(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector256.LoadUnsafe(ref g, i);
            var param = Vector256.LoadUnsafe(ref p, i);
            var square = Vector256.LoadUnsafe(ref v, i);
            Vector256.StoreUnsafe(square + grad, ref v, i);
            Vector256.StoreUnsafe(param + grad, ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Element(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            float grad = Unsafe.Add(ref g, i);
            Unsafe.Add(ref v, i) += grad;
            Unsafe.Add(ref p, i) += grad;
        }
    }

    private struct MemoryRoofCenteredMomentum : IBlock
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block512(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector512.LoadUnsafe(ref g, i);
            var param = Vector512.LoadUnsafe(ref p, i);
            var square = Vector512.LoadUnsafe(ref v, i);
            var average = Vector512.LoadUnsafe(ref m, i);
            var buffer = Vector512.LoadUnsafe(ref b, i);
            Vector512.StoreUnsafe(square + grad, ref v, i);
            Vector512.StoreUnsafe(average + grad, ref m, i);
            Vector512.StoreUnsafe(buffer + grad, ref b, i);
            Vector512.StoreUnsafe(param + grad, ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block256(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector256.LoadUnsafe(ref g, i);
            var param = Vector256.LoadUnsafe(ref p, i);
            var square = Vector256.LoadUnsafe(ref v, i);
            var average = Vector256.LoadUnsafe(ref m, i);
            var buffer = Vector256.LoadUnsafe(ref b, i);
            Vector256.StoreUnsafe(square + grad, ref v, i);
            Vector256.StoreUnsafe(average + grad, ref m, i);
            Vector256.StoreUnsafe(buffer + grad, ref b, i);
            Vector256.StoreUnsafe(param + grad, ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Element(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            float grad = Unsafe.Add(ref g, i);
            Unsafe.Add(ref v, i) += grad;
            Unsafe.Add(ref m, i) += grad;
            Unsafe.Add(ref b, i) += grad;
            Unsafe.Add(ref p, i) += grad;
        }
    }

    private struct ArithmeticRoofPlain : IBlock
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block512(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector512.LoadUnsafe(ref g, i);
            var param = Vector512.LoadUnsafe(ref p, i);
            var square = Vector512.LoadUnsafe(ref v, i);
            Vector512.StoreUnsafe(square, ref v, i);
            Vector512.StoreUnsafe(param + grad / Vector512.Sqrt(square), ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block256(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector256.LoadUnsafe(ref g, i);
            var param = Vector256.LoadUnsafe(ref p, i);
            var square = Vector256.LoadUnsafe(ref v, i);
            Vector256.StoreUnsafe(square, ref v, i);
            Vector256.StoreUnsafe(param + grad / Vector256.Sqrt(square), ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Element(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            float square = Unsafe.Add(ref v, i);
            Unsafe.Add(ref v, i) = square;
            Unsafe.Add(ref p, i) += Unsafe.Add(ref g, i) / MathF.Sqrt(square);
        }
    }

    private struct ArithmeticRoofCenteredMomentum : IBlock
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block512(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector512.LoadUnsafe(ref g, i);
            var param = Vector512.LoadUnsafe(ref p, i);
            var square = Vector512.LoadUnsafe(ref v, i);
            var average = Vector512.LoadUnsafe(ref m, i);
            var buffer = Vector512.LoadUnsafe(ref b, i);
            Vector512.StoreUnsafe(square, ref v, i);
            Vector512.StoreUnsafe(average, ref m, i);
            Vector512.StoreUnsafe(buffer, ref b, i);
            Vector512.StoreUnsafe(param + grad / Vector512.Sqrt(square), ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block256(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            var grad = Vector256.LoadUnsafe(ref g, i);
            var param = Vector256.LoadUnsafe(ref p, i);
            var square = Vector256.LoadUnsafe(ref v, i);
            var average = Vector256.LoadUnsafe(ref m, i);
            var buffer = Vector256.LoadUnsafe(ref b, i);
            Vector256.StoreUnsafe(square, ref v, i);
            Vector256.StoreUnsafe(average, ref m, i);
            Vector256.StoreUnsafe(buffer, ref b, i);
            Vector256.StoreUnsafe(param + grad / Vector256.Sqrt(square), ref p, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Element(ref float p, ref float g, ref float v, ref float m, ref float b, nuint i)
        {
            float square = Unsafe.Add(ref v, i);
            Unsafe.Add(ref v, i) = square;
            Unsafe.Add(ref m, i) = Unsafe.Add(ref m, i);
            Unsafe.Add(ref b, i) = Unsafe.Add(ref b, i);
            Unsafe.Add(ref p, i) += Unsafe.Add(ref g, i) / MathF.Sqrt(square);
        }
    }
}
