using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Gen;

/// <summary>Replaces a file with new content all at once: readers see the old file or the new one, never a mix.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// The longest file name (one path component) the usual file systems take: 255 bytes of UTF-8 on
    /// Linux (ext4, xfs, btrfs, tmpfs), 255 UTF-16 code units on Windows (NTFS). macOS is counted as
    /// Linux: APFS takes 255 characters, never fewer than 255 bytes, so the count errs on the safe side.
    /// </summary>
    internal const int MaxFileNameLength = 255;

    /// <summary>"." before the name, then "." + <see cref="Path.GetRandomFileName"/>'s 12 characters + ".tmp" after it.</summary>
    private const int TemporaryNameOverhead = 1 + 1 + 12 + 4;

    /// <summary>
    /// Writes a temporary file in the target's directory (so the rename stays on one file system),
    /// flushes it to the disk, then renames it over <paramref name="path"/>. If anything fails the
    /// temporary file is deleted and the target keeps its old content. A write that fails because the
    /// disk is full or the file would exceed the file system's or the process's size limit throws an
    /// <see cref="IOException"/> that names <paramref name="path"/>; whatever <paramref name="write"/>
    /// throws itself propagates unchanged.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' is not a file path.", nameof(path));
        string temporary = Path.Combine(directory, TemporaryName(Path.GetFileName(target), Path.GetRandomFileName()));
        try
        {
            using (var stream = new SaveStream(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None), target))
            {
                write(stream);
                stream.FlushToDisk();
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

    /// <summary>
    /// ".<paramref name="fileName"/>.<paramref name="random"/>.tmp", with <paramref name="fileName"/>
    /// cut short where that is needed to keep the whole name within <see cref="MaxFileNameLength"/>:
    /// a temporary name fits wherever the target's name does. The cut falls between characters, never
    /// inside a surrogate pair (so never inside a UTF-8 sequence either).
    /// </summary>
    internal static string TemporaryName(string fileName, string random)
    {
        int budget = MaxFileNameLength - TemporaryNameOverhead;
        int kept = 0;
        int used = 0;
        while (kept < fileName.Length)
        {
            int count = char.IsHighSurrogate(fileName[kept]) && kept + 1 < fileName.Length && char.IsLowSurrogate(fileName[kept + 1]) ? 2 : 1;
            int length = NameLength(fileName.AsSpan(kept, count));
            if (used + length > budget)
            {
                break;
            }

            used += length;
            kept += count;
        }

        return "." + fileName.Substring(0, kept) + "." + random + ".tmp";
    }

    /// <summary>
    /// The length of a name as the file system counts it: UTF-16 code units on Windows, UTF-8 bytes
    /// elsewhere (a lone surrogate becomes U+FFFD, 3 bytes, as .NET passes it to the OS).
    /// </summary>
    internal static int NameLength(ReadOnlySpan<char> name) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? name.Length : Encoding.UTF8.GetByteCount(name);

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

    /// <summary>
    /// The temporary file as the caller's write callback sees it. .NET reports a write that exceeds the
    /// file size limit (EFBIG: RLIMIT_FSIZE, or the file system's maximum file size) as an
    /// <see cref="ArgumentOutOfRangeException"/> ("Specified file length was too large for the file
    /// system") and a full disk as an <see cref="IOException"/> that names the temporary file; both
    /// become an <see cref="IOException"/> that names the target, with the original as its inner
    /// exception. Only exceptions from the file itself are translated, and only after this stream has
    /// checked the arguments, so a caller's out-of-range argument is still reported as such.
    /// </summary>
    private sealed class SaveStream : Stream
    {
        private readonly FileStream _file;
        private readonly string _target;

        public SaveStream(FileStream file, string target)
        {
            _file = file;
            _target = target;
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _ = buffer ?? throw new ArgumentNullException(nameof(buffer));
            if (offset < 0 || count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(offset < 0 ? nameof(offset) : nameof(count), "The range is outside the buffer.");
            }

            Write(buffer.AsSpan(offset, count));
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                _file.Write(buffer);
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                throw Failed(e);
            }
        }

        public override void WriteByte(byte value)
        {
            try
            {
                _file.WriteByte(value);
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                throw Failed(e);
            }
        }

        public override void Flush()
        {
            try
            {
                _file.Flush();
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                throw Failed(e);
            }
        }

        /// <summary>Writes what is buffered and asks the OS to put the file on the disk (fsync).</summary>
        public void FlushToDisk()
        {
            try
            {
                _file.Flush(flushToDisk: true);
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                throw Failed(e);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (!disposing)
            {
                return;
            }

            try
            {
                // Closing writes what is still buffered; the handle is closed even when that fails.
                _file.Dispose();
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                // Only reachable while another exception is on its way out (FlushToDisk leaves nothing
                // buffered): a failed write, whose retry of the buffer failed again, or the callback's
                // own exception. That one is reported, and the temporary file is deleted anyway.
            }
            finally
            {
                base.Dispose(disposing);
            }
        }

        private static bool IsWriteFailure(Exception e) => e is IOException || e is ArgumentOutOfRangeException;

        private IOException Failed(Exception e)
        {
            string reason = e is ArgumentOutOfRangeException
                ? "the file would be larger than the file system or the process's file size limit allows"
                : IsDiskFull(e) ? "the disk is full" : "writing the temporary file failed: " + e.Message;
            return new IOException($"Could not save '{_target}': {reason}. An existing file there is unchanged.", e);
        }

        /// <summary>
        /// ENOSPC (28 on Linux and macOS, where .NET's HResult is the errno), or Windows'
        /// ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL as HRESULTs.
        /// </summary>
        private static bool IsDiskFull(Exception e) => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? e.HResult == unchecked((int)0x80070070) || e.HResult == unchecked((int)0x80070027)
            : e.HResult == 28;
    }
}
