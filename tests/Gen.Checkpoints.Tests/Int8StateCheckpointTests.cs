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
/// rejected, and so is state at another precision unless the load converts it (dequantized, or quantized block by block).
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
    [InlineData("AdamF32", "AdamI8")]
    [InlineData("AdamI8", "AdamF32")]
    [InlineData("AdamI8", "AdamBF16")]
    [InlineData("AdamBF16", "AdamI8")]
    public void StateAtAnotherPrecisionIsRejectedUnlessTheLoadConverts(string saved, string loaded)
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> source = Optimizers.Create<QuantizedNet.Gradients>(saved, model);
        Optimizers.Train(source, new QuantizedNet.Gradients(model), new Random(2), 3);
        byte[] file = Save(source);
        Optimizer<QuantizedNet.Gradients> target = Optimizers.Create<QuantizedNet.Gradients>(loaded, QuantizedNet.Create(1));
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file)));
        Assert.Equal(CheckpointError.DtypeMismatch, error.Error);
        Assert.Contains("8-bit block-wise", error.Message, StringComparison.Ordinal);
        Assert.Contains("convertStatePrecision", error.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "a rejected load changed the optimizer");

        // Converted through float: W's 8-bit state dequantized, or quantized block by block; B converted as 16-bit state is.
        Checkpoint.LoadOptimizer(target, new MemoryStream(file), convertStatePrecision: true);
        Assert.Equal(3, target.StepCount);
        for (int k = 0; k < 3; k++)
        {
            float[] expected = Floats(source, "W", k);
            if (IsEightBit(target))
            {
                var codes = new byte[expected.Length];
                var absmax = new float[BlockwiseQuantization.BlockCount(expected.Length)];
                bool signed = k == 0;
                BlockwiseQuantization.Quantize(expected, codes, absmax, signed);
                Assert.Equal(codes, target.GetState(3 * k).Buffer.AsByteSpan().ToArray());
                Assert.Equal(absmax, target.GetState((3 * k) + 1).Buffer.AsSingleSpan().ToArray());
            }
            else
            {
                Assert.Equal(Narrowed(expected, target), Floats(target, "W", k));
            }

            Assert.Equal(Narrowed(Floats(source, "B", k), target), Floats(target, "B", k));
        }
    }

    /// <summary>A converting load still requires the file's code table to be one of this runtime's.</summary>
    [Fact]
    public void AConvertingLoadRejectsACodeTableThatIsNotThisRuntimes()
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> source = Optimizers.Create<QuantizedNet.Gradients>("AdamI8", model);
        Optimizers.Train(source, new QuantizedNet.Gradients(model), new Random(2), 2);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(source));
        file.Tensor("W.qmap1").Data[4 * 7] ^= 1;
        Optimizer<QuantizedNet.Gradients> target = Optimizers.Create<QuantizedNet.Gradients>("AdamF32", QuantizedNet.Create(1));
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file.ToBytes()), convertStatePrecision: true));
        Assert.Equal(CheckpointError.InvalidValue, error.Error);
        Assert.Equal("W.qmap1", error.Name);
    }

    private static bool IsEightBit(Optimizer<QuantizedNet.Gradients> optimizer) => optimizer.GetState(0).Buffer.Element == TensorElement.UInt8;

    /// <summary>Buffer k of a member as floats: dequantized for 8-bit state, widened for 16-bit state.</summary>
    private static float[] Floats(Optimizer<QuantizedNet.Gradients> optimizer, string member, int k)
    {
        OptimizerState[] states = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Where(s => s.Buffer.Name == member).ToArray();
        if (states[0].Buffer.Element == TensorElement.UInt8)
        {
            var values = new float[states[3 * k].Buffer.Length];
            BlockwiseQuantization.Dequantize(states[3 * k].Buffer.AsByteSpan(), states[(3 * k) + 1].Buffer.AsSingleSpan(), values, signed: k == 0);
            return values;
        }

        TensorRef buffer = states[k].Buffer;
        return buffer.Element switch
        {
            TensorElement.Single => buffer.AsSingleSpan().ToArray(),
            _ => buffer.AsBitsSpan().ToArray().Select(BFloat16Storage.ToSingle).ToArray(),
        };
    }

    /// <summary>The values as the optimizer's float state holds them: rounded to bfloat16 for a bfloat16 optimizer.</summary>
    private static float[] Narrowed(float[] values, Optimizer<QuantizedNet.Gradients> optimizer) =>
        Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Any(s => s.Buffer.Element == TensorElement.BFloat16)
            ? values.Select(v => BFloat16Storage.ToSingle(BFloat16Storage.FromSingle(v))).ToArray()
            : values;

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
