using System;
using System.IO;

namespace Gen;

/// <summary>Replaces a file with new content all at once: readers see the old file or the new one, never a mix.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes a temporary file in the target's directory (so the rename stays on one file system),
    /// flushes it to the disk, then renames it over <paramref name="path"/>. If anything fails the
    /// temporary file is deleted and the target keeps its old content.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' is not a file path.", nameof(path));
        string temporary = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Path.GetRandomFileName() + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

#if NET8_0_OR_GREATER
            File.Move(temporary, target, overwrite: true);
#else
            // netstandard2.1's File.Move cannot overwrite; File.Replace renames over an existing file.
            if (File.Exists(target))
            {
                File.Replace(temporary, target, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, target);
            }
#endif
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort: the original exception is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
