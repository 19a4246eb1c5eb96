using System;
using System.Runtime.InteropServices;

namespace Gen.Distributed;

/// <summary>
/// Keeps the scratch memory Open MPI's collectives allocate in glibc's heap instead of mapping it fresh on every call.
/// </summary>
/// <remarks>
/// Open MPI's reduce-scatter and all-reduce (and its reductions generally) <c>malloc</c> a temporary buffer the size of
/// their data on every call and free it on return. glibc serves blocks above its mmap threshold with a fresh
/// <c>mmap</c>, and a freshly mapped block faults in every page on first touch: measured on Zen 4 with 2 ranks, a 4 MiB
/// reduce-scatter took 6–8 ms that way instead of about 1.4 ms, and a sharded (ZeRO-1) step at 16M parameters 113 ms
/// instead of about 50. glibc raises the threshold by itself after the first such free in a plain C program, but not in
/// a .NET process. Setting the threshold to glibc's largest (32 MiB on 64-bit) and the trim threshold above it makes
/// the freed buffers reusable, so a collective on a bucket of up to 32 MiB touches no new page after the first step.
/// A process that chose its own malloc settings (<c>MALLOC_MMAP_THRESHOLD_</c> or <c>MALLOC_TRIM_THRESHOLD_</c>, or
/// <c>GLIBC_TUNABLES</c> naming either) keeps them, and a C library without <c>mallopt</c> (musl) is left as it is.
/// </remarks>
internal static unsafe class NativeHeap
{
    /// <summary>glibc's largest mmap threshold on 64-bit Linux (<c>HEAP_MAX_SIZE / 2</c>).</summary>
    public const int ReusedBlockLimit = 32 << 20;

    /// <summary>Freed memory at the top of the heap that glibc keeps before returning it to the kernel.</summary>
    public const int TrimThreshold = 256 << 20;

    private const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD

    /// <summary>Applies the settings once per process; returns whether they are in effect (set here).</summary>
    public static bool KeepScratchMemory()
    {
        if (ChosenByUser() || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc))
        {
            return false;
        }

        if (!NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr export))
        {
            return false;
        }

        var mallopt = (delegate* unmanaged<int, int, int>)export;

        // mallopt returns 1 on success, 0 for a value glibc refuses.
        return mallopt(MallocMmapThreshold, ReusedBlockLimit) == 1 && mallopt(MallocTrimThreshold, TrimThreshold) == 1;
    }

    private static bool ChosenByUser()
    {
        string? tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        return Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
            || (tunables is not null
                && (tunables.Contains("mmap_threshold", StringComparison.Ordinal) || tunables.Contains("trim_threshold", StringComparison.Ordinal)));
    }
}
