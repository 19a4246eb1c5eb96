using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Saving and loading loses nothing: training continued after a load is bit for bit the training
/// continued without one, for every optimizer kind and state layout, through streams and files.
/// </summary>
public sealed class RoundTripTests
{
    private const int StepsBeforeSave = 6;
    private const int StepsAfterLoad = 5;

    public static TheoryData<string, bool> EveryOptimizerThroughStreamsAndFiles()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in Optimizers.Names<Net>())
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Fact]
    public void NetHasEveryOptimizerKind()
    {
        var model = Net.Create(1);
        string[] kinds = Optimizers.Names<Net>().Select(n => Optimizers.Create<Net.Gradients>(n, model).Kind).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "ADOPT", "ASGD", "AdEMAMix", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LAMB", "LARS", "Lion", "Muon", "NAdam", "RAdam", "RMSProp", "Rprop", "SGD", "ScheduleFreeAdamW", "ScheduleFreeSGD" }, kinds);
    }

    [Theory]
    [MemberData(nameof(EveryOptimizerThroughStreamsAndFiles))]
    public void TrainingContinuedAfterALoadIsBitForBitTrainingContinuedWithoutOne(string name, bool throughFiles)
    {
        var model = Net.Create(seed: 1);
        Optimizer<Net.Gradients> optimizer = Optimizers.Create<Net.Gradients>(name, model);
        optimizer.LearningRate *= 0.5;
        optimizer.WeightDecay = 0.02;
        var gradients = new Net.Gradients(model);
        var random = new Random(2);
        Optimizers.Train(optimizer, gradients, random, StepsBeforeSave);
        TrainingSnapshot saved = TrainingSnapshot.Of(optimizer);

        var restoredModel = Net.Create(seed: 3);
        Optimizer<Net.Gradients> restored = Optimizers.Create<Net.Gradients>(name, restoredModel);
        using (var directory = new TempDirectory())
        {
            if (throughFiles)
            {
                Checkpoint.SaveModel(model, directory.File("model.safetensors"));
                Checkpoint.SaveOptimizer(optimizer, directory.File("optimizer.safetensors"));
                Checkpoint.LoadModel(restoredModel, directory.File("model.safetensors"));
                Checkpoint.LoadOptimizer(restored, directory.File("optimizer.safetensors"));
                Assert.Equal(new[] { "model.safetensors", "optimizer.safetensors" }, directory.FileNames());
            }
            else
            {
                var modelStream = new MemoryStream();
                var optimizerStream = new MemoryStream();
                Checkpoint.SaveModel(model, modelStream);
                Checkpoint.SaveOptimizer(optimizer, optimizerStream);
                Checkpoint.LoadModel(restoredModel, new MemoryStream(modelStream.ToArray()));
                Checkpoint.LoadOptimizer(restored, new MemoryStream(optimizerStream.ToArray()));
            }
        }

        TrainingSnapshot.AssertSame(saved, TrainingSnapshot.Of(optimizer), $"{name}: saving changed the optimizer or the model");
        TrainingSnapshot.AssertSame(saved, TrainingSnapshot.Of(restored), $"{name}: after the load");
        Assert.Equal(StepsBeforeSave, restored.StepCount);
        Assert.Equal(optimizer.LearningRate, restored.LearningRate);
        Assert.Equal(0.02, restored.WeightDecay);
        Assert.Equal(Net.Create(seed: 3).Scratch, restoredModel.Scratch); // [Frozen]: not in the checkpoint

        var restoredGradients = new Net.Gradients(restoredModel);
        for (int step = 1; step <= StepsAfterLoad; step++)
        {
            int seed = random.Next();
            Fill.Gradients(gradients, new Random(seed));
            Fill.Gradients(restoredGradients, new Random(seed));
            optimizer.Step(gradients);
            restored.Step(restoredGradients);
            TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), $"{name}: step {step} after the load");
        }
    }

    [Fact]
    public void LoadingIntoAFreshOptimizerOnTheSameModelRestoresTheState()
    {
        var model = Net.Create(seed: 4);
        var optimizer = new Net.AdamW(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(5), 3);
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        TrainingSnapshot expected = TrainingSnapshot.Of(optimizer);

        var fresh = new Net.AdamW(model);
        Assert.Equal(0, fresh.StepCount);
        stream.Position = 0;
        Checkpoint.LoadOptimizer(fresh, stream);

        TrainingSnapshot.AssertSame(expected, TrainingSnapshot.Of(fresh), "fresh optimizer");
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void ModelRoundTripKeepsEveryBitIncludingSpecialValues()
    {
        var model = Net.Create(seed: 6);
        float[] specials = { BitConverter.Int32BitsToSingle(0x7FC0_1234), -0f, float.Epsilon, float.MaxValue, float.NegativeInfinity };
        specials.CopyTo(model.B, 0);
        model.K[1, 1, 2] = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_BEEF);
        model.K[0, 0, 0] = -double.Epsilon;
        TrainingSnapshot expected = TrainingSnapshot.Of(model);

        var stream = new MemoryStream();
        Checkpoint.SaveModel(model, stream);
        var restored = new Net();
        stream.Position = 0;
        Checkpoint.LoadModel(restored, stream);

        TrainingSnapshot.AssertSame(expected, TrainingSnapshot.Of(restored), "model");
        Assert.Equal(new float[3], restored.Scratch);
    }

    [Fact]
    public void LoadCopiesIntoTheExistingArrays()
    {
        var source = Net.Create(seed: 7);
        var stream = new MemoryStream();
        Checkpoint.SaveModel(source, stream);

        var target = new Net();
        float[,] w = target.W;
        float[] b = target.B;
        stream.Position = 0;
        Checkpoint.LoadModel(target, stream);

        Assert.Same(w, target.W);
        Assert.Same(b, target.B);
        Assert.Equal(source.W, target.W);
    }

    [Fact]
    public void SeveralCheckpointsFollowEachOtherInOneStream()
    {
        var model = Net.Create(seed: 8);
        var optimizer = new Net.RmsPropEverything(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(9), 4);
        var stream = new MemoryStream();
        Checkpoint.SaveModel(model, stream);
        long modelEnd = stream.Position;
        Checkpoint.SaveOptimizer(optimizer, stream);
        stream.WriteByte(0xAB);

        var restoredModel = new Net();
        var restored = new Net.RmsPropEverything(restoredModel);
        stream.Position = 0;
        Checkpoint.LoadModel(restoredModel, stream);
        Assert.Equal(modelEnd, stream.Position);
        Checkpoint.LoadOptimizer(restored, stream);

        Assert.Equal(0xAB, stream.ReadByte());
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), "stream of two checkpoints");
    }

    [Fact]
    public void NonSeekableStreamsLoadLikeSeekableOnes()
    {
        var model = Net.Create(seed: 10);
        var optimizer = new Net.Adagrad(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(11), 2);
        var modelStream = new MemoryStream();
        var optimizerStream = new MemoryStream();
        Checkpoint.SaveModel(model, modelStream);
        Checkpoint.SaveOptimizer(optimizer, optimizerStream);

        var restoredModel = new Net();
        var restored = new Net.Adagrad(restoredModel);
        Checkpoint.LoadModel(restoredModel, new NonSeekableStream(modelStream.ToArray()));
        Checkpoint.LoadOptimizer(restored, new NonSeekableStream(optimizerStream.ToArray()));

        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), "non-seekable");
    }

    [Fact]
    public void SavingTwiceWritesTheSameBytes()
    {
        var model = Net.Create(seed: 12);
        var optimizer = new Net.Adadelta(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(13), 2);
        var first = new MemoryStream();
        var second = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, first);
        Checkpoint.SaveOptimizer(optimizer, second);

        Assert.Equal(first.ToArray(), second.ToArray());
    }
}
