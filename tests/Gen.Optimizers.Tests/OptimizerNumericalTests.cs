using System;
using System.Linq;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Every optimizer kind and flag combination against its scalar reference, for every length 0..49
/// (each SIMD width's main loop, narrower-width remainder and scalar tail) and a few large ones,
/// over 25 steps with a learning-rate and weight-decay change half way. Float and double kernels
/// must equal the reference bit for bit. CI runs this class again under
/// DOTNET_PreferredVectorBitWidth=512 and 256, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class OptimizerNumericalTests
{
    private const int Steps = 25;

    private static readonly int[] Lengths = Enumerable.Range(0, 50).Concat(new[] { 257, 1000, 4099, 65_537 }).ToArray();

    public static TheoryData<string> SingleConfigurations => new(Optimizers.Names<SingleModel>());

    public static TheoryData<string> DoubleConfigurations => new(Optimizers.Names<DoubleModel>());

    [Theory]
    [MemberData(nameof(SingleConfigurations))]
    public void FloatMatchesFloatReferenceBitForBitAndDoubleReferenceClosely(string name)
    {
        Attribute config = Optimizers.Configuration<SingleModel>(name);
        double worst = 0;
        foreach (int length in Lengths)
        {
            var random = new Random(Optimizers.StableSeed(name, length));
            double[] start = TestData.RoundToSingle(TestData.Parameters(random, length));
            var model = new SingleModel { P = TestData.ToSingle(start) };
            var gradients = new SingleModel.Gradients(model);
            Optimizer<SingleModel.Gradients> optimizer = Optimizers.Create<SingleModel, SingleModel.Gradients>(name, model);
            IReference exact = References.Create(config, length, single: true);
            IReference wide = References.Create(config, length, single: false);
            double[] exactParameters = (double[])start.Clone();
            double[] wideParameters = (double[])start.Clone();

            for (int step = 0; step < Steps; step++)
            {
                ChangeRatesHalfWay(optimizer, step);
                double[] g = TestData.RoundToSingle(TestData.Gradients(random, length));
                TestData.ToSingle(g).CopyTo(gradients.P, 0);

                long stepCount = optimizer.StepCount;
                optimizer.Step(gradients);
                exact.Step(exactParameters, g, optimizer.LearningRate, optimizer.WeightDecay, stepCount);
                wide.Step(wideParameters, g, optimizer.LearningRate, optimizer.WeightDecay, stepCount);

                for (int i = 0; i < length; i++)
                {
                    float expected = (float)exactParameters[i];
                    if (BitConverter.SingleToInt32Bits(model.P[i]) != BitConverter.SingleToInt32Bits(expected))
                    {
                        Assert.Fail($"{name}, length {length}, step {step + 1}, element {i}: generated {model.P[i]:R}, float reference {expected:R}.");
                    }
                }
            }

            Assert.Equal(Steps, optimizer.StepCount);
            for (int i = 0; i < length; i++)
            {
                worst = Math.Max(worst, Math.Abs(model.P[i] - wideParameters[i]) / Math.Max(1, Math.Abs(wideParameters[i])));
            }
        }

        // Float arithmetic over 25 steps stays within 1e-5 of the same update computed in double.
        // Not for Lion: where β1·m + (1−β1)·g rounds to the other side of 0 in float, sign() flips and
        // that element legitimately moves by 2·lr in the other direction.
        if (config is not LionAttribute)
        {
            Assert.True(worst < 1e-5, $"{name}: float result differs from the double reference by {worst:E2} (relative to max(|p|, 1)).");
        }
    }

    [Theory]
    [MemberData(nameof(DoubleConfigurations))]
    public void DoubleMatchesReferenceBitForBit(string name)
    {
        Attribute config = Optimizers.Configuration<DoubleModel>(name);
        foreach (int length in Lengths)
        {
            var random = new Random(Optimizers.StableSeed(name, length));
            double[] start = TestData.Parameters(random, length);
            var model = new DoubleModel { P = (double[])start.Clone() };
            var gradients = new DoubleModel.Gradients(model);
            Optimizer<DoubleModel.Gradients> optimizer = Optimizers.Create<DoubleModel, DoubleModel.Gradients>(name, model);
            IReference reference = References.Create(config, length, single: false);
            double[] expected = (double[])start.Clone();

            for (int step = 0; step < Steps; step++)
            {
                ChangeRatesHalfWay(optimizer, step);
                double[] g = TestData.Gradients(random, length);
                g.CopyTo(gradients.P, 0);

                long stepCount = optimizer.StepCount;
                optimizer.Step(gradients);
                reference.Step(expected, g, optimizer.LearningRate, optimizer.WeightDecay, stepCount);

                for (int i = 0; i < length; i++)
                {
                    if (BitConverter.DoubleToInt64Bits(model.P[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
                    {
                        Assert.Fail($"{name}, length {length}, step {step + 1}, element {i}: generated {model.P[i]:R}, reference {expected[i]:R}.");
                    }
                }
            }
        }
    }

    /// <summary>Lion has no PyTorch class: its double kernel is checked against the paper's rule as written.</summary>
    [Theory]
    [InlineData("LionX0")]
    [InlineData("LionX1")]
    [InlineData("LionDefaults")]
    public void LionFollowsThePapersUpdateRule(string name)
    {
        var config = (LionAttribute)Optimizers.Configuration<DoubleModel>(name);
        var random = new Random(Optimizers.StableSeed(name, 1));
        double[] start = TestData.Parameters(random, 1000);
        var model = new DoubleModel { P = (double[])start.Clone() };
        var gradients = new DoubleModel.Gradients(model);
        Optimizer<DoubleModel.Gradients> optimizer = Optimizers.Create<DoubleModel, DoubleModel.Gradients>(name, model);
        var paper = new LionReference(config, start.Length, single: false, paperOrder: true);
        double[] expected = (double[])start.Clone();

        for (int step = 0; step < Steps; step++)
        {
            double[] g = TestData.Gradients(random, start.Length);
            g.CopyTo(gradients.P, 0);
            paper.Step(expected, g, optimizer.LearningRate, optimizer.WeightDecay, optimizer.StepCount);
            optimizer.Step(gradients);
        }

        for (int i = 0; i < start.Length; i++)
        {
            Assert.True(Math.Abs(model.P[i] - expected[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"{name}, element {i}: generated {model.P[i]:R}, paper {expected[i]:R}.");
        }
    }

    private static void ChangeRatesHalfWay<TGradients>(Optimizer<TGradients> optimizer, int step)
        where TGradients : GradientsBase
    {
        if (step == Steps / 2)
        {
            optimizer.LearningRate *= 0.5;
            optimizer.WeightDecay = optimizer.WeightDecay == 0 ? 0.01 : optimizer.WeightDecay * 2;
        }
    }
}
