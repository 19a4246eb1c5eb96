using System;
using System.IO;
using System.Linq;
using Gen.__Internals;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// NAdam's <c>mu_product</c>: PyTorch 1.13 keeps one per parameter, a float32 scalar tensor whatever the parameter's dtype,
/// and every parameter's is the same. Gen keeps one for the optimizer and lists it under every member
/// (<see cref="OptimizerState.IsShared"/>): it is saved per member as PyTorch's, loaded only when every member's value is
/// the same, never converted by a converting load, counted once in StateBytes and reset with the optimizer.
/// </summary>
public sealed class SharedScalarCheckpointTests
{
    [Fact]
    public void MuProductIsAFloat32ScalarUnderEveryMemberEvenADoubleOne()
    {
        var model = Net.Create(seed: 1);
        var optimizer = new Net.NAdam(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(2), 3);
        EditableCheckpoint file = EditableCheckpoint.Parse(FormatTests.Save(optimizer));

        float expected = MuProduct(optimizer);
        Assert.True(expected < 1 && expected > 0);
        foreach (string member in new[] { "W", "B", "K", "Empty" })
        {
            EditableTensor tensor = file.Tensor(member + ".mu_product");
            Assert.Equal("F32", tensor.Dtype);
            Assert.Empty(tensor.Shape);
            Assert.Equal(expected, tensor.SingleAt(0));
        }

        // K is a double member: its state is F64, its mu_product F32, as in PyTorch.
        Assert.Equal("F64", file.Tensor("K.exp_avg").Dtype);
    }

    [Fact]
    public void MembersWhoseMuProductsDifferAreRejectedAndNothingChanges()
    {
        var model = Net.Create(seed: 3);
        var optimizer = new Net.NAdam(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(4), 2);
        EditableCheckpoint file = EditableCheckpoint.Parse(FormatTests.Save(optimizer));
        file.Tensor("K.mu_product").Data = BitConverter.GetBytes(0.25f);

        var target = new Net.NAdam(Net.Create(seed: 3));
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file.ToBytes())));
        Assert.Equal(CheckpointError.InvalidValue, error.Error);
        Assert.Equal("K.mu_product", error.Name);
        Assert.Contains("0.25", error.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "a rejected load changed the optimizer");
    }

    [Fact]
    public void AMuProductOfAnotherDtypeOrShapeIsRejected()
    {
        var model = Net.Create(seed: 5);
        var optimizer = new Net.NAdam(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(6), 1);

        EditableCheckpoint file = EditableCheckpoint.Parse(FormatTests.Save(optimizer));
        file.Tensor("W.mu_product").Dtype = "F64";
        file.Tensor("W.mu_product").Data = BitConverter.GetBytes((double)MuProduct(optimizer));
        CheckpointException dtype = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(new Net.NAdam(Net.Create(5)), new MemoryStream(file.ToBytes()), convertStatePrecision: true));
        Assert.Equal(CheckpointError.DtypeMismatch, dtype.Error);
        Assert.Equal("W.mu_product", dtype.Name);

        file = EditableCheckpoint.Parse(FormatTests.Save(optimizer));
        file.Tensor("B.mu_product").Shape = new long[] { 1 };
        CheckpointException shape = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(new Net.NAdam(Net.Create(5)), new MemoryStream(file.ToBytes())));
        Assert.Equal(CheckpointError.ShapeMismatch, shape.Error);
        Assert.Equal("B.mu_product", shape.Name);
    }

    /// <summary>
    /// Between 8-bit and float32 state the buffers are converted and mu_product copied as it is (the k-th buffer of a
    /// member is still exp_avg, exp_avg_sq: the shared scalar is not one of them); both continue from the same product.
    /// </summary>
    [Theory]
    [InlineData("NAdamF32", "NAdamI8")]
    [InlineData("NAdamI8", "NAdamF32")]
    public void AConvertingLoadCopiesMuProductAsItIs(string saved, string loaded)
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> source = Optimizers.Create<QuantizedNet.Gradients>(saved, model);
        Optimizers.Train(source, new QuantizedNet.Gradients(model), new Random(2), 3);
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(source, stream);

        Optimizer<QuantizedNet.Gradients> target = Optimizers.Create<QuantizedNet.Gradients>(loaded, QuantizedNet.Create(1));
        Checkpoint.LoadOptimizer(target, new MemoryStream(stream.ToArray()), convertStatePrecision: true);
        Assert.Equal(3, target.StepCount);
        Assert.Equal(BitConverter.SingleToInt32Bits(MuProduct(source)), BitConverter.SingleToInt32Bits(MuProduct(target)));
        Assert.All(Enumerable.Range(0, target.StateCount).Select(target.GetState).Where(s => s.Key == "mu_product"), s => Assert.True(s.IsShared));

        // W's exp_avg_sq converted: equal to the source's within the 8-bit code's resolution, never another buffer's.
        float[] expected = Buffer(source, "W", "exp_avg_sq"), actual = Buffer(target, "W", "exp_avg_sq");
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 0.05 * expected.Max(), $"{pair.First} became {pair.Second}"));
    }

    [Fact]
    public void StateBytesCountMuProductOnceAndResetSetsItToOne()
    {
        var model = new Net { W = new float[4, 3], B = new float[5], K = new double[2, 2, 3] };
        var optimizer = new Net.NAdam(model);
        Assert.Equal((2 * 4 * (12 + 5)) + (2 * 8 * 12) + 4, optimizer.StateBytes);
        Assert.Equal(1f, MuProduct(optimizer));

        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(7), 2);
        Assert.NotEqual(1f, MuProduct(optimizer));
        optimizer.Reset();
        Assert.Equal(1f, MuProduct(optimizer));
        Assert.Equal(0, optimizer.StepCount);
    }

    private static float MuProduct<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase
    {
        OptimizerState[] shared = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Where(s => s.Key == "mu_product").ToArray();
        Assert.Equal(optimizer.Model.ParameterCount, shared.Length);
        Assert.All(shared, s => Assert.Same(shared[0].Buffer.Array, s.Buffer.Array));
        return shared[0].Buffer.AsSingleSpan()[0];
    }

    /// <summary>A member's float buffer, or its 8-bit state dequantized (bitsandbytes' state{k} for PyTorch's k-th key).</summary>
    private static float[] Buffer(Optimizer<QuantizedNet.Gradients> optimizer, string member, string key)
    {
        OptimizerState[] states = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Where(s => s.Buffer.Name == member && !s.IsShared).ToArray();
        if (states[0].Buffer.Element != TensorElement.UInt8)
        {
            return states.Single(s => s.Key == key).Buffer.AsSingleSpan().ToArray();
        }

        int k = key == "exp_avg" ? 0 : 1;
        var values = new float[states[3 * k].Buffer.Length];
        BlockwiseQuantization.Dequantize(states[3 * k].Buffer.AsByteSpan(), states[(3 * k) + 1].Buffer.AsSingleSpan(), values, signed: k == 0);
        return values;
    }
}
