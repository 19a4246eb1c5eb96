using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Schedule-Free's values kept per parameter group (schedulefree keeps them in <c>param_groups</c>): the mode
/// (<c>train_mode</c>), <c>lr_max</c> and <c>weight_sum</c>, also for a member with its own learning rate (K), are
/// metadata of the checkpoint, restored exactly, and checked before a load writes anything.
/// </summary>
public sealed class ScheduleFreeCheckpointTests
{
    [Theory]
    [InlineData("ScheduleFreeAdamW")]
    [InlineData("ScheduleFreeSgd")]
    public void GroupValuesAreMetadataWithTheirExactValues(string name)
    {
        Optimizer<Net.Gradients> optimizer = Trained(name, out _);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(Save(optimizer));
        Assert.Equal("true", checkpoint["train_mode"]);
        foreach (int i in Enumerable.Range(1, optimizer.GroupValueCount - 1))
        {
            GroupValue value = optimizer.GetGroupValue(i);
            Assert.Equal(value.Value, double.Parse(checkpoint[value.Key], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(
            new[] { "train_mode", "lr_max", "lr_max.K", "weight_sum", "weight_sum.K" },
            Enumerable.Range(0, optimizer.GroupValueCount).Select(i => optimizer.GetGroupValue(i).Key));
        Assert.DoesNotContain(checkpoint.Tensors, t => t.Name.EndsWith(".step", StringComparison.Ordinal));
    }

    /// <summary>
    /// schedulefree advises saving in evaluation mode (the model file then holds x): the loaded optimizer is in
    /// evaluation mode too, and Train() puts y back, so training continues as if nothing happened.
    /// </summary>
    [Theory]
    [InlineData("ScheduleFreeAdamW")]
    [InlineData("ScheduleFreeSgd")]
    public void SavedInEvaluationModeTrainingContinuesBitForBitAfterTrain(string name)
    {
        Optimizer<Net.Gradients> optimizer = Trained(name, out Net model);
        Modes(optimizer).Eval();
        var modelStream = new MemoryStream();
        Checkpoint.SaveModel(model, modelStream);
        byte[] saved = Save(optimizer);
        Modes(optimizer).Train();

        var restoredModel = Net.Create(seed: 9);
        Optimizer<Net.Gradients> restored = Optimizers.Create<Net.Gradients>(name, restoredModel);
        Checkpoint.LoadModel(restoredModel, new MemoryStream(modelStream.ToArray()));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(saved));
        Assert.False(Modes(restored).IsTraining);
        Assert.Throws<InvalidOperationException>(() => restored.Step(new Net.Gradients(restoredModel)));
        Modes(restored).Train();
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), name + ": after Train()");

        var gradients = new Net.Gradients(model);
        var restoredGradients = new Net.Gradients(restoredModel);
        for (int step = 0; step < 4; step++)
        {
            Fill.Gradients(gradients, new Random(step));
            Fill.Gradients(restoredGradients, new Random(step));
            optimizer.Step(gradients);
            restored.Step(restoredGradients);
            TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), $"{name}: step {step + 1} after the load");
        }
    }

    [Theory]
    [InlineData("weight_sum", "abc")]
    [InlineData("lr_max.K", "NaN")]
    [InlineData("weight_sum.K", "Infinity")]
    [InlineData("train_mode", "1")]
    public void GroupValuesThatAreNotNumbersOrFlagsAreInvalid(string key, string value)
    {
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(Save(Trained("ScheduleFreeAdamW", out _)));
        checkpoint[key] = value;
        var target = new Net.ScheduleFreeAdamW(Net.Create(seed: 2));
        CheckpointException e = Expect.LoadOptimizerFails(target, checkpoint.ToBytes(), CheckpointError.InvalidValue, key);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingGroupValueIsInvalid()
    {
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(Save(Trained("ScheduleFreeSgd", out _)));
        checkpoint.Metadata.RemoveAll(p => p.Key == "lr_max");
        var target = new Net.ScheduleFreeSgd(Net.Create(seed: 2));
        Expect.LoadOptimizerFails(target, checkpoint.ToBytes(), CheckpointError.InvalidValue, "lr_max");
    }

    private static Optimizer<Net.Gradients> Trained(string name, out Net model)
    {
        model = Net.Create(seed: 1);
        Optimizer<Net.Gradients> optimizer = Optimizers.Create<Net.Gradients>(name, model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(2), 5);
        return optimizer;
    }

    private static byte[] Save(Optimizer<Net.Gradients> optimizer)
    {
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        return stream.ToArray();
    }

    private static Swap Modes(Optimizer<Net.Gradients> optimizer) => new(optimizer);

    /// <summary>Eval, Train and IsTraining of either generated Schedule-Free optimizer.</summary>
    private readonly struct Swap(Optimizer<Net.Gradients> optimizer)
    {
        public bool IsTraining => optimizer is Net.ScheduleFreeAdamW a ? a.IsTraining : ((Net.ScheduleFreeSgd)optimizer).IsTraining;

        public void Eval()
        {
            if (optimizer is Net.ScheduleFreeAdamW a)
            {
                a.Eval();
            }
            else
            {
                ((Net.ScheduleFreeSgd)optimizer).Eval();
            }
        }

        public void Train()
        {
            if (optimizer is Net.ScheduleFreeAdamW a)
            {
                a.Train();
            }
            else
            {
                ((Net.ScheduleFreeSgd)optimizer).Train();
            }
        }
    }
}
