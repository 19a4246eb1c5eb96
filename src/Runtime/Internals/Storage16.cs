using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Gen.__Internals;

/// <summary>
/// One 16-bit storage format (<see cref="BFloat16Format"/>, <see cref="Float16Format"/>) as bit operations
/// on 32-bit lanes: a float's bits in, the 16-bit pattern out in the low half of the lane (the high half
/// zero), and back. Each width computes exactly what the scalar method computes, lane by lane, so every
/// path stores the same bits. <see cref="Storage16"/>'s drivers own the loads, stores and loops, written
/// once for both formats (TensorPrimitives' operator structs: the JIT compiles one copy per format).
/// </summary>
internal interface IStorage16Format
{
    /// <summary>The float bits of the 16-bit pattern <paramref name="bits"/> (exact).</summary>
    uint Widen(uint bits);

    /// <summary>The 16-bit pattern of the float with bits <paramref name="value"/>, rounded to nearest even.</summary>
    uint Narrow(uint value);

    /// <summary>The 16-bit pattern of the float with bits <paramref name="value"/>, rounded stochastically with <paramref name="random"/>.</summary>
    uint NarrowStochastic(uint value, uint random);
#if NET8_0_OR_GREATER

    /// <inheritdoc cref="Widen(uint)"/>
    Vector512<uint> Widen(Vector512<uint> bits);

    /// <inheritdoc cref="Narrow(uint)"/>
    Vector512<uint> Narrow(Vector512<uint> value);

    /// <inheritdoc cref="NarrowStochastic(uint, uint)"/>
    Vector512<uint> NarrowStochastic(Vector512<uint> value, Vector512<uint> random);

    /// <inheritdoc cref="Widen(uint)"/>
    Vector256<uint> Widen(Vector256<uint> bits);

    /// <inheritdoc cref="Narrow(uint)"/>
    Vector256<uint> Narrow(Vector256<uint> value);

    /// <inheritdoc cref="NarrowStochastic(uint, uint)"/>
    Vector256<uint> NarrowStochastic(Vector256<uint> value, Vector256<uint> random);

    /// <inheritdoc cref="Widen(uint)"/>
    Vector128<uint> Widen(Vector128<uint> bits);

    /// <inheritdoc cref="Narrow(uint)"/>
    Vector128<uint> Narrow(Vector128<uint> value);

    /// <inheritdoc cref="NarrowStochastic(uint, uint)"/>
    Vector128<uint> NarrowStochastic(Vector128<uint> value, Vector128<uint> random);
#else

    /// <summary>
    /// <see cref="Widen(uint)"/> on netstandard2.1's <see cref="Vector{T}"/>, whose operations have no shifts:
    /// widening needs left shifts only, which are multiplications by powers of two.
    /// </summary>
    Vector<uint> Widen(Vector<uint> bits);

    /// <summary><see cref="Narrow(uint)"/> on netstandard2.1's <see cref="Vector{T}"/>, right shifts by <see cref="PortableShift"/>.</summary>
    Vector<uint> Narrow(Vector<uint> value);

    /// <summary><see cref="NarrowStochastic(uint, uint)"/> on netstandard2.1's <see cref="Vector{T}"/>.</summary>
    Vector<uint> NarrowStochastic(Vector<uint> value, Vector<uint> random);
#endif
}
#if !NET8_0_OR_GREATER

/// <summary>
/// Logical right shifts for netstandard2.1's <see cref="Vector{T}"/>, which has none: <c>x &gt;&gt; s</c> for
/// <c>s ≥ 8</c> is <c>x</c> with its low <c>s</c> bits cleared, read as a signed integer (at most 24 significant
/// bits, so converting it to float is exact), times 2^−s (exact), converted back (exact) and masked to the
/// <c>32 − s</c> bits a logical shift leaves. Conversions and a multiplication, which every SIMD ISA has,
/// instead of a per-element loop; the same bits as <c>&gt;&gt;</c> for every input.
/// </summary>
internal static class PortableShift
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> Right(Vector<uint> x, int shift)
    {
        uint kept = uint.MaxValue << shift;
        Vector<int> high = Vector.AsVectorInt32(x & new Vector<uint>(kept));
        Vector<float> scaled = Vector.ConvertToSingle(high) * new Vector<float>(BitConverter.Int32BitsToSingle((127 - shift) << 23));
        return Vector.AsVectorUInt32(Vector.ConvertToInt32(scaled)) & new Vector<uint>(uint.MaxValue >> shift);
    }
}
#endif

/// <summary>
/// The loads, stores and span conversions of <see cref="BFloat16Storage"/> and <see cref="Float16Storage"/>,
/// written once over <see cref="IStorage16Format"/>. A register of <c>n</c> floats is stored as <c>n</c>
/// consecutive ushorts: 512 bits of floats as one 256-bit store, 256 as one 128-bit store, 128 as one 64-bit
/// store, so a vector store touches exactly its own elements (never a neighbor's, which another thread may
/// be writing) and a load reads exactly its own.
/// </summary>
internal static class Storage16
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle<TFormat>(ushort bits)
        where TFormat : struct, IStorage16Format =>
        BitConverter.Int32BitsToSingle((int)default(TFormat).Widen(bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle<TFormat>(float value)
        where TFormat : struct, IStorage16Format =>
        (ushort)default(TFormat).Narrow((uint)BitConverter.SingleToInt32Bits(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingleStochastic<TFormat>(float value, uint stream, uint index)
        where TFormat : struct, IStorage16Format =>
        (ushort)default(TFormat).NarrowStochastic((uint)BitConverter.SingleToInt32Bits(value), StochasticRounding.Bits(stream, index));

    /// <summary>Throws unless register <paramref name="register"/> of <see cref="Vector{T}"/> floats lies inside a span of <paramref name="length"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckRegister(int length, int register)
    {
        if ((uint)register >= (uint)(length / Vector<float>.Count))
        {
            ThrowRegisterOutOfRange();
        }
    }

    public static void Narrow<TFormat>(ReadOnlySpan<float> source, Span<ushort> destination)
        where TFormat : struct, IStorage16Format
    {
        if (source.Length != destination.Length)
        {
            ThrowLengthMismatch();
        }

#if NET8_0_OR_GREATER
        ref float s = ref MemoryMarshal.GetReference(source);
        ref ushort d = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;

        // One register at a time at the widest accelerated width, then narrower ones, then single elements:
        // the loads and stores bound the loop (1 float in, 1 ushort out per element), not the few integer
        // operations per lane, so no unrolling.
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= length; i += 16)
            {
                Store512<TFormat>(default(TFormat).Narrow(Vector512.LoadUnsafe(ref s, i).AsUInt32()), ref d, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= length; i += 8)
            {
                Store256<TFormat>(default(TFormat).Narrow(Vector256.LoadUnsafe(ref s, i).AsUInt32()), ref d, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= length; i += 4)
            {
                Store128<TFormat>(default(TFormat).Narrow(Vector128.LoadUnsafe(ref s, i).AsUInt32()), ref d, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref d, i) = FromSingle<TFormat>(Unsafe.Add(ref s, i));
        }
#else
        Span<float> values = ReadOnlySpans.ForReading(source);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Two registers of float lanes narrow to one Vector<ushort>.
            int width = Vector<ushort>.Count;
            int half = Vector<uint>.Count;
            for (; i + width <= values.Length; i += width)
            {
                Vector<uint> lower = default(TFormat).Narrow(Vector.AsVectorUInt32(new Vector<float>(values.Slice(i))));
                Vector<uint> upper = default(TFormat).Narrow(Vector.AsVectorUInt32(new Vector<float>(values.Slice(i + half))));
                MemoryMarshal.Cast<ushort, Vector<ushort>>(destination.Slice(i))[0] = Vector.Narrow(lower, upper);
            }
        }

        for (; i < values.Length; i++)
        {
            destination[i] = FromSingle<TFormat>(values[i]);
        }
#endif
    }

    public static void Widen<TFormat>(ReadOnlySpan<ushort> source, Span<float> destination)
        where TFormat : struct, IStorage16Format
    {
        if (source.Length != destination.Length)
        {
            ThrowLengthMismatch();
        }

#if NET8_0_OR_GREATER
        ref ushort s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= length; i += 16)
            {
                Load512<TFormat>(ref s, i).StoreUnsafe(ref d, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= length; i += 8)
            {
                Load256<TFormat>(ref s, i).StoreUnsafe(ref d, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= length; i += 4)
            {
                Load128<TFormat>(ref s, i).StoreUnsafe(ref d, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref d, i) = ToSingle<TFormat>(Unsafe.Add(ref s, i));
        }
#else
        Span<ushort> bits = ReadOnlySpans.ForReading(source);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // One Vector<ushort> widens to two registers of uint lanes, the lower and upper halves.
            int width = Vector<ushort>.Count;
            int half = Vector<uint>.Count;
            for (; i + width <= bits.Length; i += width)
            {
                Vector.Widen(new Vector<ushort>(bits.Slice(i)), out Vector<uint> lower, out Vector<uint> upper);
                // netstandard2.1's Vector<T> copies to arrays only; a span of registers takes the store.
                MemoryMarshal.Cast<float, Vector<float>>(destination.Slice(i))[0] = Vector.AsVectorSingle(default(TFormat).Widen(lower));
                MemoryMarshal.Cast<float, Vector<float>>(destination.Slice(i + half))[0] = Vector.AsVectorSingle(default(TFormat).Widen(upper));
            }
        }

        for (; i < bits.Length; i++)
        {
            destination[i] = ToSingle<TFormat>(bits[i]);
        }
#endif
    }

    /// <summary>Register <paramref name="register"/> of <see cref="Vector{T}"/> floats of <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LoadVector<TFormat>(Span<ushort> source, int register)
        where TFormat : struct, IStorage16Format
    {
        CheckRegister(source.Length, register);
        int start = register * Vector<float>.Count;
#if NET8_0_OR_GREATER
        // Vector<T> is one of the fixed widths (the JIT folds these checks): the same code, the same bits. Where it
        // is not accelerated (intrinsics off), the element path below beats the software vectors by far.
        ref ushort s = ref MemoryMarshal.GetReference(source);
        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 64)
        {
            return Load512<TFormat>(ref s, (nuint)start).AsVector();
        }

        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 32)
        {
            return Load256<TFormat>(ref s, (nuint)start).AsVector();
        }

        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 16)
        {
            return Load128<TFormat>(ref s, (nuint)start).AsVector();
        }
#else
        if (Vector.IsHardwareAccelerated)
        {
            // A Vector<ushort> holds two registers' elements. Load the window that starts at this register (its
            // lower half) or, for the last register of a span, the one that ends with it (its upper half): both
            // read only the span's own elements. A span shorter than two registers takes the element path.
            int count = Vector<float>.Count;
            if (start + (2 * count) <= source.Length)
            {
                Vector.Widen(new Vector<ushort>(source.Slice(start)), out Vector<uint> lower, out _);
                return Vector.AsVectorSingle(default(TFormat).Widen(lower));
            }

            if (start >= count)
            {
                Vector.Widen(new Vector<ushort>(source.Slice(start - count)), out _, out Vector<uint> upper);
                return Vector.AsVectorSingle(default(TFormat).Widen(upper));
            }
        }
#endif
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        for (int j = 0; j < lanes.Length; j++)
        {
            lanes[j] = ToSingle<TFormat>(source[start + j]);
        }

        return new Vector<float>(lanes);
    }

    /// <summary>Stores <paramref name="value"/> as register <paramref name="register"/> of <paramref name="destination"/>, rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreVector<TFormat>(Vector<float> value, Span<ushort> destination, int register)
        where TFormat : struct, IStorage16Format
    {
        CheckRegister(destination.Length, register);
        int start = register * Vector<float>.Count;
#if NET8_0_OR_GREATER
        ref ushort d = ref MemoryMarshal.GetReference(destination);
        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 64)
        {
            Store512<TFormat>(default(TFormat).Narrow(value.AsVector512().AsUInt32()), ref d, (nuint)start);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 32)
        {
            Store256<TFormat>(default(TFormat).Narrow(value.AsVector256().AsUInt32()), ref d, (nuint)start);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 16)
        {
            Store128<TFormat>(default(TFormat).Narrow(value.AsVector128().AsUInt32()), ref d, (nuint)start);
            return;
        }
#else
        if (Vector.IsHardwareAccelerated)
        {
            StoreLowerHalf(default(TFormat).Narrow(Vector.AsVectorUInt32(value)), destination, start);
            return;
        }
#endif
        for (int j = 0; j < Vector<float>.Count; j++)
        {
            destination[start + j] = FromSingle<TFormat>(value[j]);
        }
    }

    /// <summary>Stores <paramref name="value"/> as register <paramref name="register"/> of <paramref name="destination"/>, rounded stochastically.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochasticVector<TFormat>(Vector<float> value, Span<ushort> destination, int register, uint stream)
        where TFormat : struct, IStorage16Format
    {
        CheckRegister(destination.Length, register);
        int start = register * Vector<float>.Count;
#if NET8_0_OR_GREATER
        ref ushort d = ref MemoryMarshal.GetReference(destination);
        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 64)
        {
            StoreStochastic512<TFormat>(value.AsVector512(), ref d, (nuint)start, stream);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 32)
        {
            StoreStochastic256<TFormat>(value.AsVector256(), ref d, (nuint)start, stream);
            return;
        }

        if (Vector.IsHardwareAccelerated && Vector<byte>.Count == 16)
        {
            StoreStochastic128<TFormat>(value.AsVector128(), ref d, (nuint)start, stream);
            return;
        }
#else
        if (Vector.IsHardwareAccelerated)
        {
            Vector<uint> random = StochasticRounding.BitsVector(stream, (uint)start);
            StoreLowerHalf(default(TFormat).NarrowStochastic(Vector.AsVectorUInt32(value), random), destination, start);
            return;
        }
#endif
        for (int j = 0; j < Vector<float>.Count; j++)
        {
            destination[start + j] = FromSingleStochastic<TFormat>(value[j], stream, (uint)(start + j));
        }
    }
#if !NET8_0_OR_GREATER

    /// <summary>
    /// Stores the low 16 bits of each lane of <paramref name="bits"/> as <see cref="Vector{T}"/>.Count ushorts at
    /// <paramref name="start"/>, and nothing else: netstandard2.1 has no half-register store, so the packed lower
    /// half goes out as 64-bit words (the count is a multiple of 4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLowerHalf(Vector<uint> bits, Span<ushort> destination, int start)
    {
        Vector<ulong> packed = Vector.AsVectorUInt64(Vector.Narrow(bits, bits));
        Span<ulong> words = MemoryMarshal.Cast<ushort, ulong>(destination.Slice(start, Vector<uint>.Count));
        for (int k = 0; k < words.Length; k++)
        {
            words[k] = packed[k];
        }
    }
#endif
#if NET8_0_OR_GREATER

    // Widening 16-bit memory to 32-bit lanes and back. Where AVX-512 (or its 256/128-bit VL forms) is there,
    // one vpmovzxwd / vpmovdw does it; elsewhere the cross-platform Widen/Narrow pair gives the same lanes
    // (the narrowed values fit in 16 bits, so truncating and saturating narrows agree).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512<TFormat>(ref ushort source, nuint index)
        where TFormat : struct, IStorage16Format
    {
        Vector256<ushort> bits = Vector256.LoadUnsafe(ref source, index);
        Vector512<uint> lanes = Avx512F.IsSupported
            ? Avx512F.ConvertToVector512UInt32(bits)
            : Vector512.Create(Vector256.WidenLower(bits), Vector256.WidenUpper(bits));
        return default(TFormat).Widen(lanes).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256<TFormat>(ref ushort source, nuint index)
        where TFormat : struct, IStorage16Format
    {
        Vector128<ushort> bits = Vector128.LoadUnsafe(ref source, index);
        Vector256<uint> lanes = Avx2.IsSupported
            ? Avx2.ConvertToVector256Int32(bits).AsUInt32()
            : Vector256.Create(Vector128.WidenLower(bits), Vector128.WidenUpper(bits));
        return default(TFormat).Widen(lanes).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128<TFormat>(ref ushort source, nuint index)
        where TFormat : struct, IStorage16Format
    {
        ulong packed = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref source, index)));
        Vector128<uint> lanes = Vector128.WidenLower(Vector128.CreateScalarUnsafe(packed).AsUInt16());
        return default(TFormat).Widen(lanes).AsSingle();
    }

    /// <summary>
    /// Stores each lane of <paramref name="bits"/>, a 16-bit value (below 2^16, as every format's narrowing returns): one
    /// truncating narrow with AVX-512, else SSE4.1's unsigned saturating pack, which keeps such values as they are in one
    /// instruction where the truncating <c>Vector128.Narrow</c> first masks each half.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512<TFormat>(Vector512<uint> bits, ref ushort destination, nuint index)
        where TFormat : struct, IStorage16Format
    {
        Vector256<ushort> packed = Avx512F.IsSupported
            ? Avx512F.ConvertToVector256UInt16(bits)
            : Vector256.Narrow(bits.GetLower(), bits.GetUpper());
        packed.StoreUnsafe(ref destination, index);
    }

    /// <inheritdoc cref="Store512{TFormat}(Vector512{uint}, ref ushort, nuint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store256<TFormat>(Vector256<uint> bits, ref ushort destination, nuint index)
        where TFormat : struct, IStorage16Format
    {
        Vector128<ushort> packed = Avx512F.VL.IsSupported
            ? Avx512F.VL.ConvertToVector128UInt16(bits)
            : Sse41.IsSupported
                ? Sse41.PackUnsignedSaturate(bits.GetLower().AsInt32(), bits.GetUpper().AsInt32())
                : Vector128.Narrow(bits.GetLower(), bits.GetUpper());
        packed.StoreUnsafe(ref destination, index);
    }

    /// <inheritdoc cref="Store512{TFormat}(Vector512{uint}, ref ushort, nuint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store128<TFormat>(Vector128<uint> bits, ref ushort destination, nuint index)
        where TFormat : struct, IStorage16Format
    {
        Vector128<ushort> packed = Avx512F.VL.IsSupported
            ? Avx512F.VL.ConvertToVector128UInt16(bits)
            : Sse41.IsSupported
                ? Sse41.PackUnsignedSaturate(bits.AsInt32(), bits.AsInt32())
                : Vector128.Narrow(bits, bits);
        Unsafe.WriteUnaligned(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref destination, index)), packed.AsUInt64().ToScalar());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic512<TFormat>(Vector512<float> value, ref ushort destination, nuint index, uint stream)
        where TFormat : struct, IStorage16Format =>
        Store512<TFormat>(default(TFormat).NarrowStochastic(value.AsUInt32(), StochasticRounding.Bits512(stream, index)), ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic256<TFormat>(Vector256<float> value, ref ushort destination, nuint index, uint stream)
        where TFormat : struct, IStorage16Format =>
        Store256<TFormat>(default(TFormat).NarrowStochastic(value.AsUInt32(), StochasticRounding.Bits256(stream, index)), ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreStochastic128<TFormat>(Vector128<float> value, ref ushort destination, nuint index, uint stream)
        where TFormat : struct, IStorage16Format =>
        Store128<TFormat>(default(TFormat).NarrowStochastic(value.AsUInt32(), StochasticRounding.Bits128(stream, index)), ref destination, index);
#endif

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch() =>
        throw new ArgumentException("The source and destination spans must have the same length.", "destination");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRegisterOutOfRange() =>
        throw new ArgumentOutOfRangeException("register", "The register does not lie wholly inside the span.");
}
