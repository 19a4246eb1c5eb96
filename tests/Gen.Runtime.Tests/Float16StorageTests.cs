using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Gen.__Internals;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// Round-to-nearest-even narrowing and exact widening of both 16-bit formats, against independent references
/// (PyTorch's bfloat16 formula, .NET's <see cref="Half"/>), and every path every build has (scalar by span index,
/// <see cref="Vector{T}"/> registers, whole-span Narrow/Widen) agreeing bit for bit at every length 0..70 and
/// large ones. CI runs this class again under each SIMD setting: with AVX-512 on, off (256 bits), AVX2 off
/// (Vector&lt;T&gt; 128 bits) and intrinsics off.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class BFloat16AndFloat16StorageTests
{
    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void EveryPatternWidensExactlyAndNarrowsBackToItself(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        ushort[] patterns = new ushort[0x10000];
        for (int i = 0; i < patterns.Length; i++)
        {
            patterns[i] = (ushort)i;
        }

        float[] widened = new float[patterns.Length];
        ushort[] narrowed = new ushort[patterns.Length];
        format.Widen(patterns, widened);
        format.Narrow(widened, narrowed);
        for (int i = 0; i < patterns.Length; i++)
        {
            ushort bits = (ushort)i;
            float value = format.ToSingle(bits);
            Assert.Equal(BitConverter.SingleToInt32Bits(value), BitConverter.SingleToInt32Bits(widened[i]));
            if (format.IsNaN(bits))
            {
                Assert.True(float.IsNaN(value));
                Assert.Equal((bits & 0x8000) != 0, BitConverter.SingleToInt32Bits(value) < 0);
                Assert.Equal(format.CanonicalNaN((bits & 0x8000) != 0), format.FromSingle(value));
                Assert.Equal(format.CanonicalNaN((bits & 0x8000) != 0), narrowed[i]);
            }
            else
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(format.ReferenceWiden(bits)), BitConverter.SingleToInt32Bits(value));
                Assert.Equal(bits, format.FromSingle(value));
                Assert.Equal(bits, narrowed[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void NarrowingMatchesTheReferenceAtEveryHalfwayPointAndItsNeighbors(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        var values = new List<float>();
        for (int i = 0; i < 0x10000; i++)
        {
            ushort bits = (ushort)i;
            ushort next = (ushort)(i + 1);
            if (format.IsNaN(bits) || format.IsNaN(next) || (bits & 0x7FFF) == 0x7FFF || float.IsInfinity(format.ReferenceWiden(bits)))
            {
                continue;
            }

            // The exact midpoint between a pattern and the next (away from zero); both fit a float exactly.
            float value = format.ReferenceWiden(bits);
            bool largest = (bits & 0x7FFF) == (format.Name == "BFloat16" ? 0x7F7F : 0x7BFF);
            double upper = largest ? Math.CopySign(format.Name == "BFloat16" ? Math.ScaleB(1, 128) : 65536, value) : format.ReferenceWiden(next);
            float midpoint = (float)((value + upper) / 2);
            values.Add(value);
            values.Add(midpoint);
            values.Add(MathF.BitIncrement(midpoint));
            values.Add(MathF.BitDecrement(midpoint));
            values.Add(MathF.BitIncrement(value));
            values.Add(MathF.BitDecrement(value));
        }

        AssertNarrowingMatchesReference(format, values.ToArray());
    }

    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void NarrowingMatchesTheReferenceForRandomFloatsAndEveryExponent(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        var random = new Random(name == "BFloat16" ? 101 : 102);
        AssertNarrowingMatchesReference(format, format.Inputs(1 << 21, random));

        // Every float exponent with the mantissas around its edges and its middle, both signs.
        var boundaries = new List<float>();
        foreach (uint sign in new[] { 0U, 0x80000000U })
        {
            for (uint exponent = 0; exponent < 256; exponent++)
            {
                foreach (uint mantissa in new uint[] { 0, 1, 2, 0x0FFF, 0x1000, 0x1001, 0x7FFF, 0x8000, 0x8001, 0x400000, 0x7FEFFF, 0x7FF000, 0x7FFFFE, 0x7FFFFF })
                {
                    boundaries.Add(BitConverter.Int32BitsToSingle((int)(sign | (exponent << 23) | mantissa)));
                }
            }
        }

        AssertNarrowingMatchesReference(format, boundaries.ToArray());
    }

    [Fact]
    public void TiesRoundToEvenInBothDirectionsAndBothSigns()
    {
        foreach (float sign in new[] { 1f, -1f })
        {
            // bfloat16 near 1 has step 2^−7: 1 + 2^−8 is halfway between 1 (even) and 1 + 2^−7 (odd): down;
            // 1 + 3·2^−8 is halfway between 1 + 2^−7 (odd) and 1 + 2^−6 (even): up.
            Assert.Equal(BFloat16Storage.FromSingle(sign), BFloat16Storage.FromSingle(sign * (1 + MathF.ScaleB(1, -8))));
            Assert.Equal(BFloat16Storage.FromSingle(sign * (1 + MathF.ScaleB(1, -6))), BFloat16Storage.FromSingle(sign * (1 + (3 * MathF.ScaleB(1, -8)))));
            Assert.Equal(sign > 0 ? 0x3F80 : 0xBF80, BFloat16Storage.FromSingle(sign * (1 + MathF.ScaleB(1, -8))));

            // binary16 near 1 has step 2^−10, and subnormals step 2^−24.
            Assert.Equal(Float16Storage.FromSingle(sign), Float16Storage.FromSingle(sign * (1 + MathF.ScaleB(1, -11))));
            Assert.Equal(Float16Storage.FromSingle(sign * (1 + MathF.ScaleB(1, -9))), Float16Storage.FromSingle(sign * (1 + (3 * MathF.ScaleB(1, -11)))));
            Assert.Equal(sign > 0 ? 0x0000 : 0x8000, Float16Storage.FromSingle(sign * MathF.ScaleB(1, -25))); // halfway 0 and 1 step: 0
            Assert.Equal(sign > 0 ? 0x0002 : 0x8002, Float16Storage.FromSingle(sign * 3 * MathF.ScaleB(1, -25))); // halfway 1 and 2 steps: 2
            Assert.Equal(sign > 0 ? 0x0001 : 0x8001, Float16Storage.FromSingle(sign * MathF.BitIncrement(MathF.ScaleB(1, -25))));
        }
    }

    [Fact]
    public void SubnormalsZerosInfinitiesAndNaNsAreAsSpecified()
    {
        // binary16 subnormals both ways: the smallest, the largest, and the float subnormal range rounding to 0.
        Assert.Equal(MathF.ScaleB(1, -24), Float16Storage.ToSingle(0x0001));
        Assert.Equal(MathF.ScaleB(1023, -24), Float16Storage.ToSingle(0x03FF));
        Assert.Equal(-MathF.ScaleB(1, -24), Float16Storage.ToSingle(0x8001));
        Assert.Equal(0x0001, Float16Storage.FromSingle(MathF.ScaleB(1, -24)));
        Assert.Equal(0x03FF, Float16Storage.FromSingle(MathF.ScaleB(1023, -24)));
        Assert.Equal(0x0400, Float16Storage.FromSingle(MathF.ScaleB(2047, -25))); // rounds up into the normals
        Assert.Equal(0x0000, Float16Storage.FromSingle(float.Epsilon));
        Assert.Equal(0x8000, Float16Storage.FromSingle(-float.Epsilon));

        // bfloat16 subnormals are float subnormals' top bits.
        Assert.Equal(BitConverter.Int32BitsToSingle(0x00010000), BFloat16Storage.ToSingle(0x0001));
        Assert.Equal(0x0001, BFloat16Storage.FromSingle(BitConverter.Int32BitsToSingle(0x00010000)));
        Assert.Equal(0x0000, BFloat16Storage.FromSingle(float.Epsilon));

        foreach (Storage16Format format in new[] { Storage16Format.BFloat16, Storage16Format.Float16 })
        {
            ushort infinity = (ushort)(format.Name == "BFloat16" ? 0x7F80 : 0x7C00);
            Assert.Equal(0x0000, format.FromSingle(0f));
            Assert.Equal(0x8000, format.FromSingle(-0f));
            Assert.Equal(0, BitConverter.SingleToInt32Bits(format.ToSingle(0x0000)));
            Assert.Equal(int.MinValue, BitConverter.SingleToInt32Bits(format.ToSingle(0x8000)));
            Assert.Equal(infinity, format.FromSingle(float.PositiveInfinity));
            Assert.Equal((ushort)(infinity | 0x8000), format.FromSingle(float.NegativeInfinity));
            Assert.Equal(float.PositiveInfinity, format.ToSingle(infinity));
            Assert.Equal(float.NegativeInfinity, format.ToSingle((ushort)(infinity | 0x8000)));
            Assert.Equal(infinity, format.FromSingle(float.MaxValue));
            Assert.Equal((ushort)(infinity | 0x8000), format.FromSingle(-float.MaxValue));
            foreach (int nan in new[] { 0x7FC00000, 0x7F800001, 0x7FFFFFFF, unchecked((int)0xFFC00000), unchecked((int)0xFF800001) })
            {
                Assert.Equal(format.CanonicalNaN(nan < 0), format.FromSingle(BitConverter.Int32BitsToSingle(nan)));
            }
        }

        // Overflow: binary16 rounds 65520 (halfway between 65504 and the next step) to ∞, just below it to 65504.
        Assert.Equal(0x7C00, Float16Storage.FromSingle(65520f));
        Assert.Equal(0x7BFF, Float16Storage.FromSingle(MathF.BitDecrement(65520f)));

        // bfloat16 rounds past its largest finite (0x7F7F) to ∞ exactly as PyTorch does.
        Assert.Equal(0x7F80, BFloat16Storage.FromSingle(BitConverter.Int32BitsToSingle(0x7F7F8000)));
        Assert.Equal(0x7F7F, BFloat16Storage.FromSingle(BitConverter.Int32BitsToSingle(0x7F7F7FFF)));
    }

    [Fact]
    public void Float16NaNsWidenWithTheirSignPayloadAndQuietBit()
    {
        Assert.Equal(0x7FC00000, BitConverter.SingleToInt32Bits(Float16Storage.ToSingle(0x7E00)));
        Assert.Equal(unchecked((int)0xFFC00000), BitConverter.SingleToInt32Bits(Float16Storage.ToSingle(0xFE00)));
        Assert.Equal(0x7F802000, BitConverter.SingleToInt32Bits(Float16Storage.ToSingle(0x7C01))); // signaling stays signaling
        Assert.Equal(0x7FFFE000, BitConverter.SingleToInt32Bits(Float16Storage.ToSingle(0x7FFF)));
        Assert.Equal(unchecked((int)0xFF802000), BitConverter.SingleToInt32Bits(Float16Storage.ToSingle(0xFC01)));
        Assert.Equal(0x7F810000, BitConverter.SingleToInt32Bits(BFloat16Storage.ToSingle(0x7F81)));
    }

    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void EveryPathNarrowsAndWidensWithTheScalarBits(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        int count = Vector<float>.Count;
        foreach (int length in Storage16Format.Lengths)
        {
            var random = new Random(HashCode.Combine(name.Length, length));
            float[] values = format.Inputs(length, random);
            ushort[] expected = new ushort[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = format.FromSingle(values[i]);
            }

            ushort[] spanNarrowed = new ushort[length];
            format.Narrow(values, spanNarrowed);
            Assert.Equal(expected, spanNarrowed);

            ushort[] stored = new ushort[length];
            for (int i = 0; i < length; i++)
            {
                format.Store(values[i], stored, i);
            }

            Assert.Equal(expected, stored);

            // Vector<T> registers, then the tail by element, as the portable kernels do.
            ushort[] vectorStored = new ushort[length];
            int registers = length / count;
            for (int r = 0; r < registers; r++)
            {
                format.StoreVector(new Vector<float>(values, r * count), vectorStored, r);
            }

            for (int i = registers * count; i < length; i++)
            {
                format.Store(values[i], vectorStored, i);
            }

            Assert.Equal(expected, vectorStored);

            // Widening, every path, from the stored bits (NaNs included, with their payloads).
            int[] widenedBits = new int[length];
            for (int i = 0; i < length; i++)
            {
                widenedBits[i] = BitConverter.SingleToInt32Bits(format.ToSingle(expected[i]));
                Assert.Equal(widenedBits[i], BitConverter.SingleToInt32Bits(format.Load(expected, i)));
            }

            float[] spanWidened = new float[length];
            format.Widen(expected, spanWidened);
            Assert.Equal(widenedBits, Array.ConvertAll(spanWidened, BitConverter.SingleToInt32Bits));

            float[] vectorLoaded = new float[length];
            for (int r = 0; r < registers; r++)
            {
                format.LoadVector(expected, r).CopyTo(vectorLoaded, r * count);
            }

            for (int i = registers * count; i < length; i++)
            {
                vectorLoaded[i] = format.Load(expected, i);
            }

            Assert.Equal(widenedBits, Array.ConvertAll(vectorLoaded, BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void SpanAndRegisterArgumentsAreChecked(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        int count = Vector<float>.Count;
        Assert.Throws<ArgumentException>(() => format.Narrow(new float[3], new ushort[4]));
        Assert.Throws<ArgumentException>(() => format.Widen(new ushort[4], new float[3]));
        ushort[] buffer = new ushort[(2 * count) + 1];
        Assert.Throws<ArgumentOutOfRangeException>(() => format.LoadVector(buffer, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => format.LoadVector(buffer, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => format.StoreVector(Vector<float>.One, buffer, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => format.StoreStochasticVector(Vector<float>.One, buffer, 2, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => format.LoadVector(new ushort[count - 1], 0));
        Assert.All(buffer, b => Assert.Equal(0, b));

        // The last whole register of a span, and a span of exactly one register, take the same bits.
        format.StoreVector(new Vector<float>(1.5f), buffer, 1);
        Assert.Equal(new Vector<float>(1.5f), format.LoadVector(buffer, 1));
        Assert.Equal(0, buffer[2 * count]);
        ushort[] single = new ushort[count];
        format.StoreVector(new Vector<float>(-3f), single, 0);
        Assert.Equal(new Vector<float>(-3f), format.LoadVector(single, 0));
    }

    private static void AssertNarrowingMatchesReference(Storage16Format format, float[] values)
    {
        ushort[] narrowed = new ushort[values.Length];
        format.Narrow(values, narrowed);
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = format.ReferenceNarrow(values[i]);
            if (expected != narrowed[i] || expected != format.FromSingle(values[i]))
            {
                Assert.Fail($"{format}: {values[i]:R} (0x{BitConverter.SingleToInt32Bits(values[i]):X8}) narrowed to 0x{narrowed[i]:X4} (span), 0x{format.FromSingle(values[i]):X4} (scalar); the reference gives 0x{expected:X4}.");
            }
        }
    }
}

/// <summary>binary16 narrowing against .NET's <see cref="Half"/> for every float.</summary>
public sealed class Float16StorageTests
{
    /// <summary>
    /// All 2^32 floats through the span Narrow (the machine's widest SIMD path) against the reference R: the
    /// canonical <c>sign | 0x7E00</c> for NaNs, <c>(Half)value</c> otherwise. Calling R 2^32 times takes about 20 s
    /// here, so it is called only at the two ends of each run of consecutive floats that Narrow maps to the same
    /// bits (found with a vectorized IndexOfAnyExcept), and each run's bits must exceed the previous run's. Along
    /// the floats of one sign in bit order (magnitudes increasing, then ∞, then the NaNs) R never decreases, so a
    /// run whose two ends R maps to its bits is mapped to them by R throughout: the check covers every float.
    /// Not in the Numerical category that CI reruns under every SIMD setting and under emulation: the other tests
    /// there cover each path on the cases that decide rounding.
    /// </summary>
    [Fact]
    public void EveryFloatNarrowsAsHalfDoes()
    {
        const int Chunk = 1 << 20;
        int[] iota = new int[Chunk];
        for (int i = 0; i < Chunk; i++)
        {
            iota[i] = i;
        }

        int failures = 0;
        string? first = null;
        Parallel.For(0, 1 << 12, () => (new int[Chunk], new ushort[Chunk]), (high, _, buffers) =>
        {
            (int[] bits, ushort[] narrowed) = buffers;
            int baseBits = high << 20;
            int width = Vector<int>.Count;
            for (int i = 0; i < Chunk; i += width)
            {
                (new Vector<int>(iota, i) | new Vector<int>(baseBits)).CopyTo(bits, i);
            }

            Span<float> values = MemoryMarshal.Cast<int, float>(bits.AsSpan());
            Float16Storage.Narrow(values, narrowed);
            int previous = (baseBits & 0x7FFFFFFF) == 0 ? -1 : Reference(BitConverter.Int32BitsToSingle(baseBits - 1));
            for (int start = 0; start < Chunk;)
            {
                ushort run = narrowed[start];
                int length = narrowed.AsSpan(start).IndexOfAnyExcept(run);
                int end = length < 0 ? Chunk - 1 : start + length - 1;
                if (Reference(values[start]) != run || Reference(values[end]) != run || run < previous)
                {
                    System.Threading.Interlocked.Increment(ref failures);
                    first ??= $"floats 0x{baseBits + start:X8} to 0x{baseBits + end:X8} narrowed to 0x{run:X4}; (Half) gives 0x{Reference(values[start]):X4} and 0x{Reference(values[end]):X4}";
                }

                previous = run;
                start = end + 1;
            }

            return buffers;
        }, _ => { });
        Assert.True(failures == 0, $"{failures} runs of floats differ, e.g. {first}");

        static ushort Reference(float value) =>
            float.IsNaN(value) ? (ushort)((BitConverter.SingleToInt32Bits(value) < 0 ? 0x8000 : 0) | 0x7E00) : BitConverter.HalfToUInt16Bits((Half)value);
    }
}
