using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Gen.Distributed;

/// <summary>
/// The Open MPI calls Gen.Distributed makes, bound at run time to <c>libmpi.so.40</c> (Open MPI 4's soname; Debian's
/// <c>libopenmpi3</c>, which <c>openmpi-bin</c> installs). Loaded by soname because the unversioned <c>libmpi.so</c>
/// is an alternatives link that may point at MPICH, whose handles are integers, not addresses.
/// </summary>
/// <remarks>
/// <para>
/// Open MPI's handles are pointers: <c>MPI_Comm</c>, <c>MPI_Datatype</c>, <c>MPI_Op</c> and <c>MPI_Errhandler</c> are
/// pointers to structs, and the predefined ones (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>,
/// <c>MPI_ERRORS_RETURN</c>) are the addresses of exported globals (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>,
/// <c>ompi_mpi_op_sum</c>, <c>ompi_mpi_errors_return</c>): its <c>mpi.h</c> defines each as <c>&amp;global</c> cast to the
/// handle type. So a handle here is <see cref="NativeLibrary.GetExport"/> of that global's name. <c>MPI_IN_PLACE</c> is
/// <c>(void *) 1</c>. Every function returns an error code (0 is <c>MPI_SUCCESS</c>) once <c>MPI_ERRORS_RETURN</c> is
/// set on the communicator; the default handler would end the process instead.
/// </para>
/// <para>
/// The functions are called through unmanaged function pointers from <see cref="NativeLibrary.GetExport"/>: every
/// argument is a pointer or an <c>int</c>, so nothing is marshalled, nothing is allocated, and the binding needs no
/// code generation at run time (trimming and NativeAOT keep working).
/// </para>
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The library's soname.</summary>
    public const string SoName = "libmpi.so.40";

    /// <summary><c>MPI_SUCCESS</c>.</summary>
    public const int Success = 0;

    /// <summary><c>MPI_THREAD_SERIALIZED</c>: any thread may call, one call at a time.</summary>
    public const int ThreadSerialized = 2;

    /// <summary><c>MPI_MAX_ERROR_STRING</c> in Open MPI 4.</summary>
    public const int MaxErrorString = 256;

    /// <summary><c>MPI_IN_PLACE</c>.</summary>
    public static readonly void* InPlace = (void*)1;

    private static readonly object Gate = new();
    private static MpiLibrary? s_loaded;

    private MpiLibrary(IntPtr handle)
    {
        Handle = handle;
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        FinalizeCall = (delegate* unmanaged<int>)Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)Export("MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");
        ReduceScatter = (delegate* unmanaged<void*, void*, int*, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Reduce_scatter");
        Allgatherv = (delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int>)Export("MPI_Allgatherv");
        Gatherv = (delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, int, IntPtr, int>)Export("MPI_Gatherv");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");
        Barrier = (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");

        CommWorld = Export("ompi_mpi_comm_world");
        ErrorsReturn = Export("ompi_mpi_errors_return");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Int64 = Export("ompi_mpi_int64_t");
        Byte = Export("ompi_mpi_byte");
        Sum = Export("ompi_mpi_op_sum");
        Min = Export("ompi_mpi_op_min");
        Max = Export("ompi_mpi_op_max");
    }

    public IntPtr Handle { get; }

    // int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
    public delegate* unmanaged<int*, byte***, int, int*, int> InitThread { get; }

    // int MPI_Initialized(int *flag)
    public delegate* unmanaged<int*, int> Initialized { get; }

    // int MPI_Finalized(int *flag)
    public delegate* unmanaged<int*, int> Finalized { get; }

    // int MPI_Finalize(void)
    public delegate* unmanaged<int> FinalizeCall { get; }

    // int MPI_Comm_rank(MPI_Comm comm, int *rank)
    public delegate* unmanaged<IntPtr, int*, int> CommRank { get; }

    // int MPI_Comm_size(MPI_Comm comm, int *size)
    public delegate* unmanaged<IntPtr, int*, int> CommSize { get; }

    // int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
    public delegate* unmanaged<IntPtr, IntPtr, int> CommSetErrhandler { get; }

    // int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
    public delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce { get; }

    // int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf, const int recvcounts[], MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
    public delegate* unmanaged<void*, void*, int*, IntPtr, IntPtr, IntPtr, int> ReduceScatter { get; }

    // int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
    //                    const int recvcounts[], const int displs[], MPI_Datatype recvtype, MPI_Comm comm)
    public delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int> Allgatherv { get; }

    // int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
    //                 const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm)
    public delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, int, IntPtr, int> Gatherv { get; }

    // int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
    public delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast { get; }

    // int MPI_Barrier(MPI_Comm comm)
    public delegate* unmanaged<IntPtr, int> Barrier { get; }

    // int MPI_Abort(MPI_Comm comm, int errorcode)
    public delegate* unmanaged<IntPtr, int, int> Abort { get; }

    // int MPI_Error_string(int errorcode, char *string, int *resultlen)
    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }

    /// <summary><c>MPI_COMM_WORLD</c>: <c>&amp;ompi_mpi_comm_world</c>.</summary>
    public IntPtr CommWorld { get; }

    /// <summary><c>MPI_ERRORS_RETURN</c>: <c>&amp;ompi_mpi_errors_return</c>.</summary>
    public IntPtr ErrorsReturn { get; }

    /// <summary><c>MPI_FLOAT</c>.</summary>
    public IntPtr Float { get; }

    /// <summary><c>MPI_DOUBLE</c>.</summary>
    public IntPtr Double { get; }

    /// <summary><c>MPI_INT64_T</c>.</summary>
    public IntPtr Int64 { get; }

    /// <summary><c>MPI_BYTE</c>.</summary>
    public IntPtr Byte { get; }

    /// <summary><c>MPI_SUM</c>.</summary>
    public IntPtr Sum { get; }

    /// <summary><c>MPI_MIN</c>.</summary>
    public IntPtr Min { get; }

    /// <summary><c>MPI_MAX</c>.</summary>
    public IntPtr Max { get; }

    /// <summary>The library, loaded once per process.</summary>
    /// <exception cref="DllNotFoundException">libmpi.so.40 is not installed, or lacks one of the symbols (not Open MPI 4).</exception>
    public static MpiLibrary Load()
    {
        lock (Gate)
        {
            if (s_loaded is { } loaded)
            {
                return loaded;
            }

            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("MpiCommunicator binds Open MPI's libmpi.so.40 on Linux. Elsewhere, use InProcessCommunicator (threads as ranks) or an ICommunicator of your own.");
            }

            if (!NativeLibrary.TryLoad(SoName, out IntPtr handle))
            {
                throw new DllNotFoundException(
                    $"Open MPI's {SoName} could not be loaded. Install Open MPI 4 (Debian and Ubuntu: apt-get install openmpi-bin, which brings libopenmpi3) and start the program with mpirun.");
            }

            return s_loaded = new MpiLibrary(handle);
        }
    }

    /// <summary>Open MPI's text for an error code, e.g. "MPI_ERR_COUNT: invalid count argument".</summary>
    public string Describe(int code)
    {
        byte* text = stackalloc byte[MaxErrorString + 1];
        int length = 0;
        if (ErrorString(code, text, &length) != Success || length <= 0 || length > MaxErrorString)
        {
            return "no description from MPI_Error_string";
        }

        return Encoding.UTF8.GetString(text, length);
    }

    private IntPtr Export(string name) =>
        NativeLibrary.TryGetExport(Handle, name, out IntPtr address)
            ? address
            : throw new DllNotFoundException($"{SoName} has no symbol '{name}': it is not Open MPI 4, which Gen.Distributed binds (its handles are the addresses of ompi_mpi_* globals).");
}
