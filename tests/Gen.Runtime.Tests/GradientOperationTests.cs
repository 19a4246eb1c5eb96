using System;
using System.Linq;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// Scale, Add, ClipByValue, L2Norm and ClipByGlobalNorm against plain scalar double-precision
/// references, for every length 0..49 and a few large ones, float and double, bit for bit where the
/// operation is specified exactly. CI runs this class again under each SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class GradientOperationTests
{
    private static readonly double[] Factors = { 0.37, -2.5, 0, 1e-3, 1 };

    [Fact]
    public void ScaleMultipliesEveryElementByTheFactorInTheElementType()
    {
        foreach (int length in TestData.Lengths)
        {
            foreach (double factor in Factors)
            {
                var random = new Random(TestData.StableSeed("scale", length));
                (SingleVector.Gradients single, DoubleVector.Gradients @double) = Vectors(length, random);
                float[] singleBefore = (float[])single.P.Clone();
                double[] doubleBefore = (double[])@double.P.Clone();

                single.Scale(factor);
                @double.Scale(factor);

                for (int i = 0; i < length; i++)
                {
                    AssertBits(singleBefore[i] * (float)factor, single.P[i], length, i);
                    AssertBits(doubleBefore[i] * factor, @double.P[i], length, i);
                }
            }
        }
    }

    [Fact]
    public void AddAddsElementByElement()
    {
        foreach (int length in TestData.Lengths)
        {
            var random = new Random(TestData.StableSeed("add", length));
            (SingleVector.Gradients single, DoubleVector.Gradients @double) = Vectors(length, random);
            (SingleVector.Gradients singleOther, DoubleVector.Gradients doubleOther) = Vectors(length, random);
            float[] singleBefore = (float[])single.P.Clone();
            double[] doubleBefore = (double[])@double.P.Clone();

            single.Add(singleOther);
            @double.Add(doubleOther);

            for (int i = 0; i < length; i++)
            {
                AssertBits(singleBefore[i] + singleOther.P[i], single.P[i], length, i);
                AssertBits(doubleBefore[i] + doubleOther.P[i], @double.P[i], length, i);
            }
        }
    }

    [Fact]
    public void AddingAContainerToItselfDoublesIt()
    {
        var model = MixedModel.Create(1);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(2));
        double[] before = TestData.Values(gradients);

        gradients.Add(gradients);

        Assert.Equal(before.Select(x => 2 * x), TestData.Values(gradients));
    }

    [Fact]
    public void ClipByValueClampsToTheLimitAndKeepsNaN()
    {
        double[] limits = { 0, 0.3, 1.5, 1e30, double.PositiveInfinity };
        foreach (int length in TestData.Lengths)
        {
            foreach (double limit in limits)
            {
                var random = new Random(TestData.StableSeed("value", length));
                (SingleVector.Gradients single, DoubleVector.Gradients @double) = Vectors(length, random, scale: 2);
                if (length > 3)
                {
                    single.P[length / 3] = float.NaN;
                    @double.P[length / 3] = double.NaN;
                    single.P[length - 1] = float.NegativeInfinity;
                    @double.P[length - 1] = double.PositiveInfinity;
                }

                float[] singleBefore = (float[])single.P.Clone();
                double[] doubleBefore = (double[])@double.P.Clone();

                single.ClipByValue(limit);
                @double.ClipByValue(limit);

                float l = (float)limit;
                for (int i = 0; i < length; i++)
                {
                    float x = singleBefore[i];
                    double y = doubleBefore[i];
                    AssertBits(x > l ? l : x < -l ? -l : x, single.P[i], length, i);
                    AssertBits(y > limit ? limit : y < -limit ? -limit : y, @double.P[i], length, i);
                    Assert.Equal(float.IsNaN(x), float.IsNaN(single.P[i]));
                    Assert.Equal(double.IsNaN(y), double.IsNaN(@double.P[i]));
                    Assert.True(float.IsNaN(x) || Math.Abs(single.P[i]) <= l);
                }
            }
        }
    }

    [Fact]
    public void L2NormIsBitIdenticalToTheSpecifiedOrderAndWithinTheRoundingBoundOfTheExactNorm()
    {
        foreach (int length in TestData.Lengths)
        {
            var random = new Random(TestData.StableSeed("norm", length));
            (SingleVector.Gradients single, DoubleVector.Gradients @double) = Vectors(length, random, scale: 3);

            foreach (GradientsBase gradients in new GradientsBase[] { single, @double })
            {
                double[] values = TestData.Values(gradients);
                double norm = gradients.L2Norm();
                double lanes = Math.Sqrt(Reference.LaneSumOfSquares(new[] { values }));
                Assert.True(
                    BitConverter.DoubleToInt64Bits(lanes) == BitConverter.DoubleToInt64Bits(norm),
                    $"length {length}: {norm:R}, specified order gives {lanes:R}.");

                // Each lane adds at most n/32 + 1 terms and the fold five more: a sum of positive terms
                // is then within (n/32 + 6)·2⁻⁵³ of exact, and its square root within half that (plus the
                // root's own rounding).
                double exact = Reference.ExactNorm(values);
                double bound = (((length / 32.0) + 6) * Math.Pow(2, -53) / 2) + Math.Pow(2, -53);
                Assert.True(Math.Abs(norm - exact) <= bound * exact, $"length {length}: {norm:R} vs exact {exact:R}.");
            }
        }
    }

    [Fact]
    public void L2NormCoversEveryMemberOfAMixedModel()
    {
        var model = MixedModel.Create(3);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(4));

        double norm = gradients.L2Norm();

        double[][] members = Enumerable.Range(0, gradients.MemberCount).Select(i => TestData.Values(gradients.GetMember(i))).ToArray();
        Assert.Equal(Math.Sqrt(Reference.LaneSumOfSquares(members)), norm);
        Assert.Equal(Reference.ExactNorm(members.SelectMany(m => m)), norm, 1e-14);
    }

    [Theory]
    [InlineData(1e200)]
    [InlineData(1e300)]
    [InlineData(1e-160)]
    [InlineData(1e-200)]
    [InlineData(1e-310)]
    [InlineData(4.9e-324)]
    public void L2NormNeitherOverflowsNorUnderflows(double magnitude)
    {
        foreach (int length in new[] { 1, 2, 17, 37, 1000 })
        {
            var @double = new DoubleVector.Gradients(new DoubleVector { P = new double[length] });
            var random = new Random(length);
            for (int i = 0; i < length; i++)
            {
                @double.P[i] = magnitude * (random.NextDouble() + 0.5) * (i % 2 == 0 ? 1 : -1);
            }

            double exact = Reference.ExactNorm(@double.P);
            double norm = @double.L2Norm();

            Assert.True(double.IsFinite(norm) && norm > 0, $"{magnitude:E}, length {length}: {norm}");

            // The second pass is the specified order on elements scaled by a power of two.
            int exponent = Math.Clamp(-Math.ILogB(@double.P.Max(Math.Abs)), -1022, 1023);
            double specified = Math.ScaleB(Math.Sqrt(Reference.LaneSumOfSquares(new[] { @double.P }, Math.ScaleB(1.0, exponent))), -exponent);
            Assert.Equal(BitConverter.DoubleToInt64Bits(specified), BitConverter.DoubleToInt64Bits(norm));

            // Subnormal inputs carry fewer significant bits, so the comparison is relative to their precision.
            double tolerance = magnitude < 1e-300 ? 1e-3 : 1e-14;
            Assert.True(Math.Abs(norm - exact) <= tolerance * exact, $"{magnitude:E}, length {length}: {norm:R} vs exact {exact:R}.");
        }
    }

    [Fact]
    public void L2NormOfFloatsAtTheEndsOfTheirRangeIsExactInDouble()
    {
        var single = new SingleVector.Gradients(new SingleVector { P = new float[40] });
        Array.Fill(single.P, float.MaxValue);
        Assert.Equal(Reference.ExactNorm(single.P.Select(x => (double)x)), single.L2Norm(), 1e-14 * float.MaxValue * 7);
        Assert.True(double.IsFinite(single.L2Norm()));

        Array.Fill(single.P, float.Epsilon);
        Assert.Equal(Math.Sqrt(40) * float.Epsilon, single.L2Norm(), 1e-14 * float.Epsilon);
    }

    [Fact]
    public void L2NormOfNonFiniteAndZeroGradients()
    {
        foreach (int length in new[] { 1, 16, 33, 100 })
        {
            var g = new DoubleVector.Gradients(new DoubleVector { P = new double[length] });
            Assert.Equal(0.0, g.L2Norm());

            g.P[length - 1] = double.NegativeInfinity;
            Assert.Equal(double.PositiveInfinity, g.L2Norm());

            g.P[0] = double.NaN;
            Assert.True(double.IsNaN(g.L2Norm()));

            var s = new SingleVector.Gradients(new SingleVector { P = new float[length] });
            s.P[length / 2] = float.PositiveInfinity;
            Assert.Equal(double.PositiveInfinity, s.L2Norm());
        }

        Assert.Equal(0.0, new DoubleVector.Gradients(new DoubleVector()).L2Norm());
    }

    [Fact]
    public void ClipByGlobalNormScalesByTheClampedCoefficientAndReturnsTheNormBefore()
    {
        double[] maxNorms = { 0, 0.5, 3, 1e9, double.PositiveInfinity };
        foreach (int length in TestData.Lengths)
        {
            foreach (double maxNorm in maxNorms)
            {
                var random = new Random(TestData.StableSeed("clip", length));
                (SingleVector.Gradients single, DoubleVector.Gradients @double) = Vectors(length, random);
                foreach (GradientsBase gradients in new GradientsBase[] { single, @double })
                {
                    double[] before = TestData.Values(gradients);
                    long[][] bitsBefore = TestData.Bits(gradients);
                    double total = Math.Sqrt(Reference.LaneSumOfSquares(new[] { before }));
                    double coefficient = Math.Min(1, maxNorm / (total + 1e-6));

                    double returned = gradients.ClipByGlobalNorm(maxNorm);

                    Assert.Equal(total, returned);
                    if (coefficient >= 1)
                    {
                        TestData.AssertSameBits(bitsBefore, TestData.Bits(gradients), $"length {length}, max {maxNorm}: unclipped");
                        continue;
                    }

                    for (int i = 0; i < length; i++)
                    {
                        if (gradients is SingleVector.Gradients s)
                        {
                            AssertBits((float)before[i] * (float)coefficient, s.P[i], length, i);
                        }
                        else
                        {
                            AssertBits(before[i] * coefficient, ((DoubleVector.Gradients)gradients).P[i], length, i);
                        }
                    }

                    // The clipped norm is maxNorm·total/(total + 1e-6), up to float rounding.
                    double expectedNorm = total * coefficient;
                    Assert.True(Math.Abs(gradients.L2Norm() - expectedNorm) <= (1e-6 * expectedNorm) + 1e-30, $"length {length}, max {maxNorm}.");
                }
            }
        }
    }

    [Fact]
    public void ClipByGlobalNormOfNonFiniteGradientsFollowsPyTorch()
    {
        var g = TestData.DoubleGradients(new[] { 1.0, -2.0, double.PositiveInfinity, 0.0, -0.0 });
        Assert.Equal(double.PositiveInfinity, g.ClipByGlobalNorm(1));

        // Multiplied by 1 / ∞ = 0: ∞·0 is NaN, the finite elements become zeros of their sign.
        Assert.Equal(new long[] { 0, long.MinValue }, new[] { g.P[0], g.P[1] }.Select(BitConverter.DoubleToInt64Bits));
        Assert.True(double.IsNaN(g.P[2]));
        Assert.Equal(0, BitConverter.DoubleToInt64Bits(g.P[3]));
        Assert.Equal(long.MinValue, BitConverter.DoubleToInt64Bits(g.P[4]));

        var s = TestData.SingleGradients(new[] { 1f, float.NaN, 3f });
        Assert.True(double.IsNaN(s.ClipByGlobalNorm(1)));
        Assert.All(s.P, x => Assert.True(float.IsNaN(x)));
    }

    [Fact]
    public void InvalidArgumentsThrowAndChangeNothing()
    {
        var model = MixedModel.Create(5);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(6));
        long[][] before = TestData.Bits(gradients);

        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => gradients.Scale(bad)).ParamName);
        }

        foreach (double bad in new[] { double.NaN, -1e-300, -1, double.NegativeInfinity })
        {
            Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => gradients.ClipByValue(bad)).ParamName);
            Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => gradients.ClipByGlobalNorm(bad)).ParamName);
        }

        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => gradients.Add(null!)).ParamName);
        TestData.AssertSameBits(before, TestData.Bits(gradients), "after rejected arguments");
    }

    [Fact]
    public void AddRejectsAnotherTypeOrShapeOrANullMemberBeforeWritingAnything()
    {
        var model = MixedModel.Create(7);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(8));
        long[][] before = TestData.Bits(gradients);

        var other = new MixedModel.Gradients(model);
        TestData.Fill(other, new Random(9));
        other.Kernel = new double[2, 5, 3];
        var shape = Assert.Throws<ArgumentException>(() => gradients.Add(other));
        Assert.Contains("'Kernel'", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 5, 3]", shape.Message, StringComparison.Ordinal);
        Assert.Equal("other", shape.ParamName);

        other.Kernel = null!;
        var nullMember = Assert.Throws<ArgumentNullException>(() => gradients.Add(other));
        Assert.Contains("'Kernel'", nullMember.Message, StringComparison.Ordinal);

        var type = Assert.Throws<ArgumentException>(() => gradients.Add(new SingleVector.Gradients(new SingleVector())));
        Assert.Contains("SingleVector", type.Message, StringComparison.Ordinal);

        TestData.AssertSameBits(before, TestData.Bits(gradients), "after a rejected Add");
    }

    [Fact]
    public void ANullMemberThrowsNamingItBeforeAnyWrite()
    {
        var model = MixedModel.Create(10);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(11));
        float[,] w1 = (float[,])gradients.W1.Clone();
        var other = new MixedModel.Gradients(model);
        gradients.Kernel = null!;

        Action[] operations =
        {
            () => gradients.Scale(2),
            () => gradients.Add(other),
            () => gradients.L2Norm(),
            () => gradients.ClipByGlobalNorm(1e-3),
            () => gradients.ClipByValue(1e-3),
            () => gradients.AllFinite(),
            () => gradients.TryFindNonFinite(out _, out _),
        };

        foreach (Action operation in operations)
        {
            var error = Assert.Throws<InvalidOperationException>(operation);
            Assert.Contains("'Kernel'", error.Message, StringComparison.Ordinal);
            Assert.Equal(w1, gradients.W1);
        }
    }

    private static (SingleVector.Gradients Single, DoubleVector.Gradients Double) Vectors(int length, Random random, double scale = 1)
    {
        var single = new SingleVector.Gradients(new SingleVector { P = new float[length] });
        var @double = new DoubleVector.Gradients(new DoubleVector { P = new double[length] });
        TestData.Fill(single.P, random, scale);
        TestData.Fill(@double.P, random, scale);
        return (single, @double);
    }

    private static void AssertBits(float expected, float actual, int length, int index)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
        {
            Assert.Fail($"length {length}, element {index}: {actual:R}, reference {expected:R}.");
        }
    }

    private static void AssertBits(double expected, double actual, int length, int index)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
        {
            Assert.Fail($"length {length}, element {index}: {actual:R}, reference {expected:R}.");
        }
    }
}
