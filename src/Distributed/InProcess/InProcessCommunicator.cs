using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Gen.Distributed;

/// <summary>
/// Ranks as threads of one process: <see cref="Run"/> starts one thread per rank, each with its own communicator, and
/// their collectives exchange data through memory. For tests, and for trying <see cref="DataParallel{TGradients}"/>
/// without MPI. A rank that throws ends the group, as <c>MPI_Abort</c> ends an MPI job: every other rank's collective
/// throws <see cref="CommunicatorAbortedException"/>, so no rank is left waiting.
/// </summary>
/// <remarks>
/// Reductions add (or compare) the ranks' values in rank order, 0 first, for every element; every rank copies the same
/// result. So the result is the same on every rank, and a reduce-scatter gives the bits an all-reduce gives. After the
/// first call of a size, a collective allocates nothing.
/// </remarks>
public sealed unsafe class InProcessCommunicator : ICommunicator
{
    private readonly Group _group;

    private InProcessCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size => _group.Size;

    /// <summary>
    /// Runs <paramref name="program"/> on <paramref name="size"/> threads, rank 0 to size − 1, and returns each rank's
    /// result once every rank has returned.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is less than 1.</exception>
    /// <exception cref="AggregateException">
    /// A rank threw: the inner exceptions are the ranks' own failures, in rank order (not the
    /// <see cref="CommunicatorAbortedException"/>s that ended the others).
    /// </exception>
    public static T[] Run<T>(int size, Func<InProcessCommunicator, T> program)
    {
        _ = program ?? throw new ArgumentNullException(nameof(program));
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A group has at least 1 rank.");
        }

        var group = new Group(size);
        var results = new T[size];
        var failures = new Exception?[size];
        var threads = new Thread[size];
        for (int r = 0; r < size; r++)
        {
            int rank = r;
            threads[r] = new Thread(() =>
            {
                try
                {
                    results[rank] = program(new InProcessCommunicator(group, rank));
                }
                catch (Exception exception)
                {
                    failures[rank] = exception;
                    group.Fail(rank, exception.GetType().Name + ": " + exception.Message);
                }
            })
            {
                Name = "Gen rank " + rank,
                IsBackground = true,
            };
            threads[r].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        var causes = new List<Exception>();
        for (int r = 0; r < size; r++)
        {
            if (failures[r] is { } failure && !(failure is CommunicatorAbortedException aborted && aborted.FailedRank != r))
            {
                causes.Add(failure);
            }
        }

        if (causes.Count > 0)
        {
            throw new AggregateException($"{causes.Count} of {size} ranks failed.", causes);
        }

        return results;
    }

    /// <summary><see cref="Run{T}"/> for a program without a result.</summary>
    public static void Run(int size, Action<InProcessCommunicator> program)
    {
        _ = program ?? throw new ArgumentNullException(nameof(program));
        Run(size, communicator =>
        {
            program(communicator);
            return 0;
        });
    }

    /// <inheritdoc/>
    public void AllReduce(Span<float> values, ReduceOperation operation) => AllReduce<float>(values, operation);

    /// <inheritdoc/>
    public void AllReduce(Span<double> values, ReduceOperation operation) => AllReduce<double>(values, operation);

    /// <inheritdoc/>
    public void AllReduce(Span<long> values, ReduceOperation operation) => AllReduce<long>(values, operation);

    /// <inheritdoc/>
    public void ReduceScatter(Span<float> values, ReadOnlySpan<int> counts) => ReduceScatter<float>(values, counts);

    /// <inheritdoc/>
    public void ReduceScatter(Span<double> values, ReadOnlySpan<int> counts) => ReduceScatter<double>(values, counts);

    /// <inheritdoc/>
    public void AllGather(Span<byte> values, ReadOnlySpan<int> counts)
    {
        Offset(counts, values.Length, Rank);
        fixed (byte* data = values)
        {
            _group.Arrive(Rank, Collective.AllGather, data, values.Length, 0);

            // Every other rank's part from its buffer (which it does not change) into this one's (which no one reads but here).
            for (int q = 0, start = 0; q < Size; start += counts[q], q++)
            {
                if (q != Rank)
                {
                    new ReadOnlySpan<byte>((byte*)_group.Buffer(q) + start, counts[q]).CopyTo(values.Slice(start, counts[q]));
                }
            }

            _group.Arrive(Rank, Collective.Done, null, 0, 0);
        }
    }

    /// <inheritdoc/>
    public void Gather(ReadOnlySpan<byte> part, Span<byte> values, ReadOnlySpan<int> counts, int root)
    {
        CheckRoot(root);
        if (counts.Length != Size || part.Length != counts[Rank])
        {
            throw new ArgumentException($"This rank's part holds {part.Length} bytes; its count must say so, in one count per rank ({Size}).", nameof(part));
        }

        if (Rank == root)
        {
            Offset(counts, values.Length, Rank);
        }

        fixed (byte* data = part)
        {
            _group.Arrive(Rank, Collective.Gather, data, 0, root);
            if (Rank == root)
            {
                for (int q = 0, start = 0; q < Size; start += counts[q], q++)
                {
                    new ReadOnlySpan<byte>((byte*)_group.Buffer(q), counts[q]).CopyTo(values.Slice(start, counts[q]));
                }
            }

            _group.Arrive(Rank, Collective.Done, null, 0, 0);
        }
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> values, int root)
    {
        CheckRoot(root);
        fixed (byte* data = values)
        {
            _group.Arrive(Rank, Collective.Broadcast, data, values.Length, root);
            if (Rank != root)
            {
                new ReadOnlySpan<byte>((byte*)_group.Buffer(root), values.Length).CopyTo(values);
            }

            _group.Arrive(Rank, Collective.Done, null, 0, 0);
        }
    }

    /// <inheritdoc/>
    public void Barrier() => _group.Arrive(Rank, Collective.Barrier, null, 0, 0);

    /// <inheritdoc/>
    [DoesNotReturn]
    public void Abort(string message, int errorCode = 1)
    {
        _group.Fail(Rank, message);
        throw new CommunicatorAbortedException(Rank, Rank, message);
    }

    private void AllReduce<T>(Span<T> values, ReduceOperation operation)
        where T : unmanaged, INumber<T>
    {
        if (operation is not (ReduceOperation.Sum or ReduceOperation.Min or ReduceOperation.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a ReduceOperation.");
        }

        fixed (T* data = values)
        {
            int length = values.Length;
            _group.Arrive(Rank, Collective.AllReduce + (int)operation, data, length * sizeof(T), 0);

            // This rank combines its share of the elements into the group's scratch, in rank order.
            Span<T> result = _group.Scratch<T>(length);
            (int start, int end) = (length * Rank / Size, length * (Rank + 1) / Size);
            Combine(result, start, end, operation);
            _group.Arrive(Rank, Collective.Done, null, 0, 0);
            result.CopyTo(values);
        }

        // The next collective's first arrival waits for every rank to have copied the scratch.
    }

    private void ReduceScatter<T>(Span<T> values, ReadOnlySpan<int> counts)
        where T : unmanaged, INumber<T>
    {
        int offset = Offset(counts, values.Length, Rank);
        fixed (T* data = values)
        {
            _group.Arrive(Rank, Collective.ReduceScatter, data, values.Length * sizeof(T), 0);

            // This rank's part only, into its own buffer: the others read only their own parts of it.
            Combine(values, offset, offset + counts[Rank], ReduceOperation.Sum);
            _group.Arrive(Rank, Collective.Done, null, 0, 0);
        }
    }

    /// <summary>Elements [start, end) of <paramref name="result"/> from every rank's posted buffer, rank 0 first.</summary>
    private void Combine<T>(Span<T> result, int start, int end, ReduceOperation operation)
        where T : unmanaged, INumber<T>
    {
        for (int i = start; i < end; i++)
        {
            T value = ((T*)_group.Buffer(0))[i];
            for (int q = 1; q < Size; q++)
            {
                T other = ((T*)_group.Buffer(q))[i];
                value = operation switch
                {
                    ReduceOperation.Sum => value + other,
                    ReduceOperation.Min => T.Min(value, other),
                    _ => T.Max(value, other),
                };
            }

            result[i] = value;
        }
    }

    private int Offset(ReadOnlySpan<int> counts, int length, int rank)
    {
        if (counts.Length != Size)
        {
            throw new ArgumentException($"{counts.Length} counts for {Size} ranks: give one count per rank.", nameof(counts));
        }

        long total = 0, offset = 0;
        for (int r = 0; r < counts.Length; r++)
        {
            if (counts[r] < 0)
            {
                throw new ArgumentException($"Rank {r}'s count is {counts[r]}; counts are >= 0.", nameof(counts));
            }

            offset = r == rank ? total : offset;
            total += counts[r];
        }

        return total == length
            ? (int)offset
            : throw new ArgumentException($"The counts add up to {total}, and the buffer holds {length}: the ranks' parts must tile it.", nameof(counts));
    }

    private void CheckRoot(int root)
    {
        if ((uint)root >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank, in [0, {Size}).");
        }
    }

    private enum Collective
    {
        Done = 0,
        Barrier = 1,
        AllGather = 2,
        Gather = 3,
        Broadcast = 4,
        ReduceScatter = 5,
        AllReduce = 10,   // + the ReduceOperation
    }

    /// <summary>
    /// What the ranks share: a barrier that also publishes each rank's buffer, a scratch buffer for reductions, and the
    /// failure that ends the group. Monitor.Wait on a lock object made up front allocates nothing per wait.
    /// </summary>
    private sealed class Group
    {
        private readonly object _gate = new();
        private readonly IntPtr[] _buffers;
        private readonly Collective[] _collectives;
        private readonly int[] _bytes;
        private readonly int[] _roots;
        private byte[] _scratch = Array.Empty<byte>();
        private int _arrived;
        private long _generation;
        private int _failedRank = -1;
        private string _reason = string.Empty;

        public Group(int size)
        {
            Size = size;
            _buffers = new IntPtr[size];
            _collectives = new Collective[size];
            _bytes = new int[size];
            _roots = new int[size];
        }

        public int Size { get; }

        public void* Buffer(int rank) => (void*)_buffers[rank];

        /// <summary>The scratch as <paramref name="length"/> elements (pinned: the ranks write it through pointers).</summary>
        public Span<T> Scratch<T>(int length)
            where T : unmanaged => new(Unsafe.AsPointer(ref _scratch[0]), length);

        /// <summary>
        /// Publishes this rank's buffer for <paramref name="collective"/> and waits until every rank has: the last to
        /// arrive checks that they all called the same collective with the same size, and sizes the scratch.
        /// </summary>
        public void Arrive(int rank, Collective collective, void* buffer, int bytes, int root)
        {
            lock (_gate)
            {
                ThrowIfFailed(rank);
                if (collective != Collective.Done)
                {
                    // The end of a collective publishes nothing: slower ranks may still be reading the buffers.
                    _buffers[rank] = (IntPtr)buffer;
                }

                _collectives[rank] = collective;
                _bytes[rank] = bytes;
                _roots[rank] = root;
                long generation = _generation;
                if (++_arrived < Size)
                {
                    while (_generation == generation && _failedRank < 0)
                    {
                        Monitor.Wait(_gate);
                    }

                    ThrowIfFailed(rank);
                    return;
                }

                for (int q = 1; q < Size; q++)
                {
                    if (_collectives[q] != _collectives[0] || _bytes[q] != _bytes[0] || _roots[q] != _roots[0])
                    {
                        Fail(q, $"rank {q} called {_collectives[q]} of {_bytes[q]} bytes (root {_roots[q]}) while rank 0 called {_collectives[0]} of {_bytes[0]} bytes (root {_roots[0]}): every rank must make the same collective calls in the same order");
                        ThrowIfFailed(rank);
                    }
                }

                if (_collectives[0] >= Collective.AllReduce && _scratch.Length < Math.Max(_bytes[0], 1))
                {
                    _scratch = GC.AllocateArray<byte>(Math.Max(_bytes[0], 1), pinned: true);
                }

                _arrived = 0;
                _generation++;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Ends the group: every waiting and later collective throws. The first failure is the one reported.</summary>
        public void Fail(int rank, string reason)
        {
            lock (_gate)
            {
                if (_failedRank < 0)
                {
                    _failedRank = rank;
                    _reason = reason;
                }

                Monitor.PulseAll(_gate);
            }
        }

        private void ThrowIfFailed(int rank)
        {
            if (_failedRank >= 0)
            {
                throw new CommunicatorAbortedException(rank, _failedRank, _reason);
            }
        }
    }
}
