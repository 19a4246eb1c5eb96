using System;
using System.Linq;
using Gen.__Internals;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>A model for the Schedule-Free modes: ranks 1 and 2, float and double, a member with its own learning rate, a frozen member.</summary>
[ScheduleFreeAdamW(LearningRate = 0.01, WeightDecay = 0.01, WarmupSteps = 3)]
[ScheduleFreeSgd(LearningRate = 0.1, WarmupSteps = 3, WeightDecay = 0.01)]
[AdEMAMix(LearningRate = 0.01, AlphaWarmup = 5, Beta3Warmup = 5, WeightDecay = 0.01)]
[Adopt(LearningRate = 0.01, WeightDecay = 0.01, Decouple = true)]
public sealed partial class TwoPointModel
{
    public float[,] W = new float[7, 9];

    public double[] D = new double[13];

    [LearningRateScale(0.5)]
    public float[] Slow = new float[5];

    [Frozen]
    public float[] Fixed = new float[3];

    public static TwoPointModel Create(int seed)
    {
        var random = new Random(seed);
        var model = new TwoPointModel();
        Fill(Tensors.AsSpan(model.W), random);
        Fill(Tensors.AsSpan(model.D), random);
        Fill(Tensors.AsSpan(model.Slow), random);
        Fill(Tensors.AsSpan(model.Fixed), random);
        return model;
    }

    public static void Fill(Gradients gradients, Random random)
    {
        Fill(Tensors.AsSpan(gradients.W), random);
        Fill(Tensors.AsSpan(gradients.D), random);
        Fill(Tensors.AsSpan(gradients.Slow), random);
    }

    /// <summary>Every member's bits, the frozen one included.</summary>
    public long[] Bits() =>
        Tensors.AsSpan(W).ToArray().Select(x => (long)BitConverter.SingleToInt32Bits(x))
            .Concat(D.Select(BitConverter.DoubleToInt64Bits))
            .Concat(Slow.Select(x => (long)BitConverter.SingleToInt32Bits(x)))
            .Concat(Fixed.Select(x => (long)BitConverter.SingleToInt32Bits(x)))
            .ToArray();

    private static void Fill(Span<float> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }

    private static void Fill(Span<double> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }
    }
}

/// <summary>
/// Schedule-Free's two points: the model holds y while training and x for evaluation (schedulefree's
/// <c>optimizer.train()</c> / <c>optimizer.eval()</c>), the swap is exact, a step in evaluation mode throws, and the
/// averaging's running values (<c>lr_max</c>, <c>weight_sum</c>) are kept per parameter group.
/// </summary>
public sealed class ScheduleFreeTests
{
    public static TheoryData<string> Kinds => new() { "ScheduleFreeAdamWOptimizer", "ScheduleFreeSgdOptimizer" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EvalThenTrainRestoresTheTrainingParametersBitForBit(string name)
    {
        (TwoPointModel model, TwoPointModel.Gradients gradients, Optimizer<TwoPointModel.Gradients> optimizer) = Trained(name, steps: 7);
        long[] training = model.Bits();
        Modes(optimizer).Eval();
        Assert.False(Modes(optimizer).IsTraining);
        Assert.NotEqual(training, model.Bits());
        long[] evaluation = model.Bits();
        Modes(optimizer).Eval();
        Assert.Equal(evaluation, model.Bits());

        Modes(optimizer).Train();
        Assert.True(Modes(optimizer).IsTraining);
        Assert.Equal(training, model.Bits());
        Modes(optimizer).Train();
        Assert.Equal(training, model.Bits());

        // Training goes on from y as if the swap had not happened.
        (TwoPointModel other, TwoPointModel.Gradients otherGradients, Optimizer<TwoPointModel.Gradients> uninterrupted) = Trained(name, steps: 7);
        TwoPointModel.Fill(gradients, new Random(99));
        TwoPointModel.Fill(otherGradients, new Random(99));
        optimizer.Step(gradients);
        uninterrupted.Step(otherGradients);
        Assert.Equal(other.Bits(), model.Bits());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EvalPutsTheAverageIntoTheModelAsTheReferenceComputesIt(string name)
    {
        TwoPointModel model = TwoPointModel.Create(1);
        var gradients = new TwoPointModel.Gradients(model);
        Optimizer<TwoPointModel.Gradients> optimizer = Optimizers.Create<TwoPointModel, TwoPointModel.Gradients>(name, model);
        Attribute config = Optimizers.Configuration<TwoPointModel>(name);
        double[] w = Tensors.AsSpan(model.W).ToArray().Select(x => (double)x).ToArray();
        IReference reference = References.Create(config, w.Length, single: true);
        var random = new Random(2);
        for (int step = 0; step < 6; step++)
        {
            TwoPointModel.Fill(gradients, random);
            double[] g = Tensors.AsSpan(gradients.W).ToArray().Select(x => (double)x).ToArray();
            reference.Step(w, g, optimizer.LearningRate, optimizer.WeightDecay, optimizer.StepCount);
            optimizer.Step(gradients);
        }

        Assert.Equal(w.Select(x => (float)x), Tensors.AsSpan(model.W).ToArray());
        Modes(optimizer).Eval();
        double[] x = reference is ScheduleFreeAdamWReference adamW ? adamW.X : ((ScheduleFreeSgdReference)reference).X;
        Assert.Equal(x.Select(v => (float)v), Tensors.AsSpan(model.W).ToArray());
        Assert.Equal(Tensors.AsSpan(model.W).ToArray(), State(optimizer, "W", "x"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AStepInEvaluationModeThrowsAndChangesNothing(string name)
    {
        (TwoPointModel model, TwoPointModel.Gradients gradients, Optimizer<TwoPointModel.Gradients> optimizer) = Trained(name, steps: 3);
        Modes(optimizer).Eval();
        long[] before = model.Bits();
        float[] z = State(optimizer, "W", "z");

        var error = Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Assert.Contains("evaluation mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("Train()", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Bits());
        Assert.Equal(z, State(optimizer, "W", "z"));
        Assert.Equal(3, optimizer.StepCount);

        Modes(optimizer).Train();
        optimizer.Step(gradients);
        Assert.Equal(4, optimizer.StepCount);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BeforeTheFirstStepOnlyTheModeChanges(string name)
    {
        TwoPointModel model = TwoPointModel.Create(3);
        var gradients = new TwoPointModel.Gradients(model);
        Optimizer<TwoPointModel.Gradients> optimizer = Optimizers.Create<TwoPointModel, TwoPointModel.Gradients>(name, model);
        long[] start = model.Bits();
        Assert.True(Modes(optimizer).IsTraining);
        Modes(optimizer).Eval();
        Assert.Equal(start, model.Bits());
        Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Modes(optimizer).Train();
        Assert.Equal(start, model.Bits());

        // After Reset there is no state again: the swap changes nothing.
        TwoPointModel.Fill(gradients, new Random(4));
        optimizer.Step(gradients);
        optimizer.Reset();
        long[] reset = model.Bits();
        Modes(optimizer).Eval();
        Assert.Equal(reset, model.Bits());
        Modes(optimizer).Train();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void CopyEvalParametersToFillsASecondInstanceAndLeavesTheTrainedOne(string name)
    {
        (TwoPointModel model, _, Optimizer<TwoPointModel.Gradients> optimizer) = Trained(name, steps: 5);
        long[] training = model.Bits();
        TwoPointModel copy = TwoPointModel.Create(7);
        float[] fixedBefore = (float[])copy.Fixed.Clone();
        Modes(optimizer).CopyEvalParametersTo(copy);
        Assert.Equal(training, model.Bits());
        Assert.Equal(fixedBefore, copy.Fixed);

        Modes(optimizer).Eval();
        Assert.Equal(Tensors.AsSpan(model.W).ToArray(), Tensors.AsSpan(copy.W).ToArray());
        Assert.Equal(model.D, copy.D);
        Assert.Equal(model.Slow, copy.Slow);

        Assert.Throws<ArgumentNullException>(() => Modes(optimizer).CopyEvalParametersTo(null!));
        TwoPointModel wrong = TwoPointModel.Create(8);
        wrong.W = new float[9, 7];
        long[] untouched = wrong.Bits();
        var error = Assert.Throws<ArgumentException>(() => Modes(optimizer).CopyEvalParametersTo(wrong));
        Assert.Contains("'W'", error.Message, StringComparison.Ordinal);
        Assert.Equal(untouched, wrong.Bits());

        // Before the first step x is the parameters themselves.
        TwoPointModel fresh = TwoPointModel.Create(9);
        Optimizer<TwoPointModel.Gradients> unstepped = Optimizers.Create<TwoPointModel, TwoPointModel.Gradients>(name, fresh);
        TwoPointModel target = TwoPointModel.Create(10);
        Modes(unstepped).CopyEvalParametersTo(target);
        Assert.Equal(Tensors.AsSpan(fresh.W).ToArray(), Tensors.AsSpan(target.W).ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheAveragingValuesArePerParameterGroupAndResetWithTheState(string name)
    {
        (TwoPointModel model, TwoPointModel.Gradients gradients, Optimizer<TwoPointModel.Gradients> optimizer) = Trained(name, steps: 0);
        var main = new ScheduleFreeAveraging(3, 0, 2);
        var slow = new ScheduleFreeAveraging(3, 0, 2);
        var random = new Random(5);
        for (int step = 0; step < 8; step++)
        {
            if (step == 4)
            {
                optimizer.LearningRate *= 2;
            }

            TwoPointModel.Fill(gradients, random);
            main.Advance(optimizer.StepCount, optimizer.LearningRate);
            slow.Advance(optimizer.StepCount, optimizer.LearningRate * 0.5);
            optimizer.Step(gradients);
        }

        Assert.Equal(
            new[] { "train_mode", "lr_max", "lr_max.Slow", "weight_sum", "weight_sum.Slow" },
            Enumerable.Range(0, optimizer.GroupValueCount).Select(i => optimizer.GetGroupValue(i).Key));
        Assert.Equal(new[] { 1, main.LrMax, slow.LrMax, main.WeightSum, slow.WeightSum }, Enumerable.Range(0, 5).Select(i => optimizer.GetGroupValue(i).Value));
        Assert.True(optimizer.GetGroupValue(0).IsFlag);

        Modes(optimizer).Eval();
        Assert.Equal(0, optimizer.GetGroupValue(0).Value);
        Modes(optimizer).Train();
        optimizer.Reset();
        Assert.Equal(new[] { 1, -1, -1, 0, 0d }, Enumerable.Range(0, 5).Select(i => optimizer.GetGroupValue(i).Value));
        Assert.Equal(3, model.Fixed.Length);
    }

    /// <summary>The generated members of either kind.</summary>
    internal static ModeHandle Modes(Optimizer<TwoPointModel.Gradients> optimizer) => new(optimizer);

    internal static float[] State(Optimizer<TwoPointModel.Gradients> optimizer, string member, string key)
    {
        for (int i = 0; i < optimizer.StateCount; i++)
        {
            OptimizerState state = optimizer.GetState(i);
            if (state.Key == key && state.Buffer.Name == member)
            {
                return state.Buffer.AsSingleSpan().ToArray();
            }
        }

        throw new ArgumentException($"No state {member}.{key}.");
    }

    private static (TwoPointModel, TwoPointModel.Gradients, Optimizer<TwoPointModel.Gradients>) Trained(string name, int steps)
    {
        TwoPointModel model = TwoPointModel.Create(11);
        var gradients = new TwoPointModel.Gradients(model);
        Optimizer<TwoPointModel.Gradients> optimizer = Optimizers.Create<TwoPointModel, TwoPointModel.Gradients>(name, model);
        var random = new Random(12);
        for (int step = 0; step < steps; step++)
        {
            TwoPointModel.Fill(gradients, random);
            optimizer.Step(gradients);
        }

        return (model, gradients, optimizer);
    }
}

/// <summary>Eval, Train, IsTraining and CopyEvalParametersTo of either generated Schedule-Free optimizer.</summary>
internal readonly struct ModeHandle(Optimizer<TwoPointModel.Gradients> optimizer)
{
    public bool IsTraining => optimizer is TwoPointModel.ScheduleFreeAdamWOptimizer a ? a.IsTraining : ((TwoPointModel.ScheduleFreeSgdOptimizer)optimizer).IsTraining;

    public void Eval()
    {
        if (optimizer is TwoPointModel.ScheduleFreeAdamWOptimizer a)
        {
            a.Eval();
        }
        else
        {
            ((TwoPointModel.ScheduleFreeSgdOptimizer)optimizer).Eval();
        }
    }

    public void Train()
    {
        if (optimizer is TwoPointModel.ScheduleFreeAdamWOptimizer a)
        {
            a.Train();
        }
        else
        {
            ((TwoPointModel.ScheduleFreeSgdOptimizer)optimizer).Train();
        }
    }

    public void CopyEvalParametersTo(TwoPointModel model)
    {
        if (optimizer is TwoPointModel.ScheduleFreeAdamWOptimizer a)
        {
            a.CopyEvalParametersTo(model);
        }
        else
        {
            ((TwoPointModel.ScheduleFreeSgdOptimizer)optimizer).CopyEvalParametersTo(model);
        }
    }
}

/// <summary>The new kinds' steps and Schedule-Free's mode changes allocate nothing.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class BeyondTorchAllocationTests
{
    [Fact]
    public void StepsEvalTrainAndCopiesAllocateNothing()
    {
        TwoPointModel model = TwoPointModel.Create(1);
        TwoPointModel copy = TwoPointModel.Create(2);
        var gradients = new TwoPointModel.Gradients(model);
        TwoPointModel.Fill(gradients, new Random(3));
        var adamW = new TwoPointModel.ScheduleFreeAdamWOptimizer(model);
        var sgd = new TwoPointModel.ScheduleFreeSgdOptimizer(model);
        var ademamix = new TwoPointModel.AdEMAMixOptimizer(model);
        var adopt = new TwoPointModel.AdoptOptimizer(model);
        foreach (Optimizer<TwoPointModel.Gradients> optimizer in new Optimizer<TwoPointModel.Gradients>[] { adamW, sgd, ademamix, adopt })
        {
            optimizer.LearningRate = 1e-6;
            int calls = Allocations.AssertNone(optimizer.GetType().Name, () => optimizer.Step(gradients));
            Assert.Equal(calls, optimizer.StepCount);
        }

        Allocations.AssertNone("ScheduleFreeAdamW Eval/Train", () =>
        {
            adamW.Eval();
            adamW.Train();
        });
        Allocations.AssertNone("ScheduleFreeSgd Eval/Train", () =>
        {
            sgd.Eval();
            sgd.Train();
        });
        Allocations.AssertNone("CopyEvalParametersTo", () =>
        {
            adamW.CopyEvalParametersTo(copy);
            sgd.CopyEvalParametersTo(copy);
        });
    }
}
