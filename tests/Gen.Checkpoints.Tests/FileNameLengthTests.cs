using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Any file name the file system takes can be saved to: the temporary file beside the target gets a
/// name that fits too (a name component is at most 255 bytes of UTF-8 on Linux, 255 UTF-16 code
/// units on Windows), and a name that does not fit fails as the OS fails it, leaving nothing behind.
/// </summary>
public sealed class FileNameLengthTests
{
    [Theory]
    [InlineData(238)]
    [InlineData(250)]
    [InlineData(255)]
    public void ASaveToANameOfUpTo255AsciiCharactersLoadsBack(int length)
    {
        string name = new string('c', length - ".safetensors".Length) + ".safetensors";

        AssertSavesAndLoads(name);
    }

    [Fact]
    public void ASaveToANameOf254BytesOfTwoByteCharactersLoadsBack()
    {
        string name = new string('é', 127);
        Assert.Equal(254, System.Text.Encoding.UTF8.GetByteCount(name));

        AssertSavesAndLoads(name);
    }

    [Fact]
    public void ASaveToANameOfSurrogatePairsLoadsBack()
    {
        // 2 + 60 × 4 = 242 bytes, 122 UTF-16 code units: the temporary name must cut inside the run of pairs.
        string name = "ab" + string.Concat(Enumerable.Repeat("\U0001F600", 60));

        AssertSavesAndLoads(name);
    }

    [Fact]
    public void ANameLongerThanTheFileSystemTakesFailsAsTheOsFailsItAndLeavesNothing()
    {
        using var directory = new TempDirectory();
        string path = directory.File(new string('c', 256));

        Exception e = Assert.ThrowsAny<IOException>(() => Checkpoint.SaveModel(Net.Create(seed: 3), path));

        Assert.Empty(directory.FileNames());
        Assert.True(e is PathTooLongException || !OperatingSystem.IsLinux(), $"Linux reports ENAMETOOLONG as PathTooLongException, not {e.GetType()}.");
    }

    [Theory]
    [InlineData('c')]
    [InlineData('é')]
    [InlineData('€')]
    [InlineData('\uD83D')]
    public void TheTemporaryNameFitsAndNeverSplitsACharacter(char fill)
    {
        for (int length = 1; length <= 300; length++)
        {
            // Surrogate pairs for the high surrogate, a lone low surrogate now and then for the others.
            string name = fill == '\uD83D'
                ? string.Concat(Enumerable.Repeat("\U0001F600", length)).Substring(0, length)
                : new string(fill, length - 1) + (length % 7 == 0 ? '\uDE00' : 'x');

            string temporary = AtomicFile.TemporaryName(name, "abcdefgh.ijk");

            Assert.True(AtomicFile.NameLength(temporary) <= AtomicFile.MaxFileNameLength, $"{length}: '{temporary}' is too long.");
            Assert.EndsWith(".abcdefgh.ijk.tmp", temporary, StringComparison.Ordinal);
            string kept = temporary.Substring(1, temporary.Length - ".abcdefgh.ijk.tmp".Length - 1);
            Assert.StartsWith(kept, name, StringComparison.Ordinal);
            if (kept.Length > 0 && kept.Length < name.Length)
            {
                Assert.False(char.IsHighSurrogate(name[kept.Length - 1]) && char.IsLowSurrogate(name[kept.Length]), $"{length}: the cut splits a surrogate pair.");
            }

            if (AtomicFile.NameLength(name) <= AtomicFile.MaxFileNameLength - 18)
            {
                Assert.Equal(name, kept);
            }
        }
    }

    private static void AssertSavesAndLoads(string name)
    {
        using var directory = new TempDirectory();
        string path = directory.File(name);
        Net first = Net.Create(seed: 1);
        Net second = Net.Create(seed: 2);

        Checkpoint.SaveModel(first, path);
        Checkpoint.SaveModel(second, path);
        var restored = new Net();
        Checkpoint.LoadModel(restored, path);

        TrainingSnapshot.AssertSame(TrainingSnapshot.Of(second), TrainingSnapshot.Of(restored), name.Length + " characters");
        Assert.Equal(new[] { name }, directory.FileNames());
    }
}
