#if NET8_0_OR_GREATER
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Gen.__Internals;

/// <content>
/// The .NET 8 build's paths (<see cref="CodeSearch"/> describes the two searches). At 512 bits the binary
/// search: step <c>k</c> compares with one of <c>2^k</c> candidates, picked by the <c>k</c> answers so far,
/// and all 255 sit in 19 registers, picked with <c>vpermps</c> (up to 16 candidates) and <c>vpermt2ps</c>
/// (32), the last two steps choosing between register pairs with the first answers: no memory access but
/// the element loads (1.0–1.2 G elements/s on Zen 4, where the bucket search with 256-bit gathers made
/// 0.7–0.9). AVX2 has only the 8-entry <c>vpermps</c>, so the 256- and 128-bit paths search by bucket with
/// two gathers. Without AVX2 (and on Arm) the search is scalar, by bucket.
/// </content>
public static partial class BlockwiseQuantization
{
    private static float AbsMaxIntrinsics(ReadOnlySpan<float> values)
    {
        ref int x = ref Unsafe.As<float, int>(ref MemoryMarshal.GetReference(values));
        nuint length = (nuint)values.Length;
        nuint i = 0;
        int max = 0;
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<int>.Count)
        {
            Vector512<int> magnitudeMask = Vector512.Create(int.MaxValue);
            Vector512<int> infinity = Vector512.Create(PositiveInfinityBits);
            Vector512<int> vectorMax = Vector512<int>.Zero;
            for (; i + (nuint)Vector512<int>.Count <= length; i += (nuint)Vector512<int>.Count)
            {
                Vector512<int> magnitude = Vector512.LoadUnsafe(ref x, i) & magnitudeMask;
                vectorMax = Vector512.Max(vectorMax, Vector512.ConditionalSelect(Vector512.LessThanOrEqual(magnitude, infinity), magnitude, Vector512<int>.Zero));
            }

            max = Max(Vector256.Max(vectorMax.GetLower(), vectorMax.GetUpper()));
        }
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<int>.Count)
        {
            Vector256<int> magnitudeMask = Vector256.Create(int.MaxValue);
            Vector256<int> infinity = Vector256.Create(PositiveInfinityBits);
            Vector256<int> vectorMax = Vector256<int>.Zero;
            for (; i + (nuint)Vector256<int>.Count <= length; i += (nuint)Vector256<int>.Count)
            {
                Vector256<int> magnitude = Vector256.LoadUnsafe(ref x, i) & magnitudeMask;
                vectorMax = Vector256.Max(vectorMax, Vector256.ConditionalSelect(Vector256.LessThanOrEqual(magnitude, infinity), magnitude, Vector256<int>.Zero));
            }

            max = Max(vectorMax);
        }
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<int>.Count)
        {
            Vector128<int> magnitudeMask = Vector128.Create(int.MaxValue);
            Vector128<int> infinity = Vector128.Create(PositiveInfinityBits);
            Vector128<int> vectorMax = Vector128<int>.Zero;
            for (; i + (nuint)Vector128<int>.Count <= length; i += (nuint)Vector128<int>.Count)
            {
                Vector128<int> magnitude = Vector128.LoadUnsafe(ref x, i) & magnitudeMask;
                vectorMax = Vector128.Max(vectorMax, Vector128.ConditionalSelect(Vector128.LessThanOrEqual(magnitude, infinity), magnitude, Vector128<int>.Zero));
            }

            max = Max(vectorMax);
        }

        for (; i < length; i++)
        {
            int magnitude = Unsafe.Add(ref x, i) & int.MaxValue;
            if (magnitude <= PositiveInfinityBits && magnitude > max)
            {
                max = magnitude;
            }
        }

        return BitConverter.Int32BitsToSingle(max);
    }

    private static int Max(Vector256<int> v) => Max(Vector128.Max(v.GetLower(), v.GetUpper()));

    private static int Max(Vector128<int> v) =>
        Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));

    private static void SearchIntrinsics(ReadOnlySpan<float> values, float inverse, Span<byte> codes, CodeSearch search)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            Search512(values, inverse, codes, search);
        }
        else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
        {
            Search256(values, inverse, codes, search);
        }
        else if (Vector128.IsHardwareAccelerated && Avx2.IsSupported)
        {
            Search128(values, inverse, codes, search);
        }
        else
        {
            SearchScalar(values, inverse, codes, search, 0);
        }
    }

    /// <summary>The binary search, 16 elements per register, every candidate in a register (AVX-512F).</summary>
    internal static void Search512(ReadOnlySpan<float> values, float inverse, Span<byte> codes, CodeSearch search)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        ref byte code = ref MemoryMarshal.GetReference(codes);
        ref float t = ref MemoryMarshal.GetArrayDataReference(search.Tree);
        int length = values.Length;
        int i = 0;
        if (length >= 16)
        {
            Vector512<float> scale = Vector512.Create(inverse);
            Vector512<float> step0 = Vector512.Create(t);
            Vector512<float> step1 = Vector512.LoadUnsafe(ref t, 1);
            Vector512<float> step2 = Vector512.LoadUnsafe(ref t, 3);
            Vector512<float> step3 = Vector512.LoadUnsafe(ref t, 7);
            Vector512<float> step4 = Vector512.LoadUnsafe(ref t, 15);
            Vector512<float> step5a = Vector512.LoadUnsafe(ref t, 31), step5b = Vector512.LoadUnsafe(ref t, 47);
            Vector512<float> step6a = Vector512.LoadUnsafe(ref t, 63), step6b = Vector512.LoadUnsafe(ref t, 79);
            Vector512<float> step6c = Vector512.LoadUnsafe(ref t, 95), step6d = Vector512.LoadUnsafe(ref t, 111);
            Vector512<float> step7a = Vector512.LoadUnsafe(ref t, 127), step7b = Vector512.LoadUnsafe(ref t, 143);
            Vector512<float> step7c = Vector512.LoadUnsafe(ref t, 159), step7d = Vector512.LoadUnsafe(ref t, 175);
            Vector512<float> step7e = Vector512.LoadUnsafe(ref t, 191), step7f = Vector512.LoadUnsafe(ref t, 207);
            Vector512<float> step7g = Vector512.LoadUnsafe(ref t, 223), step7h = Vector512.LoadUnsafe(ref t, 239);
            for (; i + 16 <= length; i += 16)
            {
                Vector512<int> c = Search(Vector512.LoadUnsafe(ref x, (nuint)i) * scale,
                    step0, step1, step2, step3, step4, step5a, step5b, step6a, step6b, step6c, step6d,
                    step7a, step7b, step7c, step7d, step7e, step7f, step7g, step7h);
                Avx512F.ConvertToVector128Byte(c).StoreUnsafe(ref code, (nuint)i);
            }
        }

        SearchScalar(values, inverse, codes, search, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<int> Search(
            Vector512<float> v, Vector512<float> step0, Vector512<float> step1, Vector512<float> step2,
            Vector512<float> step3, Vector512<float> step4, Vector512<float> step5a, Vector512<float> step5b,
            Vector512<float> step6a, Vector512<float> step6b, Vector512<float> step6c, Vector512<float> step6d,
            Vector512<float> step7a, Vector512<float> step7b, Vector512<float> step7c, Vector512<float> step7d,
            Vector512<float> step7e, Vector512<float> step7f, Vector512<float> step7g, Vector512<float> step7h)
        {
            // c = 2c + [v ≥ candidate]; the first two answers are kept as masks for the last steps' choices.
            Vector512<int> first = Vector512.GreaterThanOrEqual(v, step0).AsInt32();
            Vector512<int> c = -first;
            Vector512<int> second = Vector512.GreaterThanOrEqual(v, Avx512F.PermuteVar16x32(step1, c)).AsInt32();
            c = c + c - second;
            c = Next(c, v, Avx512F.PermuteVar16x32(step2, c));
            c = Next(c, v, Avx512F.PermuteVar16x32(step3, c));
            c = Next(c, v, Avx512F.PermuteVar16x32(step4, c));
            c = Next(c, v, Avx512F.PermuteVar16x32x2(step5a, c, step5b));

            // 64 candidates: vpermt2ps reads c's low 5 bits; bit 5 is the first answer.
            Vector512<float> candidate6 = Vector512.ConditionalSelect(
                first.AsSingle(),
                Avx512F.PermuteVar16x32x2(step6c, c, step6d),
                Avx512F.PermuteVar16x32x2(step6a, c, step6b));
            c = Next(c, v, candidate6);

            // 128 candidates: bit 6 of c is the first answer, bit 5 the second.
            Vector512<float> low = Vector512.ConditionalSelect(
                second.AsSingle(),
                Avx512F.PermuteVar16x32x2(step7c, c, step7d),
                Avx512F.PermuteVar16x32x2(step7a, c, step7b));
            Vector512<float> high = Vector512.ConditionalSelect(
                second.AsSingle(),
                Avx512F.PermuteVar16x32x2(step7g, c, step7h),
                Avx512F.PermuteVar16x32x2(step7e, c, step7f));
            return Next(c, v, Vector512.ConditionalSelect(first.AsSingle(), high, low));
        }
    }

    /// <summary>One step of the search: <c>2c + [v ≥ candidate]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Next(Vector512<int> c, Vector512<float> v, Vector512<float> candidate)
    {
        Vector512<int> twice = c + c;
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, candidate).AsInt32(), twice + Vector512<int>.One, twice);
    }

    /// <summary>The bucket search, 8 elements per register, two gathers (AVX2).</summary>
    internal static unsafe void Search256(ReadOnlySpan<float> values, float inverse, Span<byte> codes, CodeSearch search)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        ref byte code = ref MemoryMarshal.GetReference(codes);
        int length = values.Length;
        int i = 0;
        fixed (byte* buckets = search.Buckets)
        fixed (float* thresholds = search.Thresholds)
        {
            Vector256<float> scale = Vector256.Create(inverse);
            for (; i + 16 <= length; i += 16)
            {
                Vector256<uint> lower = Search(Vector256.LoadUnsafe(ref x, (nuint)i) * scale, buckets, thresholds);
                Vector256<uint> upper = Search(Vector256.LoadUnsafe(ref x, (nuint)(i + 8)) * scale, buckets, thresholds);
                Vector128<ushort> halves = Vector128.Narrow(lower.GetLower(), lower.GetUpper());
                Vector128.Narrow(halves, Vector128.Narrow(upper.GetLower(), upper.GetUpper())).StoreUnsafe(ref code, (nuint)i);
            }
        }

        SearchScalar(values, inverse, codes, search, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<uint> Search(Vector256<float> v, byte* buckets, float* thresholds)
        {
            // CodeSearch.IndexOf on 8 lanes; the bucket byte is gathered as the low byte of 4.
            Vector256<int> bits = v.AsInt32();
            Vector256<int> key = Vector256.Min(
                Vector256.Max(Vector256.ShiftRightLogical(bits & Vector256.Create(int.MaxValue), CodeSearch.KeyShift), Vector256.Create(CodeSearch.LowestKey)),
                Vector256.Create(CodeSearch.HighestKey));
            Vector256<int> bucket = key - Vector256.Create(CodeSearch.LowestKey)
                + (Vector256.ShiftRightArithmetic(bits, 31) & Vector256.Create(CodeSearch.BucketsPerSign));
            Vector256<int> below = Avx2.GatherVector256((int*)buckets, bucket, 1) & Vector256.Create(0xFF);
            Vector256<int> count = below - Vector256.GreaterThanOrEqual(v, Avx2.GatherVector256(thresholds, below, 4)).AsInt32();
            return (count & Vector256.Equals(v, v).AsInt32()).AsUInt32();
        }
    }

    /// <summary>The bucket search, 4 elements per register, two gathers (AVX2).</summary>
    internal static unsafe void Search128(ReadOnlySpan<float> values, float inverse, Span<byte> codes, CodeSearch search)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        ref byte code = ref MemoryMarshal.GetReference(codes);
        int length = values.Length;
        int i = 0;
        fixed (byte* buckets = search.Buckets)
        fixed (float* thresholds = search.Thresholds)
        {
            Vector128<float> scale = Vector128.Create(inverse);
            for (; i + 16 <= length; i += 16)
            {
                Vector128<ushort> lower = Vector128.Narrow(
                    Search(Vector128.LoadUnsafe(ref x, (nuint)i) * scale, buckets, thresholds),
                    Search(Vector128.LoadUnsafe(ref x, (nuint)(i + 4)) * scale, buckets, thresholds));
                Vector128<ushort> upper = Vector128.Narrow(
                    Search(Vector128.LoadUnsafe(ref x, (nuint)(i + 8)) * scale, buckets, thresholds),
                    Search(Vector128.LoadUnsafe(ref x, (nuint)(i + 12)) * scale, buckets, thresholds));
                Vector128.Narrow(lower, upper).StoreUnsafe(ref code, (nuint)i);
            }
        }

        SearchScalar(values, inverse, codes, search, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<uint> Search(Vector128<float> v, byte* buckets, float* thresholds)
        {
            Vector128<int> bits = v.AsInt32();
            Vector128<int> key = Vector128.Min(
                Vector128.Max(Vector128.ShiftRightLogical(bits & Vector128.Create(int.MaxValue), CodeSearch.KeyShift), Vector128.Create(CodeSearch.LowestKey)),
                Vector128.Create(CodeSearch.HighestKey));
            Vector128<int> bucket = key - Vector128.Create(CodeSearch.LowestKey)
                + (Vector128.ShiftRightArithmetic(bits, 31) & Vector128.Create(CodeSearch.BucketsPerSign));
            Vector128<int> below = Avx2.GatherVector128((int*)buckets, bucket, 1) & Vector128.Create(0xFF);
            Vector128<int> count = below - Vector128.GreaterThanOrEqual(v, Avx2.GatherVector128(thresholds, below, 4)).AsInt32();
            return (count & Vector128.Equals(v, v).AsInt32()).AsUInt32();
        }
    }

    private static void LookUpIntrinsics(ReadOnlySpan<byte> codes, float absmax, Span<float> values, float[] table)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            LookUp512(codes, absmax, values, table);
        }
        else
        {
            LookUpScalar(codes, absmax, values, table, 0);
        }
    }

    /// <summary>Dequantization, 16 elements per register, the table in 16 registers (AVX-512F).</summary>
    internal static void LookUp512(ReadOnlySpan<byte> codes, float absmax, Span<float> values, float[] table)
    {
        ref byte code = ref MemoryMarshal.GetReference(codes);
        ref float y = ref MemoryMarshal.GetReference(values);
        ref float c = ref MemoryMarshal.GetArrayDataReference(table);
        int length = values.Length;
        int i = 0;
        if (length >= 16)
        {
            Vector512<float> scale = Vector512.Create(absmax);
            Vector512<float> t0 = Vector512.LoadUnsafe(ref c, 0), t1 = Vector512.LoadUnsafe(ref c, 16);
            Vector512<float> t2 = Vector512.LoadUnsafe(ref c, 32), t3 = Vector512.LoadUnsafe(ref c, 48);
            Vector512<float> t4 = Vector512.LoadUnsafe(ref c, 64), t5 = Vector512.LoadUnsafe(ref c, 80);
            Vector512<float> t6 = Vector512.LoadUnsafe(ref c, 96), t7 = Vector512.LoadUnsafe(ref c, 112);
            Vector512<float> t8 = Vector512.LoadUnsafe(ref c, 128), t9 = Vector512.LoadUnsafe(ref c, 144);
            Vector512<float> t10 = Vector512.LoadUnsafe(ref c, 160), t11 = Vector512.LoadUnsafe(ref c, 176);
            Vector512<float> t12 = Vector512.LoadUnsafe(ref c, 192), t13 = Vector512.LoadUnsafe(ref c, 208);
            Vector512<float> t14 = Vector512.LoadUnsafe(ref c, 224), t15 = Vector512.LoadUnsafe(ref c, 240);
            Vector512<int> bit5 = Vector512.Create(32), bit6 = Vector512.Create(64), bit7 = Vector512.Create(128);
            for (; i + 16 <= length; i += 16)
            {
                Vector512<int> index = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref code, (nuint)i));

                // vpermt2ps picks from 32 entries by the index's low 5 bits; bits 5, 6 and 7 choose the pair.
                Vector512<float> high5 = Vector512.Equals(index & bit5, bit5).AsSingle();
                Vector512<float> high6 = Vector512.Equals(index & bit6, bit6).AsSingle();
                Vector512<float> quarter0 = Vector512.ConditionalSelect(high5, Avx512F.PermuteVar16x32x2(t2, index, t3), Avx512F.PermuteVar16x32x2(t0, index, t1));
                Vector512<float> quarter1 = Vector512.ConditionalSelect(high5, Avx512F.PermuteVar16x32x2(t6, index, t7), Avx512F.PermuteVar16x32x2(t4, index, t5));
                Vector512<float> quarter2 = Vector512.ConditionalSelect(high5, Avx512F.PermuteVar16x32x2(t10, index, t11), Avx512F.PermuteVar16x32x2(t8, index, t9));
                Vector512<float> quarter3 = Vector512.ConditionalSelect(high5, Avx512F.PermuteVar16x32x2(t14, index, t15), Avx512F.PermuteVar16x32x2(t12, index, t13));
                Vector512<float> half0 = Vector512.ConditionalSelect(high6, quarter1, quarter0);
                Vector512<float> half1 = Vector512.ConditionalSelect(high6, quarter3, quarter2);
                Vector512<float> entry = Vector512.ConditionalSelect(Vector512.Equals(index & bit7, bit7).AsSingle(), half1, half0);
                (entry * scale).StoreUnsafe(ref y, (nuint)i);
            }
        }

        LookUpScalar(codes, absmax, values, table, i);
    }
}
#endif
