using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// A save that runs out of room partway (the file size limit, EFBIG; a full disk, ENOSPC) throws the
/// <see cref="IOException"/> the docs promise, naming the target, with the OS's error inside; the old
/// checkpoint is byte-identical and no temporary file is left. Both are real: the size limit is set
/// with <c>ulimit -f</c> on a child process, and the full disk is a 64 KiB tmpfs (which needs root).
/// </summary>
public sealed class DiskLimitTests
{
    public const string SaveLargeModelCommand = "save-large-model";

    /// <summary>The child's file size limit, in KiB: more than the old checkpoint, less than the new one.</summary>
    private const int FileSizeLimitKiB = 16;

    [LinuxFact]
    public void ASaveOverTheFileSizeLimitThrowsIOExceptionAndKeepsTheOldFile()
    {
        using var directory = new TempDirectory();
        string path = directory.File("model.safetensors");
        Checkpoint.SaveModel(Net.Create(seed: 1), path);
        byte[] previous = File.ReadAllBytes(path);
        Assert.True(previous.Length < FileSizeLimitKiB * 1024);

        string[] report = RunUnderFileSizeLimit(path);

        Assert.Equal(new[] { typeof(IOException).FullName, typeof(ArgumentOutOfRangeException).FullName }, report.Take(2));
        Assert.Contains($"'{path}'", report[2], StringComparison.Ordinal);
        Assert.Contains("file size limit", report[2], StringComparison.Ordinal);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, directory.FileNames());
    }

    [TmpfsFact]
    public void ASaveToAFullDiskThrowsIOExceptionAndKeepsTheOldFile()
    {
        using var directory = new TempDirectory();
        using (Tmpfs.Mount(directory.Path))
        {
            string path = directory.File("model.safetensors");
            Checkpoint.SaveModel(Net.Create(seed: 1), path);
            byte[] previous = File.ReadAllBytes(path);

            IOException e = Assert.Throws<IOException>(() => Checkpoint.SaveModel(LargeModel(), path));

            Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
            Assert.Contains("disk is full", e.Message, StringComparison.Ordinal);
            IOException inner = Assert.IsType<IOException>(e.InnerException);
            Assert.Equal(28, inner.HResult); // ENOSPC
            Assert.Equal(previous, File.ReadAllBytes(path));
            Assert.Equal(new[] { "model.safetensors" }, directory.FileNames());
        }
    }

    [Fact]
    public void TheWriteCallbacksOwnArgumentErrorsAreNotReportedAsWriteFailures()
    {
        using var directory = new TempDirectory();
        string path = directory.File("file");
        File.WriteAllText(path, "previous");

        var thrown = new ArgumentOutOfRangeException("index");
        Assert.Same(thrown, Assert.Throws<ArgumentOutOfRangeException>(() => AtomicFile.Write(path, _ => throw thrown)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AtomicFile.Write(path, stream => stream.Write(new byte[4], 3, 2)));
        Assert.Equal("count", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => AtomicFile.Write(path, stream => stream.Write(new byte[4], -1, 2)));

        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(new[] { "file" }, directory.FileNames());
    }

    /// <summary>The child's side: saves a 64 KiB model to <paramref name="path"/> and reports what was thrown, a line each.</summary>
    internal static void SaveLargeModel(string path, TextWriter report)
    {
        try
        {
            Checkpoint.SaveModel(LargeModel(), path);
            report.WriteLine("saved");
        }
        catch (Exception e)
        {
            report.WriteLine(e.GetType().FullName);
            report.WriteLine(e.InnerException?.GetType().FullName ?? "(no inner exception)");
            report.WriteLine(e.Message.ReplaceLineEndings(" "));
            report.WriteLine(e.ToString().ReplaceLineEndings(" | "));
        }
    }

    private static Net LargeModel()
    {
        Net model = Net.Create(seed: 2);
        model.W = new float[128, 128];
        return model;
    }

    /// <summary>
    /// Runs this assembly's <see cref="Program"/> with <see cref="SaveLargeModelCommand"/> under
    /// <c>ulimit -f</c>. SIGXFSZ, which would kill the process at the limit, is ignored so the write
    /// fails with EFBIG instead; W^X is off because the runtime's double-mapped code memory is a file
    /// the limit would also cap (CoreCLR then fails to start).
    /// </summary>
    private static string[] RunUnderFileSizeLimit(string path)
    {
        string dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "-c", $"trap '' XFSZ; ulimit -f {FileSizeLimitKiB}; exec \"$0\" exec \"$1\" {SaveLargeModelCommand} \"$2\"", dotnet, typeof(DiskLimitTests).Assembly.Location, path })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The child save did not finish in 30 seconds.");
        }

        Assert.True(process.ExitCode == 0, $"The child save failed ({process.ExitCode}):\n{output}\n{error.Result}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 3, "The child saved without reaching the limit:\n" + output);
        return lines;
    }
}

/// <summary>A fact that runs on Linux only: elsewhere it is skipped, saying so.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux (ulimit -f, EFBIG).";
        }
    }
}

/// <summary>A fact that needs a tmpfs mount: skipped, with the reason, where this process may not mount one.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.WhyNot.Value is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A 64 KiB tmpfs mounted over a directory, unmounted on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    /// <summary>Null where a tmpfs can be mounted; otherwise why not (tried once per process).</summary>
    public static readonly Lazy<string?> WhyNot = new(Probe);

    private readonly string _directory;

    private Tmpfs(string directory)
    {
        _directory = directory;
    }

    public static Tmpfs Mount(string directory)
    {
        string? error = Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory);
        Assert.True(error is null, error);
        return new Tmpfs(directory);
    }

    public void Dispose()
    {
        string? error = Run("umount", _directory);
        Assert.True(error is null, error);
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Needs Linux (a tmpfs mount for a full disk).";
        }

        string directory = Path.Combine(Path.GetTempPath(), "gen-tmpfs-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(directory);
            string? error = Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory);
            if (error is not null)
            {
                return "Cannot mount a tmpfs for a full disk (needs root or CAP_SYS_ADMIN): " + error;
            }

            error = Run("umount", directory);
            Directory.Delete(directory);
            return error;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return "Cannot mount a tmpfs for a full disk: " + e.Message;
        }
        finally
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
    }

    /// <summary>Null if the command succeeded, otherwise what went wrong.</summary>
    private static string? Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(output + error.Result).Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{command} could not be started: {e.Message}";
        }
    }
}
