using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Gen.__Internals;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// What the files hold, read by <see cref="EditableCheckpoint"/> (which shares no code with the
/// runtime): safetensors layout and padding, PyTorch's state names, shapes, dtypes, the metadata and
/// the checksum, as docs/CHECKPOINTS.md describes them.
/// </summary>
public sealed class FormatTests
{
    [Fact]
    public void OptimizerFileHoldsPyTorchStateNamesShapesAndTheMetadata()
    {
        var model = Net.Create(seed: 1);
        var optimizer = new Net.AdamAmsGrad(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(2), 3);
        optimizer.LearningRate = 0.0025;
        optimizer.WeightDecay = 1e-5;
        optimizer.BaseLearningRate = 0.02;
        byte[] file = Save(optimizer);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(file);

        var expectedMetadata = new List<KeyValuePair<string, string>>
        {
            new("format", "gen.checkpoint"),
            new("format_version", "1"),
            new("content", "optimizer"),
            new("optimizer", "Adam"),
            new("parameters", "W,B,K,Empty"),
            new("step", "3"),
            new("lr", "0.0025"),
            new("weight_decay", "1E-05"),
            new("initial_lr", "0.02"),
            new("config.Beta1", "0.9"),
            new("config.Beta2", "0.999"),
            new("config.Epsilon", "1E-08"),
            new("config.AmsGrad", "true"),
            new("config.Maximize", "true"),
            new("config.NoWeightDecay.B", "true"),
            new("config.LearningRateScale.K", "0.5"),
        };
        Assert.Equal(expectedMetadata, checkpoint.Metadata);
        Assert.Equal(optimizer.Configuration.Select(p => new KeyValuePair<string, string>("config." + p.Key, p.Value)), checkpoint.Metadata.Where(p => p.Key.StartsWith("config.", StringComparison.Ordinal)));

        // Double-precision tensors first, then float32 ones (the steps are float32), each group in
        // declaration order, a member's step before its buffers.
        string[] expectedNames =
        {
            "K.exp_avg", "K.exp_avg_sq", "K.max_exp_avg_sq",
            "W.step", "W.exp_avg", "W.exp_avg_sq", "W.max_exp_avg_sq",
            "B.step", "B.exp_avg", "B.exp_avg_sq", "B.max_exp_avg_sq",
            "K.step",
            "Empty.step", "Empty.exp_avg", "Empty.exp_avg_sq", "Empty.max_exp_avg_sq",
        };
        Assert.Equal(expectedNames, checkpoint.Tensors.Select(t => t.Name));

        for (int i = 0; i < optimizer.StateCount; i++)
        {
            OptimizerState state = optimizer.GetState(i);
            string member = state.Buffer.Name;
            EditableTensor tensor = checkpoint.Tensor(member + "." + state.Key);
            Array parameter = ((ITrainable)model).GetParameter(state.ParameterIndex).Array!;
            Assert.Equal(Enumerable.Range(0, parameter.Rank).Select(d => (long)parameter.GetLength(d)), tensor.Shape);
            Assert.Equal(state.Buffer.Element == TensorElement.Single ? "F32" : "F64", tensor.Dtype);
            Assert.Equal(Bytes(state.Buffer), tensor.Data);
        }

        foreach (string member in new[] { "W", "B", "K", "Empty" })
        {
            EditableTensor step = checkpoint.Tensor(member + ".step");
            Assert.Equal("F32", step.Dtype);
            Assert.Empty(step.Shape);
            Assert.Equal(3f, step.SingleAt(0));
        }
    }

    [Theory]
    [InlineData("RmsPropDefaults", "RMSProp", "step,square_avg")]
    [InlineData("RmsPropEverything", "RMSProp", "step,square_avg,momentum_buffer,grad_avg")]
    [InlineData("RmsPropTensorFlow", "RMSProp", "step,square_avg")]
    [InlineData("SgdPlain", "SGD", "")]
    [InlineData("SgdDampened", "SGD", "momentum_buffer")]
    [InlineData("SgdNesterov", "SGD", "momentum_buffer")]
    [InlineData("Adagrad", "Adagrad", "step,sum")]
    [InlineData("Adam", "Adam", "step,exp_avg,exp_avg_sq")]
    [InlineData("AdamAmsGrad", "Adam", "step,exp_avg,exp_avg_sq,max_exp_avg_sq")]
    [InlineData("AdamBeta", "Adam", "step,exp_avg,exp_avg_sq")]
    [InlineData("AdamW", "AdamW", "step,exp_avg,exp_avg_sq,max_exp_avg_sq")]
    [InlineData("Adadelta", "Adadelta", "step,square_avg,acc_delta")]
    [InlineData("Lion", "Lion", "exp_avg")]
    [InlineData("NAdam", "NAdam", "step,exp_avg,exp_avg_sq,mu_product")]
    [InlineData("NAdamDecoupled", "NAdam", "step,exp_avg,exp_avg_sq,mu_product")]
    [InlineData("RAdam", "RAdam", "step,exp_avg,exp_avg_sq")]
    [InlineData("Adamax", "Adamax", "step,exp_avg,exp_inf")]
    [InlineData("Rprop", "Rprop", "step,prev,step_size")]
    [InlineData("Asgd", "ASGD", "step,eta,mu,ax")]
    [InlineData("ScheduleFreeAdamW", "ScheduleFreeAdamW", "z,exp_avg_sq,x,y,exp_avg")]
    [InlineData("ScheduleFreeSgd", "ScheduleFreeSGD", "z,x,y")]
    [InlineData("AdEMAMix", "AdEMAMix", "step,exp_avg_fast,exp_avg_slow,exp_avg_sq")]
    [InlineData("AdEMAMixNoFast", "AdEMAMix", "step,exp_avg_slow,exp_avg_sq")]
    [InlineData("Adopt", "ADOPT", "step,exp_avg,exp_avg_sq")]
    public void EachKindKeepsTheStateNamesPyTorchKeeps(string name, string kind, string keys)
    {
        var model = Net.Create(seed: 3);
        Optimizer<Net.Gradients> optimizer = Optimizers.Create<Net.Gradients>(name, model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(4), 2);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(Save(optimizer));

        Assert.Equal(kind, checkpoint["optimizer"]);
        string[] expectedKeys = keys.Length == 0 ? Array.Empty<string>() : keys.Split(',');
        foreach (string member in new[] { "W", "B", "K", "Empty" })
        {
            Assert.Equal(
                expectedKeys.Order(StringComparer.Ordinal),
                checkpoint.Tensors.Where(t => t.Name.StartsWith(member + ".", StringComparison.Ordinal)).Select(t => t.Name.Substring(member.Length + 1)).Order(StringComparer.Ordinal));
        }

        Assert.Equal(4 * expectedKeys.Length, checkpoint.Tensors.Count);
        Assert.Equal("2", checkpoint["step"]);
    }

    [Fact]
    public void ModelFileHoldsOneTensorPerTrainableMember()
    {
        var model = Net.Create(seed: 5);
        var stream = new MemoryStream();
        Checkpoint.SaveModel(model, stream);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(stream.ToArray());

        Assert.Equal(
            new KeyValuePair<string, string>[] { new("format", "gen.checkpoint"), new("format_version", "1"), new("content", "model") },
            checkpoint.Metadata);
        Assert.Equal(new[] { "K", "W", "B", "Empty" }, checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 2, 2, 3 }, checkpoint.Tensor("K").Shape);
        Assert.Equal("F64", checkpoint.Tensor("K").Dtype);
        Assert.Equal(new long[] { 4, 3 }, checkpoint.Tensor("W").Shape);
        Assert.Equal("F32", checkpoint.Tensor("W").Dtype);
        Assert.Equal(new long[] { 5 }, checkpoint.Tensor("B").Shape);
        Assert.Equal(new long[] { 0 }, checkpoint.Tensor("Empty").Shape);
        Assert.Empty(checkpoint.Tensor("Empty").Data);
        Assert.Equal(MemoryMarshal.AsBytes(Tensors.AsSpan(model.W)).ToArray(), checkpoint.Tensor("W").Data);
        Assert.Equal(MemoryMarshal.AsBytes(Tensors.AsSpan(model.K)).ToArray(), checkpoint.Tensor("K").Data);
    }

    [Fact]
    public void HeaderIsPaddedWithSpacesSoEveryTensorIsAlignedInTheFile()
    {
        var model = Net.Create(seed: 6);
        var optimizer = new Net.RmsPropEverything(model);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(Save(optimizer));

        Assert.Equal(0, checkpoint.HeaderLength % 8);
        string json = checkpoint.HeaderText.TrimEnd(' ');
        Assert.EndsWith("}", json, StringComparison.Ordinal);
        Assert.True(checkpoint.HeaderLength - json.Length < 8, "More padding than needed.");
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"gen.checkpoint\",", checkpoint.HeaderText, StringComparison.Ordinal);
        foreach (EditableTensor tensor in checkpoint.Tensors)
        {
            long fileOffset = 8 + checkpoint.HeaderLength + checkpoint.Offsets[tensor.Name].Begin;
            Assert.Equal(0, fileOffset % (tensor.Dtype == "F64" ? 8 : 4));
        }
    }

    [Fact]
    public void StatelessSgdWritesOnlyMetadata()
    {
        var model = Net.Create(seed: 7);
        var optimizer = new Net.SgdPlain(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(8), 4);
        byte[] file = Save(optimizer);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(file);

        Assert.Empty(checkpoint.Tensors);
        Assert.Equal("4", checkpoint["step"]);
        Assert.Equal("W,B,K,Empty", checkpoint["parameters"]);
        var restored = new Net.SgdPlain(Net.Create(seed: 7));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(file));
        Assert.Equal(4, restored.StepCount);
    }

    [Fact]
    public void LearningRatesRoundTripExactly()
    {
        var model = Net.Create(seed: 9);
        var optimizer = new Net.Adam(model);
        var restored = new Net.Adam(model);
        foreach (double value in new[] { 0.1, 1.0 / 3, 1e-300, double.Epsilon, 123456789.123, 0.0, double.MaxValue })
        {
            optimizer.LearningRate = value;
            optimizer.WeightDecay = value / 7;
            Checkpoint.LoadOptimizer(restored, new MemoryStream(Save(optimizer)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(restored.LearningRate));
            Assert.Equal(BitConverter.DoubleToInt64Bits(value / 7), BitConverter.DoubleToInt64Bits(restored.WeightDecay));
        }
    }

    [Fact]
    public void FilesFromAnotherWriterLoadWhateverTheirJsonLayoutAndTensorOrder()
    {
        var model = Net.Create(seed: 10);
        var optimizer = new Net.RmsPropEverything(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(11), 3);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(Save(optimizer));
        checkpoint.Tensors.Reverse();
        checkpoint.Metadata.Reverse();
        checkpoint.Metadata.Add(new("note", "written by another tool; unknown metadata is ignored"));
        byte[] rewritten = checkpoint.ToBytes(indented: true);
        Assert.Contains("\n", Encoding.UTF8.GetString(rewritten, 8, 200), StringComparison.Ordinal);

        var restored = new Net.RmsPropEverything(Net.Create(seed: 12));
        Checkpoint.LoadModel(restored.Model, new MemoryStream(SaveModel(model)));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(rewritten));

        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), "rewritten file");
    }

    [Fact]
    public void Crc32IsZlibs()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));

        var random = new Random(13);
        for (int length = 0; length <= 80; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            uint expected = EditableCheckpoint.ReferenceCrc32(data);
            Assert.Equal(expected, Crc32.Compute(data));

            int split = random.Next(length + 1);
            var crc = new Crc32();
            crc.Append(data.AsSpan(0, split));
            crc.Append(data.AsSpan(split));
            Assert.Equal(expected, crc.Value);
        }
    }

    [Fact]
    public void BaseLearningRateIsRestoredAndOptional()
    {
        var optimizer = new Net.AdamAmsGrad(Net.Create(seed: 1)) { BaseLearningRate = 0.02 };
        byte[] file = Save(optimizer);

        var restored = new Net.AdamAmsGrad(Net.Create(seed: 1));
        Checkpoint.LoadOptimizer(restored, new MemoryStream(file));
        Assert.Equal(0.02, restored.BaseLearningRate);

        // A file without initial_lr (e.g. written from torch.optim without a scheduler) keeps the target's value.
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(file);
        checkpoint.Metadata.RemoveAll(p => p.Key == "initial_lr");
        var untouched = new Net.AdamAmsGrad(Net.Create(seed: 1)) { BaseLearningRate = 0.5 };
        Checkpoint.LoadOptimizer(untouched, new MemoryStream(checkpoint.ToBytes()));
        Assert.Equal(0.5, untouched.BaseLearningRate);
    }

    internal static byte[] Save<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase
    {
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        return stream.ToArray();
    }

    internal static byte[] SaveModel(ITrainable model)
    {
        var stream = new MemoryStream();
        Checkpoint.SaveModel(model, stream);
        return stream.ToArray();
    }

    private static byte[] Bytes(TensorRef tensor) => tensor.Element == TensorElement.Single
        ? MemoryMarshal.AsBytes(tensor.AsSingleSpan()).ToArray()
        : MemoryMarshal.AsBytes(tensor.AsDoubleSpan()).ToArray();
}
