using System;
using System.IO;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Intact checkpoints that do not fit their target: another kind, configuration, member set, state
/// tensor set, shape or dtype, a model array replaced since the optimizer was created, the wrong
/// content, or recorded values out of range. Each has its own error, names what differs, and changes nothing.
/// </summary>
public sealed class MismatchTests
{
    [Fact]
    public void AnotherKindIsAKindMismatch()
    {
        byte[] file = SavedAdam(out _);
        var target = new Net.RmsPropDefaults(Net.Create(seed: 2));

        CheckpointException e = Expect.LoadOptimizerFails(target, file, CheckpointError.KindMismatch, null);

        Assert.Contains("'Adam'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'RMSProp'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherValueOfACompileTimeHyperparameterIsAConfigurationMismatch()
    {
        byte[] file = SavedAdam(out _);
        var target = new Net.AdamBeta(Net.Create(seed: 2));

        CheckpointException e = Expect.LoadOptimizerFails(target, file, CheckpointError.ConfigurationMismatch, "Beta1");

        Assert.Contains("is 0.9, and this optimizer's is 0.8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHyperparameterOnOneSideOnlyIsAConfigurationMismatch()
    {
        var target = new Net.Adam(Net.Create(seed: 2));

        EditableCheckpoint missing = EditableCheckpoint.Parse(SavedAdam(out _));
        missing.Metadata.RemoveAll(p => p.Key == "config.Maximize");
        Expect.LoadOptimizerFails(target, missing.ToBytes(), CheckpointError.ConfigurationMismatch, "Maximize");

        EditableCheckpoint extra = EditableCheckpoint.Parse(SavedAdam(out _));
        extra["config.Nesterov"] = "true";
        Expect.LoadOptimizerFails(target, extra.ToBytes(), CheckpointError.ConfigurationMismatch, "Nesterov");
    }

    [Fact]
    public void AModelMemberWithoutStateIsAMissingMember()
    {
        byte[] file = SavedAdam(out _);
        var model = new ExtendedNet();
        Expect.LoadOptimizerFails(new ExtendedNet.Adam(model), file, CheckpointError.MissingMember, "X");
        Expect.LoadModelFails(model, FormatTests.SaveModel(Net.Create(seed: 1)), CheckpointError.MissingMember, "X");
    }

    [Fact]
    public void StateOfAMemberTheModelLacksIsAnUnexpectedMember()
    {
        byte[] file = SavedAdam(out _);
        var model = new ShrunkNet();
        Expect.LoadOptimizerFails(new ShrunkNet.Adam(model), file, CheckpointError.UnexpectedMember, "K");
        Expect.LoadModelFails(model, FormatTests.SaveModel(Net.Create(seed: 1)), CheckpointError.UnexpectedMember, "K");

        // Stateless SGD writes no tensors: the recorded member list still catches it.
        var sgd = new Net.SgdPlain(Net.Create(seed: 1));
        Optimizers.Train(sgd, new Net.Gradients((Net)sgd.Model), new Random(3), 2);
        Expect.LoadOptimizerFails(new ShrunkNet.SgdPlain(model), FormatTests.Save(sgd), CheckpointError.UnexpectedMember, "K");
    }

    [Fact]
    public void AStateTensorMissingFromTheFileIsAMissingTensor()
    {
        var target = new Net.Adam(Net.Create(seed: 2));
        foreach (string name in new[] { "W.exp_avg_sq", "K.exp_avg", "B.step" })
        {
            EditableCheckpoint checkpoint = EditableCheckpoint.Parse(SavedAdam(out _));
            checkpoint.Tensors.Remove(checkpoint.Tensor(name));
            CheckpointException e = Expect.LoadOptimizerFails(target, checkpoint.ToBytes(), CheckpointError.MissingTensor, name);
            Assert.Contains($"for member '{name.Split('.')[0]}'", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AStateTensorTheOptimizerDoesNotKeepIsAnUnexpectedTensor()
    {
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(SavedAdam(out _));
        checkpoint.Tensors.Add(new EditableTensor("W.max_exp_avg_sq", "F32", new long[] { 4, 3 }, new byte[48]));
        var target = new Net.Adam(Net.Create(seed: 2));

        Expect.LoadOptimizerFails(target, checkpoint.ToBytes(), CheckpointError.UnexpectedTensor, "W.max_exp_avg_sq");
    }

    [Fact]
    public void AnotherShapeIsAShapeMismatch()
    {
        byte[] file = SavedAdam(out _);
        Net model = Net.Create(seed: 2);
        model.W = new float[3, 4];
        Expect.LoadOptimizerFails(new Net.Adam(model), file, CheckpointError.ShapeMismatch, "W.exp_avg");
        CheckpointException e = Expect.LoadModelFails(model, FormatTests.SaveModel(Net.Create(seed: 1)), CheckpointError.ShapeMismatch, "W");
        Assert.Contains("has shape [4, 3], but model member 'W' has shape [3, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStepThatIsNotAScalarIsAShapeMismatch()
    {
        // PyTorch's capturable Adam keeps step with shape [1].
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(SavedAdam(out _));
        checkpoint.Tensor("W.step").Shape = new long[] { 1 };
        Expect.LoadOptimizerFails(new Net.Adam(Net.Create(seed: 2)), checkpoint.ToBytes(), CheckpointError.ShapeMismatch, "W.step");
    }

    [Fact]
    public void AnotherElementTypeIsADtypeMismatch()
    {
        byte[] file = SavedAdam(out _);
        var model = new DoubleNet();
        CheckpointException e = Expect.LoadOptimizerFails(new DoubleNet.Adam(model), file, CheckpointError.DtypeMismatch, "W.exp_avg");
        Assert.Contains("is F32, but model member 'W' is double (F64)", e.Message, StringComparison.Ordinal);
        Expect.LoadModelFails(model, FormatTests.SaveModel(Net.Create(seed: 1)), CheckpointError.DtypeMismatch, "W");

        EditableCheckpoint doubleStep = EditableCheckpoint.Parse(file);
        EditableTensor step = doubleStep.Tensor("B.step");
        step.Dtype = "F64";
        step.Data = BitConverter.GetBytes(3.0);
        Expect.LoadOptimizerFails(new Net.Adam(Net.Create(seed: 2)), doubleStep.ToBytes(), CheckpointError.DtypeMismatch, "B.step");
    }

    [Fact]
    public void AModelArrayReplacedSinceTheOptimizerWasCreatedIsReportedOnLoadAndOnSave()
    {
        byte[] file = SavedAdam(out _);
        Net model = Net.Create(seed: 2);
        var target = new Net.Adam(model);
        model.W = new float[5, 3];

        CheckpointException e = Expect.LoadOptimizerFails(target, file, CheckpointError.ModelArrayReplaced, "W");
        Assert.Contains("now holds 15 elements but the optimizer state was created for 12", e.Message, StringComparison.Ordinal);

        var stream = new MemoryStream();
        InvalidOperationException save = Assert.Throws<InvalidOperationException>(() => Checkpoint.SaveOptimizer(target, stream));
        Assert.Contains("'W'", save.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void ANullModelMemberIsReportedOnLoadAndOnSave()
    {
        byte[] optimizerFile = SavedAdam(out Net source);
        byte[] modelFile = FormatTests.SaveModel(source);
        Net model = Net.Create(seed: 2);
        var target = new Net.Adam(model);
        model.B = null!;

        Expect.LoadOptimizerFails(target, optimizerFile, CheckpointError.ModelArrayReplaced, "B");
        CheckpointException e = Expect.LoadModelFails(model, modelFile, CheckpointError.ModelArrayReplaced, "B");
        Assert.Contains("model member 'B' is null", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Checkpoint.SaveModel(model, new MemoryStream()));
    }

    [Fact]
    public void AModelCheckpointIsNotAnOptimizerCheckpointAndViceVersa()
    {
        byte[] optimizerFile = SavedAdam(out Net source);
        byte[] modelFile = FormatTests.SaveModel(source);
        Net model = Net.Create(seed: 2);

        CheckpointException e = Expect.LoadOptimizerFails(new Net.Adam(model), modelFile, CheckpointError.WrongContent, null);
        Assert.Contains("it is a model checkpoint, not an optimizer checkpoint: load it with Checkpoint.LoadModel.", e.Message, StringComparison.Ordinal);
        e = Expect.LoadModelFails(model, optimizerFile, CheckpointError.WrongContent, null);
        Assert.Contains("it is an optimizer checkpoint, not a model checkpoint: load it with Checkpoint.LoadOptimizer.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherFormatTagOrVersionIsRejected()
    {
        var target = new Net.Adam(Net.Create(seed: 2));
        EditableCheckpoint version = EditableCheckpoint.Parse(SavedAdam(out _));
        version["format_version"] = "2";
        CheckpointException e = Expect.LoadOptimizerFails(target, version.ToBytes(), CheckpointError.UnsupportedVersion, null);
        Assert.Contains("format version '2'", e.Message, StringComparison.Ordinal);

        EditableCheckpoint format = EditableCheckpoint.Parse(SavedAdam(out _));
        format["format"] = "someone.else";
        Expect.LoadOptimizerFails(target, format.ToBytes(), CheckpointError.NotGenCheckpoint, null);
    }

    [Theory]
    [InlineData("lr", "-1")]
    [InlineData("lr", "abc")]
    [InlineData("lr", "NaN")]
    [InlineData("lr", "Infinity")]
    [InlineData("weight_decay", "-0.5")]
    [InlineData("step", "-1")]
    [InlineData("step", "1.5")]
    [InlineData("step", "")]
    [InlineData("step", "99999999999999999999")]
    public void RecordedValuesOutOfRangeAreInvalid(string key, string value)
    {
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(SavedAdam(out _));
        checkpoint[key] = value;
        var target = new Net.Adam(Net.Create(seed: 2));

        CheckpointException e = Expect.LoadOptimizerFails(target, checkpoint.ToBytes(), CheckpointError.InvalidValue, key);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PerParameterStepsThatDisagreeWithTheStepCountAreInvalid()
    {
        // PyTorch skips parameters without a gradient, so their steps can lag; Gen cannot represent that.
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(SavedAdam(out _));
        checkpoint.Tensor("B.step").Data = BitConverter.GetBytes(2f);
        var target = new Net.Adam(Net.Create(seed: 2));

        CheckpointException e = Expect.LoadOptimizerFails(target, checkpoint.ToBytes(), CheckpointError.InvalidValue, "B.step");
        Assert.Contains("is 2, but the checkpoint's step count is 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchesLoadedFromAFileNameTheFileAndTheTensor()
    {
        byte[] file = SavedAdam(out _);
        var model = new DoubleNet();
        var target = new DoubleNet.Adam(model);
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        using var directory = new TempDirectory();
        string path = directory.File("adam.safetensors");
        File.WriteAllBytes(path, file);

        CheckpointException e = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, path));

        Expect.AssertReported(e, CheckpointError.DtypeMismatch, "W.exp_avg", path);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "after the load");
    }

    [Fact]
    public void ADamagedFileIsReportedAsDamagedEvenWhenItWouldAlsoMismatch()
    {
        // The checksum is verified before the contents are compared with the target.
        byte[] file = SavedAdam(out _);
        file[^1] ^= 1;
        Expect.LoadOptimizerFails(new Net.RmsPropDefaults(Net.Create(seed: 2)), file, CheckpointError.ChecksumMismatch, null);
    }

    /// <summary>A Net.Adam optimizer file after 3 steps.</summary>
    private static byte[] SavedAdam(out Net model)
    {
        model = Net.Create(seed: 1);
        var optimizer = new Net.Adam(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(1), 3);
        return FormatTests.Save(optimizer);
    }
}
