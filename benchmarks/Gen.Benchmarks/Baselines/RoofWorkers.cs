using System;
using System.Threading;

namespace Gen.Benchmarks.Baselines;

/// <summary>A slice of work on one tensor: what a worker runs.</summary>
public interface IRangeStep
{
    void Run(int tensor, int start, int count);
}

/// <summary>
/// The multi-threaded memory roof's threads: the same mechanism as the generated Step's
/// (Gen.Runtime's internal StepWorkers), written again here so that the roof depends on nothing it
/// measures against. Persistent background threads, one per extra core, created on first use; a
/// tensor is cut into contiguous chunks that start at multiples of 64 elements, the caller runs the
/// first and each worker one of the others; a hand-off is a short spin, then a wait on a monitor,
/// so an idle worker does not take a core from the single-threaded rows. Nothing allocates per step.
/// </summary>
public static class RoofWorkers
{
    private const int Alignment = 64;

    private static readonly object Gate = new();
    private static Worker[]? s_workers;

    /// <summary>Threads available besides the caller.</summary>
    public static int WorkerCount => Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>Runs <paramref name="length"/> elements of <paramref name="tensor"/> in up to <paramref name="degree"/> chunks, the first on the calling thread.</summary>
    public static void Run(IRangeStep target, int tensor, int length, int degree)
    {
        lock (Gate)
        {
            Worker[] workers = s_workers ??= CreateWorkers();
            int parts = Math.Min(Math.Min(degree, workers.Length + 1), Math.Max(1, length / Alignment));
            int chunk = (((length + parts - 1) / parts) + Alignment - 1) / Alignment * Alignment;
            int posted = 0;
            for (int start = chunk; start < length && posted < parts - 1; start += chunk, posted++)
            {
                workers[posted].Post(target, tensor, start, Math.Min(chunk, length - start));
            }

            target.Run(tensor, 0, Math.Min(chunk, length));
            Exception? failure = null;
            for (int k = 0; k < posted; k++)
            {
                failure ??= workers[k].Wait();
            }

            if (failure is not null)
            {
                throw new InvalidOperationException("A roof slice failed on a worker thread.", failure);
            }
        }
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

    /// <summary>An auto-reset signal: a short spin for a fast partner, then Monitor.Wait (as StepWorkers' Signal).</summary>
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
        private IRangeStep? _target;
        private int _tensor;
        private int _start;
        private int _count;
        private Exception? _failure;

        public Worker(int index)
        {
            new Thread(Loop) { IsBackground = true, Name = "Roof worker " + index }.Start();
        }

        public void Post(IRangeStep target, int tensor, int start, int count)
        {
            _target = target;
            _tensor = tensor;
            _start = start;
            _count = count;
            _failure = null;
            _go.Set();
        }

        public Exception? Wait()
        {
            _done.Wait();
            _target = null;
            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                try
                {
                    _target!.Run(_tensor, _start, _count);
                }
                catch (Exception exception)
                {
                    _failure = exception;
                }

                _done.Set();
            }
        }
    }
}
