using System;

namespace Gen.Distributed;

/// <summary>An MPI call returned an error: the exception names the call, the rank and Open MPI's description of the code.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> failing on <paramref name="rank"/> with <paramref name="errorCode"/>.</summary>
    public MpiException(string call, int rank, int size, int errorCode, string description)
        : base($"{call} failed on rank {rank} of {size}: error {errorCode}, {description}.")
    {
        Call = call;
        Rank = rank;
        ErrorCode = errorCode;
    }

    /// <summary>The MPI function, e.g. <c>MPI_Allreduce</c>.</summary>
    public string Call { get; }

    /// <summary>The rank it failed on (−1 before the rank is known).</summary>
    public int Rank { get; }

    /// <summary>MPI's error code.</summary>
    public int ErrorCode { get; }
}

/// <summary>
/// Thrown on a rank of an <see cref="InProcessCommunicator"/> group when another rank failed: the group is ended, as
/// <c>MPI_Abort</c> ends an MPI job, and every collective in progress or to come throws this.
/// </summary>
public sealed class CommunicatorAbortedException : Exception
{
    /// <summary>Creates the exception seen by <paramref name="rank"/> after <paramref name="failedRank"/> ended the group.</summary>
    public CommunicatorAbortedException(int rank, int failedRank, string reason)
        : base($"Rank {rank} stopped: rank {failedRank} ended the group ({reason}).")
    {
        Rank = rank;
        FailedRank = failedRank;
    }

    /// <summary>The rank that threw this.</summary>
    public int Rank { get; }

    /// <summary>The rank that failed first.</summary>
    public int FailedRank { get; }
}

/// <summary>
/// A collective operation of <see cref="DataParallel{TGradients}"/> (a checkpoint's save or load, the agreement of the
/// ranks' models) failed on another rank; this rank changed nothing either. The failing rank throws the original
/// exception, whose message this one repeats.
/// </summary>
public sealed class RankFailedException : Exception
{
    /// <summary>Creates the exception for <paramref name="operation"/> having failed on <paramref name="failedRank"/>.</summary>
    public RankFailedException(int failedRank, string operation, string message)
        : base($"{operation} failed on rank {failedRank}: {message}")
    {
        FailedRank = failedRank;
        Operation = operation;
    }

    /// <summary>The rank where it failed.</summary>
    public int FailedRank { get; }

    /// <summary>What failed, e.g. <c>LoadOptimizer("run.ckpt")</c>.</summary>
    public string Operation { get; }
}
