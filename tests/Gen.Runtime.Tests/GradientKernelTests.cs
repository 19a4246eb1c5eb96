using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// The kernels directly: those that the public operations reach only through a few shapes (the
/// accumulator's division, the norm's second pass), and every driver path (each width's main loop, the
/// aggregation's two streams, each narrower width and the scalar tail) for every length 0..49 or more and
/// a few large ones, float and double, against scalar references. CI runs this class again under each
/// SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class GradientKernelTests
{
    [Fact]
    public void DivideDividesEveryElementOnce()
    {
        foreach (int length in TestData.Lengths)
        {
            foreach (int divisor in new[] { 2, 3, 7 })
            {
                var random = new Random(TestData.StableSeed("divide", length));
                float[] single = new float[length];
                double[] @double = new double[length];
                TestData.Fill(single, random, 5);
                TestData.Fill(@double, random, 5);
                float[] singleBefore = (float[])single.Clone();
                double[] doubleBefore = (double[])@double.Clone();

                GradientKernels.Divide<float>(single, divisor);
                GradientKernels.Divide<double>(@double, divisor);

                Assert.Equal(singleBefore.Select(x => BitConverter.SingleToInt32Bits(x / divisor)), single.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(doubleBefore.Select(x => BitConverter.DoubleToInt64Bits(x / divisor)), @double.Select(BitConverter.DoubleToInt64Bits));
            }
        }
    }

    [Fact]
    public void MaxMagnitudeFindsTheLargestWherever()
    {
        foreach (int length in TestData.Lengths.Where(n => n > 0))
        {
            var random = new Random(TestData.StableSeed("max", length));
            float[] single = new float[length];
            double[] @double = new double[length];
            TestData.Fill(single, random, 1);
            TestData.Fill(@double, random, 1);
            int at = random.Next(length);
            single[at] = -1e30f;
            @double[at] = -1e300;

            Assert.Equal(1e30f, GradientKernels.MaxMagnitude<float>(single));
            Assert.Equal(1e300, GradientKernels.MaxMagnitude<double>(@double));
        }

        Assert.Equal(0.0, GradientKernels.MaxMagnitude<float>(ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void SumsOfSquaresFollowTheSpecifiedOrder()
    {
        foreach (int length in TestData.Lengths)
        {
            var random = new Random(TestData.StableSeed("squares", length));
            float[] single = new float[length];
            double[] @double = new double[length];
            TestData.Fill(single, random, 7);
            TestData.Fill(@double, random, 7);
            double[] widened = single.Select(x => (double)x).ToArray();
            double scale = Math.ScaleB(1.0, -3);

            Assert.Equal(Reference.LaneSumOfSquares(new[] { widened }), GradientKernels.SumOfSquares(single));
            Assert.Equal(Reference.LaneSumOfSquares(new[] { @double }), GradientKernels.SumOfSquares(@double));
            Assert.Equal(Reference.LaneSumOfSquares(new[] { widened }, scale), GradientKernels.ScaledSumOfSquares<float>(single, scale));
            Assert.Equal(Reference.LaneSumOfSquares(new[] { @double }, scale), GradientKernels.ScaledSumOfSquares<double>(@double, scale));
        }
    }

    [Fact]
    public void SumsOfSquaresKeepTheOrderAfterEveryNumberOfWholeBlocks()
    {
        // Every remainder 0..31 after zero, one, two and three blocks of 32 (so each width's remainder loop
        // adds onto lanes that already hold a block), and a few large lengths. The magnitudes spread over
        // 2^±30, so a different order of additions would change the last bits (checked below).
        bool orderMatters = false;
        foreach (int length in Enumerable.Range(0, (3 * 32) + 2).Concat(new[] { 1023, 1024, 1025, 65_536 + 31 }))
        {
            var random = new Random(TestData.StableSeed("lanes", length));
            float[] single = new float[length];
            double[] @double = new double[length];
            for (int i = 0; i < length; i++)
            {
                double spread = Math.ScaleB(random.NextDouble() - 0.5, random.Next(-30, 31));
                single[i] = (float)spread;
                @double[i] = spread * (1 + random.NextDouble());
            }

            double[] widened = single.Select(x => (double)x).ToArray();
            AssertSameBits(Reference.LaneSumOfSquares(new[] { widened }), GradientKernels.SumOfSquares(single), length);
            AssertSameBits(Reference.LaneSumOfSquares(new[] { @double }), GradientKernels.SumOfSquares(@double), length);
            orderMatters |= Reference.LaneSumOfSquares(new[] { @double }) != @double.Sum(x => x * x);
        }

        Assert.True(orderMatters, "The data never made the order of additions matter, so the test could not see it.");
    }

    [Fact]
    public void MaxMagnitudeFindsTheLargestAtEveryPosition()
    {
        // The largest magnitude planted at every position (sampled for the largest length), so it lands in
        // each stream of the main loop, each narrower width and the scalar tail; the other values are below it.
        foreach (int length in Enumerable.Range(1, (3 * 32) + 1).Concat(new[] { 4099, 65_537 }))
        {
            var random = new Random(TestData.StableSeed("max everywhere", length));
            float[] single = new float[length];
            double[] @double = new double[length];
            TestData.Fill(single, random, 0.5);
            TestData.Fill(@double, random, 0.5);
            IEnumerable<int> positions = length < 10_000
                ? Enumerable.Range(0, length)
                : Enumerable.Range(0, length).Where(p => p % 97 == 0 || p < 100 || p >= length - 100 || Math.Abs(p - (length / 2)) < 100);
            foreach (int at in positions)
            {
                float savedSingle = single[at];
                double savedDouble = @double[at];
                single[at] = at % 2 == 0 ? -1000.5f : 1000.5f;
                @double[at] = at % 2 == 0 ? 1e200 : -1e200;

                double singleMax = GradientKernels.MaxMagnitude<float>(single);
                double doubleMax = GradientKernels.MaxMagnitude<double>(@double);
                if (singleMax != 1000.5 || doubleMax != 1e200)
                {
                    Assert.Fail($"length {length}, largest at {at}: got {singleMax} and {doubleMax}.");
                }

                single[at] = savedSingle;
                @double[at] = savedDouble;
            }

            Assert.Equal(single.Max(x => Math.Abs((double)x)), GradientKernels.MaxMagnitude<float>(single));
            Assert.Equal(@double.Max(x => Math.Abs(x)), GradientKernels.MaxMagnitude<double>(@double));
        }

        Assert.Equal(0.0, GradientKernels.MaxMagnitude<double>(new[] { -0.0, 0.0, -0.0 }));
        Assert.Equal(float.MaxValue, GradientKernels.MaxMagnitude<float>(Enumerable.Repeat(-float.MaxValue, 37).ToArray()));
    }

    [Fact]
    public void IndexOfNonFiniteFindsTheFirstAmongTheLargestFiniteValues()
    {
        // The background is ±MaxValue, whose exponent field is one below all ones, and the smallest subnormal,
        // so only a really non-finite element may be reported; one is planted at every position (sampled for
        // the largest length) and a second one after it.
        foreach (int length in Enumerable.Range(0, (3 * 32) + 2).Concat(new[] { 4099, 65_537 }))
        {
            float[] single = Enumerable.Range(0, length).Select(i => (i % 3) switch { 0 => float.MaxValue, 1 => -float.MaxValue, _ => float.Epsilon }).ToArray();
            double[] @double = Enumerable.Range(0, length).Select(i => (i % 3) switch { 0 => -double.MaxValue, 1 => double.MaxValue, _ => -double.Epsilon }).ToArray();
            Assert.Equal(-1, GradientKernels.IndexOfNonFinite<float>(single));
            Assert.Equal(-1, GradientKernels.IndexOfNonFinite<double>(@double));

            IEnumerable<int> positions = length < 10_000
                ? Enumerable.Range(0, length)
                : Enumerable.Range(0, length).Where(p => p % 89 == 0 || p >= length - 100 || Math.Abs(p - (length / 2)) < 100);
            foreach (int at in positions)
            {
                float savedSingle = single[at];
                double savedDouble = @double[at];
                single[at] = (at % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
                @double[at] = (at % 3) switch { 0 => double.NegativeInfinity, 1 => double.NaN, _ => double.PositiveInfinity };
                int later = Math.Min(length - 1, at + 1 + (at % 40));
                float laterSingle = single[later];
                double laterDouble = @double[later];
                single[later] = float.NaN;
                @double[later] = double.NaN;

                int singleIndex = GradientKernels.IndexOfNonFinite<float>(single);
                int doubleIndex = GradientKernels.IndexOfNonFinite<double>(@double);
                if (singleIndex != at || doubleIndex != at)
                {
                    Assert.Fail($"length {length}, first non-finite at {at}: found {singleIndex} and {doubleIndex}.");
                }

                single[later] = laterSingle;
                @double[later] = laterDouble;
                single[at] = savedSingle;
                @double[at] = savedDouble;
            }
        }
    }

    [Fact]
    public void ElementWiseOperationsMatchTheScalarReferenceBitForBit()
    {
        // Each is one IEEE operation per element, so the reference is that operation in double, rounded to
        // the element type (exact for float: double has more than twice float's precision), and clamp is
        // its two comparisons. NaN, ±∞ and −0 are among the values.
        foreach (int length in TestData.Lengths)
        {
            var random = new Random(TestData.StableSeed("element-wise", length));
            double[] x = new double[length];
            double[] y = new double[length];
            TestData.Fill(x, random, 3);
            TestData.Fill(y, random, 3);
            if (length > 4)
            {
                x[length / 4] = double.NaN;
                x[length / 3] = double.NegativeInfinity;
                x[length / 2] = -0.0;
                y[length - 1] = double.PositiveInfinity;
            }

            float[] xs = x.Select(v => (float)v).ToArray();
            float[] ys = y.Select(v => (float)v).ToArray();
            const double Operand = -0.7;
            const float SingleOperand = (float)Operand;
            double Clamp(double v, double limit) => v > limit ? limit : v < -limit ? -limit : v;

            CheckSingle(xs, s => GradientKernels.Multiply<float>(s, SingleOperand), (v, _) => (double)v * SingleOperand, "multiply");
            CheckDouble(x, s => GradientKernels.Multiply<double>(s, Operand), (v, _) => v * Operand, "multiply");
            CheckSingle(xs, s => GradientKernels.Divide<float>(s, SingleOperand), (v, _) => (double)v / SingleOperand, "divide");
            CheckDouble(x, s => GradientKernels.Divide<double>(s, Operand), (v, _) => v / Operand, "divide");
            CheckSingle(xs, s => GradientKernels.ClampMagnitude<float>(s, 1.5f), (v, _) => Clamp(v, 1.5), "clamp");
            CheckDouble(x, s => GradientKernels.ClampMagnitude<double>(s, 1.5), (v, _) => Clamp(v, 1.5), "clamp");
            CheckSingle(xs, s => GradientKernels.Add<float>(s, ys), (v, i) => (double)v + ys[i], "add");
            CheckDouble(x, s => GradientKernels.Add<double>(s, y), (v, i) => v + y[i], "add");
        }
    }

    [Fact]
    public void MismatchedAddLengthsThrowBeforeWriting()
    {
        float[] target = { 1, 2, 3 };
        Assert.Throws<InvalidOperationException>(() => GradientKernels.Add<float>(target, new float[2]));
        Assert.Equal(new float[] { 1, 2, 3 }, target);
    }

    /// <summary>Runs the kernel on a copy and compares every element's bits with the reference (value, index) rounded to float.</summary>
    private static void CheckSingle(float[] before, Action<float[]> kernel, Func<float, int, double> reference, string what)
    {
        float[] actual = (float[])before.Clone();
        kernel(actual);
        for (int i = 0; i < before.Length; i++)
        {
            float expected = (float)reference(before[i], i);
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"float {what}, length {before.Length}, element {i}: {actual[i]:R}, expected {expected:R}.");
            }
        }
    }

    /// <inheritdoc cref="CheckSingle"/>
    private static void CheckDouble(double[] before, Action<double[]> kernel, Func<double, int, double> reference, string what)
    {
        double[] actual = (double[])before.Clone();
        kernel(actual);
        for (int i = 0; i < before.Length; i++)
        {
            double expected = reference(before[i], i);
            if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual[i]))
            {
                Assert.Fail($"double {what}, length {before.Length}, element {i}: {actual[i]:R}, expected {expected:R}.");
            }
        }
    }

    private static void AssertSameBits(double expected, double actual, int length)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
        {
            Assert.Fail($"length {length}: {actual:R}, expected {expected:R}.");
        }
    }
}
