using System;
using System.IO;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Distributed.Tests;

/// <summary>
/// DataParallel with ranks as threads: every rank ends with the same parameters, sharded equals plain, N ranks on N
/// shards of a batch equal one process, the non-finite policy after the reduction, checkpoints across world sizes, bad
/// input and failures. The same scenarios run under mpirun in CI (tests/Gen.Distributed.Mpi).
/// </summary>
public sealed class DataParallelTests
{
    private readonly ITestOutputHelper _output;

    public DataParallelTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, int> EveryOptimizerAtTwoAndThreeRanks()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Scenarios.NetOptimizers)
        {
            data.Add(name, 2);
            data.Add(name, 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryOptimizerAtTwoAndThreeRanks))]
    public void EveryRankEndsWithTheSameParameters(string optimizer, int ranks)
    {
        foreach (bool sharded in new[] { false, true })
        {
            foreach (int bucketBytes in new[] { 64, 1024, DataParallelOptions.DefaultBucketBytes })
            {
                Ranks.Run(ranks, c => Scenarios.IdenticalParameters(c, optimizer, sharded, bucketBytes));
            }
        }
    }

    /// <summary>In process a reduce-scatter adds in the same order as an all-reduce, so sharded equals plain bit for bit.</summary>
    [Theory]
    [MemberData(nameof(EveryOptimizerAtTwoAndThreeRanks))]
    public void ShardedStateEqualsPlainDataParallelBitForBit(string optimizer, int ranks)
    {
        foreach (int bucketBytes in new[] { 64, DataParallelOptions.DefaultBucketBytes })
        {
            Ranks.Run(ranks, c => Scenarios.ShardedEqualsPlain(c, optimizer, exact: true, bucketBytes));
        }
    }

    /// <summary>[Muon]'s, [Lamb]'s and [Lars]'s whole-member passes under ZeRO stage 1, with cuts that keep those members whole.</summary>
    [Theory]
    [MemberData(nameof(WholeMemberOptimizersAtOneToFourRanks))]
    public void WholeMemberShardedStateEqualsPlainDataParallelBitForBit(string optimizer, int ranks) =>
        Ranks.Run(ranks, c => Scenarios.WholeMemberUpdates(c, optimizer, exact: true));

    public static TheoryData<string, int> WholeMemberOptimizersAtOneToFourRanks()
    {
        var data = new TheoryData<string, int>();
        foreach (string optimizer in Scenarios.WholeMemberOptimizers)
        {
            for (int ranks = 1; ranks <= 4; ranks++)
            {
                data.Add(optimizer, ranks);
            }
        }

        return data;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FloatAndDoubleMembersAreReducedEachInItsOwnType(int ranks)
    {
        foreach (int bucketBytes in new[] { 64, 1024, DataParallelOptions.DefaultBucketBytes })
        {
            Ranks.Run(ranks, c => Scenarios.MixedTypes(c, exact: true, bucketBytes));
        }
    }

    [Theory]
    [InlineData("Adam", 1)]
    [InlineData("Adam", 2)]
    [InlineData("Adam", 3)]
    [InlineData("Adam", 4)]
    [InlineData("MomentumSgd", 2)]
    [InlineData("MomentumSgd", 3)]
    public void RanksOnShardsOfABatchMatchOneProcessOnAllOfIt(string optimizer, int ranks)
    {
        foreach (bool sharded in new[] { false, true })
        {
            double[] differences = Ranks.Run(ranks, c => Scenarios.ShardsOfABatch(c, optimizer, sharded));
            _output.WriteLine($"{optimizer}, {ranks} ranks, {(sharded ? "sharded" : "plain")}: largest difference {differences.Max():E2} (tolerance {Scenarios.BatchTolerance:E0})");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EachRankKeepsOneNthOfTheState(int ranks)
    {
        foreach (string optimizer in new[] { "Adam", "AdamInt8", "AdamWBf16", "CenteredRmsProp" })
        {
            long[] bytes = Ranks.Run(ranks, c => Scenarios.StateBytes(c, optimizer));
            _output.WriteLine($"{optimizer}, {ranks} ranks: state bytes per rank {string.Join(", ", bytes)}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NonFiniteGradientsAreHandledAfterTheReductionOnEveryRank(int ranks)
    {
        Ranks.Run(ranks, c => Scenarios.NonFinite(c, sharded: false));
        Ranks.Run(ranks, c => Scenarios.NonFinite(c, sharded: true));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void BadInputThrowsOnEveryRankNamingTheMemberOrFileAndChangesNothing(int ranks)
    {
        string directory = Directory.CreateTempSubdirectory("gen-distributed-").FullName;
        try
        {
            Ranks.Run(ranks, c => Scenarios.BadInput(c, directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void CheckpointsSavedAtTwoRanksLoadAtThreeAndAtOneAndInOneProcess()
    {
        string directory = Directory.CreateTempSubdirectory("gen-distributed-").FullName;
        try
        {
            Ranks.Run(2, c => Scenarios.SaveAt(c, directory));
            Ranks.Run(3, c => Scenarios.LoadAt(c, directory));
            Ranks.Run(1, c => Scenarios.LoadAt(c, directory));
            Ranks.Run(2, c => Scenarios.LoadAt(c, directory));
            Scenarios.LoadInOneProcess(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Saved by 2 ranks with sharded state, one process continues exactly as the 2 ranks do when every rank has the same
    /// gradients (their sum is exact and halving it is exact).
    /// </summary>
    [Theory]
    [InlineData("Adam")]
    [InlineData("AdamInt8")]
    [InlineData("AdamWBf16")]
    public void OneProcessContinuesFromTwoRanksCheckpointBitForBit(string optimizer)
    {
        string directory = Directory.CreateTempSubdirectory("gen-distributed-").FullName;
        try
        {
            string file = Path.Combine(directory, "optimizer.safetensors"), modelFile = Path.Combine(directory, "model.safetensors");
            double[][] continued = Ranks.Run(2, c =>
            {
                (Net model, DataParallel<Net.Gradients> parallel) = Scenarios.Train(c, optimizer, sharded: true, DataParallelOptions.DefaultBucketBytes, Scenarios.Steps);
                parallel.SaveOptimizer(file);
                parallel.SaveModel(modelFile);
                var gradients = new Net.Gradients(model);
                for (int step = 0; step < 3; step++)
                {
                    Scenarios.Fill(gradients, Scenarios.Seed(0, 100 + step));   // the same on both ranks
                    parallel.Step(gradients);
                }

                return Scenarios.ParameterValues(model);
            });

            var single = new Net();
            Optimizer<Net.Gradients> alone = Scenarios.CreateNet(optimizer, single, null);
            Checkpoint.LoadOptimizer(alone, file);
            Checkpoint.LoadModel(single, modelFile);
            var singleGradients = new Net.Gradients(single);
            for (int step = 0; step < 3; step++)
            {
                Scenarios.Fill(singleGradients, Scenarios.Seed(0, 100 + step));
                alone.Step(singleGradients);
            }

            double[] expected = Scenarios.ParameterValues(single);
            Assert.True(expected.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(continued[0].Select(BitConverter.DoubleToInt64Bits)), $"{optimizer}: one process continued differently from the 2 ranks");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// [Adafactor] with sharded state at 2 ranks (each member's row and column averages on the one shard that holds it)
    /// saves the single-process file, PyTorch's shapes included: one process loads it and saves it again byte for byte,
    /// and continues exactly as the 2 ranks do; 3 ranks load it too.
    /// </summary>
    [Fact]
    public void AdafactorsShardedCheckpointIsTheSingleProcessOne()
    {
        string directory = Directory.CreateTempSubdirectory("gen-distributed-").FullName;
        try
        {
            string file = Path.Combine(directory, "optimizer.safetensors"), modelFile = Path.Combine(directory, "model.safetensors");
            double[][] continued = Ranks.Run(2, c =>
            {
                var model = new Factors();
                Scenarios.Fill(model, 1);
                var parallel = new DataParallel<Factors.Gradients>(new Factors.Adafactor(model, c.ShardOf(model)), c);
                var gradients = new Factors.Gradients(model);
                for (int step = 0; step < 3; step++)
                {
                    Scenarios.Fill(gradients, Scenarios.Seed(c.Rank, step));
                    parallel.Step(gradients);
                }

                parallel.SaveOptimizer(file);
                parallel.SaveModel(modelFile);
                for (int step = 0; step < 3; step++)
                {
                    Scenarios.Fill(gradients, Scenarios.Seed(0, 100 + step));   // the same on both ranks
                    parallel.Step(gradients);
                }

                return Scenarios.ParameterValues(model);
            });

            var single = new Factors();
            var alone = new Factors.Adafactor(single);
            Checkpoint.LoadOptimizer(alone, file);
            Checkpoint.LoadModel(single, modelFile);
            using (var again = new MemoryStream())
            {
                Checkpoint.SaveOptimizer(alone, again);
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(again.ToArray()), "the one-process save of the loaded state differs from the 2 ranks' file");
            }

            Assert.Equal(new[] { 16, 1 }, alone.GetState(0).Shape);
            var singleGradients = new Factors.Gradients(single);
            for (int step = 0; step < 3; step++)
            {
                Scenarios.Fill(singleGradients, Scenarios.Seed(0, 100 + step));
                alone.Step(singleGradients);
            }

            Assert.True(Scenarios.ParameterValues(single).Select(BitConverter.DoubleToInt64Bits).SequenceEqual(continued[0].Select(BitConverter.DoubleToInt64Bits)), "one process continued differently from the 2 ranks");

            Ranks.Run(3, c =>
            {
                var model = new Factors();
                var parallel = new DataParallel<Factors.Gradients>(new Factors.Adafactor(model, c.ShardOf(model)), c);
                parallel.LoadOptimizer(file);
                return 0;
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void BroadcastParametersGivesEveryRankTheRootsStart()
    {
        Ranks.Run(3, c =>
        {
            foreach (int bucketBytes in new[] { 64, DataParallelOptions.DefaultBucketBytes })
            {
                var model = new Net();
                Scenarios.Fill(model, (ulong)(c.Rank + 50));   // every rank starts elsewhere
                var parallel = new DataParallel<Net.Gradients>(new Net.Adam(model), c, new DataParallelOptions { BucketBytes = bucketBytes });
                Scenarios.Expect(c, c.Size == 1 || !parallel.ParametersMatchAcrossRanks(), "the ranks started equal");
                parallel.BroadcastParameters(root: 1);
                Scenarios.Expect(c, parallel.ParametersMatchAcrossRanks(), "after BroadcastParameters the ranks differ");
                var expected = new Net();
                Scenarios.Fill(expected, 51);
                Scenarios.Expect(c, Scenarios.ParameterBytes(model).AsSpan().SequenceEqual(Scenarios.ParameterBytes(expected)), "the parameters are not rank 1's");
            }
        });
    }

    [Fact]
    public void ARankThatThrowsEndsTheTrainingOfEveryRank()
    {
        var failure = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, c =>
        {
            var model = new Net();
            var parallel = new DataParallel<Net.Gradients>(new Net.Adam(model, c.ShardOf(model)), c);
            var gradients = new Net.Gradients(model);
            for (int step = 0; step < 10; step++)
            {
                if (c.Rank == 1 && step == 4)
                {
                    throw new InvalidOperationException("the data loader of rank 1 failed");
                }

                Scenarios.Fill(gradients, Scenarios.Seed(c.Rank, step));
                parallel.Step(gradients);
            }

            return 0;
        }));
        Assert.Equal("the data loader of rank 1 failed", Assert.Single(failure.InnerExceptions).Message);
    }

    [Fact]
    public void OptionsAndArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallelOptions { BucketBytes = 63 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallelOptions { BucketBytes = 100 });
        Ranks.Run(1, c =>
        {
            var model = new Net();
            Assert.Throws<ArgumentNullException>(() => new DataParallel<Net.Gradients>(null!, c));
            Assert.Throws<ArgumentNullException>(() => new DataParallel<Net.Gradients>(new Net.Adam(model), null!));
            var parallel = new DataParallel<Net.Gradients>(new Net.Adam(model), c);
            Assert.Throws<ArgumentOutOfRangeException>(() => parallel.BroadcastParameters(1));
            Assert.Throws<ArgumentNullException>(() => parallel.SaveOptimizer(null!));
            Assert.Equal(4L * (640 + 40 + 5000 + 231 + 3), parallel.GradientBytes);
            Assert.False(parallel.IsSharded);
        });
    }
}

/// <summary>A data-parallel step allocates nothing once warm, plain or sharded, on every rank's thread.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class DataParallelAllocationTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void AStepAllocatesNothing(bool sharded, bool clip) =>
        Ranks.Run(2, c => Scenarios.StepAllocations(c, sharded, clip));
}
