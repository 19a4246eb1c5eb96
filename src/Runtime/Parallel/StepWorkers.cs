using System;
using System.Threading;

namespace Gen;

/// <summary>
/// Work on a slice of one member: a generated optimizer's update, or the search for a non-finite
/// gradient. <c>part</c> is the slice's position (0 on the calling thread, 1.. on the
/// workers, in element order), for jobs that keep one result per slice.
/// </summary>
internal interface IRangeJob
{
    void Run(int member, int start, int count, int part);
}

/// <summary>
/// A small pool of persistent background threads that update slices of one large buffer in
/// parallel with the calling thread. Created on first use (one thread per extra core); after that a
/// parallel update allocates nothing: each worker waits on its own event for a slice descriptor.
/// One step at a time uses the pool; a step that finds it busy runs serially instead of waiting.
/// </summary>
internal static class StepWorkers
{
    /// <summary>
    /// Chunks start at multiples of this many elements: whole cache lines, whole vectors, and whole blocks of 8-bit
    /// block-wise state (<see cref="Gen.__Internals.BlockwiseState.BlockSize"/>), which a slice must not split.
    /// </summary>
    private const int Alignment = Gen.__Internals.BlockwiseState.BlockSize;

    private static readonly object Gate = new();
    private static Worker[]? s_workers;

    /// <summary>Threads available besides the caller.</summary>
    public static int WorkerCount => Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>The most slices one run can have: the calling thread's and one per worker.</summary>
    public static int MaxParts => WorkerCount + 1;

    /// <summary>
    /// Runs <paramref name="job"/> over <paramref name="length"/> elements of <paramref name="member"/> from
    /// <paramref name="start"/> (a multiple of <see cref="Alignment"/>) in up to <paramref name="degree"/> contiguous slices,
    /// the first on the calling thread. Returns false (having done nothing) when the pool is in use by another step.
    /// </summary>
    public static bool TryRun(IRangeJob job, int member, int start, int length, int degree)
    {
        if (!Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            Worker[] workers = s_workers ??= CreateWorkers();
            int parts = Math.Min(Math.Min(degree, workers.Length + 1), Math.Max(1, length / Alignment));
            int chunk = (((length + parts - 1) / parts) + Alignment - 1) / Alignment * Alignment;

            int posted = 0;
            for (int offset = chunk; offset < length && posted < parts - 1; offset += chunk, posted++)
            {
                workers[posted].Post(job, member, start + offset, Math.Min(chunk, length - offset), posted + 1);
            }

            Exception? failure = null;
            try
            {
                job.Run(member, start, Math.Min(chunk, length), 0);
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            for (int k = 0; k < posted; k++)
            {
                failure ??= workers[k].Wait();
            }

            if (failure is not null)
            {
                throw new InvalidOperationException("A parallel optimizer step failed on a worker thread.", failure);
            }

            return true;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    /// <summary>Slices the workers have run since the process started (for tests: proof that steps went parallel).</summary>
    internal static long WorkerSlices => Interlocked.Read(ref s_workerSlices);

    private static long s_workerSlices;

    /// <summary>
    /// Bytes allocated so far by the worker threads, as each last recorded after its last slice
    /// (for tests: a parallel step must allocate nothing on any thread).
    /// </summary>
    internal static long WorkerAllocatedBytes()
    {
        long total = 0;
        foreach (Worker worker in s_workers ?? Array.Empty<Worker>())
        {
            total += Volatile.Read(ref worker.AllocatedBytes);
        }

        return total;
    }

    private static Worker[] CreateWorkers()
    {
        var workers = new Worker[WorkerCount];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(i);
        }

        return workers;
    }

    /// <summary>
    /// An auto-reset signal that allocates nothing after construction (ManualResetEventSlim allocates
    /// its lock the first time a wait blocks, which can happen long after warm-up): a short spin for
    /// the common case of a fast partner, then Monitor.Wait on a lock object created up front.
    /// </summary>
    private sealed class Signal
    {
        private readonly object _gate = new();
        private bool _set;

        public void Set()
        {
            lock (_gate)
            {
                _set = true;
                Monitor.Pulse(_gate);
            }
        }

        public void Wait()
        {
            var spinner = default(SpinWait);
            while (!Volatile.Read(ref _set) && !spinner.NextSpinWillYield)
            {
                spinner.SpinOnce();
            }

            lock (_gate)
            {
                while (!_set)
                {
                    Monitor.Wait(_gate);
                }

                _set = false;
            }
        }
    }

    private sealed class Worker
    {
        private readonly Signal _go = new();
        private readonly Signal _done = new();
        private IRangeJob? _job;
        private int _member;
        private int _part;
        private int _start;
        private int _count;
        private Exception? _failure;

        /// <summary>This thread's GC.GetAllocatedBytesForCurrentThread after its last slice.</summary>
        public long AllocatedBytes;

        public Worker(int index)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = "Gen step worker " + index };
            thread.Start();
        }

        public void Post(IRangeJob job, int member, int start, int count, int part)
        {
            _job = job;
            _member = member;
            _part = part;
            _start = start;
            _count = count;
            _failure = null;
            _go.Set();
        }

        public Exception? Wait()
        {
            _done.Wait();
            _job = null;
            return _failure;
        }

        private void Run()
        {
            while (true)
            {
                _go.Wait();
                try
                {
                    _job!.Run(_member, _start, _count, _part);
                }
                catch (Exception exception)
                {
                    _failure = exception;
                }

                Volatile.Write(ref AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                Interlocked.Increment(ref s_workerSlices);
                _done.Set();
            }
        }
    }
}
