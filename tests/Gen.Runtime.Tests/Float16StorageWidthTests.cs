using System;
using System.Runtime.Intrinsics;
using Gen.__Internals;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// The .NET 8+ overloads the Intrinsics kernels call (<c>ref</c> + <see cref="nuint"/> scalars and the 512, 256
/// and 128-bit registers) store and load, lane by lane, the bits of the span scalar overloads, for round to
/// nearest even and stochastic rounding (lane j of a register at index i uses element i + j's random bits),
/// both formats, registers at every offset (so unaligned ones too) and every tail. Each width is tested whether
/// or not the machine accelerates it (an unaccelerated width is the JIT's software fallback, which must agree
/// too). Left out of tests/Gen.Portable.Tests: the netstandard2.1 build has none of these overloads. CI runs
/// this class again under each SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class Float16StorageWidthTests
{
    [Theory]
    [InlineData("BFloat16", 16)]
    [InlineData("BFloat16", 8)]
    [InlineData("BFloat16", 4)]
    [InlineData("BFloat16", 1)]
    [InlineData("Float16", 16)]
    [InlineData("Float16", 8)]
    [InlineData("Float16", 4)]
    [InlineData("Float16", 1)]
    public void EveryWidthGivesTheScalarBits(string name, int width)
    {
        Storage16Format format = Storage16Format.Named(name);
        Widths widths = name == "BFloat16" ? new BFloat16Widths() : new Float16Widths();
        foreach (int length in Storage16Format.Lengths)
        {
            var random = new Random(HashCode.Combine(name.Length, width, length));
            float[] values = format.Inputs(length, random);
            uint stream = (uint)random.Next() * 3U;
            int offset = length == 0 ? 0 : random.Next(Math.Min(length, width));

            ushort[] expected = new ushort[length];
            ushort[] expectedStochastic = new ushort[length];
            for (int i = 0; i < length; i++)
            {
                format.Store(values[i], expected, i);
                format.StoreStochastic(values[i], expectedStochastic, i, stream);
            }

            ushort[] stored = new ushort[length];
            ushort[] storedStochastic = new ushort[length];
            float[] loaded = new float[length];
            ref ushort target = ref stored.AsSpan().GetPinnableReference();
            ref ushort targetStochastic = ref storedStochastic.AsSpan().GetPinnableReference();
            ref ushort source = ref expected.AsSpan().GetPinnableReference();

            // Single elements before the offset, then whole registers from it, then single elements.
            int i0 = 0;
            for (; i0 < offset; i0++)
            {
                Scalar(i0);
            }

            for (; i0 + width <= length && width > 1; i0 += width)
            {
                widths.Store(width, values, i0, ref target, (nuint)i0);
                widths.StoreStochastic(width, values, i0, ref targetStochastic, (nuint)i0, stream);
                widths.Load(width, ref source, (nuint)i0).CopyTo(loaded, i0);
            }

            for (; i0 < length; i0++)
            {
                Scalar(i0);
            }

            StochasticRoundingTests.AssertEqual(format, values, expected, stored);
            StochasticRoundingTests.AssertEqual(format, values, expectedStochastic, storedStochastic);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(format.ToSingle(expected[i])), BitConverter.SingleToInt32Bits(loaded[i]));
            }

            void Scalar(int i)
            {
                widths.StoreScalar(values[i], ref stored[0], (nuint)i);
                widths.StoreStochasticScalar(values[i], ref storedStochastic[0], (nuint)i, stream);
                loaded[i] = widths.LoadScalar(ref expected[0], (nuint)i);
            }
        }
    }

    [Fact]
    public void AVectorStoreWritesOnlyItsOwnElements()
    {
        foreach (Widths widths in new Widths[] { new BFloat16Widths(), new Float16Widths() })
        {
            foreach (int width in new[] { 16, 8, 4 })
            {
                ushort[] buffer = new ushort[width + 2];
                Array.Fill(buffer, (ushort)0xABCD);
                widths.Store(width, new float[width], 0, ref buffer[0], 1);
                Assert.Equal(0xABCD, buffer[0]);
                Assert.Equal(0xABCD, buffer[width + 1]);
                Array.Fill(buffer, (ushort)0xABCD);
                widths.StoreStochastic(width, new float[width], 0, ref buffer[0], 1, 99);
                Assert.Equal(0xABCD, buffer[0]);
                Assert.Equal(0xABCD, buffer[width + 1]);
                Assert.All(buffer.AsSpan(1, width).ToArray(), b => Assert.Equal(0, b));
            }
        }
    }

    /// <summary>One format's fixed-width overloads, chosen by width; lanes come from and go to float arrays.</summary>
    private abstract class Widths
    {
        public abstract float LoadScalar(ref ushort source, nuint index);

        public abstract void StoreScalar(float value, ref ushort destination, nuint index);

        public abstract void StoreStochasticScalar(float value, ref ushort destination, nuint index, uint stream);

        public abstract float[] Load(int width, ref ushort source, nuint index);

        public abstract void Store(int width, float[] values, int at, ref ushort destination, nuint index);

        public abstract void StoreStochastic(int width, float[] values, int at, ref ushort destination, nuint index, uint stream);

        protected static float[] Lanes(Vector512<float> v) => ToArray(v, 16);

        protected static float[] Lanes(Vector256<float> v) => ToArray(v.ToVector512Unsafe(), 8);

        protected static float[] Lanes(Vector128<float> v) => ToArray(v.ToVector256Unsafe().ToVector512Unsafe(), 4);

        private static float[] ToArray(Vector512<float> v, int count)
        {
            float[] lanes = new float[count];
            for (int j = 0; j < count; j++)
            {
                lanes[j] = v.GetElement(j);
            }

            return lanes;
        }
    }

    private sealed class BFloat16Widths : Widths
    {
        public override float LoadScalar(ref ushort source, nuint index) => BFloat16Storage.Load(ref source, index);

        public override void StoreScalar(float value, ref ushort destination, nuint index) => BFloat16Storage.Store(value, ref destination, index);

        public override void StoreStochasticScalar(float value, ref ushort destination, nuint index, uint stream) =>
            BFloat16Storage.StoreStochastic(value, ref destination, index, stream);

        public override float[] Load(int width, ref ushort source, nuint index) => width switch
        {
            16 => Lanes(BFloat16Storage.Load512(ref source, index)),
            8 => Lanes(BFloat16Storage.Load256(ref source, index)),
            _ => Lanes(BFloat16Storage.Load128(ref source, index)),
        };

        public override void Store(int width, float[] values, int at, ref ushort destination, nuint index)
        {
            switch (width)
            {
                case 16: BFloat16Storage.Store512(Vector512.Create(values.AsSpan(at, 16)), ref destination, index); break;
                case 8: BFloat16Storage.Store256(Vector256.Create(values.AsSpan(at, 8)), ref destination, index); break;
                default: BFloat16Storage.Store128(Vector128.Create(values.AsSpan(at, 4)), ref destination, index); break;
            }
        }

        public override void StoreStochastic(int width, float[] values, int at, ref ushort destination, nuint index, uint stream)
        {
            switch (width)
            {
                case 16: BFloat16Storage.StoreStochastic512(Vector512.Create(values.AsSpan(at, 16)), ref destination, index, stream); break;
                case 8: BFloat16Storage.StoreStochastic256(Vector256.Create(values.AsSpan(at, 8)), ref destination, index, stream); break;
                default: BFloat16Storage.StoreStochastic128(Vector128.Create(values.AsSpan(at, 4)), ref destination, index, stream); break;
            }
        }
    }

    private sealed class Float16Widths : Widths
    {
        public override float LoadScalar(ref ushort source, nuint index) => Float16Storage.Load(ref source, index);

        public override void StoreScalar(float value, ref ushort destination, nuint index) => Float16Storage.Store(value, ref destination, index);

        public override void StoreStochasticScalar(float value, ref ushort destination, nuint index, uint stream) =>
            Float16Storage.StoreStochastic(value, ref destination, index, stream);

        public override float[] Load(int width, ref ushort source, nuint index) => width switch
        {
            16 => Lanes(Float16Storage.Load512(ref source, index)),
            8 => Lanes(Float16Storage.Load256(ref source, index)),
            _ => Lanes(Float16Storage.Load128(ref source, index)),
        };

        public override void Store(int width, float[] values, int at, ref ushort destination, nuint index)
        {
            switch (width)
            {
                case 16: Float16Storage.Store512(Vector512.Create(values.AsSpan(at, 16)), ref destination, index); break;
                case 8: Float16Storage.Store256(Vector256.Create(values.AsSpan(at, 8)), ref destination, index); break;
                default: Float16Storage.Store128(Vector128.Create(values.AsSpan(at, 4)), ref destination, index); break;
            }
        }

        public override void StoreStochastic(int width, float[] values, int at, ref ushort destination, nuint index, uint stream)
        {
            switch (width)
            {
                case 16: Float16Storage.StoreStochastic512(Vector512.Create(values.AsSpan(at, 16)), ref destination, index, stream); break;
                case 8: Float16Storage.StoreStochastic256(Vector256.Create(values.AsSpan(at, 8)), ref destination, index, stream); break;
                default: Float16Storage.StoreStochastic128(Vector128.Create(values.AsSpan(at, 4)), ref destination, index, stream); break;
            }
        }
    }
}
