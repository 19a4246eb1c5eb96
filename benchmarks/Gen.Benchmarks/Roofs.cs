using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen.Benchmarks;

/// <summary>The order of a roof's ×4 main loop (<see cref="Roofs"/>).</summary>
public enum RoofShape
{
    /// <summary>As the generated kernels: g and p loaded, then each state buffer loaded, changed and stored in turn, p stored last.</summary>
    Staged,

    /// <summary>Every stream's registers loaded, then the math, then every store, p last.</summary>
    LoadsFirst,
}

/// <summary>
/// Hand-written loops that bound what a step can reach, given the streams its update reads (the
/// gradient) and reads and writes (the parameter and each state buffer; <see cref="Workload.StateKeys"/>).
/// <list type="bullet">
/// <item><b>Memory roof</b>: the update's loads and stores per element and only adds (every read-write
/// stream gets g added): the bandwidth limit.</item>
/// <item><b>Arithmetic roof</b> (RMSProp, Adam): the same loads and stores, and per element only what no exact
/// kernel can avoid: RMSProp one square root and one division (p ← p + g/√v; the other buffers are stored
/// back unchanged), Adam one square root and two divisions (PyTorch divides √v by the bias correction and m by
/// the denominator; here p ← p + g/√v/v): the divider limit, which bounds in-cache sizes.</item>
/// <item><b>Read roof</b>: one stream read once, one XOR per register (<see cref="Read"/>): the least any
/// pass that must read every gradient, such as the non-finite check, can cost.</item>
/// </list>
/// The memory and arithmetic roofs run in either <see cref="RoofShape"/>: which is faster depends on where
/// the arrays lie (a load whose address matches an earlier store to another stream in its low 12 bits
/// waits for it), so both are timed and the faster is the roof. Then one register at a time at each
/// narrower width, then single elements; refs and nuint offsets, no bounds checks. One generic body serves
/// every width, shape and stream count: they are type arguments, so the JIT compiles each combination on its
/// own with the unused streams' code folded away. A stream is a float array of any rank, so a roof runs on a
/// model's own arrays (<see cref="Elements"/>).
/// </summary>
public static class Roofs
{
    /// <summary>
    /// One roof over whole streams. Memory: every stream of <paramref name="readWrite"/> gets <paramref name="gradient"/> added.
    /// Arithmetic: readWrite[0] (p) gets g/√readWrite[1] added (<paramref name="divisions"/> 2: g/√v/v); the other streams
    /// are stored back unchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Array gradient, Array[] readWrite, bool arithmetic, RoofShape shape, int divisions = 1)
    {
        foreach (Array stream in readWrite)
        {
            if (stream.Length != gradient.Length)
            {
                throw new ArgumentException("A roof's streams are as long as its gradient.", nameof(readWrite));
            }
        }

        if (divisions is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(divisions), divisions, "An arithmetic roof divides once (RMSProp) or twice (Adam).");
        }

        switch (arithmetic, shape)
        {
            case (false, RoofShape.Staged): Dispatch<Adds, StagedShape>(gradient, readWrite); break;
            case (false, _): Dispatch<Adds, LoadsFirstShape>(gradient, readWrite); break;
            case (true, RoofShape.Staged) when divisions == 1: Dispatch<RootAndDivide, StagedShape>(gradient, readWrite); break;
            case (true, _) when divisions == 1: Dispatch<RootAndDivide, LoadsFirstShape>(gradient, readWrite); break;
            case (true, RoofShape.Staged): Dispatch<RootAndTwoDivisions, StagedShape>(gradient, readWrite); break;
            default: Dispatch<RootAndTwoDivisions, LoadsFirstShape>(gradient, readWrite); break;
        }
    }

    /// <summary>
    /// The read roof over one stream: every element loaded once and its bit pattern XORed into four registers
    /// of the widest accelerated width, then one register at a time at each narrower width, then single
    /// elements. Returns the XOR of every element's bits, so no load can be dropped and a test can tell that
    /// each element was read. Written out per width rather than through <see cref="IWidth{TVector}"/>: the
    /// generic form measured 3–4 % slower on the small MLP's arrays, and a roof must be the fastest loop there is.
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

    /// <summary>
    /// The elements of a stream, a float array of any rank, in row-major order: what the generated code
    /// reads from a model's <c>float[,]</c> as much as from a <c>float[]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Span<float> Elements(Array stream) => stream is float[] or float[,] or float[,,]
        ? MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(stream)), stream.Length)
        : throw new ArgumentException($"A roof's stream is a float array; this one is {stream.GetType()}.", nameof(stream));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dispatch<TMath, TShape>(Array gradient, Array[] readWrite)
        where TMath : struct, IMath
        where TShape : struct, IShape
    {
        switch (readWrite.Length)
        {
            case 2: Run<TMath, TShape, Two>(gradient, readWrite); break;
            case 3: Run<TMath, TShape, Three>(gradient, readWrite); break;
            case 4: Run<TMath, TShape, Four>(gradient, readWrite); break;
            case 5: Run<TMath, TShape, Five>(gradient, readWrite); break;
            default: throw new ArgumentException("A roof has 2 to 5 read-write streams (p and v at least).", nameof(readWrite));
        }
    }

    /// <remarks>
    /// Fully optimized at its first call, as the generated kernels it bounds are, and never inlined: a caller that tiers up
    /// inlined it and called its loops as separate methods, still in Tier 0 (20 times slower for a second, then another
    /// code). So the roofs' whole path is compiled once, as is; <see cref="Read"/> is not: it bounds the runtime's
    /// non-finite check, which tiers like any runtime code.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Run<TMath, TShape, TReadWrite>(Array gradient, Array[] readWrite)
        where TMath : struct, IMath
        where TShape : struct, IShape
        where TReadWrite : struct, ICount
    {
        // Streams beyond the count alias the first one; the code that would touch them is folded away.
        ref float g = ref At(gradient);
        ref float r0 = ref At(readWrite[0]);
        ref float r1 = ref At(readWrite[TReadWrite.Value > 1 ? 1 : 0]);
        ref float r2 = ref At(readWrite[TReadWrite.Value > 2 ? 2 : 0]);
        ref float r3 = ref At(readWrite[TReadWrite.Value > 3 ? 3 : 0]);
        ref float r4 = ref At(readWrite[TReadWrite.Value > 4 ? 4 : 0]);
        nuint length = (nuint)gradient.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Unrolled<Width512, Vector512<float>, TMath, TShape, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
            i = OneAtATime<Width512, Vector512<float>, TMath, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            if (!Vector512.IsHardwareAccelerated)
            {
                i = Unrolled<Width256, Vector256<float>, TMath, TShape, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
            }

            i = OneAtATime<Width256, Vector256<float>, TMath, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            if (!Vector256.IsHardwareAccelerated)
            {
                i = Unrolled<Width128, Vector128<float>, TMath, TShape, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
            }

            i = OneAtATime<Width128, Vector128<float>, TMath, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
        }

        OneAtATime<Scalar, float, TMath, TReadWrite>(ref g, ref r0, ref r1, ref r2, ref r3, ref r4, i, length);
    }

    /// <summary>
    /// The ×4 main loop. Staged, as the generated kernels: g and p loaded, then each state buffer loaded, changed and
    /// stored in turn, then p computed and stored. Loads first: every stream's registers loaded, then the math, then
    /// every store, p last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Unrolled<TWidth, TVector, TMath, TShape, TReadWrite>(ref float g, ref float r0, ref float r1, ref float r2, ref float r3, ref float r4, nuint i, nuint length)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
        where TShape : struct, IShape
        where TReadWrite : struct, ICount
    {
        nuint w = TWidth.Count;
        for (; i + 4 * w <= length; i += 4 * w)
        {
            TVector a0 = TWidth.Load(ref g, i), a1 = TWidth.Load(ref g, i + w), a2 = TWidth.Load(ref g, i + 2 * w), a3 = TWidth.Load(ref g, i + 3 * w);
            TVector p0 = TWidth.Load(ref r0, i), p1 = TWidth.Load(ref r0, i + w), p2 = TWidth.Load(ref r0, i + 2 * w), p3 = TWidth.Load(ref r0, i + 3 * w);
            TVector s0 = default, s1 = default, s2 = default, s3 = default;
            TVector t0 = default, t1 = default, t2 = default, t3 = default;
            TVector u0 = default, u1 = default, u2 = default, u3 = default;
            TVector x0 = default, x1 = default, x2 = default, x3 = default;
            if (TReadWrite.Value > 1)
            {
                s0 = TWidth.Load(ref r1, i); s1 = TWidth.Load(ref r1, i + w); s2 = TWidth.Load(ref r1, i + 2 * w); s3 = TWidth.Load(ref r1, i + 3 * w);
                if (!TShape.LoadsFirst)
                {
                    // Staged: v, then the other state buffers, loaded, changed (memory roof) and stored at once.
                    if (!TMath.SquareRootAndDivide)
                    {
                        s0 = TWidth.Add(s0, a0); s1 = TWidth.Add(s1, a1); s2 = TWidth.Add(s2, a2); s3 = TWidth.Add(s3, a3);
                    }

                    TWidth.Store(s0, ref r1, i); TWidth.Store(s1, ref r1, i + w); TWidth.Store(s2, ref r1, i + 2 * w); TWidth.Store(s3, ref r1, i + 3 * w);
                }
            }

            if (!TShape.LoadsFirst)
            {
                if (TReadWrite.Value > 2)
                {
                    PassThrough<TWidth, TVector, TMath>(ref r2, i, a0, a1, a2, a3);
                }

                if (TReadWrite.Value > 3)
                {
                    PassThrough<TWidth, TVector, TMath>(ref r3, i, a0, a1, a2, a3);
                }

                if (TReadWrite.Value > 4)
                {
                    PassThrough<TWidth, TVector, TMath>(ref r4, i, a0, a1, a2, a3);
                }
            }
            else
            {
                if (TReadWrite.Value > 2)
                {
                    t0 = TWidth.Load(ref r2, i); t1 = TWidth.Load(ref r2, i + w); t2 = TWidth.Load(ref r2, i + 2 * w); t3 = TWidth.Load(ref r2, i + 3 * w);
                }

                if (TReadWrite.Value > 3)
                {
                    u0 = TWidth.Load(ref r3, i); u1 = TWidth.Load(ref r3, i + w); u2 = TWidth.Load(ref r3, i + 2 * w); u3 = TWidth.Load(ref r3, i + 3 * w);
                }

                if (TReadWrite.Value > 4)
                {
                    x0 = TWidth.Load(ref r4, i); x1 = TWidth.Load(ref r4, i + w); x2 = TWidth.Load(ref r4, i + 2 * w); x3 = TWidth.Load(ref r4, i + 3 * w);
                }
            }

            if (TMath.SquareRootAndDivide)
            {
                // p + g/√v.
                p0 = TWidth.Add(p0, Quotient<TWidth, TVector, TMath>(a0, s0));
                p1 = TWidth.Add(p1, Quotient<TWidth, TVector, TMath>(a1, s1));
                p2 = TWidth.Add(p2, Quotient<TWidth, TVector, TMath>(a2, s2));
                p3 = TWidth.Add(p3, Quotient<TWidth, TVector, TMath>(a3, s3));
            }
            else
            {
                p0 = TWidth.Add(p0, a0); p1 = TWidth.Add(p1, a1); p2 = TWidth.Add(p2, a2); p3 = TWidth.Add(p3, a3);
                if (TShape.LoadsFirst)
                {
                    s0 = TWidth.Add(s0, a0); s1 = TWidth.Add(s1, a1); s2 = TWidth.Add(s2, a2); s3 = TWidth.Add(s3, a3);
                    t0 = TWidth.Add(t0, a0); t1 = TWidth.Add(t1, a1); t2 = TWidth.Add(t2, a2); t3 = TWidth.Add(t3, a3);
                    u0 = TWidth.Add(u0, a0); u1 = TWidth.Add(u1, a1); u2 = TWidth.Add(u2, a2); u3 = TWidth.Add(u3, a3);
                    x0 = TWidth.Add(x0, a0); x1 = TWidth.Add(x1, a1); x2 = TWidth.Add(x2, a2); x3 = TWidth.Add(x3, a3);
                }
            }

            if (TShape.LoadsFirst)
            {
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

                if (TReadWrite.Value > 4)
                {
                    TWidth.Store(x0, ref r4, i); TWidth.Store(x1, ref r4, i + w); TWidth.Store(x2, ref r4, i + 2 * w); TWidth.Store(x3, ref r4, i + 3 * w);
                }
            }

            TWidth.Store(p0, ref r0, i); TWidth.Store(p1, ref r0, i + w); TWidth.Store(p2, ref r0, i + 2 * w); TWidth.Store(p3, ref r0, i + 3 * w);
        }

        return i;
    }

    /// <summary>Four registers of a state buffer beyond v: loaded, g added (memory roof) or not (arithmetic roof), stored.</summary>
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
    private static nuint OneAtATime<TWidth, TVector, TMath, TReadWrite>(ref float g, ref float r0, ref float r1, ref float r2, ref float r3, ref float r4, nuint i, nuint length)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
        where TReadWrite : struct, ICount
    {
        nuint w = TWidth.Count;
        for (; i + w <= length; i += w)
        {
            TVector a = TWidth.Load(ref g, i);
            TVector p = TWidth.Load(ref r0, i);
            TVector s = TReadWrite.Value > 1 ? TWidth.Load(ref r1, i) : default;
            TVector t = TReadWrite.Value > 2 ? TWidth.Load(ref r2, i) : default;
            TVector u = TReadWrite.Value > 3 ? TWidth.Load(ref r3, i) : default;
            TVector x = TReadWrite.Value > 4 ? TWidth.Load(ref r4, i) : default;
            if (TMath.SquareRootAndDivide)
            {
                p = TWidth.Add(p, Quotient<TWidth, TVector, TMath>(a, s));
            }
            else
            {
                p = TWidth.Add(p, a);
                s = TWidth.Add(s, a);
                t = TWidth.Add(t, a);
                u = TWidth.Add(u, a);
                x = TWidth.Add(x, a);
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

            if (TReadWrite.Value > 4)
            {
                TWidth.Store(x, ref r4, i);
            }

            TWidth.Store(p, ref r0, i);
        }

        return i;
    }

    private static ref float At(Array stream) => ref MemoryMarshal.GetReference(Elements(stream));

    // Stream counts, loop shapes and math as types, so that the JIT folds every test on them.
    private interface ICount { static abstract int Value { get; } }
    private struct Two : ICount { public static int Value => 2; }
    private struct Three : ICount { public static int Value => 3; }
    private struct Four : ICount { public static int Value => 4; }
    private struct Five : ICount { public static int Value => 5; }

    private interface IShape { static abstract bool LoadsFirst { get; } }
    private struct StagedShape : IShape { public static bool LoadsFirst => false; }
    private struct LoadsFirstShape : IShape { public static bool LoadsFirst => true; }

    /// <summary>g/√v, then (Adam's second division) ÷ v once more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Quotient<TWidth, TVector, TMath>(TVector g, TVector v)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
        where TMath : struct, IMath
    {
        TVector quotient = TWidth.Divide(g, TWidth.Sqrt(v));
        return TMath.SecondDivision ? TWidth.Divide(quotient, v) : quotient;
    }

    private interface IMath { static abstract bool SquareRootAndDivide { get; } static abstract bool SecondDivision { get; } }
    private struct Adds : IMath { public static bool SquareRootAndDivide => false; public static bool SecondDivision => false; }
    private struct RootAndDivide : IMath { public static bool SquareRootAndDivide => true; public static bool SecondDivision => false; }
    private struct RootAndTwoDivisions : IMath { public static bool SquareRootAndDivide => true; public static bool SecondDivision => true; }

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

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint index) => Vector512.StoreUnsafe(value, ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> value) => Vector512.Sqrt(value);
    }

    private struct Width256 : IWidth<Vector256<float>>
    {
        public static nuint Count => (nuint)Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint index) => Vector256.StoreUnsafe(value, ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> value) => Vector256.Sqrt(value);
    }

    private struct Width128 : IWidth<Vector128<float>>
    {
        public static nuint Count => (nuint)Vector128<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, nuint index) => Vector128.StoreUnsafe(value, ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> value) => Vector128.Sqrt(value);
    }

    private struct Scalar : IWidth<float>
    {
        public static nuint Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float left, float right) => left + right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float left, float right) => left / right;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float value) => MathF.Sqrt(value);
    }
}
