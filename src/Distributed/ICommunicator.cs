using System;
using System.Diagnostics.CodeAnalysis;

namespace Gen.Distributed;

/// <summary>
/// A group of processes (ranks) that take part in the same collective operations, in the same order: what
/// <see cref="DataParallel{TGradients}"/> needs from MPI. <see cref="MpiCommunicator"/> is Open MPI's
/// <c>MPI_COMM_WORLD</c>; <see cref="InProcessCommunicator"/> runs ranks as threads of one process.
/// </summary>
/// <remarks>
/// <para>
/// Every rank must call the same collectives in the same order with matching sizes; a rank that stops calling (it
/// failed) must end the group with <see cref="Abort"/>, or the others wait for it. Buffers are spans: the operation
/// reads and writes them in place and has finished with them when it returns.
/// </para>
/// <para>
/// Where a buffer is split by rank (the <c>counts</c> of <see cref="ReduceScatter(Span{float}, ReadOnlySpan{int})"/>,
/// <see cref="AllGather"/> and <see cref="Gather"/>), rank r's part is <c>counts[r]</c> elements starting after the
/// parts of ranks 0 to r − 1: the parts tile the buffer in rank order, and their sum is its length.
/// </para>
/// </remarks>
public interface ICommunicator
{
    /// <summary>This process's rank, in [0, <see cref="Size"/>).</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>Replaces every element with its combination over all ranks (<c>MPI_Allreduce</c>, in place); every rank gets the same values.</summary>
    void AllReduce(Span<float> values, ReduceOperation operation);

    /// <inheritdoc cref="AllReduce(Span{float}, ReduceOperation)"/>
    void AllReduce(Span<double> values, ReduceOperation operation);

    /// <inheritdoc cref="AllReduce(Span{float}, ReduceOperation)"/>
    void AllReduce(Span<long> values, ReduceOperation operation);

    /// <summary>
    /// Sums <paramref name="values"/> over all ranks and leaves in this rank's part of it (<paramref name="counts"/>) the
    /// sums of that part (<c>MPI_Reduce_scatter</c>); the elements outside it are left unspecified.
    /// </summary>
    void ReduceScatter(Span<float> values, ReadOnlySpan<int> counts);

    /// <inheritdoc cref="ReduceScatter(Span{float}, ReadOnlySpan{int})"/>
    void ReduceScatter(Span<double> values, ReadOnlySpan<int> counts);

    /// <summary>Copies each rank's part of <paramref name="values"/> into the same part on every rank (<c>MPI_Allgatherv</c>, in place).</summary>
    void AllGather(Span<byte> values, ReadOnlySpan<int> counts);

    /// <summary>
    /// Copies each rank's <paramref name="part"/> (<c>counts[rank]</c> bytes) into its part of rank
    /// <paramref name="root"/>'s <paramref name="values"/> (<c>MPI_Gatherv</c>). Only the root's
    /// <paramref name="values"/> is used (the others may pass an empty span).
    /// </summary>
    void Gather(ReadOnlySpan<byte> part, Span<byte> values, ReadOnlySpan<int> counts, int root);

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="values"/> to every rank (<c>MPI_Bcast</c>).</summary>
    void Broadcast(Span<byte> values, int root);

    /// <summary>Returns once every rank has called it (<c>MPI_Barrier</c>).</summary>
    void Barrier();

    /// <summary>
    /// Ends every rank of the group now (<c>MPI_Abort</c>) after writing <paramref name="message"/> to this process's
    /// standard error: what a rank that cannot go on does, so that the others are not left waiting for it.
    /// </summary>
    /// <param name="message">Why, for the user.</param>
    /// <param name="errorCode">The exit code mpirun reports.</param>
    [DoesNotReturn]
    void Abort(string message, int errorCode = 1);
}

/// <summary>How <see cref="ICommunicator.AllReduce(Span{float}, ReduceOperation)"/> combines the ranks' values.</summary>
public enum ReduceOperation
{
    /// <summary>The sum (<c>MPI_SUM</c>).</summary>
    Sum = 0,

    /// <summary>The smallest (<c>MPI_MIN</c>).</summary>
    Min = 1,

    /// <summary>The largest (<c>MPI_MAX</c>).</summary>
    Max = 2,
}
