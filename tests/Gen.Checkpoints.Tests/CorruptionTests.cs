using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Damaged files and files that are not checkpoints: every truncation of a small checkpoint, a flip
/// of every byte and thousands of random flips, and malformed headers. Each load fails with a
/// <see cref="CheckpointException"/> saying what is wrong, and the target is left bit for bit as it was.
/// </summary>
public sealed class CorruptionTests
{
    public static TheoryData<bool> ModelAndOptimizerFiles => new() { false, true };

    [Theory]
    [MemberData(nameof(ModelAndOptimizerFiles))]
    public void EveryTruncationIsReportedAsTruncatedAndChangesNothing(bool modelFile)
    {
        (byte[] file, Action<Stream> load, Func<TrainingSnapshot> snapshot, TrainingSnapshot source) = Setup(modelFile);
        TrainingSnapshot before = snapshot();

        for (int length = 0; length < file.Length; length++)
        {
            byte[] truncated = file.AsSpan(0, length).ToArray();
            foreach (Stream stream in new Stream[] { new MemoryStream(truncated), new NonSeekableStream(truncated) })
            {
                CheckpointException e = Assert.Throws<CheckpointException>(() => load(stream));
                Assert.True(e.Error == CheckpointError.Truncated, $"Length {length} of {file.Length}, {stream.GetType().Name}: {e.Error}: {e.Message}");
                Assert.Null(e.Name);
            }

            TrainingSnapshot.AssertSame(before, snapshot(), $"after a load of the first {length} bytes");
        }

        // The whole file loads, and does change the target.
        load(new MemoryStream(file));
        TrainingSnapshot.AssertSame(source, snapshot(), "after the complete load");
    }

    [Fact]
    public void TruncatedFilesAreReportedWithTheirPath()
    {
        (byte[] file, _, _, _) = Setup(modelFile: false);
        (_, Tiny.CenteredMomentum target) = Trained(seed: 3);
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        using var directory = new TempDirectory();
        string path = directory.File("truncated.safetensors");

        for (int length = 0; length < file.Length; length++)
        {
            File.WriteAllBytes(path, file.AsSpan(0, length).ToArray());
            CheckpointException e = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, path));
            Expect.AssertReported(e, CheckpointError.Truncated, null, path);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }

        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "after loading truncated files");
    }

    [Theory]
    [MemberData(nameof(ModelAndOptimizerFiles))]
    public void EveryFlippedByteIsDetectedAndChangesNothing(bool modelFile)
    {
        (byte[] file, Action<Stream> load, Func<TrainingSnapshot> snapshot, _) = Setup(modelFile);
        TrainingSnapshot before = snapshot();
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var random = new Random(20240611);

        // Each byte once with a random nonzero mask, then random bytes with random masks.
        var flips = Enumerable.Range(0, file.Length).Select(p => (Position: p, Mask: (byte)random.Next(1, 256))).ToList();
        for (int i = 0; i < 3000; i++)
        {
            flips.Add((random.Next(file.Length), (byte)random.Next(1, 256)));
        }

        var counts = new Dictionary<CheckpointError, int>();
        foreach ((int position, byte mask) in flips)
        {
            byte[] corrupt = (byte[])file.Clone();
            corrupt[position] ^= mask;
            Stream stream = position % 2 == 0 ? new MemoryStream(corrupt) : new NonSeekableStream(corrupt);
            CheckpointException e = Assert.Throws<CheckpointException>(() => load(stream));
            string where = $"byte {position} ^ 0x{mask:x2}";
            Assert.True(
                e.Error is CheckpointError.ChecksumMismatch or CheckpointError.InvalidFormat or CheckpointError.Truncated,
                $"{where}: {e.Error}: {e.Message}");
            if (position >= dataStart)
            {
                Assert.True(e.Error == CheckpointError.ChecksumMismatch, $"{where} (data): {e.Error}: {e.Message}");
            }

            counts[e.Error] = counts.GetValueOrDefault(e.Error) + 1;
            TrainingSnapshot.AssertSame(before, snapshot(), $"after a load with {where}");
        }

        Assert.True(counts.GetValueOrDefault(CheckpointError.ChecksumMismatch) > file.Length / 2, string.Join(", ", counts));
        Assert.True(counts.GetValueOrDefault(CheckpointError.InvalidFormat) > 0, string.Join(", ", counts));
    }

    [Theory]
    [MemberData(nameof(ModelAndOptimizerFiles))]
    public void RandomMultiByteDamageIsDetectedAndChangesNothing(bool modelFile)
    {
        (byte[] file, Action<Stream> load, Func<TrainingSnapshot> snapshot, _) = Setup(modelFile);
        TrainingSnapshot before = snapshot();
        var random = new Random(77);

        for (int trial = 0; trial < 1000; trial++)
        {
            byte[] corrupt = (byte[])file.Clone();
            int count = random.Next(2, 9);
            for (int i = 0; i < count; i++)
            {
                corrupt[random.Next(corrupt.Length)] ^= (byte)random.Next(1, 256);
            }

            if (corrupt.AsSpan().SequenceEqual(file))
            {
                continue;
            }

            // Damage to both the format tag and the checksum's key can leave a valid safetensors file
            // that no longer claims to be a Gen checkpoint.
            CheckpointException e = Assert.Throws<CheckpointException>(() => load(new MemoryStream(corrupt)));
            Assert.True(
                e.Error is CheckpointError.ChecksumMismatch or CheckpointError.InvalidFormat or CheckpointError.Truncated or CheckpointError.NotGenCheckpoint,
                $"trial {trial}: {e.Error}: {e.Message}");
        }

        TrainingSnapshot.AssertSame(before, snapshot(), "after the damaged loads");
    }

    [Fact]
    public void AFlippedDataByteIsReportedAsAChecksumMismatchWithThePath()
    {
        (byte[] file, _, _, _) = Setup(modelFile: false);
        (_, Tiny.CenteredMomentum target) = Trained(seed: 3);
        file[^3] ^= 0x10;
        using var directory = new TempDirectory();
        string path = directory.File("damaged.safetensors");
        File.WriteAllBytes(path, file);

        CheckpointException e = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(target, path));

        Expect.AssertReported(e, CheckpointError.ChecksumMismatch, null, path);
        Assert.Contains("altered or damaged", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], CheckpointError, string?> NotCheckpoints() => new()
    {
        { "an empty file", Array.Empty<byte>(), CheckpointError.Truncated, null },
        { "text", Encoding.UTF8.GetBytes("This is a text file, not a checkpoint.\n"), CheckpointError.InvalidFormat, null },
        { "a PNG", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52 }, CheckpointError.InvalidFormat, null },
        { "a zero header length", new byte[8], CheckpointError.InvalidFormat, null },
        { "a header that is a JSON array", Raw("[1, 2, 3]"), CheckpointError.InvalidFormat, null },
        { "a header that is not JSON", Raw("{this is not json}"), CheckpointError.InvalidFormat, null },
        { "a header with JSON after the object", Raw("{} {}"), CheckpointError.InvalidFormat, null },
        { "a header that is not UTF-8", Raw("{\"__metadata__\":{\"a\":\"\xFF\"}}", latin1: true), CheckpointError.InvalidFormat, null },
        { "a safetensors file without metadata", Raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), CheckpointError.NotGenCheckpoint, null },
        { "a safetensors file of another tool", Raw("{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]), CheckpointError.NotGenCheckpoint, null },
        { "a Gen checkpoint without its checksum", Raw("{\"__metadata__\":{\"format\":\"gen.checkpoint\"}}"), CheckpointError.InvalidFormat, "crc32" },
        { "an uppercase checksum", Raw("{\"__metadata__\":{\"crc32\":\"ABCDEF01\"}}"), CheckpointError.InvalidFormat, null },
        { "an escaped checksum", Raw("{\"__metadata__\":{\"crc32\":\"\\u0030bcdef01\"}}"), CheckpointError.InvalidFormat, null },
        { "a short checksum", Raw("{\"__metadata__\":{\"crc32\":\"abc\"}}"), CheckpointError.InvalidFormat, null },
        { "a metadata value that is not a string", Raw("{\"__metadata__\":{\"crc32\":\"00000000\",\"step\":3}}"), CheckpointError.InvalidFormat, null },
        { "a name given twice", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", new byte[8]), CheckpointError.InvalidFormat, null },
        { "a metadata key given twice", Raw("{\"__metadata__\":{\"crc32\":\"00000000\",\"crc32\":\"00000000\"}}"), CheckpointError.InvalidFormat, null },
        { "an unknown dtype", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F128\",\"shape\":[],\"data_offsets\":[0,16]}}", new byte[16]), CheckpointError.InvalidFormat, null },
        { "offsets that do not fit the shape", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]), CheckpointError.InvalidFormat, null },
        { "a gap in the data", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", new byte[8]), CheckpointError.InvalidFormat, null },
        { "overlapping tensors", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", new byte[8]), CheckpointError.InvalidFormat, null },
        { "a negative dimension", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), CheckpointError.InvalidFormat, null },
        { "a fractional offset", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4.0]}}", new byte[4]), CheckpointError.InvalidFormat, null },
        { "a tensor without a shape", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), CheckpointError.InvalidFormat, null },
        { "a tensor with an unknown field", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"strides\":[]}}", new byte[4]), CheckpointError.InvalidFormat, null },
        { "a huge header length", BitConverter.GetBytes(ulong.MaxValue).Concat(Encoding.ASCII.GetBytes("{}")).ToArray(), CheckpointError.InvalidFormat, null },
        { "a header longer than the file", BitConverter.GetBytes(1000UL).Concat(Encoding.ASCII.GetBytes("{}")).ToArray(), CheckpointError.Truncated, null },
        { "data shorter than its header declares", Raw("{\"__metadata__\":{\"crc32\":\"00000000\"},\"x\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}", new byte[31]), CheckpointError.Truncated, null },
    };

    [Theory]
    [MemberData(nameof(NotCheckpoints))]
    public void FilesThatAreNotCheckpointsAreRejectedAndChangeNothing(string what, byte[] bytes, CheckpointError error, string? name)
    {
        (Tiny model, Tiny.CenteredMomentum optimizer) = Trained(seed: 4);
        CheckpointException fromOptimizer = Expect.LoadOptimizerFails(optimizer, bytes, error, name);
        CheckpointException fromModel = Expect.LoadModelFails(model, bytes, error, name);
        Assert.True(fromOptimizer.Detail == fromModel.Detail, what);
    }

    [Fact]
    public void ExtraBytesAfterACheckpointFileAreRejected()
    {
        (byte[] file, _, _, _) = Setup(modelFile: true);
        (Tiny target, _) = Trained(seed: 5);
        TrainingSnapshot before = TrainingSnapshot.Of(target);
        using var directory = new TempDirectory();
        string path = directory.File("padded.safetensors");
        File.WriteAllBytes(path, file.Concat(new byte[] { 0 }).ToArray());

        CheckpointException e = Assert.Throws<CheckpointException>(() => Checkpoint.LoadModel(target, path));

        Expect.AssertReported(e, CheckpointError.InvalidFormat, null, path);
        Assert.Contains($"the file has {file.Length + 1} bytes", e.Message, StringComparison.Ordinal);
        TrainingSnapshot.AssertSame(before, TrainingSnapshot.Of(target), "after the load");
    }

    [Fact]
    public void AFileThatDoesNotExistThrowsFileNotFound()
    {
        (_, Tiny.CenteredMomentum target) = Trained(seed: 6);
        using var directory = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => Checkpoint.LoadOptimizer(target, directory.File("missing.safetensors")));
    }

    /// <summary>A safetensors file: the header length, <paramref name="json"/> padded with spaces, then <paramref name="data"/>.</summary>
    private static byte[] Raw(string json, byte[]? data = null, bool latin1 = false)
    {
        byte[] text = latin1 ? Encoding.Latin1.GetBytes(json) : Encoding.UTF8.GetBytes(json);
        int padded = (text.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        text.CopyTo(file, 8);
        file.AsSpan(8 + text.Length, padded - text.Length).Fill((byte)' ');
        data?.CopyTo(file, 8 + padded);
        return file;
    }

    /// <summary>A trained Tiny and its optimizer; different seeds give different values everywhere.</summary>
    private static (Tiny Model, Tiny.CenteredMomentum Optimizer) Trained(int seed)
    {
        var model = new Tiny();
        Fill.Model(model, new Random(seed));
        var optimizer = new Tiny.CenteredMomentum(model);
        Optimizers.Train(optimizer, new Tiny.Gradients(model), new Random(seed + 100), 3 + seed);
        return (model, optimizer);
    }

    /// <summary>The checkpoint of one trained Tiny, a load into another, and what that load may change.</summary>
    /// <summary>
    /// The checkpoint of one trained Tiny (its model or its optimizer), a load into another, what that
    /// load may change, and what it changes it to when the file is intact.
    /// </summary>
    private static (byte[] File, Action<Stream> Load, Func<TrainingSnapshot> Snapshot, TrainingSnapshot Source) Setup(bool modelFile)
    {
        (Tiny source, Tiny.CenteredMomentum sourceOptimizer) = Trained(seed: 1);
        (Tiny target, Tiny.CenteredMomentum targetOptimizer) = Trained(seed: 2);
        var stream = new MemoryStream();
        if (modelFile)
        {
            Checkpoint.SaveModel(source, stream);
            return (stream.ToArray(), s => Checkpoint.LoadModel(target, s), () => TrainingSnapshot.Of(target), TrainingSnapshot.Of(source));
        }

        // The target model gets the source's values, so that a complete load makes the two optimizers equal.
        Checkpoint.SaveModel(source, stream);
        stream.Position = 0;
        Checkpoint.LoadModel(target, stream);
        stream.SetLength(0);
        Checkpoint.SaveOptimizer(sourceOptimizer, stream);
        return (stream.ToArray(), s => Checkpoint.LoadOptimizer(targetOptimizer, s), () => TrainingSnapshot.Of(targetOptimizer), TrainingSnapshot.Of(sourceOptimizer));
    }
}
