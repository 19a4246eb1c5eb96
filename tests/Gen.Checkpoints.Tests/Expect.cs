using System;
using System.IO;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>Assertions that a load fails in one stated way and leaves its target exactly as it was.</summary>
internal static class Expect
{
    public static CheckpointException LoadOptimizerFails<TGradients>(Optimizer<TGradients> target, byte[] file, CheckpointError error, string? name)
        where TGradients : GradientsBase
    {
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException exception = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, new MemoryStream(file)));
        AssertReported(exception, error, name, path: null);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), $"after a load that failed with {error}");
        return exception;
    }

    public static CheckpointException LoadModelFails(ITrainable target, byte[] file, CheckpointError error, string? name)
    {
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        CheckpointException exception = Assert.Throws<CheckpointException>(() => Checkpoint.LoadModel(target, new MemoryStream(file)));
        AssertReported(exception, error, name, path: null);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), $"after a load that failed with {error}");
        return exception;
    }

    /// <summary>The error, the name, and a message that names both the thing and the file.</summary>
    public static void AssertReported(CheckpointException exception, CheckpointError error, string? name, string? path)
    {
        Assert.True(error == exception.Error, $"Expected {error} but got {exception.Error}: {exception.Message}");
        Assert.Equal(name, exception.Name);
        Assert.Equal(path, exception.Path);
        Assert.StartsWith(path is null ? "Cannot load the checkpoint: " : $"Cannot load the checkpoint '{path}': ", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith(exception.Detail, exception.Message, StringComparison.Ordinal);
        if (name is not null)
        {
            Assert.Contains("'" + name + "'", exception.Message, StringComparison.Ordinal);
        }
    }
}
