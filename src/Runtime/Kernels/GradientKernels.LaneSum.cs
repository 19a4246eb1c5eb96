#if NET8_0_OR_GREATER
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen;

/// <content>The fixed-order sum behind <see cref="SumOfSquares(ReadOnlySpan{float})"/>.</content>
internal static partial class GradientKernels
{
    /// <summary>
    /// <c>Σ TTerm(x)</c> over the elements widened to double, in the order described on the class: element
    /// <c>i</c> into lane <c>i mod 32</c> in index order, then <see cref="FoldLanes"/>.
    /// </summary>
    /// <remarks>
    /// Whole blocks of 32 elements go through the widest accelerated width only, which holds the 32 lanes in
    /// four 512-bit, eight 256-bit or sixteen 128-bit registers (so the block is that width's unrolled loop).
    /// The last <c>length mod 32</c> elements continue the pattern, element <c>i + j</c> into lane <c>j</c>:
    /// one register at a time at each width, adding to the lanes in memory, then single elements. Each lane
    /// receives the same additions in the same order whatever the path.
    /// </remarks>
    private static double SumInLanes<T, TTerm>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : IUnaryOperator<double>
    {
        ref T x = ref MemoryMarshal.GetReference(values);
        nuint length = (nuint)values.Length;
        nuint i = 0;
        Span<double> lanes = stackalloc double[SumLanes];
        lanes.Clear();
        ref double lane = ref MemoryMarshal.GetReference(lanes);

        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> a0 = Vector512<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i + SumLanes <= length; i += SumLanes)
            {
                a0 += TTerm.Invoke(LoadWidened512(ref x, i));
                a1 += TTerm.Invoke(LoadWidened512(ref x, i + 8));
                a2 += TTerm.Invoke(LoadWidened512(ref x, i + 16));
                a3 += TTerm.Invoke(LoadWidened512(ref x, i + 24));
            }

            Vector512.StoreUnsafe(a0, ref lane, 0);
            Vector512.StoreUnsafe(a1, ref lane, 8);
            Vector512.StoreUnsafe(a2, ref lane, 16);
            Vector512.StoreUnsafe(a3, ref lane, 24);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (; i + SumLanes <= length; i += SumLanes)
            {
                a0 += TTerm.Invoke(LoadWidened256(ref x, i));
                a1 += TTerm.Invoke(LoadWidened256(ref x, i + 4));
                a2 += TTerm.Invoke(LoadWidened256(ref x, i + 8));
                a3 += TTerm.Invoke(LoadWidened256(ref x, i + 12));
                a4 += TTerm.Invoke(LoadWidened256(ref x, i + 16));
                a5 += TTerm.Invoke(LoadWidened256(ref x, i + 20));
                a6 += TTerm.Invoke(LoadWidened256(ref x, i + 24));
                a7 += TTerm.Invoke(LoadWidened256(ref x, i + 28));
            }

            Vector256.StoreUnsafe(a0, ref lane, 0);
            Vector256.StoreUnsafe(a1, ref lane, 4);
            Vector256.StoreUnsafe(a2, ref lane, 8);
            Vector256.StoreUnsafe(a3, ref lane, 12);
            Vector256.StoreUnsafe(a4, ref lane, 16);
            Vector256.StoreUnsafe(a5, ref lane, 20);
            Vector256.StoreUnsafe(a6, ref lane, 24);
            Vector256.StoreUnsafe(a7, ref lane, 28);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<double> a0 = Vector128<double>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            Vector128<double> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
            for (; i + SumLanes <= length; i += SumLanes)
            {
                a0 += TTerm.Invoke(LoadWidened128(ref x, i));
                a1 += TTerm.Invoke(LoadWidened128(ref x, i + 2));
                a2 += TTerm.Invoke(LoadWidened128(ref x, i + 4));
                a3 += TTerm.Invoke(LoadWidened128(ref x, i + 6));
                a4 += TTerm.Invoke(LoadWidened128(ref x, i + 8));
                a5 += TTerm.Invoke(LoadWidened128(ref x, i + 10));
                a6 += TTerm.Invoke(LoadWidened128(ref x, i + 12));
                a7 += TTerm.Invoke(LoadWidened128(ref x, i + 14));
                a8 += TTerm.Invoke(LoadWidened128(ref x, i + 16));
                a9 += TTerm.Invoke(LoadWidened128(ref x, i + 18));
                a10 += TTerm.Invoke(LoadWidened128(ref x, i + 20));
                a11 += TTerm.Invoke(LoadWidened128(ref x, i + 22));
                a12 += TTerm.Invoke(LoadWidened128(ref x, i + 24));
                a13 += TTerm.Invoke(LoadWidened128(ref x, i + 26));
                a14 += TTerm.Invoke(LoadWidened128(ref x, i + 28));
                a15 += TTerm.Invoke(LoadWidened128(ref x, i + 30));
            }

            Vector128.StoreUnsafe(a0, ref lane, 0);
            Vector128.StoreUnsafe(a1, ref lane, 2);
            Vector128.StoreUnsafe(a2, ref lane, 4);
            Vector128.StoreUnsafe(a3, ref lane, 6);
            Vector128.StoreUnsafe(a4, ref lane, 8);
            Vector128.StoreUnsafe(a5, ref lane, 10);
            Vector128.StoreUnsafe(a6, ref lane, 12);
            Vector128.StoreUnsafe(a7, ref lane, 14);
            Vector128.StoreUnsafe(a8, ref lane, 16);
            Vector128.StoreUnsafe(a9, ref lane, 18);
            Vector128.StoreUnsafe(a10, ref lane, 20);
            Vector128.StoreUnsafe(a11, ref lane, 22);
            Vector128.StoreUnsafe(a12, ref lane, 24);
            Vector128.StoreUnsafe(a13, ref lane, 26);
            Vector128.StoreUnsafe(a14, ref lane, 28);
            Vector128.StoreUnsafe(a15, ref lane, 30);
        }

        // Fewer than 32 elements are left after a vector block loop; without one, the single-element loop
        // below takes them all, wrapping round the lanes.
        ref T rest = ref Unsafe.Add(ref x, i);
        nuint count = length - i;
        nuint j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 8 <= count; j += 8)
            {
                Vector512.StoreUnsafe(Vector512.LoadUnsafe(ref lane, j) + TTerm.Invoke(LoadWidened512(ref rest, j)), ref lane, j);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 4 <= count; j += 4)
            {
                Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref lane, j) + TTerm.Invoke(LoadWidened256(ref rest, j)), ref lane, j);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; j + 2 <= count; j += 2)
            {
                Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref lane, j) + TTerm.Invoke(LoadWidened128(ref rest, j)), ref lane, j);
            }
        }

        for (; j < count; j++)
        {
            Unsafe.Add(ref lane, j % SumLanes) += TTerm.Invoke(double.CreateTruncating(Unsafe.Add(ref rest, j)));
        }

        return FoldLanes(lanes);
    }

    /// <summary>Eight elements from <paramref name="i"/>, widened to double (exactly) when they are floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> LoadWidened512<T>(ref T x, nuint i)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.WidenLower(Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref x), i).ToVector512Unsafe());
        }

        return Vector512.LoadUnsafe(ref Unsafe.As<T, double>(ref x), i);
    }

    /// <summary>Four elements from <paramref name="i"/>, widened to double when they are floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LoadWidened256<T>(ref T x, nuint i)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.WidenLower(Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref x), i).ToVector256Unsafe());
        }

        return Vector256.LoadUnsafe(ref Unsafe.As<T, double>(ref x), i);
    }

    /// <summary>Two elements from <paramref name="i"/>, widened to double when they are floats (one 64-bit load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> LoadWidened128<T>(ref T x, nuint i)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            ulong pair = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref x, i)));
            return Vector128.WidenLower(Vector128.CreateScalarUnsafe(pair).AsSingle());
        }

        return Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref x), i);
    }

    /// <summary><c>x²</c>.</summary>
    private readonly struct SquareOperator : IUnaryOperator<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Invoke(Vector512<double> x) => x * x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Invoke(Vector256<double> x) => x * x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<double> Invoke(Vector128<double> x) => x * x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Invoke(double x) => x * x;
    }
}
#endif
