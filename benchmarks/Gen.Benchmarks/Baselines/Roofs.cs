using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen.Benchmarks.Baselines;

/// <summary>
/// Hand-written kernels that bound what an exact step can reach, for any optimizer, given how many
/// streams its update only reads (the gradient) and how many it reads and writes (the parameter and
/// each state buffer; <see cref="Traffic"/>).
/// <list type="bullet">
/// <item><b>Memory roof</b>: the same loads and stores per element as the real update, and only adds
/// (every read-write stream gets the sum of the read-only ones). Generated ÷ memory roof says how close
/// a kernel is to the bandwidth limit.</item>
/// <item><b>Arithmetic roof</b> (RMSProp): the same loads and stores, and per element only what no
/// exact RMSProp kernel can avoid: one square root and one division (p ← p + g/√v; the other
/// buffers are stored back unchanged). Generated ÷ arithmetic roof says how close it is to the
/// divider limit, which is what bounds in-cache sizes.</item>
/// <item><b>Read roof</b>: one stream read once, one XOR per register (<see cref="Read"/>): the least
/// any pass that must read every gradient, such as the non-finite check, can cost.</item>
/// </list>
/// The memory and arithmetic roofs run in either of two loop shapes (<see cref="RoofShape"/>): the
/// generated kernels' (a ×4 main loop staged as the emitter stages it: each statement for the four
/// registers before the next, each state buffer stored as soon as its new value is ready, p last), or
/// every load of the four registers first, then every store. Which is faster depends on where the
/// arrays lie (a load that matches an earlier store to another stream in its low 12 bits waits for it),
/// so the benchmarks time both and take the faster as the roof. Then one register at a time at each
/// narrower width, then single elements; refs and nuint offsets, no bounds checks. One generic body
/// serves every width, shape and stream count: they are type arguments, so the JIT compiles each
/// combination on its own, with the unused streams' code folded away. A stream is a float array of any
/// rank, so a roof runs on a model's own arrays (<see cref="Elements"/>).
/// </summary>
/// <summary>The order of a roof's ×4 main loop (<see cref="Roofs"/>).</summary>
public enum RoofShape
{
    /// <summary>As the generated kernels: the gradient and p loaded, then each state buffer loaded, changed and stored in turn, p stored last.</summary>
    Staged,

    /// <summary>Every stream's registers loaded, then the math, then every store, p last.</summary>
    LoadsFirst,
}

public static class Roofs
{
    /// <summary>Most read-only and read-write streams a roof supports.</summary>
    public const int MaxReadOnly = 2;

    public const int MaxReadWrite = 4;

    /// <summary>
    /// The memory roof over elements [start, start + count) of every stream: each of
    /// <paramref name="readWrite"/> gets the sum of <paramref name="readOnly"/> added.
    /// </summary>
    public static void Memory(Array[] readOnly, Array[] readWrite, int start, int count, RoofShape shape)
    {
        if (shape == RoofShape.Staged)
        {
            Dispatch<Adds, StagedShape>(readOnly, readWrite, start, count);
        }
        else
        {
            Dispatch<Adds, LoadsFirstShape>(readOnly, readWrite, start, count);
        }
    }

    /// <summary>
    /// The arithmetic roof over elements [start, start + count): readWrite[0] (p) gets
    /// readOnly[0] / √readWrite[1] added (g/√v); every other stream is loaded and stored back unchanged.
    /// </summary>
    public static void Arithmetic(Array[] readOnly, Array[] readWrite, int start, int count, RoofShape shape)
    {
        if (readOnly.Length != 1 || readWrite.Length < 2)
        {
            throw new ArgumentException("The arithmetic roof reads one gradient and updates p from v: one read-only and at least two read-write streams.");
        }

        if (shape == RoofShape.Staged)
        {
            Dispatch<RootAndDivide, StagedShape>(readOnly, readWrite, start, count);
        }
        else
        {
            Dispatch<RootAndDivide, LoadsFirstShape>(readOnly, readWrite, start, count);
        }
    }

    /// <summary>
    /// The read roof over one stream: every element loaded once and its bit pattern XORed into four
    /// registers of the widest accelerated width, then one register at a time at each narrower width,
    /// then single elements. Returns the XOR of every element's bits, so no load can be dropped and
    /// <see cref="Verification"/> can tell that each element was read. Written out per width rather than
    /// through <see cref="IWidth{TVector}"/>: the generic form measured 3–4 % slower on the small MLP's
    /// arrays (BenchmarkDotNet medians, two variants), and a roof must be the fastest loop there is.
    /// </summary>
    public static int Read(ReadOnlySpan<float> stream)
    {
        ref int x = ref Unsafe.As<float, int>(ref MemoryMarshal.GetReference(stream));
        nuint length = (nuint)stream.Length;
        nuint i = 0;
        int bits = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector512<int>.Count;
            Vector512<int> x0 = Vector512<int>.Zero, x1 = x0, x2 = x0, x3 = x0;
            for (; i + 4 * w <= length; i += 4 * w)
            {
                x0 ^= Vector512.LoadUnsafe(ref x, i);
                x1 ^= Vector512.LoadUnsafe(ref x, i + w);
                x2 ^= Vector512.LoadUnsafe(ref x, i + 2 * w);
                x3 ^= Vector512.LoadUnsafe(ref x, i + 3 * w);
            }

            for (; i + w <= length; i += w)
            {
                x0 ^= Vector512.LoadUnsafe(ref x, i);
            }

            bits ^= Fold((x0 ^ x1) ^ (x2 ^ x3));
        }

        if (Vector256.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector256<int>.Count;
            Vector256<int> x0 = Vector256<int>.Zero, x1 = x0, x2 = x0, x3 = x0;
            if (!Vector512.IsHardwareAccelerated)
            {
                for (; i + 4 * w <= length; i += 4 * w)
                {
                    x0 ^= Vector256.LoadUnsafe(ref x, i);
                    x1 ^= Vector256.LoadUnsafe(ref x, i + w);
                    x2 ^= Vector256.LoadUnsafe(ref x, i + 2 * w);
                    x3 ^= Vector256.LoadUnsafe(ref x, i + 3 * w);
                }
            }

            for (; i + w <= length; i += w)
            {
                x0 ^= Vector256.LoadUnsafe(ref x, i);
            }

            bits ^= Fold((x0 ^ x1) ^ (x2 ^ x3));
        }

        if (Vector128.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector128<int>.Count;
            Vector128<int> x0 = Vector128<int>.Zero, x1 = x0, x2 = x0, x3 = x0;
            if (!Vector256.IsHardwareAccelerated)
            {
                for (; i + 4 * w <= length; i += 4 * w)
                {
                    x0 ^= Vector128.LoadUnsafe(ref x, i);
                    x1 ^= Vector128.LoadUnsafe(ref x, i + w);
                    x2 ^= Vector128.LoadUnsafe(ref x, i + 2 * w);
                    x3 ^= Vector128.LoadUnsafe(ref x, i + 3 * w);
                }
            }

            for (; i + w <= length; i += w)
            {
                x0 ^= Vector128.LoadUnsafe(ref x, i);
            }

            bits ^= Fold((x0 ^ x1) ^ (x2 ^ x3));
        }

        for (; i < length; i++)
        {
            bits ^= Unsafe.Add(ref x, i);
        }

        return bits;
    }

    private static int Fold(Vector512<int> lanes) => Fold(lanes.GetLower() ^ lanes.GetUpper());

    private static int Fold(Vector256<int> lanes) => Fold(lanes.GetLower() ^ lanes.GetUpper());

    private static int Fold(Vector128<int> lanes) => lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];

    private static void Dispatch<TMath, TShape>(Array[] readOnly, Array[] readWrite, int start, int count)
        where TMath : struct, IMath
        where TShape : struct, IShape
    {
        switch (readOnly.Length, readWrite.Length)
        {
            case (1, 1): Run<TMath, TShape, One, One>(readOnly, readWrite, start, count); break;
            case (1, 2): Run<TMath, TShape, One, Two>(readOnly, readWrite, start, count); break;
            case (1, 3): Run<TMath, TShape, One, Three>(readOnly, readWrite, start, count); break;
            case (1, 4): Run<TMath, TShape, One, Four>(readOnly, readWrite, start, count); break;
            case (2, 1): Run<TMath, TShape, Two, One>(readOnly, readWrite, start, count); break;
            case (2, 2): Run<TMath, TShape, Two, Two>(readOnly, readWrite, start, count); break;
            case (2, 3): Run<TMath, TShape, Two, Three>(readOnly, readWrite, start, count); break;
            case (2, 4): Run<TMath, TShape, Two, Four>(readOnly, readWrite, start, count); break;
            default: throw new ArgumentException($"A roof has 1 to {MaxReadOnly} read-only and 1 to {MaxReadWrite} read-write streams.");
        }
    }

    /// <remarks>
    /// Fully optimized at its first call, as the generated kernels it bounds are. <see cref="Read"/> is
    /// not: it bounds the runtime's non-finite check, which tiers like any runtime code.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TMath, TShape, TReadOnly, TReadWrite>(Array[] readOnly, Array[] readWrite, int start, int count)
        where TMath : struct, IMath
        where TShape : struct, IShape
        where TReadOnly : struct, ICount
        where TReadWrite : struct, ICount
    {
        foreach (Array stream in readOnly)
        {
            CheckRange(stream, start, count);
        }

        foreach (Array stream in readWrite)
        {
            CheckRange(stream, start, count);
        }

        // Streams beyond the counts alias the first one; the code that would touch them is folded away.
        ref float g0 = ref At(readOnly[0], start);
        ref float g1 = ref At(readOnly[TReadOnly.Value > 1 ? 1 : 0], start);
        ref float r0 = ref At(readWrite[0], start);
        ref float r1 = ref At(readWrite[TReadWrite.Value > 1 ? 1 : 0], start);
        ref float r2 = ref At(readWrite[TReadWrite.Value > 2 ? 2 : 0], start);
        ref float r3 = ref At(readWrite[TReadWrite.Value > 3 ? 3 : 0], start);
        nuint length = (nuint)count;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = TShape.LoadsFirst
                ? UnrolledLoadsFirst<Width512, Vector512<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length)
                : Unrolled<Width512, Vector512<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
            i = OneAtATime<Width512, Vector512<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            if (!Vector512.IsHardwareAccelerated)
            {
                i = TShape.LoadsFirst
                    ? UnrolledLoadsFirst<Width256, Vector256<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length)
                    : Unrolled<Width256, Vector256<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
            }

            i = OneAtATime<Width256, Vector256<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            if (!Vector256.IsHardwareAccelerated)
            {
                i = TShape.LoadsFirst
                    ? UnrolledLoadsFirst<Width128, Vector128<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length)
                    : Unrolled<Width128, Vector128<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
            }

            i = OneAtATime<Width128, Vector128<float>, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
        }

        OneAtATime<Scalar, float, TMath, TReadOnly, TReadWrite>(ref g0, ref g1, ref r0, ref r1, ref r2, ref r3, i, length);
    }

    /// <summary>The ×4 main loop, staged: the gradient and p loaded, then each state buffer loaded, changed and stored in turn, then p computed and stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Unrolled<TWidth, TVector, TMath, TReadOnly, TReadWrite>(ref float g0, ref float g1, ref float r0, ref float r1, ref float r2, ref float r3, nuint i, nuint length)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
        where TReadOnly : struct, ICount
        where TReadWrite : struct, ICount
    {
        nuint w = TWidth.Count;
        for (; i + 4 * w <= length; i += 4 * w)
        {
            TVector a0 = TWidth.Load(ref g0, i), a1 = TWidth.Load(ref g0, i + w), a2 = TWidth.Load(ref g0, i + 2 * w), a3 = TWidth.Load(ref g0, i + 3 * w);
            if (TReadOnly.Value > 1)
            {
                a0 = TWidth.Add(a0, TWidth.Load(ref g1, i));
                a1 = TWidth.Add(a1, TWidth.Load(ref g1, i + w));
                a2 = TWidth.Add(a2, TWidth.Load(ref g1, i + 2 * w));
                a3 = TWidth.Add(a3, TWidth.Load(ref g1, i + 3 * w));
            }

            TVector p0 = TWidth.Load(ref r0, i), p1 = TWidth.Load(ref r0, i + w), p2 = TWidth.Load(ref r0, i + 2 * w), p3 = TWidth.Load(ref r0, i + 3 * w);

            // v, then the other state buffers: loaded, changed (memory roof) and stored at once.
            TVector s0 = default, s1 = default, s2 = default, s3 = default;
            if (TReadWrite.Value > 1)
            {
                s0 = TWidth.Load(ref r1, i); s1 = TWidth.Load(ref r1, i + w); s2 = TWidth.Load(ref r1, i + 2 * w); s3 = TWidth.Load(ref r1, i + 3 * w);
                if (!TMath.SquareRootAndDivide)
                {
                    s0 = TWidth.Add(s0, a0); s1 = TWidth.Add(s1, a1); s2 = TWidth.Add(s2, a2); s3 = TWidth.Add(s3, a3);
                }

                TWidth.Store(s0, ref r1, i); TWidth.Store(s1, ref r1, i + w); TWidth.Store(s2, ref r1, i + 2 * w); TWidth.Store(s3, ref r1, i + 3 * w);
            }

            if (TReadWrite.Value > 2)
            {
                PassThrough<TWidth, TVector, TMath>(ref r2, i, a0, a1, a2, a3);
            }

            if (TReadWrite.Value > 3)
            {
                PassThrough<TWidth, TVector, TMath>(ref r3, i, a0, a1, a2, a3);
            }

            if (TMath.SquareRootAndDivide)
            {
                // p + g/√v.
                p0 = TWidth.Add(p0, TWidth.Divide(a0, TWidth.Sqrt(s0)));
                p1 = TWidth.Add(p1, TWidth.Divide(a1, TWidth.Sqrt(s1)));
                p2 = TWidth.Add(p2, TWidth.Divide(a2, TWidth.Sqrt(s2)));
                p3 = TWidth.Add(p3, TWidth.Divide(a3, TWidth.Sqrt(s3)));
            }
            else
            {
                p0 = TWidth.Add(p0, a0); p1 = TWidth.Add(p1, a1); p2 = TWidth.Add(p2, a2); p3 = TWidth.Add(p3, a3);
            }

            TWidth.Store(p0, ref r0, i); TWidth.Store(p1, ref r0, i + w); TWidth.Store(p2, ref r0, i + 2 * w); TWidth.Store(p3, ref r0, i + 3 * w);
        }

        return i;
    }

    /// <summary>The ×4 main loop, loads first: every stream's four registers loaded, then the math, then every store, p last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint UnrolledLoadsFirst<TWidth, TVector, TMath, TReadOnly, TReadWrite>(ref float g0, ref float g1, ref float r0, ref float r1, ref float r2, ref float r3, nuint i, nuint length)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
        where TReadOnly : struct, ICount
        where TReadWrite : struct, ICount
    {
        nuint w = TWidth.Count;
        for (; i + 4 * w <= length; i += 4 * w)
        {
            TVector a0 = TWidth.Load(ref g0, i), a1 = TWidth.Load(ref g0, i + w), a2 = TWidth.Load(ref g0, i + 2 * w), a3 = TWidth.Load(ref g0, i + 3 * w);
            if (TReadOnly.Value > 1)
            {
                a0 = TWidth.Add(a0, TWidth.Load(ref g1, i));
                a1 = TWidth.Add(a1, TWidth.Load(ref g1, i + w));
                a2 = TWidth.Add(a2, TWidth.Load(ref g1, i + 2 * w));
                a3 = TWidth.Add(a3, TWidth.Load(ref g1, i + 3 * w));
            }

            TVector p0 = TWidth.Load(ref r0, i), p1 = TWidth.Load(ref r0, i + w), p2 = TWidth.Load(ref r0, i + 2 * w), p3 = TWidth.Load(ref r0, i + 3 * w);
            TVector s0 = default, s1 = default, s2 = default, s3 = default;
            TVector t0 = default, t1 = default, t2 = default, t3 = default;
            TVector u0 = default, u1 = default, u2 = default, u3 = default;
            if (TReadWrite.Value > 1)
            {
                s0 = TWidth.Load(ref r1, i); s1 = TWidth.Load(ref r1, i + w); s2 = TWidth.Load(ref r1, i + 2 * w); s3 = TWidth.Load(ref r1, i + 3 * w);
            }

            if (TReadWrite.Value > 2)
            {
                t0 = TWidth.Load(ref r2, i); t1 = TWidth.Load(ref r2, i + w); t2 = TWidth.Load(ref r2, i + 2 * w); t3 = TWidth.Load(ref r2, i + 3 * w);
            }

            if (TReadWrite.Value > 3)
            {
                u0 = TWidth.Load(ref r3, i); u1 = TWidth.Load(ref r3, i + w); u2 = TWidth.Load(ref r3, i + 2 * w); u3 = TWidth.Load(ref r3, i + 3 * w);
            }

            if (TMath.SquareRootAndDivide)
            {
                // p + g/√v.
                p0 = TWidth.Add(p0, TWidth.Divide(a0, TWidth.Sqrt(s0)));
                p1 = TWidth.Add(p1, TWidth.Divide(a1, TWidth.Sqrt(s1)));
                p2 = TWidth.Add(p2, TWidth.Divide(a2, TWidth.Sqrt(s2)));
                p3 = TWidth.Add(p3, TWidth.Divide(a3, TWidth.Sqrt(s3)));
            }
            else
            {
                p0 = TWidth.Add(p0, a0); p1 = TWidth.Add(p1, a1); p2 = TWidth.Add(p2, a2); p3 = TWidth.Add(p3, a3);
                s0 = TWidth.Add(s0, a0); s1 = TWidth.Add(s1, a1); s2 = TWidth.Add(s2, a2); s3 = TWidth.Add(s3, a3);
                t0 = TWidth.Add(t0, a0); t1 = TWidth.Add(t1, a1); t2 = TWidth.Add(t2, a2); t3 = TWidth.Add(t3, a3);
                u0 = TWidth.Add(u0, a0); u1 = TWidth.Add(u1, a1); u2 = TWidth.Add(u2, a2); u3 = TWidth.Add(u3, a3);
            }

            if (TReadWrite.Value > 1)
            {
                TWidth.Store(s0, ref r1, i); TWidth.Store(s1, ref r1, i + w); TWidth.Store(s2, ref r1, i + 2 * w); TWidth.Store(s3, ref r1, i + 3 * w);
            }

            if (TReadWrite.Value > 2)
            {
                TWidth.Store(t0, ref r2, i); TWidth.Store(t1, ref r2, i + w); TWidth.Store(t2, ref r2, i + 2 * w); TWidth.Store(t3, ref r2, i + 3 * w);
            }

            if (TReadWrite.Value > 3)
            {
                TWidth.Store(u0, ref r3, i); TWidth.Store(u1, ref r3, i + w); TWidth.Store(u2, ref r3, i + 2 * w); TWidth.Store(u3, ref r3, i + 3 * w);
            }

            TWidth.Store(p0, ref r0, i); TWidth.Store(p1, ref r0, i + w); TWidth.Store(p2, ref r0, i + 2 * w); TWidth.Store(p3, ref r0, i + 3 * w);
        }

        return i;
    }

    /// <summary>Four registers of a state buffer beyond v: loaded, the gradient added (memory roof) or not (arithmetic roof), stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PassThrough<TWidth, TVector, TMath>(ref float r, nuint i, TVector a0, TVector a1, TVector a2, TVector a3)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
    {
        nuint w = TWidth.Count;
        TVector t0 = TWidth.Load(ref r, i), t1 = TWidth.Load(ref r, i + w), t2 = TWidth.Load(ref r, i + 2 * w), t3 = TWidth.Load(ref r, i + 3 * w);
        if (!TMath.SquareRootAndDivide)
        {
            t0 = TWidth.Add(t0, a0); t1 = TWidth.Add(t1, a1); t2 = TWidth.Add(t2, a2); t3 = TWidth.Add(t3, a3);
        }

        TWidth.Store(t0, ref r, i); TWidth.Store(t1, ref r, i + w); TWidth.Store(t2, ref r, i + 2 * w); TWidth.Store(t3, ref r, i + 3 * w);
    }

    /// <summary>One register (or, at <see cref="Scalar"/> width, one element) at a time: the same operations as <see cref="Unrolled"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint OneAtATime<TWidth, TVector, TMath, TReadOnly, TReadWrite>(ref float g0, ref float g1, ref float r0, ref float r1, ref float r2, ref float r3, nuint i, nuint length)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
        where TReadOnly : struct, ICount
        where TReadWrite : struct, ICount
    {
        nuint w = TWidth.Count;
        for (; i + w <= length; i += w)
        {
            TVector a = TWidth.Load(ref g0, i);
            if (TReadOnly.Value > 1)
            {
                a = TWidth.Add(a, TWidth.Load(ref g1, i));
            }

            TVector p = TWidth.Load(ref r0, i);
            TVector s = TReadWrite.Value > 1 ? TWidth.Load(ref r1, i) : default;
            TVector t = TReadWrite.Value > 2 ? TWidth.Load(ref r2, i) : default;
            TVector u = TReadWrite.Value > 3 ? TWidth.Load(ref r3, i) : default;
            if (TMath.SquareRootAndDivide)
            {
                p = TWidth.Add(p, TWidth.Divide(a, TWidth.Sqrt(s)));
            }
            else
            {
                p = TWidth.Add(p, a);
                s = TWidth.Add(s, a);
                t = TWidth.Add(t, a);
                u = TWidth.Add(u, a);
            }

            if (TReadWrite.Value > 1)
            {
                TWidth.Store(s, ref r1, i);
            }

            if (TReadWrite.Value > 2)
            {
                TWidth.Store(t, ref r2, i);
            }

            if (TReadWrite.Value > 3)
            {
                TWidth.Store(u, ref r3, i);
            }

            TWidth.Store(p, ref r0, i);
        }

        return i;
    }

    /// <summary>
    /// The elements of a stream, a float array of any rank, in row-major order: what the generated
    /// code reads from a model's <c>float[,]</c> as much as from a <c>float[]</c>.
    /// </summary>
    public static Span<float> Elements(Array stream) => stream is float[] or float[,] or float[,,]
        ? MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(stream)), stream.Length)
        : throw new ArgumentException($"A roof's stream is a float array; this one is {stream.GetType()}.", nameof(stream));

    private static void CheckRange(Array stream, int start, int count)
    {
        if ((uint)start > (uint)stream.Length || (uint)count > (uint)(stream.Length - start))
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The range lies outside a stream.");
        }
    }

    private static ref float At(Array stream, int start) => ref Unsafe.Add(ref MemoryMarshal.GetReference(Elements(stream)), (nint)start);

    /// <summary>A stream count as a type, so that the JIT folds every test on it.</summary>
    private interface ICount
    {
        static abstract int Value { get; }
    }

    private struct One : ICount
    {
        public static int Value => 1;
    }

    private struct Two : ICount
    {
        public static int Value => 2;
    }

    private struct Three : ICount
    {
        public static int Value => 3;
    }

    private struct Four : ICount
    {
        public static int Value => 4;
    }

    /// <summary>The main loop's shape as a type, so that the JIT folds the choice away.</summary>
    private interface IShape
    {
        static abstract bool LoadsFirst { get; }
    }

    private struct StagedShape : IShape
    {
        public static bool LoadsFirst => false;
    }

    private struct LoadsFirstShape : IShape
    {
        public static bool LoadsFirst => true;
    }

    /// <summary>Which roof: adds only, or √ and ÷ for p.</summary>
    private interface IMath
    {
        static abstract bool SquareRootAndDivide { get; }
    }

    private struct Adds : IMath
    {
        public static bool SquareRootAndDivide => false;
    }

    private struct RootAndDivide : IMath
    {
        public static bool SquareRootAndDivide => true;
    }

    /// <summary>The operations the roofs use, at one register width (<see cref="Scalar"/>: one float).</summary>
    private interface IWidth<TVector>
        where TVector : struct
    {
        static abstract nuint Count { get; }

        static abstract TVector Load(ref float source, nuint index);

        static abstract void Store(TVector value, ref float destination, nuint index);

        static abstract TVector Add(TVector left, TVector right);

        static abstract TVector Divide(TVector left, TVector right);

        static abstract TVector Sqrt(TVector value);
    }

    private struct Width512 : IWidth<Vector512<float>>
    {
        public static nuint Count => (nuint)Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, nuint index) => Vector512.StoreUnsafe(value, ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sqrt(Vector512<float> value) => Vector512.Sqrt(value);
    }

    private struct Width256 : IWidth<Vector256<float>>
    {
        public static nuint Count => (nuint)Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, nuint index) => Vector256.StoreUnsafe(value, ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sqrt(Vector256<float> value) => Vector256.Sqrt(value);
    }

    private struct Width128 : IWidth<Vector128<float>>
    {
        public static nuint Count => (nuint)Vector128<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, ref float destination, nuint index) => Vector128.StoreUnsafe(value, ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sqrt(Vector128<float> value) => Vector128.Sqrt(value);
    }

    private struct Scalar : IWidth<float>
    {
        public static nuint Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Add(float left, float right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Divide(float left, float right) => left / right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sqrt(float value) => MathF.Sqrt(value);
    }
}
