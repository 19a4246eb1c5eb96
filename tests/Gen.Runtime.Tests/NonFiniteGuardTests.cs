using System;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// Optimizer.NonFinitePolicy: Throw names the member and index and changes nothing, SkipStep leaves
/// parameters, every state buffer and StepCount bit-identical and counts, Ignore does not look.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class NonFiniteGuardTests
{
    [Fact]
    public void ThrowIsTheDefault()
    {
        var optimizer = new MixedModel.Full(MixedModel.Create(1));
        Assert.Equal(NonFinitePolicy.Throw, optimizer.NonFinitePolicy);
        Assert.Equal(0, optimizer.SkippedSteps);
    }

    [Fact]
    public void ThrowNamesMemberAndIndexAndChangesNothing()
    {
        (MixedModel model, MixedModel.Gradients gradients, MixedModel.Full optimizer) = Trained(2);
        long[][] parameters = TestData.Bits(model);
        long[][] state = TestData.StateBits(optimizer);

        gradients.W1[1, 8] = float.NaN;
        var nan = Assert.Throws<NonFiniteGradientException>(() => optimizer.Step(gradients));
        Assert.Equal("W1", nan.Member);
        Assert.Equal(40, nan.Index);
        Assert.True(double.IsNaN(nan.OffendingNumber));
        Assert.Contains("'W1'", nan.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 8] (flat index 40)", nan.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArithmeticException>(nan);

        gradients.W1[1, 8] = 0.5f;
        gradients.Kernel[1, 0, 2] = double.NegativeInfinity;
        gradients.B1[32] = float.PositiveInfinity;
        var infinity = Assert.Throws<NonFiniteGradientException>(() => optimizer.Step(gradients));
        Assert.Equal(("B1", 32), (infinity.Member, infinity.Index));
        Assert.Equal(double.PositiveInfinity, infinity.OffendingNumber);
        Assert.Contains("'B1' is Infinity at index 32", infinity.Message, StringComparison.Ordinal);

        gradients.B1[32] = 0;
        var kernel = Assert.Throws<NonFiniteGradientException>(() => optimizer.Step(gradients));
        Assert.Equal(("Kernel", 17), (kernel.Member, kernel.Index));
        Assert.Contains("[1, 0, 2] (flat index 17)", kernel.Message, StringComparison.Ordinal);

        TestData.AssertSameBits(parameters, TestData.Bits(model), "parameters after refused steps");
        TestData.AssertSameBits(state, TestData.StateBits(optimizer), "state after refused steps");
        Assert.Equal(5, optimizer.StepCount);
        Assert.Equal(0, optimizer.SkippedSteps);
    }

    [Fact]
    public void SkipStepLeavesEverythingBitIdenticalAndCounts()
    {
        (MixedModel model, MixedModel.Gradients gradients, MixedModel.Full optimizer) = Trained(3);
        (MixedModel twinModel, _, MixedModel.Full twin) = Trained(3);
        optimizer.NonFinitePolicy = NonFinitePolicy.SkipStep;
        long[][] parameters = TestData.Bits(model);
        long[][] state = TestData.StateBits(optimizer);
        var bad = new MixedModel.Gradients(model);
        TestData.Fill(bad, new Random(4));

        bad.Kernel[0, 0, 0] = double.NaN;
        optimizer.Step(bad);
        bad.Kernel[0, 0, 0] = 0;
        bad.W1[15, 31] = float.NegativeInfinity;
        optimizer.Step(bad);
        bad.W1[0, 0] = float.NaN;
        optimizer.Step(bad);

        Assert.Equal(3, optimizer.SkippedSteps);
        Assert.Equal(5, optimizer.StepCount);
        TestData.AssertSameBits(parameters, TestData.Bits(model), "parameters after skipped steps");
        TestData.AssertSameBits(state, TestData.StateBits(optimizer), "state after skipped steps");

        // The next finite step is exactly the one an optimizer that never saw the bad gradients takes.
        TestData.Fill(gradients, new Random(5));
        optimizer.Step(gradients);
        twin.Step(gradients);
        TestData.AssertSameBits(TestData.Bits(twinModel), TestData.Bits(model), "parameters after the next finite step");
        TestData.AssertSameBits(TestData.StateBits(twin), TestData.StateBits(optimizer), "state after the next finite step");
        Assert.Equal(6, optimizer.StepCount);
        Assert.Equal(3, optimizer.SkippedSteps);
    }

    [Fact]
    public void IgnoreAppliesTheStepWithoutLooking()
    {
        (MixedModel model, MixedModel.Gradients gradients, MixedModel.Full optimizer) = Trained(6);
        optimizer.NonFinitePolicy = NonFinitePolicy.Ignore;
        gradients.B1[3] = float.NaN;

        optimizer.Step(gradients);

        Assert.True(float.IsNaN(model.B1[3]));
        Assert.False(float.IsNaN(model.B1[2]));
        Assert.Equal(6, optimizer.StepCount);
        Assert.Equal(0, optimizer.SkippedSteps);
    }

    [Fact]
    public void EveryPolicyTakesTheSameFiniteSteps()
    {
        var runs = new (MixedModel Model, MixedModel.Full Optimizer)[3];
        NonFinitePolicy[] policies = { NonFinitePolicy.Throw, NonFinitePolicy.SkipStep, NonFinitePolicy.Ignore };
        for (int r = 0; r < runs.Length; r++)
        {
            var model = MixedModel.Create(7);
            var optimizer = new MixedModel.Full(model) { NonFinitePolicy = policies[r] };
            var gradients = new MixedModel.Gradients(model);
            var random = new Random(8);
            for (int step = 0; step < 10; step++)
            {
                TestData.Fill(gradients, random);
                optimizer.Step(gradients);
            }

            runs[r] = (model, optimizer);
        }

        for (int r = 1; r < runs.Length; r++)
        {
            TestData.AssertSameBits(TestData.Bits(runs[0].Model), TestData.Bits(runs[r].Model), $"{policies[r]} parameters");
            TestData.AssertSameBits(TestData.StateBits(runs[0].Optimizer), TestData.StateBits(runs[r].Optimizer), $"{policies[r]} state");
        }
    }

    [Fact]
    public void ArgumentChecksComeFirst()
    {
        (_, MixedModel.Gradients gradients, MixedModel.Full optimizer) = Trained(9);
        gradients.W1[0, 0] = float.NaN;
        gradients.Kernel = null!;
        Assert.Throws<ArgumentNullException>(() => optimizer.Step(gradients));
    }

    [Fact]
    public void ResetZeroesSkippedStepsAndKeepsThePolicy()
    {
        (_, MixedModel.Gradients gradients, MixedModel.Full optimizer) = Trained(10);
        optimizer.NonFinitePolicy = NonFinitePolicy.SkipStep;
        gradients.B1[0] = float.NaN;
        optimizer.Step(gradients);
        Assert.Equal(1, optimizer.SkippedSteps);

        optimizer.Reset();

        Assert.Equal(0, optimizer.SkippedSteps);
        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(NonFinitePolicy.SkipStep, optimizer.NonFinitePolicy);
    }

    [Fact]
    public void UndefinedPolicyIsRejected()
    {
        var optimizer = new MixedModel.Plain(MixedModel.Create(11));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.NonFinitePolicy = (NonFinitePolicy)3);
        Assert.Equal("NonFinitePolicy", error.ParamName);
        Assert.Equal(NonFinitePolicy.Throw, optimizer.NonFinitePolicy);
    }

    [Fact]
    public void ExceptionConstructorsFollowTheConventions()
    {
        var plain = new NonFiniteGradientException();
        Assert.Equal((string.Empty, -1), (plain.Member, plain.Index));
        Assert.True(double.IsNaN(plain.OffendingNumber));

        var inner = new InvalidOperationException("inner");
        var wrapped = new NonFiniteGradientException("message", inner);
        Assert.Equal("message", wrapped.Message);
        Assert.Same(inner, wrapped.InnerException);

        var full = new NonFiniteGradientException("W", 3, double.NegativeInfinity, "text");
        Assert.Equal(("W", 3, double.NegativeInfinity, "text"), (full.Member, full.Index, full.OffendingNumber, full.Message));
    }

    /// <summary>A model, gradients and the Full optimizer (every state buffer) after five finite steps.</summary>
    private static (MixedModel Model, MixedModel.Gradients Gradients, MixedModel.Full Optimizer) Trained(int seed)
    {
        var model = MixedModel.Create(seed);
        var gradients = new MixedModel.Gradients(model);
        var optimizer = new MixedModel.Full(model);
        var random = new Random(seed + 100);
        for (int step = 0; step < 5; step++)
        {
            TestData.Fill(gradients, random);
            optimizer.Step(gradients);
        }

        return (model, gradients, optimizer);
    }
}
