using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Gen.__Internals;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// 8-bit block-wise optimizer state in checkpoints: per quantized member and buffer k (1-based), bitsandbytes' tensors
/// <c>state{k}</c> (U8, the member's shape), <c>absmax{k}</c> (F32, one per block of 256) and <c>qmap{k}</c> (F32, the
/// 256-entry code), loaded back bit for bit so training continues exactly; a code table that is not this runtime's is
/// rejected, and so is state at another precision (converting to or from 8-bit state is not supported).
/// </summary>
public sealed class Int8StateCheckpointTests
{
    public static TheoryData<string> Names => new(Optimizers.Names<QuantizedNet>().Where(n => n.EndsWith("I8", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Names))]
    public void TrainingContinuedAfterALoadIsBitForBitTrainingContinuedWithoutOne(string name)
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> optimizer = Optimizers.Create<QuantizedNet.Gradients>(name, model);
        var gradients = new QuantizedNet.Gradients(model);
        Optimizers.Train(optimizer, gradients, new Random(2), 5);

        var restoredModel = QuantizedNet.Create(3);
        Optimizer<QuantizedNet.Gradients> restored = Optimizers.Create<QuantizedNet.Gradients>(name, restoredModel);
        var modelStream = new MemoryStream();
        Checkpoint.SaveModel(model, modelStream);
        Checkpoint.LoadModel(restoredModel, new MemoryStream(modelStream.ToArray()));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(Save(optimizer)));
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), $"{name}: after the load");

        Optimizers.Train(optimizer, gradients, new Random(4), 4);
        Optimizers.Train(restored, new QuantizedNet.Gradients(restoredModel), new Random(4), 4);
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), $"{name}: training continued");
    }

    [Fact]
    public void EightBitStateIsStoredUnderBitsandbytesNamesAndSmallMembersUnderPyTorchs()
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> optimizer = Optimizers.Create<QuantizedNet.Gradients>("AdamI8", model);
        Optimizers.Train(optimizer, new QuantizedNet.Gradients(model), new Random(2), 2);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(optimizer));

        for (int k = 1; k <= 3; k++)
        {
            Assert.Equal("U8", file.Tensor($"W.state{k}").Dtype);
            Assert.Equal(new long[] { 70, 73 }, file.Tensor($"W.state{k}").Shape);
            Assert.Equal("F32", file.Tensor($"W.absmax{k}").Dtype);
            Assert.Equal(new long[] { 20 }, file.Tensor($"W.absmax{k}").Shape);
            Assert.Equal("F32", file.Tensor($"W.qmap{k}").Dtype);
            Assert.Equal(new long[] { 256 }, file.Tensor($"W.qmap{k}").Shape);
        }

        // exp_avg signed; exp_avg_sq and max_exp_avg_sq unsigned.
        Assert.Equal(MemoryMarshal.AsBytes(DynamicCode.Signed).ToArray(), file.Tensor("W.qmap1").Data);
        Assert.Equal(MemoryMarshal.AsBytes(DynamicCode.Unsigned).ToArray(), file.Tensor("W.qmap2").Data);
        Assert.Equal(MemoryMarshal.AsBytes(DynamicCode.Unsigned).ToArray(), file.Tensor("W.qmap3").Data);
        Assert.Equal(optimizer.GetState(0).Buffer.AsByteSpan().ToArray(), file.Tensor("W.state1").Data);
        Assert.Equal(new[] { "B.exp_avg", "B.exp_avg_sq", "B.max_exp_avg_sq" }, file.Tensors.Where(t => t.Name.StartsWith("B.", StringComparison.Ordinal) && t.Name != "B.step").Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal("F32", file.Tensor("B.exp_avg").Dtype);
        Assert.Equal("F32", file.Tensor("W.step").Dtype);

        // The bytes last: every tensor stays aligned to its element size.
        Assert.Equal(new[] { "W.state1", "W.state2", "W.state3" }, file.Tensors.SkipWhile(t => t.Dtype != "U8").Select(t => t.Name));
    }

    [Fact]
    public void ACodeTableThatIsNotThisRuntimesIsRejected()
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> optimizer = Optimizers.Create<QuantizedNet.Gradients>("AdamWI8", model);
        Optimizers.Train(optimizer, new QuantizedNet.Gradients(model), new Random(2), 2);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(optimizer));

        // One ulp off in one entry, as a PyTorch with other linspace kernels could build it.
        file.Tensor("W.qmap2").Data[4 * 100] ^= 1;
        Optimizer<QuantizedNet.Gradients> target = Optimizers.Create<QuantizedNet.Gradients>("AdamWI8", QuantizedNet.Create(1));
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file.ToBytes())));
        Assert.Equal(CheckpointError.InvalidValue, error.Error);
        Assert.Equal("W.qmap2", error.Name);
        Assert.Contains("code table", error.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "a rejected load changed the optimizer");

        // The signed table where the unsigned one belongs.
        file = EditableCheckpoint.Parse(Save(optimizer));
        file.Tensor("W.qmap2").Data = file.Tensor("W.qmap1").Data;
        Assert.Equal(CheckpointError.InvalidValue, Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file.ToBytes()))).Error);
    }

    [Theory]
    [InlineData("AdamF32", "AdamI8", false)]
    [InlineData("AdamF32", "AdamI8", true)]
    [InlineData("AdamI8", "AdamF32", true)]
    [InlineData("AdamI8", "AdamBF16", true)]
    [InlineData("AdamBF16", "AdamI8", true)]
    public void StateAtAnotherPrecisionIsRejectedEvenByAConvertingLoad(string saved, string loaded, bool convert)
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> source = Optimizers.Create<QuantizedNet.Gradients>(saved, model);
        Optimizers.Train(source, new QuantizedNet.Gradients(model), new Random(2), 2);
        Optimizer<QuantizedNet.Gradients> target = Optimizers.Create<QuantizedNet.Gradients>(loaded, QuantizedNet.Create(1));
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(Save(source)), convert));
        Assert.Equal(CheckpointError.DtypeMismatch, error.Error);
        Assert.Contains("8-bit block-wise", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "a rejected load changed the optimizer");
    }

    /// <summary>A file whose absmax has the wrong number of blocks is a shape mismatch, named for the optimizer's tensor.</summary>
    [Fact]
    public void AnAbsmaxOfAnotherLengthIsAShapeMismatch()
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> optimizer = Optimizers.Create<QuantizedNet.Gradients>("LionI8", model);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(optimizer));
        file.Tensor("W.absmax1").Shape = new long[] { 19 };
        file.Tensor("W.absmax1").Data = new byte[19 * 4];
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(optimizer, new MemoryStream(file.ToBytes())));
        Assert.Equal(CheckpointError.ShapeMismatch, error.Error);
        Assert.Contains("this optimizer's 'W.absmax1' has shape [20]", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Save(Optimizer<QuantizedNet.Gradients> optimizer)
    {
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        return stream.ToArray();
    }
}
