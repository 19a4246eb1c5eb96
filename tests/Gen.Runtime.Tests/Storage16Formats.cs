using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Gen.__Internals;

namespace Gen.Runtime.Tests;

/// <summary>
/// <see cref="BFloat16Storage"/> and <see cref="Float16Storage"/> behind one face, so the tests every format must
/// pass are written once, with an independent reference for each: PyTorch's formulas for bfloat16, .NET's
/// <see cref="Half"/> for binary16. Only the API every build has (spans, <see cref="Vector{T}"/>) is here: the
/// fixed-width overloads, which the netstandard2.1 build lacks, are tested in <c>Float16StorageWidthTests</c>.
/// </summary>
public abstract class Storage16Format
{
    public static readonly Storage16Format BFloat16 = new BFloat16Face();

    public static readonly Storage16Format Float16 = new Float16Face();

    /// <summary>Theory data: the format's name (<see cref="Named"/> turns it back).</summary>
    public static IEnumerable<object[]> Names => new[] { new object[] { "BFloat16" }, new object[] { "Float16" } };

    public abstract string Name { get; }

    /// <summary>Mantissa bits of the format (bfloat16 7, binary16 10), for the step between neighbors.</summary>
    public abstract int MantissaBits { get; }

    /// <summary>The canonical NaN the format stores for a NaN of this sign.</summary>
    public abstract ushort CanonicalNaN(bool negative);

    /// <summary>The round-to-nearest-even bits from an implementation independent of the one under test.</summary>
    public abstract ushort ReferenceNarrow(float value);

    /// <summary>The exact float value of a bit pattern from an independent implementation (NaNs excluded).</summary>
    public abstract float ReferenceWiden(ushort bits);

    public abstract bool IsNaN(ushort bits);

    public abstract ushort FromSingle(float value);

    public abstract float ToSingle(ushort bits);

    public abstract float Load(Span<ushort> source, int index);

    public abstract void Store(float value, Span<ushort> destination, int index);

    public abstract void StoreStochastic(float value, Span<ushort> destination, int index, uint stream);

    public abstract Vector<float> LoadVector(Span<ushort> source, int register);

    public abstract void StoreVector(Vector<float> value, Span<ushort> destination, int register);

    public abstract void StoreStochasticVector(Vector<float> value, Span<ushort> destination, int register, uint stream);

    public abstract void Narrow(ReadOnlySpan<float> source, Span<ushort> destination);

    public abstract void Widen(ReadOnlySpan<ushort> source, Span<float> destination);

    public static Storage16Format Named(string name) => name == "BFloat16" ? BFloat16 : Float16;

    public override string ToString() => Name;

    /// <summary>
    /// Floats that exercise every rule: uniformly random bit patterns (every exponent, NaNs with payloads, ±∞,
    /// subnormals), values near 1, every format pattern widened, exact halfway points between neighbors
    /// and the floats on either side of them.
    /// </summary>
    public float[] Inputs(int length, Random random)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            ushort pattern = (ushort)random.Next(0x10000);
            float widened = ReferenceWiden(IsNaN(pattern) ? (ushort)0 : pattern);
            uint halfStep = 1U << (22 - MantissaBits);
            uint halfway = (uint)BitConverter.SingleToInt32Bits(widened) + halfStep;
            values[i] = (random.Next(6)) switch
            {
                0 => BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)),
                1 => (float)(random.NextDouble() * 4 - 2),
                2 => widened,
                3 => BitConverter.Int32BitsToSingle((int)halfway),
                4 => BitConverter.Int32BitsToSingle((int)halfway + (random.Next(2) * 2) - 1),
                _ => BitConverter.Int32BitsToSingle((int)(0x33000000U + (uint)random.Next(0x06000000)) ^ (random.Next(2) << 31)), // binary16's subnormal range
            };
        }

        return values;
    }

    /// <summary>Every length 0..70 (each width's registers and every tail) and a few large ones.</summary>
    public static readonly int[] Lengths = Enumerable.Range(0, 71).Concat(new[] { 1000, 4099, 65_537 }).ToArray();

    private sealed class BFloat16Face : Storage16Format
    {
        public override string Name => "BFloat16";

        public override int MantissaBits => 7;

        public override ushort CanonicalNaN(bool negative) => 0x7FC0;

        /// <summary>c10::BFloat16's round_to_nearest_even, as PyTorch writes it.</summary>
        public override ushort ReferenceNarrow(float value)
        {
            if (float.IsNaN(value))
            {
                return 0x7FC0;
            }

            uint bits = (uint)BitConverter.SingleToInt32Bits(value);
            uint roundingBias = ((bits >> 16) & 1) + 0x7FFF;
            return (ushort)((bits + roundingBias) >> 16);
        }

        public override float ReferenceWiden(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

        public override bool IsNaN(ushort bits) => (bits & 0x7FFF) > 0x7F80;

        public override ushort FromSingle(float value) => BFloat16Storage.FromSingle(value);

        public override float ToSingle(ushort bits) => BFloat16Storage.ToSingle(bits);

        public override float Load(Span<ushort> source, int index) => BFloat16Storage.Load(source, index);

        public override void Store(float value, Span<ushort> destination, int index) => BFloat16Storage.Store(value, destination, index);

        public override void StoreStochastic(float value, Span<ushort> destination, int index, uint stream) =>
            BFloat16Storage.StoreStochastic(value, destination, index, stream);

        public override Vector<float> LoadVector(Span<ushort> source, int register) => BFloat16Storage.LoadVector(source, register);

        public override void StoreVector(Vector<float> value, Span<ushort> destination, int register) =>
            BFloat16Storage.StoreVector(value, destination, register);

        public override void StoreStochasticVector(Vector<float> value, Span<ushort> destination, int register, uint stream) =>
            BFloat16Storage.StoreStochasticVector(value, destination, register, stream);

        public override void Narrow(ReadOnlySpan<float> source, Span<ushort> destination) => BFloat16Storage.Narrow(source, destination);

        public override void Widen(ReadOnlySpan<ushort> source, Span<float> destination) => BFloat16Storage.Widen(source, destination);
    }

    private sealed class Float16Face : Storage16Format
    {
        public override string Name => "Float16";

        public override int MantissaBits => 10;

        public override ushort CanonicalNaN(bool negative) => (ushort)(negative ? 0xFE00 : 0x7E00);

        /// <summary>.NET's conversion, which rounds to nearest even (its NaN bits differ: NaNs are compared separately).</summary>
        public override ushort ReferenceNarrow(float value) =>
            float.IsNaN(value) ? CanonicalNaN(BitConverter.SingleToInt32Bits(value) < 0) : BitConverter.HalfToUInt16Bits((Half)value);

        public override float ReferenceWiden(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

        public override bool IsNaN(ushort bits) => (bits & 0x7FFF) > 0x7C00;

        public override ushort FromSingle(float value) => Float16Storage.FromSingle(value);

        public override float ToSingle(ushort bits) => Float16Storage.ToSingle(bits);

        public override float Load(Span<ushort> source, int index) => Float16Storage.Load(source, index);

        public override void Store(float value, Span<ushort> destination, int index) => Float16Storage.Store(value, destination, index);

        public override void StoreStochastic(float value, Span<ushort> destination, int index, uint stream) =>
            Float16Storage.StoreStochastic(value, destination, index, stream);

        public override Vector<float> LoadVector(Span<ushort> source, int register) => Float16Storage.LoadVector(source, register);

        public override void StoreVector(Vector<float> value, Span<ushort> destination, int register) =>
            Float16Storage.StoreVector(value, destination, register);

        public override void StoreStochasticVector(Vector<float> value, Span<ushort> destination, int register, uint stream) =>
            Float16Storage.StoreStochasticVector(value, destination, register, stream);

        public override void Narrow(ReadOnlySpan<float> source, Span<ushort> destination) => Float16Storage.Narrow(source, destination);

        public override void Widen(ReadOnlySpan<ushort> source, Span<float> destination) => Float16Storage.Widen(source, destination);
    }
}
