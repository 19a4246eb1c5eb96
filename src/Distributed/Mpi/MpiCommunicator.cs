using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Threading;

namespace Gen.Distributed;

/// <summary>
/// Open MPI's <c>MPI_COMM_WORLD</c> as an <see cref="ICommunicator"/>: every process that <c>mpirun</c> starts is one
/// rank. Errors come back as <see cref="MpiException"/>s naming the call and the rank (the communicator's error handler
/// is <c>MPI_ERRORS_RETURN</c>), and a rank that fails ends the job on every rank instead of leaving them waiting.
/// </summary>
/// <remarks>
/// <para>
/// Start a program with <see cref="Run(Func{MpiCommunicator, int})"/>: it initializes MPI, runs the program, and
/// finalizes MPI when it returns. If it throws, the exception is written to standard error with the rank, and
/// <c>MPI_Abort</c> ends every rank; <c>mpirun</c> then exits with a non-zero code. An exception nothing catches on
/// another thread does the same. The other ranks, ended by <c>mpirun</c> with SIGTERM, each write a line saying so
/// and in which MPI call they were waiting. There is deliberately no <c>Dispose</c>: finalizing MPI while an exception
/// leaves a <c>using</c> block would wait for ranks that are waiting for this one.
/// </para>
/// <para>
/// MPI is initialized with <c>MPI_THREAD_SERIALIZED</c>: any thread may make the calls, one at a time. The calls pin
/// the spans they are given and allocate nothing.
/// </para>
/// </remarks>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private static readonly object Gate = new();
    private static MpiCommunicator? s_instance;
    private static PosixSignalRegistration? s_terminate;
    private static bool s_keepsScratchMemory;

    private readonly MpiLibrary _mpi;
    private readonly int[] _displacements;
    private volatile string? _call;
    private int _ended;

    private MpiCommunicator(MpiLibrary mpi, int rank, int size)
    {
        _mpi = mpi;
        Rank = rank;
        Size = size;
        _displacements = new int[size];
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>
    /// Whether <see cref="Initialize"/> set glibc's malloc to keep freed blocks of up to 32 MiB for reuse, so the scratch
    /// buffer Open MPI allocates in each reduce-scatter and all-reduce is not mapped and faulted in afresh on every call
    /// (docs/DISTRIBUTED.md, "Performance"). False when the process chose its own malloc settings
    /// (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c> or <c>GLIBC_TUNABLES</c>), when MPI was initialized by
    /// someone else, or on a C library without <c>mallopt</c>.
    /// </summary>
    public static bool KeepsScratchMemory => s_keepsScratchMemory;

    /// <summary>The library bound: <c>libmpi.so.40</c>.</summary>
    public static string LibraryName => MpiLibrary.SoName;

    /// <summary>
    /// Initializes MPI, runs <paramref name="program"/> with the world communicator, finalizes MPI and returns the
    /// program's result (the process's exit code). If <paramref name="program"/> throws, the exception and this rank are
    /// written to standard error and every rank of the job is ended (<c>MPI_Abort</c>, error code 1): this method then
    /// does not return.
    /// </summary>
    /// <exception cref="DllNotFoundException">Open MPI's libmpi.so.40 is not installed.</exception>
    /// <exception cref="MpiException">MPI could not be initialized.</exception>
    public static int Run(Func<MpiCommunicator, int> program)
    {
        _ = program ?? throw new ArgumentNullException(nameof(program));
        MpiCommunicator world = Initialize();
        int result;
        try
        {
            result = program(world);
        }
        catch (Exception exception)
        {
            world.Fail(exception);
            throw;
        }

        world.Finish();
        return result;
    }

    /// <summary><see cref="Run(Func{MpiCommunicator, int})"/> for a program without a result: returns 0.</summary>
    public static int Run(Action<MpiCommunicator> program)
    {
        _ = program ?? throw new ArgumentNullException(nameof(program));
        return Run(world =>
        {
            program(world);
            return 0;
        });
    }

    /// <summary>
    /// Initializes MPI (once per process) and returns the world communicator; <see cref="Run(Func{MpiCommunicator, int})"/>
    /// does this for you. From here on an exception nothing catches ends the job on every rank. Call <see cref="Finish"/>
    /// at the end of a successful run.
    /// </summary>
    /// <exception cref="DllNotFoundException">Open MPI's libmpi.so.40 is not installed.</exception>
    /// <exception cref="MpiException">MPI could not be initialized, or it was finalized already.</exception>
    public static MpiCommunicator Initialize()
    {
        lock (Gate)
        {
            if (s_instance is { } existing)
            {
                return existing;
            }

            MpiLibrary mpi = MpiLibrary.Load();
            int flag = 0;
            Check(mpi, mpi.Finalized(&flag), "MPI_Finalized", -1, 0);
            if (flag != 0)
            {
                throw new InvalidOperationException("MPI was finalized in this process already; it can be initialized once per process.");
            }

            Check(mpi, mpi.Initialized(&flag), "MPI_Initialized", -1, 0);
            if (flag == 0)
            {
                // Before MPI_Init, so Open MPI's buffers from the start are allocated under the settings.
                s_keepsScratchMemory = NativeHeap.KeepScratchMemory();
                int provided = 0;
                Check(mpi, mpi.InitThread(null, null, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread", -1, 0);
                if (provided < MpiLibrary.ThreadSerialized)
                {
                    throw new InvalidOperationException($"This MPI provides thread level {provided}; Gen.Distributed needs MPI_THREAD_SERIALIZED ({MpiLibrary.ThreadSerialized}) or more.");
                }
            }

            // From here on errors are returned to the caller instead of ending the process (the default handler,
            // MPI_ERRORS_ARE_FATAL, would abort the job without saying which call of ours failed).
            Check(mpi, mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler", -1, 0);
            int rank = 0, size = 0;
            Check(mpi, mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank", -1, 0);
            Check(mpi, mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size", rank, 0);
            var world = new MpiCommunicator(mpi, rank, size);

            // A failure on another thread, or outside Run, ends the job here rather than leaving the other ranks waiting.
            AppDomain.CurrentDomain.UnhandledException += (_, e) => world.Fail(e.ExceptionObject as Exception);

            // mpirun ends the other ranks with SIGTERM when one aborts: say which rank this is and where it was waiting.
            // The default handling (the process exits) follows.
            s_terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => world.ReportTermination());
            return s_instance = world;
        }
    }

    /// <summary>Finalizes MPI (<c>MPI_Finalize</c>, which waits for every rank): the end of a successful run.</summary>
    /// <exception cref="MpiException">MPI_Finalize failed.</exception>
    public void Finish()
    {
        lock (Gate)
        {
            int flag = 0;
            Check(_mpi, _mpi.Finalized(&flag), "MPI_Finalized", Rank, Size);
            if (flag == 0)
            {
                Interlocked.Exchange(ref _ended, 1);
                Enter("MPI_Finalize");
                Check(_mpi.FinalizeCall(), "MPI_Finalize");
                s_terminate?.Dispose();
                s_terminate = null;
            }
        }
    }

    /// <inheritdoc/>
    public void AllReduce(Span<float> values, ReduceOperation operation)
    {
        fixed (float* data = values)
        {
            AllReduce(data, values.Length, _mpi.Float, operation);
        }
    }

    /// <inheritdoc/>
    public void AllReduce(Span<double> values, ReduceOperation operation)
    {
        fixed (double* data = values)
        {
            AllReduce(data, values.Length, _mpi.Double, operation);
        }
    }

    /// <inheritdoc/>
    public void AllReduce(Span<long> values, ReduceOperation operation)
    {
        fixed (long* data = values)
        {
            AllReduce(data, values.Length, _mpi.Int64, operation);
        }
    }

    /// <inheritdoc/>
    public void ReduceScatter(Span<float> values, ReadOnlySpan<int> counts)
    {
        int offset = Parts(counts, values.Length);
        fixed (float* data = values)
        {
            ReduceScatter(data, counts, _mpi.Float);
        }

        // MPI_IN_PLACE leaves this rank's sums at the start of the buffer; they belong at its part.
        values.Slice(0, counts[Rank]).CopyTo(values.Slice(offset));
    }

    /// <inheritdoc/>
    public void ReduceScatter(Span<double> values, ReadOnlySpan<int> counts)
    {
        int offset = Parts(counts, values.Length);
        fixed (double* data = values)
        {
            ReduceScatter(data, counts, _mpi.Double);
        }

        values.Slice(0, counts[Rank]).CopyTo(values.Slice(offset));
    }

    /// <inheritdoc/>
    public void AllGather(Span<byte> values, ReadOnlySpan<int> counts)
    {
        Parts(counts, values.Length);
        if (values.Length == 0)
        {
            return;
        }

        fixed (byte* data = values)
        fixed (int* countsPointer = counts)
        fixed (int* displacements = _displacements)
        {
            Enter("MPI_Allgatherv");
            Check(_mpi.Allgatherv(MpiLibrary.InPlace, 0, _mpi.Byte, data, countsPointer, displacements, _mpi.Byte, _mpi.CommWorld), "MPI_Allgatherv");
        }
    }

    /// <inheritdoc/>
    public void Gather(ReadOnlySpan<byte> part, Span<byte> values, ReadOnlySpan<int> counts, int root)
    {
        CheckRoot(root);
        CheckPart(part, counts);
        if (Rank == root)
        {
            Parts(counts, values.Length);
        }

        fixed (byte* send = part)
        fixed (byte* data = values)
        fixed (int* countsPointer = counts)
        fixed (int* displacements = _displacements)
        {
            Enter("MPI_Gatherv");
            int code = Rank == root
                ? _mpi.Gatherv(send, part.Length, _mpi.Byte, data, countsPointer, displacements, _mpi.Byte, root, _mpi.CommWorld)
                : _mpi.Gatherv(send, part.Length, _mpi.Byte, null, null, null, _mpi.Byte, root, _mpi.CommWorld);
            Check(code, "MPI_Gatherv");
        }
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> values, int root)
    {
        CheckRoot(root);
        if (values.Length == 0)
        {
            return;
        }

        fixed (byte* data = values)
        {
            Enter("MPI_Bcast");
            Check(_mpi.Bcast(data, values.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
        }
    }

    /// <summary>
    /// <c>MPI_Bcast</c> of <paramref name="count"/> bytes of <paramref name="values"/>, unchecked here: for the binding's
    /// test of its error path (a negative count makes MPI's own argument check return MPI_ERR_COUNT on every rank, before
    /// anything is sent).
    /// </summary>
    internal void BroadcastUnchecked(Span<byte> values, int count, int root)
    {
        fixed (byte* data = values)
        {
            Enter("MPI_Bcast");
            Check(_mpi.Bcast(data, count, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
        }
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        Enter("MPI_Barrier");
        Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    /// <inheritdoc/>
    [DoesNotReturn]
    public void Abort(string message, int errorCode = 1)
    {
        Interlocked.Exchange(ref _ended, 1);
        Console.Out.Flush();
        Console.Error.WriteLine($"Gen.Distributed: rank {Rank} of {Size}: {message}");
        Console.Error.WriteLine($"Gen.Distributed: rank {Rank} of {Size} is ending the job on every rank (MPI_Abort, error code {errorCode}).");
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, errorCode);

        // MPI_Abort does not return; if it ever did, this rank must still not go on.
        Environment.Exit(errorCode);
        throw new InvalidOperationException("Unreachable: the process has exited.");
    }

    /// <summary>Reports <paramref name="exception"/> and ends the job.</summary>
    [DoesNotReturn]
    private void Fail(Exception? exception) =>
        Abort("failed: " + (exception?.ToString() ?? "an unhandled exception that is not a System.Exception"));

    private void ReportTermination()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            string where = _call is { } call ? "while waiting in " + call : "outside any MPI call";
            Console.Error.WriteLine($"Gen.Distributed: rank {Rank} of {Size} was ended by mpirun (SIGTERM) {where}: another rank failed (its message is above) or the job was interrupted.");
            Console.Error.Flush();

            // mpirun forwards a rank's output only while the rank lives: exiting at once lost this line in about one run
            // in three here. Linger briefly; mpirun sends SIGKILL one second after SIGTERM (odls_base_sigkill_timeout).
            Thread.Sleep(300);
        }
    }

    private void AllReduce(void* data, int count, IntPtr type, ReduceOperation operation)
    {
        if (count == 0)
        {
            return;
        }

        IntPtr op = operation switch
        {
            ReduceOperation.Sum => _mpi.Sum,
            ReduceOperation.Min => _mpi.Min,
            ReduceOperation.Max => _mpi.Max,
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a ReduceOperation."),
        };
        Enter("MPI_Allreduce");
        Check(_mpi.Allreduce(MpiLibrary.InPlace, data, count, type, op, _mpi.CommWorld), "MPI_Allreduce");
    }

    private void ReduceScatter(void* data, ReadOnlySpan<int> counts, IntPtr type)
    {
        fixed (int* countsPointer = counts)
        {
            Enter("MPI_Reduce_scatter");
            Check(_mpi.ReduceScatter(MpiLibrary.InPlace, data, countsPointer, type, _mpi.Sum, _mpi.CommWorld), "MPI_Reduce_scatter");
        }
    }

    /// <summary>Checks that <paramref name="counts"/> tile <paramref name="length"/> elements, fills the displacements, and returns this rank's offset.</summary>
    private int Parts(ReadOnlySpan<int> counts, int length)
    {
        if (counts.Length != Size)
        {
            throw new ArgumentException($"{counts.Length} counts for {Size} ranks: give one count per rank.", nameof(counts));
        }

        long total = 0;
        for (int r = 0; r < counts.Length; r++)
        {
            if (counts[r] < 0)
            {
                throw new ArgumentException($"Rank {r}'s count is {counts[r]}; counts are >= 0.", nameof(counts));
            }

            _displacements[r] = (int)total;
            total += counts[r];
        }

        return total == length
            ? _displacements[Rank]
            : throw new ArgumentException($"The counts add up to {total}, and the buffer holds {length}: the ranks' parts must tile it.", nameof(counts));
    }

    private void CheckPart(ReadOnlySpan<byte> part, ReadOnlySpan<int> counts)
    {
        if (counts.Length != Size || part.Length != counts[Rank])
        {
            throw new ArgumentException($"This rank's part holds {part.Length} bytes; its count must say so, in one count per rank ({Size}).", nameof(part));
        }
    }

    private void CheckRoot(int root)
    {
        if ((uint)root >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank, in [0, {Size}).");
        }
    }

    private void Enter(string call) => _call = call;

    private void Check(int code, string call)
    {
        _call = null;
        if (code != MpiLibrary.Success)
        {
            throw new MpiException(call, Rank, Size, code, _mpi.Describe(code));
        }
    }

    private static void Check(MpiLibrary mpi, int code, string call, int rank, int size)
    {
        if (code != MpiLibrary.Success)
        {
            throw new MpiException(call, rank, size, code, mpi.Describe(code));
        }
    }
}
