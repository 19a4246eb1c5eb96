using System;
using System.IO;
using System.Linq;
using Gen.__Internals;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// 16-bit optimizer state in checkpoints: stored as safetensors BF16 / F16 tensors under PyTorch's state names and
/// loaded back bit for bit (the stochastic rounding seed with it, so training continues exactly); a file at another
/// state precision is rejected unless the load is asked to convert, and then converted exactly (widening) or to
/// nearest even (narrowing).
/// </summary>
public sealed class StatePrecisionCheckpointTests
{
    public static TheoryData<string> Names => new(Optimizers.Names<LeanNet>());

    [Theory]
    [MemberData(nameof(Names))]
    public void TrainingContinuedAfterALoadIsBitForBitTrainingContinuedWithoutOne(string name)
    {
        var model = LeanNet.Create(1);
        Optimizer<LeanNet.Gradients> optimizer = Optimizers.Create<LeanNet.Gradients>(name, model);
        optimizer.StochasticRoundingSeed = 977;
        var gradients = new LeanNet.Gradients(model);
        var random = new Random(2);
        Optimizers.Train(optimizer, gradients, random, 5);

        var restoredModel = LeanNet.Create(3);
        Optimizer<LeanNet.Gradients> restored = Optimizers.Create<LeanNet.Gradients>(name, restoredModel);
        var modelStream = new MemoryStream();
        var optimizerStream = new MemoryStream();
        Checkpoint.SaveModel(model, modelStream);
        Checkpoint.SaveOptimizer(optimizer, optimizerStream);
        Checkpoint.LoadModel(restoredModel, new MemoryStream(modelStream.ToArray()));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(optimizerStream.ToArray()));
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), $"{name}: after the load");

        var restoredGradients = new LeanNet.Gradients(restoredModel);
        var continued = new Random(4);
        var restoredContinued = new Random(4);
        Optimizers.Train(optimizer, gradients, continued, 4);
        Optimizers.Train(restored, restoredGradients, restoredContinued, 4);
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), $"{name}: training continued");
    }

    [Fact]
    public void SixteenBitStateIsStoredAsBF16AndF16UnderPyTorchsNames()
    {
        var model = LeanNet.Create(1);
        Optimizer<LeanNet.Gradients> bf16 = Optimizers.Create<LeanNet.Gradients>("AdamBF16", model);
        Optimizer<LeanNet.Gradients> f16 = Optimizers.Create<LeanNet.Gradients>("AdamF16", model);
        Optimizers.Train(bf16, new LeanNet.Gradients(model), new Random(2), 2);

        EditableCheckpoint file = EditableCheckpoint.Parse(Save(bf16));
        Assert.Equal("BF16", file.Tensor("W.exp_avg").Dtype);
        Assert.Equal("BF16", file.Tensor("W.exp_avg_sq").Dtype);
        Assert.Equal("BF16", file.Tensor("W.max_exp_avg_sq").Dtype);
        Assert.Equal("F32", file.Tensor("W.step").Dtype);
        Assert.Equal(new long[] { 4, 3 }, file.Tensor("W.exp_avg").Shape);
        Assert.Equal(MemoryMarshalBytes(bf16.GetState(0).Buffer.AsBitsSpan()), file.Tensor("W.exp_avg").Data);
        Assert.Equal("F16", EditableCheckpoint.Parse(Save(f16)).Tensor("K.exp_avg_sq").Dtype);
    }

    [Fact]
    public void AFileAtAnotherStatePrecisionIsRejectedUnlessTheLoadConverts()
    {
        var model = LeanNet.Create(1);
        Optimizer<LeanNet.Gradients> f32 = Optimizers.Create<LeanNet.Gradients>("AdamF32", model);
        Optimizers.Train(f32, new LeanNet.Gradients(model), new Random(2), 3);
        byte[] file = Save(f32);

        Optimizer<LeanNet.Gradients> bf16 = Optimizers.Create<LeanNet.Gradients>("AdamBF16", LeanNet.Create(1));
        TrainingSnapshot before = TrainingSnapshot.Of(bf16);
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(bf16, new MemoryStream(file)));
        Assert.Equal(CheckpointError.DtypeMismatch, error.Error);
        Assert.Contains("convertStatePrecision", error.Message, StringComparison.Ordinal);
        Assert.Contains("BFloat16", error.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(bf16), "a rejected load changed the optimizer");

        // Float32 → bfloat16: every element narrowed to nearest even.
        Checkpoint.LoadOptimizer(bf16, new MemoryStream(file), convertStatePrecision: true);
        Assert.Equal(3, bf16.StepCount);
        for (int i = 0; i < f32.StateCount; i++)
        {
            float[] source = f32.GetState(i).Buffer.AsSingleSpan().ToArray();
            Assert.Equal(source.Select(BFloat16Storage.FromSingle), bf16.GetState(i).Buffer.AsBitsSpan().ToArray());
        }

        // bfloat16 → float32: exact, the widened bits.
        byte[] narrowFile = Save(bf16);
        Optimizer<LeanNet.Gradients> back = Optimizers.Create<LeanNet.Gradients>("AdamF32", LeanNet.Create(1));
        Assert.Equal(CheckpointError.DtypeMismatch, Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(back, new MemoryStream(narrowFile))).Error);
        Checkpoint.LoadOptimizer(back, new MemoryStream(narrowFile), convertStatePrecision: true);
        for (int i = 0; i < f32.StateCount; i++)
        {
            Assert.Equal(bf16.GetState(i).Buffer.AsBitsSpan().ToArray().Select(BFloat16Storage.ToSingle), back.GetState(i).Buffer.AsSingleSpan().ToArray());
        }

        // bfloat16 → float16: through float.
        Optimizer<LeanNet.Gradients> f16 = Optimizers.Create<LeanNet.Gradients>("AdamF16", LeanNet.Create(1));
        Checkpoint.LoadOptimizer(f16, new MemoryStream(narrowFile), convertStatePrecision: true);
        for (int i = 0; i < f32.StateCount; i++)
        {
            Assert.Equal(
                bf16.GetState(i).Buffer.AsBitsSpan().ToArray().Select(b => Float16Storage.FromSingle(BFloat16Storage.ToSingle(b))),
                f16.GetState(i).Buffer.AsBitsSpan().ToArray());
        }
    }

    /// <summary>A converting load converts state only: a step tensor and the model's members keep their dtype checks.</summary>
    [Fact]
    public void AConvertingLoadStillRejectsAStepOfAnotherDtype()
    {
        var model = LeanNet.Create(1);
        Optimizer<LeanNet.Gradients> f32 = Optimizers.Create<LeanNet.Gradients>("AdamF32", model);
        Optimizers.Train(f32, new LeanNet.Gradients(model), new Random(2), 1);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(f32));
        file.Tensor("B.step").Dtype = "BF16";
        file.Tensor("B.step").Data = new byte[2];
        Optimizer<LeanNet.Gradients> bf16 = Optimizers.Create<LeanNet.Gradients>("AdamBF16", LeanNet.Create(1));
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(bf16, new MemoryStream(file.ToBytes()), convertStatePrecision: true));
        Assert.Equal(CheckpointError.DtypeMismatch, error.Error);
        Assert.Equal("B.step", error.Name);
    }

    [Fact]
    public void TheRoundingSeedIsSavedAndAnInvalidOneRejected()
    {
        var model = LeanNet.Create(1);
        Optimizer<LeanNet.Gradients> optimizer = Optimizers.Create<LeanNet.Gradients>("AdamWBF16SR", model);
        optimizer.StochasticRoundingSeed = ulong.MaxValue;
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(optimizer));
        Assert.Equal("18446744073709551615", file["rounding_seed"]);

        Optimizer<LeanNet.Gradients> restored = Optimizers.Create<LeanNet.Gradients>("AdamWBF16SR", LeanNet.Create(1));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(file.ToBytes()));
        Assert.Equal(ulong.MaxValue, restored.StochasticRoundingSeed);

        file["rounding_seed"] = "-1";
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(restored, new MemoryStream(file.ToBytes())));
        Assert.Equal(CheckpointError.InvalidValue, error.Error);

        // Files written before the seed was recorded keep the optimizer's seed.
        file.Metadata.RemoveAll(p => p.Key == "rounding_seed");
        restored.StochasticRoundingSeed = 5;
        Checkpoint.LoadOptimizer(restored, new MemoryStream(file.ToBytes()));
        Assert.Equal(5UL, restored.StochasticRoundingSeed);
    }

    private static byte[] Save(Optimizer<LeanNet.Gradients> optimizer)
    {
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        return stream.ToArray();
    }

    private static byte[] MemoryMarshalBytes(Span<ushort> bits) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits).ToArray();
}
