using System;
using Xunit;

namespace Gen.Distributed.Tests;

/// <summary>InProcessCommunicator: the known results of every collective, and a failing rank ends the group.</summary>
public sealed class CommunicatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void CollectivesGiveTheirKnownResults(int ranks) => Ranks.Run(ranks, c => Scenarios.Collectives(c));

    [Fact]
    public void ARankThatThrowsEndsTheOthersCollectives()
    {
        var failure = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, c =>
        {
            var values = new float[10];
            c.AllReduce(values, ReduceOperation.Sum);
            if (c.Rank == 1)
            {
                throw new InvalidOperationException("rank 1 fails");
            }

            // Ranks 0 and 2 wait for rank 1 here, until the group ends.
            c.AllReduce(values, ReduceOperation.Sum);
            return 0;
        }));

        // Only the cause is reported; the other ranks ended with CommunicatorAbortedException.
        Exception cause = Assert.Single(failure.InnerExceptions);
        Assert.Equal("rank 1 fails", Assert.IsType<InvalidOperationException>(cause).Message);
    }

    [Fact]
    public void OtherRanksSeeWhichRankFailed()
    {
        var seen = new Exception?[3];
        Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, c =>
        {
            try
            {
                if (c.Rank == 2)
                {
                    c.Abort("rank 2 cannot go on");
                }

                c.Barrier();
            }
            catch (Exception exception)
            {
                seen[c.Rank] = exception;
                throw;
            }

            return 0;
        }));
        var aborted = Assert.IsType<CommunicatorAbortedException>(seen[0]);
        Assert.Equal(2, aborted.FailedRank);
        Assert.Contains("rank 2 cannot go on", aborted.Message, StringComparison.Ordinal);
        Assert.IsType<CommunicatorAbortedException>(seen[1]);
    }

    [Fact]
    public void MismatchedCollectivesEndTheGroupInsteadOfMixingData()
    {
        var failure = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(2, c =>
        {
            if (c.Rank == 0)
            {
                c.AllReduce(new float[4], ReduceOperation.Sum);
            }
            else
            {
                c.AllReduce(new float[5], ReduceOperation.Sum);
            }

            return 0;
        }));
        Assert.Contains(failure.InnerExceptions, e => e.Message.Contains("same collective calls", StringComparison.Ordinal));
    }

    [Fact]
    public void CountsMustTileTheBuffer()
    {
        Ranks.Run(2, c =>
        {
            Assert.Throws<ArgumentException>(() => c.AllGather(new byte[10], new[] { 5, 4 }));
            Assert.Throws<ArgumentException>(() => c.ReduceScatter(new float[10], new[] { 10 }));
            Assert.Throws<ArgumentException>(() => c.ReduceScatter(new float[10], new[] { 11, -1 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => c.Broadcast(new byte[1], 2));
            Assert.Throws<ArgumentException>(() => c.Gather(new byte[3], new byte[6], new[] { 2, 4 }, 0));
        });
    }

    [Fact]
    public void RunChecksItsArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InProcessCommunicator.Run(0, _ => 0));
        Assert.Throws<ArgumentNullException>(() => InProcessCommunicator.Run<int>(2, null!));
        Assert.Equal(new[] { 0, 1, 2 }, InProcessCommunicator.Run(3, c => c.Rank));
        Assert.All(InProcessCommunicator.Run(3, c => c.Size), size => Assert.Equal(3, size));
    }

    [Fact]
    public void ReductionsAddInRankOrderSoEveryRankAndAReduceScatterAgree()
    {
        // 1e8 + 1 - 1e8 in float depends on the order; rank order gives (1e8 + 1) - 1e8 = 0 on every rank.
        float[][] results = Ranks.Run(3, c =>
        {
            var values = new[] { c.Rank switch { 0 => 1e8f, 1 => 1f, _ => -1e8f } };
            c.AllReduce(values, ReduceOperation.Sum);
            var parts = new float[3];
            Array.Fill(parts, c.Rank switch { 0 => 1e8f, 1 => 1f, _ => -1e8f });
            c.ReduceScatter(parts, new[] { 1, 1, 1 });
            return new[] { values[0], parts[c.Rank] };
        });
        Assert.All(results, r => Assert.Equal(new[] { 0f, 0f }, r));
    }
}
