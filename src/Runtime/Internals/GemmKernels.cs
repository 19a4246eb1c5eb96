#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Gen.__Internals;

/// <summary>
/// <see cref="Gemm"/>'s micro-kernels, one per vector width: a tile of C in registers, one broadcast of op(A)'s
/// element and one multiply-add per accumulator for each depth, then <see cref="Gemm.Combine"/> lane by lane.
/// Written out register by register so the JIT keeps every accumulator in a register (generated from one
/// template: the widths differ only in tile size).
/// </summary>
internal static class GemmKernels
{
    /// <summary>The 8 × 32 tile at 512 bits: 16 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile512(int depths, ref float a, ref float b, ref float c, int ldc, float alpha, float beta, bool first)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int d = 0; d < depths; d++)
        {
            ref float rowB = ref Unsafe.Add(ref b, d * 32);
            Vector512<float> b0 = Vector512.LoadUnsafe(ref rowB, 0);
            Vector512<float> b1 = Vector512.LoadUnsafe(ref rowB, 16);
            ref float columnA = ref Unsafe.Add(ref a, d * 8);
            Vector512<float> a0 = Vector512.Create(Unsafe.Add(ref columnA, 0));
            c00 = FastMath.MultiplyAdd(a0, b0, c00);
            c01 = FastMath.MultiplyAdd(a0, b1, c01);
            Vector512<float> a1 = Vector512.Create(Unsafe.Add(ref columnA, 1));
            c10 = FastMath.MultiplyAdd(a1, b0, c10);
            c11 = FastMath.MultiplyAdd(a1, b1, c11);
            Vector512<float> a2 = Vector512.Create(Unsafe.Add(ref columnA, 2));
            c20 = FastMath.MultiplyAdd(a2, b0, c20);
            c21 = FastMath.MultiplyAdd(a2, b1, c21);
            Vector512<float> a3 = Vector512.Create(Unsafe.Add(ref columnA, 3));
            c30 = FastMath.MultiplyAdd(a3, b0, c30);
            c31 = FastMath.MultiplyAdd(a3, b1, c31);
            Vector512<float> a4 = Vector512.Create(Unsafe.Add(ref columnA, 4));
            c40 = FastMath.MultiplyAdd(a4, b0, c40);
            c41 = FastMath.MultiplyAdd(a4, b1, c41);
            Vector512<float> a5 = Vector512.Create(Unsafe.Add(ref columnA, 5));
            c50 = FastMath.MultiplyAdd(a5, b0, c50);
            c51 = FastMath.MultiplyAdd(a5, b1, c51);
            Vector512<float> a6 = Vector512.Create(Unsafe.Add(ref columnA, 6));
            c60 = FastMath.MultiplyAdd(a6, b0, c60);
            c61 = FastMath.MultiplyAdd(a6, b1, c61);
            Vector512<float> a7 = Vector512.Create(Unsafe.Add(ref columnA, 7));
            c70 = FastMath.MultiplyAdd(a7, b0, c70);
            c71 = FastMath.MultiplyAdd(a7, b1, c71);
        }

        Store(c00, ref c, (nuint)(0), alpha, beta, first);
        Store(c01, ref c, (nuint)(16), alpha, beta, first);
        Store(c10, ref c, (nuint)((1 * ldc) + 0), alpha, beta, first);
        Store(c11, ref c, (nuint)((1 * ldc) + 16), alpha, beta, first);
        Store(c20, ref c, (nuint)((2 * ldc) + 0), alpha, beta, first);
        Store(c21, ref c, (nuint)((2 * ldc) + 16), alpha, beta, first);
        Store(c30, ref c, (nuint)((3 * ldc) + 0), alpha, beta, first);
        Store(c31, ref c, (nuint)((3 * ldc) + 16), alpha, beta, first);
        Store(c40, ref c, (nuint)((4 * ldc) + 0), alpha, beta, first);
        Store(c41, ref c, (nuint)((4 * ldc) + 16), alpha, beta, first);
        Store(c50, ref c, (nuint)((5 * ldc) + 0), alpha, beta, first);
        Store(c51, ref c, (nuint)((5 * ldc) + 16), alpha, beta, first);
        Store(c60, ref c, (nuint)((6 * ldc) + 0), alpha, beta, first);
        Store(c61, ref c, (nuint)((6 * ldc) + 16), alpha, beta, first);
        Store(c70, ref c, (nuint)((7 * ldc) + 0), alpha, beta, first);
        Store(c71, ref c, (nuint)((7 * ldc) + 16), alpha, beta, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> accumulator, ref float c, nuint offset, float alpha, float beta, bool first)
    {
        Vector512<float> result = !first ? FastMath.MultiplyAdd(Vector512.Create(alpha), accumulator, Vector512.LoadUnsafe(ref c, offset))
            : beta == 0 ? Vector512.Create(alpha) * accumulator
            : FastMath.MultiplyAdd(Vector512.Create(beta), Vector512.LoadUnsafe(ref c, offset), Vector512.Create(alpha) * accumulator);
        result.StoreUnsafe(ref c, offset);
    }

    /// <summary>The 6 × 16 tile at 256 bits: 12 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile256(int depths, ref float a, ref float b, ref float c, int ldc, float alpha, float beta, bool first)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int d = 0; d < depths; d++)
        {
            ref float rowB = ref Unsafe.Add(ref b, d * 16);
            Vector256<float> b0 = Vector256.LoadUnsafe(ref rowB, 0);
            Vector256<float> b1 = Vector256.LoadUnsafe(ref rowB, 8);
            ref float columnA = ref Unsafe.Add(ref a, d * 6);
            Vector256<float> a0 = Vector256.Create(Unsafe.Add(ref columnA, 0));
            c00 = FastMath.MultiplyAdd(a0, b0, c00);
            c01 = FastMath.MultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(Unsafe.Add(ref columnA, 1));
            c10 = FastMath.MultiplyAdd(a1, b0, c10);
            c11 = FastMath.MultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(Unsafe.Add(ref columnA, 2));
            c20 = FastMath.MultiplyAdd(a2, b0, c20);
            c21 = FastMath.MultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(Unsafe.Add(ref columnA, 3));
            c30 = FastMath.MultiplyAdd(a3, b0, c30);
            c31 = FastMath.MultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(Unsafe.Add(ref columnA, 4));
            c40 = FastMath.MultiplyAdd(a4, b0, c40);
            c41 = FastMath.MultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(Unsafe.Add(ref columnA, 5));
            c50 = FastMath.MultiplyAdd(a5, b0, c50);
            c51 = FastMath.MultiplyAdd(a5, b1, c51);
        }

        Store(c00, ref c, (nuint)(0), alpha, beta, first);
        Store(c01, ref c, (nuint)(8), alpha, beta, first);
        Store(c10, ref c, (nuint)((1 * ldc) + 0), alpha, beta, first);
        Store(c11, ref c, (nuint)((1 * ldc) + 8), alpha, beta, first);
        Store(c20, ref c, (nuint)((2 * ldc) + 0), alpha, beta, first);
        Store(c21, ref c, (nuint)((2 * ldc) + 8), alpha, beta, first);
        Store(c30, ref c, (nuint)((3 * ldc) + 0), alpha, beta, first);
        Store(c31, ref c, (nuint)((3 * ldc) + 8), alpha, beta, first);
        Store(c40, ref c, (nuint)((4 * ldc) + 0), alpha, beta, first);
        Store(c41, ref c, (nuint)((4 * ldc) + 8), alpha, beta, first);
        Store(c50, ref c, (nuint)((5 * ldc) + 0), alpha, beta, first);
        Store(c51, ref c, (nuint)((5 * ldc) + 8), alpha, beta, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> accumulator, ref float c, nuint offset, float alpha, float beta, bool first)
    {
        Vector256<float> result = !first ? FastMath.MultiplyAdd(Vector256.Create(alpha), accumulator, Vector256.LoadUnsafe(ref c, offset))
            : beta == 0 ? Vector256.Create(alpha) * accumulator
            : FastMath.MultiplyAdd(Vector256.Create(beta), Vector256.LoadUnsafe(ref c, offset), Vector256.Create(alpha) * accumulator);
        result.StoreUnsafe(ref c, offset);
    }

    /// <summary>The 4 × 8 tile at 128 bits: 8 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile128(int depths, ref float a, ref float b, ref float c, int ldc, float alpha, float beta, bool first)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int d = 0; d < depths; d++)
        {
            ref float rowB = ref Unsafe.Add(ref b, d * 8);
            Vector128<float> b0 = Vector128.LoadUnsafe(ref rowB, 0);
            Vector128<float> b1 = Vector128.LoadUnsafe(ref rowB, 4);
            ref float columnA = ref Unsafe.Add(ref a, d * 4);
            Vector128<float> a0 = Vector128.Create(Unsafe.Add(ref columnA, 0));
            c00 = FastMath.MultiplyAdd(a0, b0, c00);
            c01 = FastMath.MultiplyAdd(a0, b1, c01);
            Vector128<float> a1 = Vector128.Create(Unsafe.Add(ref columnA, 1));
            c10 = FastMath.MultiplyAdd(a1, b0, c10);
            c11 = FastMath.MultiplyAdd(a1, b1, c11);
            Vector128<float> a2 = Vector128.Create(Unsafe.Add(ref columnA, 2));
            c20 = FastMath.MultiplyAdd(a2, b0, c20);
            c21 = FastMath.MultiplyAdd(a2, b1, c21);
            Vector128<float> a3 = Vector128.Create(Unsafe.Add(ref columnA, 3));
            c30 = FastMath.MultiplyAdd(a3, b0, c30);
            c31 = FastMath.MultiplyAdd(a3, b1, c31);
        }

        Store(c00, ref c, (nuint)(0), alpha, beta, first);
        Store(c01, ref c, (nuint)(4), alpha, beta, first);
        Store(c10, ref c, (nuint)((1 * ldc) + 0), alpha, beta, first);
        Store(c11, ref c, (nuint)((1 * ldc) + 4), alpha, beta, first);
        Store(c20, ref c, (nuint)((2 * ldc) + 0), alpha, beta, first);
        Store(c21, ref c, (nuint)((2 * ldc) + 4), alpha, beta, first);
        Store(c30, ref c, (nuint)((3 * ldc) + 0), alpha, beta, first);
        Store(c31, ref c, (nuint)((3 * ldc) + 4), alpha, beta, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<float> accumulator, ref float c, nuint offset, float alpha, float beta, bool first)
    {
        Vector128<float> result = !first ? FastMath.MultiplyAdd(Vector128.Create(alpha), accumulator, Vector128.LoadUnsafe(ref c, offset))
            : beta == 0 ? Vector128.Create(alpha) * accumulator
            : FastMath.MultiplyAdd(Vector128.Create(beta), Vector128.LoadUnsafe(ref c, offset), Vector128.Create(alpha) * accumulator);
        result.StoreUnsafe(ref c, offset);
    }
}
#endif
