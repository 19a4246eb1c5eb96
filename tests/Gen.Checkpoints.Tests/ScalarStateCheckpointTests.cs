using System;
using System.IO;
using System.Linq;
using Gen.__Internals;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Per-parameter scalar state (ASGD's <c>eta</c> and <c>mu</c>, PyTorch's 0-dim float32 tensors): saved as F32 tensors of
/// shape [] under PyTorch's names for every member (double ones too), loaded as they are by every load (a converting
/// load converts the buffers around them, never them), and checked like any tensor. And state a first step creates
/// (Rprop's step sizes): a checkpoint from before the first step loads as no state, as PyTorch's would.
/// </summary>
public sealed class ScalarStateCheckpointTests
{
    [Fact]
    public void EtaAndMuAreFloat32ScalarsForEveryMember()
    {
        var model = Net.Create(seed: 1);
        var optimizer = new Net.Asgd(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(2), 4);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(optimizer));

        foreach (string member in new[] { "W", "B", "K", "Empty" })
        {
            foreach (string key in new[] { "eta", "mu" })
            {
                EditableTensor tensor = file.Tensor(member + "." + key);
                Assert.Equal("F32", tensor.Dtype);
                Assert.Empty(tensor.Shape);
                OptimizerState state = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Single(s => s.Buffer.Name == member && s.Key == key);
                Assert.Equal(state.Buffer.AsSingleSpan()[0], tensor.SingleAt(0));
            }
        }

        // K has [LearningRateScale(0.5)]: its eta comes from half the rate; mu is the same for all (T0 = 2, 4 steps).
        Assert.NotEqual(file.Tensor("W.eta").SingleAt(0), file.Tensor("K.eta").SingleAt(0));
        Assert.Equal(0.5f, file.Tensor("W.mu").SingleAt(0));
        Assert.Equal("F64", file.Tensor("K.ax").Dtype);
    }

    [Theory]
    [InlineData("AsgdI8", "AsgdF32")]
    [InlineData("AsgdF32", "AsgdI8")]
    [InlineData("AsgdI8", "AsgdBF16")]
    [InlineData("AsgdF32", "AsgdBF16")]
    public void AConvertingLoadConvertsTheAverageAndKeepsEtaAndMu(string saved, string loaded)
    {
        var model = QuantizedNet.Create(1);
        Optimizer<QuantizedNet.Gradients> source = Optimizers.Create<QuantizedNet.Gradients>(saved, model);
        Optimizers.Train(source, new QuantizedNet.Gradients(model), new Random(2), 4);
        Optimizer<QuantizedNet.Gradients> target = Optimizers.Create<QuantizedNet.Gradients>(loaded, QuantizedNet.Create(1));
        Assert.Equal(CheckpointError.DtypeMismatch, Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(Save(source)))).Error);

        Checkpoint.LoadOptimizer(target, new MemoryStream(Save(source)), convertStatePrecision: true);
        foreach (string member in new[] { "W", "B" })
        {
            foreach (string key in new[] { "eta", "mu" })
            {
                Assert.Equal(Find(source, member, key).Buffer.AsSingleSpan()[0], Find(target, member, key).Buffer.AsSingleSpan()[0]);
            }
        }

        // The average itself went through float: B (300 elements) keeps float32 state in the 8-bit optimizers, bfloat16 in AsgdBF16.
        float[] expected = Floats(source, "B");
        Assert.Equal(loaded == "AsgdBF16" ? expected.Select(x => BFloat16Storage.ToSingle(BFloat16Storage.FromSingle(x))).ToArray() : expected, Floats(target, "B"));
    }

    [Fact]
    public void AScalarOfAnotherDtypeOrShapeIsRejectedEvenByAConvertingLoad()
    {
        var model = Net.Create(seed: 3);
        var optimizer = new Net.Asgd(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(4), 2);
        EditableCheckpoint file = EditableCheckpoint.Parse(Save(optimizer));
        file.Tensor("B.eta").Dtype = "F64";
        file.Tensor("B.eta").Data = BitConverter.GetBytes(0.05);
        var target = new Net.Asgd(Net.Create(seed: 3));
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file.ToBytes()), convertStatePrecision: true));
        Assert.Equal(CheckpointError.DtypeMismatch, error.Error);
        Assert.Equal("B.eta", error.Name);
        Assert.Contains("scalar", error.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "a rejected load changed the optimizer");

        file = EditableCheckpoint.Parse(Save(optimizer));
        file.Tensor("W.mu").Shape = new long[] { 1 };
        error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file.ToBytes())));
        Assert.Equal(CheckpointError.ShapeMismatch, error.Error);
        Assert.Equal("W.mu", error.Name);
    }

    /// <summary>
    /// A checkpoint saved before the first step holds no state PyTorch would have: loaded, the next step creates the step
    /// sizes from the rate it runs with, as a fresh optimizer's first step does.
    /// </summary>
    [Fact]
    public void ACheckpointFromBeforeTheFirstStepLoadsAsNoState()
    {
        var model = Net.Create(seed: 5);
        var saved = new Net.Rprop(model);
        byte[] file = Save(saved);

        var loadedModel = Net.Create(seed: 5);
        var loaded = new Net.Rprop(loadedModel);
        Checkpoint.LoadOptimizer(loaded, new MemoryStream(file));
        loaded.LearningRate = 0.2;
        var freshModel = Net.Create(seed: 5);
        var fresh = new Net.Rprop(freshModel) { LearningRate = 0.2 };
        var random = new Random(6);
        for (int step = 0; step < 3; step++)
        {
            int seed = random.Next();
            var gradients = new Net.Gradients(loadedModel);
            Fill.Gradients(gradients, new Random(seed));
            loaded.Step(gradients);
            var freshGradients = new Net.Gradients(freshModel);
            Fill.Gradients(freshGradients, new Random(seed));
            fresh.Step(freshGradients);
        }

        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(fresh), TrainingSnapshot.Of(loaded), "Rprop after a load of a step-0 checkpoint");
    }

    private static OptimizerState Find<TGradients>(Optimizer<TGradients> optimizer, string member, string key)
        where TGradients : GradientsBase =>
        Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Single(s => s.Buffer.Name == member && s.Key == key);

    private static float[] Floats(Optimizer<QuantizedNet.Gradients> optimizer, string member)
    {
        TensorRef buffer = Find(optimizer, member, "ax").Buffer;
        return buffer.Element == TensorElement.BFloat16 ? buffer.AsBitsSpan().ToArray().Select(BFloat16Storage.ToSingle).ToArray() : buffer.AsSingleSpan().ToArray();
    }

    private static byte[] Save<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase
    {
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        return stream.ToArray();
    }
}
