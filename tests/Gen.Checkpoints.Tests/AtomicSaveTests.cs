using System;
using System.IO;
using System.Text;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Saving to a path replaces the file all at once: a save that fails part-way leaves the previous
/// checkpoint intact and no temporary file behind.
/// </summary>
public sealed class AtomicSaveTests
{
    [Fact]
    public void AWriteThatFailsPartWayKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        using var directory = new TempDirectory();
        string path = directory.File("checkpoint.safetensors");
        File.WriteAllText(path, "previous checkpoint");

        IOException e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes("half of a new checkpoint"));
            stream.Flush();
            throw new IOException("No space left on device (simulated).");
        }));

        Assert.Contains("simulated", e.Message, StringComparison.Ordinal);
        Assert.Equal("previous checkpoint", File.ReadAllText(path));
        Assert.Equal(new[] { "checkpoint.safetensors" }, directory.FileNames());
    }

    [Fact]
    public void TheTemporaryFileIsInTheTargetDirectoryAndTheTargetIsUntouchedUntilTheRename()
    {
        using var directory = new TempDirectory();
        string path = directory.File("checkpoint.safetensors");
        File.WriteAllText(path, "previous checkpoint");
        string[] during = Array.Empty<string>();
        string targetDuring = string.Empty;

        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes("new checkpoint"));
            during = directory.FileNames();
            targetDuring = File.ReadAllText(path);
        });

        Assert.Equal(2, during.Length);
        Assert.Contains(during, name => name.StartsWith(".checkpoint.safetensors.", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Equal("previous checkpoint", targetDuring);
        Assert.Equal("new checkpoint", File.ReadAllText(path));
        Assert.Equal(new[] { "checkpoint.safetensors" }, directory.FileNames());
    }

    [Fact]
    public void ASaveThatFailsItsChecksKeepsTheOldFileAndWritesNothing()
    {
        using var directory = new TempDirectory();
        string path = directory.File("optimizer.safetensors");
        Net model = Net.Create(seed: 1);
        var optimizer = new Net.Adam(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(2), 2);
        Checkpoint.SaveOptimizer(optimizer, path);
        byte[] previous = File.ReadAllBytes(path);

        model.W = new float[2, 2];
        Assert.Throws<InvalidOperationException>(() => Checkpoint.SaveOptimizer(optimizer, path));
        model.B = null!;
        Assert.Throws<InvalidOperationException>(() => Checkpoint.SaveModel(model, directory.File("model.safetensors")));

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { "optimizer.safetensors" }, directory.FileNames());
    }

    [Fact]
    public void SavingOverAnExistingCheckpointReplacesIt()
    {
        using var directory = new TempDirectory();
        string path = directory.File("optimizer.safetensors");
        Net model = Net.Create(seed: 3);
        var optimizer = new Net.Lion(model);
        var gradients = new Net.Gradients(model);
        Optimizers.Train(optimizer, gradients, new Random(4), 1);
        Checkpoint.SaveOptimizer(optimizer, path);
        Optimizers.Train(optimizer, gradients, new Random(5), 2);
        Checkpoint.SaveOptimizer(optimizer, path);

        var restored = new Net.Lion(model);
        Checkpoint.LoadOptimizer(restored, path);

        Assert.Equal(3, restored.StepCount);
        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(optimizer), TrainingSnapshot.Of(restored), "second save");
        Assert.Equal(new[] { "optimizer.safetensors" }, directory.FileNames());
    }

    [Fact]
    public void SavingIntoAMissingDirectoryFailsAndCreatesNothing()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "missing", "model.safetensors");

        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.SaveModel(Net.Create(seed: 6), path));

        Assert.Empty(directory.FileNames());
        Assert.Empty(Directory.GetDirectories(directory.Path));
    }

    [Fact]
    public void AStreamThatFailsPropagatesItsErrorAndTheOptimizerIsUnchanged()
    {
        Net model = Net.Create(seed: 7);
        var optimizer = new Net.RmsPropEverything(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(8), 2);
        TrainingSnapshot before = TrainingSnapshot.Of(optimizer);
        var full = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, full);

        foreach (int limit in new[] { 0, 7, 8, 100, (int)full.Length - 1 })
        {
            var failing = new FailingStream(limit);
            IOException e = Assert.Throws<IOException>(() => Checkpoint.SaveOptimizer(optimizer, failing));
            Assert.Contains("simulated", e.Message, StringComparison.Ordinal);
            Assert.Equal(full.ToArray().AsSpan(0, limit).ToArray(), failing.Written.ToArray());
        }

        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(optimizer), "after failed saves");
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Net model = Net.Create(seed: 9);
        var optimizer = new Net.Adam(model);
        Assert.Throws<ArgumentNullException>(() => Checkpoint.SaveOptimizer<Net.Gradients>(null!, new MemoryStream()));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.SaveOptimizer(optimizer, (Stream)null!));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.SaveOptimizer(optimizer, (string)null!));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.LoadOptimizer(optimizer, (Stream)null!));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.LoadOptimizer<Net.Gradients>(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.SaveModel(null!, new MemoryStream()));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.LoadModel(model, (string)null!));
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveModel(model, new MemoryStream(new byte[10], writable: false)));
        Assert.Throws<ArgumentException>(() => Checkpoint.LoadModel(model, new FailingStream(0)));
    }
}
