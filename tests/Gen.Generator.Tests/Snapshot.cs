using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// Checked-in snapshots: compares text with Snapshots/&lt;name&gt;.verified.txt. On a difference it
/// writes &lt;name&gt;.received.txt beside it and fails; review the diff and rename the file to
/// accept it. Outside CI, GEN_ACCEPT_SNAPSHOTS=1 overwrites the verified file instead; with CI set,
/// nothing is ever accepted automatically.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.txt");
        string received = Path.Combine(directory, name + ".received.txt");
        actual = actual.Replace("\r\n", "\n");

        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        bool inCi = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        if (!inCi && Environment.GetEnvironmentVariable("GEN_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}. Review {received} and rename it to .verified.txt to accept it."
            : $"Snapshot {name} differs from {verified}. Review {received} (diff the two files) and rename it to accept it.");
    }
}
