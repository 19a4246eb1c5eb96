// What the distributed tests check, written once against ICommunicator: tests/Gen.Distributed.Tests runs each with
// ranks as threads (InProcessCommunicator), tests/Gen.Distributed.Mpi under mpirun with Open MPI. A scenario throws
// CheckFailedException (naming the rank) when a check fails; every rank makes the same collective calls either way.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace Gen.Distributed.Tests;

/// <summary>A failed check, with the rank it failed on.</summary>
public sealed class CheckFailedException : Exception
{
    public CheckFailedException(string message)
        : base(message)
    {
    }
}

public static class Scenarios
{
    /// <summary>Steps per training run.</summary>
    public const int Steps = 6;

    /// <summary>
    /// The largest difference allowed between N ranks training on N shards of a batch and one process on all of it,
    /// relative to 1 + |parameter|. Summation order: each rank's mean gradient is rounded to float, the ranks' means are
    /// added in float and multiplied by 1/N rounded to float, against one mean rounded once; each element then differs by a
    /// few float ulps (2^-24 ≈ 6e-8 relative) of the largest per-rank term. Through 12 steps of Adam (lr 0.01) or SGD
    /// with momentum (lr 0.05) on a least-squares loss, that moved a parameter by at most 1.2e-7 at 2 to 4 ranks
    /// (docs/DISTRIBUTED.md); 1e-5 leaves room for other summation orders, and is 1,000 times smaller than one Adam step.
    /// </summary>
    public const double BatchTolerance = 1e-5;

    public static readonly string[] NetOptimizers = { "Adam", "AdamWBf16", "NesterovSgd", "Plain", "CenteredRmsProp", "AdamInt8", "Lion", "NAdam", "RAdam", "Adamax", "Rprop", "Asgd", "ScheduleFreeAdamW", "ScheduleFreeSgd", "AdEMAMix", "Adopt" };

    /// <summary>The optimizers whose state is float32 (or none): a one-ulp change of a gradient sum cannot flip a rounding of their state.</summary>
    public static readonly string[] Float32Optimizers = { "Adam", "NesterovSgd", "Plain", "CenteredRmsProp", "Lion", "NAdam", "RAdam", "Adamax", "Rprop", "Asgd", "ScheduleFreeAdamW", "ScheduleFreeSgd", "AdEMAMix", "Adopt" };

    public static Optimizer<Net.Gradients> CreateNet(string name, Net model, OptimizerShard? shard) => name switch
    {
        "Adam" => new Net.Adam(model, shard),
        "AdamWBf16" => new Net.AdamWBf16(model, shard) { StochasticRoundingSeed = 7 },
        "NesterovSgd" => new Net.NesterovSgd(model, shard),
        "Plain" => new Net.Plain(model, shard),
        "CenteredRmsProp" => new Net.CenteredRmsProp(model, shard),
        "AdamInt8" => new Net.AdamInt8(model, shard),
        "Lion" => new Net.Lion(model, shard),
        "NAdam" => new Net.NAdam(model, shard),
        "RAdam" => new Net.RAdam(model, shard),
        "Adamax" => new Net.Adamax(model, shard),
        "Rprop" => new Net.Rprop(model, shard),
        "Asgd" => new Net.Asgd(model, shard),
        "ScheduleFreeAdamW" => new Net.ScheduleFreeAdamW(model, shard),
        "ScheduleFreeSgd" => new Net.ScheduleFreeSgd(model, shard),
        "AdEMAMix" => new Net.AdEMAMix(model, shard),
        "Adopt" => new Net.Adopt(model, shard),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not an optimizer of Net."),
    };

    /// <summary>Known results of every collective, at lengths from 0 to 3 million, with uneven parts.</summary>
    public static void Collectives(ICommunicator c)
    {
        int n = c.Size, rank = c.Rank;
        foreach (int length in new[] { 0, 1, 7, 1000, 3_000_001 })
        {
            var floats = new float[length];
            var doubles = new double[length];
            var longs = new long[length];
            for (int i = 0; i < length; i++)
            {
                floats[i] = (i % 1000) + rank;
                doubles[i] = (i % 977) * 0.5 + rank;
                longs[i] = i - (rank * 3L);
            }

            c.AllReduce(floats, ReduceOperation.Sum);
            c.AllReduce(doubles, ReduceOperation.Sum);
            c.AllReduce(longs, ReduceOperation.Min);
            for (int i = 0; i < length; i++)
            {
                // Sums of small integers (and halves) are exact in any order.
                Expect(c, floats[i] == (n * (i % 1000)) + (n * (n - 1) / 2), $"AllReduce(float, Sum) of {length}: element {i} is {floats[i]}");
                Expect(c, doubles[i] == (n * (i % 977) * 0.5) + (n * (n - 1) / 2), $"AllReduce(double, Sum) of {length}: element {i} is {doubles[i]}");
                Expect(c, longs[i] == i - ((n - 1) * 3L), $"AllReduce(long, Min) of {length}: element {i} is {longs[i]}");
                if (i > 50 && length > 1000)
                {
                    i += 997;   // a sample of the large buffer
                }
            }

            var max = new long[] { rank * 10L, -rank };
            c.AllReduce(max, ReduceOperation.Max);
            Expect(c, max[0] == (n - 1) * 10L && max[1] == 0, $"AllReduce(long, Max) is {max[0]}, {max[1]}");

            // Uneven parts, some empty: rank r gets r * length / n ... (r + 1) * length / n.
            int[] counts = Enumerable.Range(0, n).Select(r => (int)(((long)(r + 1) * length / n) - ((long)r * length / n))).ToArray();
            int offset = counts.Take(rank).Sum();
            var scatter = new double[length];
            for (int i = 0; i < length; i++)
            {
                scatter[i] = i + (rank * 0.25);
            }

            c.ReduceScatter(scatter, counts);
            for (int i = offset; i < offset + counts[rank]; i += 1 + (i / 1000))
            {
                Expect(c, scatter[i] == (n * (double)i) + (0.25 * n * (n - 1) / 2), $"ReduceScatter(double) of {length}: element {i} is {scatter[i]}");
            }

            var scatterFloats = new float[length];
            Array.Fill(scatterFloats, rank + 1);
            c.ReduceScatter(scatterFloats, counts);
            for (int i = offset; i < offset + counts[rank]; i += 1 + (i / 1000))
            {
                Expect(c, scatterFloats[i] == n * (n + 1) / 2, $"ReduceScatter(float) of {length}: element {i} is {scatterFloats[i]}");
            }

            byte[] gathered = new byte[length];
            gathered.AsSpan(offset, counts[rank]).Fill((byte)(rank + 1));
            c.AllGather(gathered, counts);
            for (int r = 0, start = 0; r < n; start += counts[r], r++)
            {
                Expect(c, gathered.AsSpan(start, counts[r]).IndexOfAnyExcept((byte)(r + 1)) < 0, $"AllGather of {length}: rank {r}'s part is wrong");
            }

            for (int root = 0; root < n; root++)
            {
                byte[] part = Enumerable.Repeat((byte)(rank + 10), counts[rank]).ToArray();
                byte[] whole = rank == root ? new byte[length] : Array.Empty<byte>();
                c.Gather(part, whole, counts, root);
                if (rank == root)
                {
                    for (int r = 0, start = 0; r < n; start += counts[r], r++)
                    {
                        Expect(c, whole.AsSpan(start, counts[r]).IndexOfAnyExcept((byte)(r + 10)) < 0, $"Gather of {length} to {root}: rank {r}'s part is wrong");
                    }
                }

                byte[] broadcast = new byte[length];
                if (rank == root)
                {
                    broadcast.AsSpan().Fill((byte)(root + 100));
                }

                c.Broadcast(broadcast, root);
                Expect(c, broadcast.AsSpan().IndexOfAnyExcept((byte)(root + 100)) < 0, $"Broadcast of {length} from {root} is wrong");
            }
        }

        c.Barrier();
    }

    /// <summary>Trains Net with rank-specific gradients; every rank must end with the same parameters, bit for bit.</summary>
    public static void IdenticalParameters(ICommunicator c, string optimizer, bool sharded, int bucketBytes)
    {
        (Net model, DataParallel<Net.Gradients> parallel) = Train(c, optimizer, sharded, bucketBytes, Steps);
        byte[] mine = ParameterBytes(model);
        var all = new byte[mine.Length * c.Size];
        mine.CopyTo(all, mine.Length * c.Rank);
        c.AllGather(all, Enumerable.Repeat(mine.Length, c.Size).ToArray());
        for (int r = 1; r < c.Size; r++)
        {
            Expect(c, all.AsSpan(r * mine.Length, mine.Length).SequenceEqual(all.AsSpan(0, mine.Length)), $"{optimizer} ({(sharded ? "sharded" : "plain")}): rank {r}'s parameters differ from rank 0's");
        }

        Expect(c, parallel.ParametersMatchAcrossRanks(), $"{optimizer}: ParametersMatchAcrossRanks is false while the bytes are equal");
        Expect(c, parallel.Optimizer.StepCount == Steps, $"{optimizer}: StepCount is {parallel.Optimizer.StepCount}, not {Steps}");
    }

    /// <summary>
    /// ZeRO stage 1 against plain data parallelism, from the same start with the same gradients: the same parameters,
    /// bit for bit when <paramref name="exact"/> (their gradient sums are the same bits), else within
    /// <see cref="BatchTolerance"/>.
    /// </summary>
    public static void ShardedEqualsPlain(ICommunicator c, string optimizer, bool exact, int bucketBytes)
    {
        (Net plain, _) = Train(c, optimizer, sharded: false, bucketBytes, Steps);
        (Net sharded, _) = Train(c, optimizer, sharded: true, bucketBytes, Steps);
        Compare(c, $"{optimizer}, sharded against plain", ParameterValues(sharded), ParameterValues(plain), exact ? 0 : BatchTolerance);
    }

    /// <summary>The kinds whose update has a pass over a whole member ([Muon]'s matrix routine, [Lamb]'s and [Lars]'s trust ratio, [Adafactor]'s update).</summary>
    public static readonly string[] WholeMemberOptimizers = { "Muon", "Lamb", "Lars", "Adafactor" };

    /// <summary>
    /// A kind of <see cref="WholeMemberOptimizers"/> under ZeRO stage 1 where the cuts keep each member it needs whole on
    /// one shard (<see cref="Matrices"/>, <see cref="Layers"/> at 1 to 4 ranks; the element-wise members are cut at their
    /// place): every rank with the same parameters, and sharded against plain as in <see cref="ShardedEqualsPlain"/>. A
    /// cut inside such a member is refused at construction (ShardTests).
    /// </summary>
    public static void WholeMemberUpdates(ICommunicator c, string optimizer, bool exact)
    {
        double[] Run(bool useShards) => optimizer == "Muon"
            ? TrainWholeMember<Matrices.Gradients>(c, new Matrices(), m => new Matrices.Muon((Matrices)m, useShards ? c.ShardOf(m) : null), m => new Matrices.Gradients((Matrices)m), optimizer, useShards)
            : optimizer == "Adafactor"
            ? TrainWholeMember<Factors.Gradients>(c, new Factors(), m => new Factors.Adafactor((Factors)m, useShards ? c.ShardOf(m) : null), m => new Factors.Gradients((Factors)m), optimizer, useShards)
            : TrainWholeMember<Layers.Gradients>(c, new Layers(), m => optimizer == "Lamb" ? new Layers.Lamb((Layers)m, useShards ? c.ShardOf(m) : null) : new Layers.Lars((Layers)m, useShards ? c.ShardOf(m) : null), m => new Layers.Gradients((Layers)m), optimizer, useShards);

        double[] plain = Run(useShards: false);
        double[] sharded = Run(useShards: true);
        Compare(c, $"{optimizer}, sharded against plain", sharded, plain, exact ? 0 : BatchTolerance);
    }

    private static double[] TrainWholeMember<TGradients>(ICommunicator c, ITrainable model, Func<ITrainable, Optimizer<TGradients>> create, Func<ITrainable, TGradients> gradientsOf, string optimizer, bool sharded)
        where TGradients : GradientsBase
    {
        Fill(model, 1);
        var parallel = new DataParallel<TGradients>(create(model), c, new DataParallelOptions { BucketBytes = 1024 });
        TGradients gradients = gradientsOf(model);
        for (int step = 0; step < Steps; step++)
        {
            Fill(gradients, Seed(c.Rank, step));
            parallel.Step(gradients);
        }

        Expect(c, parallel.ParametersMatchAcrossRanks(), $"{optimizer} ({(sharded ? "sharded" : "plain")}): the ranks' parameters differ");
        return ParameterValues(model);
    }

    /// <summary>Float and double members in buckets of <paramref name="bucketBytes"/>: sharded against plain, and every rank equal.</summary>
    public static void MixedTypes(ICommunicator c, bool exact, int bucketBytes)
    {
        var options = new DataParallelOptions { BucketBytes = bucketBytes };
        var models = new Mixed[2];
        for (int k = 0; k < 2; k++)
        {
            var model = new Mixed();
            Fill(model, 11);
            var optimizer = new Mixed.Adam(model, k == 0 ? null : c.ShardOf(model));
            var parallel = new DataParallel<Mixed.Gradients>(optimizer, c, options);
            var gradients = new Mixed.Gradients(model);
            for (int step = 0; step < Steps; step++)
            {
                Fill(gradients, Seed(c.Rank, step));
                parallel.Step(gradients);
            }

            Expect(c, parallel.ParametersMatchAcrossRanks(), $"Mixed ({(k == 0 ? "plain" : "sharded")}, buckets of {bucketBytes}): the ranks' parameters differ");
            models[k] = model;
        }

        Compare(c, $"Mixed, sharded against plain, buckets of {bucketBytes}", ParameterValues(models[1]), ParameterValues(models[0]), exact ? 0 : BatchTolerance);
    }

    /// <summary>
    /// N ranks each on its shard of a least-squares batch against one process on the whole batch (which every rank also
    /// trains, locally): the same parameters within <see cref="BatchTolerance"/>. Returns the largest difference.
    /// </summary>
    public static double ShardsOfABatch(ICommunicator c, string optimizer, bool sharded)
    {
        const int BatchSize = 60;   // divisible by 1 to 6 ranks
        int n = c.Size;
        if (BatchSize % n != 0)
        {
            throw new ArgumentException($"{BatchSize} samples cannot be split evenly over {n} ranks.");
        }

        var distributed = new Linear();
        var single = new Linear();
        Fill(distributed, 5);
        Fill(single, 5);
        Optimizer<Linear.Gradients> Create(Linear model, OptimizerShard? shard) =>
            optimizer == "Adam" ? new Linear.Adam(model, shard) : new Linear.MomentumSgd(model, shard);
        var parallel = new DataParallel<Linear.Gradients>(Create(distributed, sharded ? c.ShardOf(distributed) : null), c);
        Optimizer<Linear.Gradients> reference = Create(single, null);
        var gradients = new Linear.Gradients(distributed);
        var wholeGradients = new Linear.Gradients(single);
        for (int step = 0; step < 2 * Steps; step++)
        {
            (float[,] x, float[,] y) = Batch(step, BatchSize);
            int per = BatchSize / n;
            LeastSquaresGradient(distributed, x, y, c.Rank * per, per, gradients);
            parallel.Step(gradients);
            LeastSquaresGradient(single, x, y, 0, BatchSize, wholeGradients);
            reference.Step(wholeGradients);
        }

        return Compare(c, $"{optimizer} ({(sharded ? "sharded" : "plain")}) on {n} shards of a batch against one process", ParameterValues(distributed), ParameterValues(single), BatchTolerance);
    }

    /// <summary>
    /// Each rank keeps 1/N of the state: within 256 elements per cut of an even split, and every rank's together are the
    /// single-process optimizer's bytes. Returns this rank's bytes.
    /// </summary>
    public static long StateBytes(ICommunicator c, string optimizer)
    {
        var model = new Net();
        long whole = CreateNet(optimizer, model, null).StateBytes;
        long mine = CreateNet(optimizer, model, c.ShardOf(model)).StateBytes;
        var total = new[] { mine };
        c.AllReduce(total, ReduceOperation.Sum);
        Expect(c, total[0] == whole, $"{optimizer}: the ranks' state bytes add up to {total[0]}, and one process keeps {whole}");
        OptimizerShard shard = c.ShardOf(model);
        long even = shard.TotalLength / c.Size;
        Expect(c, Math.Abs(shard.Length - even) <= OptimizerShard.Alignment, $"shard {shard} is more than {OptimizerShard.Alignment} elements from an even split ({even})");
        return mine;
    }

    /// <summary>
    /// A NaN on one rank: the sum is NaN on every rank, so every rank skips (SkipStep) or throws the same exception
    /// (Throw), and nothing changes.
    /// </summary>
    public static void NonFinite(ICommunicator c, bool sharded)
    {
        foreach (NonFinitePolicy policy in new[] { NonFinitePolicy.Throw, NonFinitePolicy.SkipStep })
        {
            var model = new Net();
            Fill(model, 3);
            var optimizer = new Net.Adam(model, sharded ? c.ShardOf(model) : null) { NonFinitePolicy = policy };
            var parallel = new DataParallel<Net.Gradients>(optimizer, c);
            var gradients = new Net.Gradients(model);
            Fill(gradients, Seed(c.Rank, 0));
            parallel.Step(gradients);
            byte[] before = ParameterBytes(model);
            byte[] state = StateBytesOf(optimizer);
            Fill(gradients, Seed(c.Rank, 1));
            if (c.Rank == c.Size - 1)
            {
                gradients.W3[2, 1, 5] = float.NaN;   // the last member but one: outside rank 0's shard
            }

            Exception? thrown = null;
            try
            {
                parallel.Step(gradients);
            }
            catch (NonFiniteGradientException exception)
            {
                thrown = exception;
            }

            if (policy == NonFinitePolicy.Throw)
            {
                var exception = thrown as NonFiniteGradientException;
                Expect(c, exception is { Member: "W3", Index: (2 * 7 * 11) + (1 * 11) + 5 } && double.IsNaN(exception.OffendingNumber), $"Throw ({(sharded ? "sharded" : "plain")}): expected NonFiniteGradientException for W3 at {(2 * 7 * 11) + (1 * 11) + 5}, got {thrown?.Message ?? "none"}");
            }
            else
            {
                Expect(c, thrown is null && optimizer.SkippedSteps == 1 && optimizer.StepCount == 1, $"SkipStep ({(sharded ? "sharded" : "plain")}): thrown {thrown?.Message ?? "nothing"}, {optimizer.SkippedSteps} skipped, {optimizer.StepCount} steps");
            }

            Expect(c, ParameterBytes(model).AsSpan().SequenceEqual(before) && StateBytesOf(optimizer).AsSpan().SequenceEqual(state), $"{policy} ({(sharded ? "sharded" : "plain")}): a step that failed changed the parameters or the state");

            // And training goes on, every rank the same.
            Fill(gradients, Seed(c.Rank, 2));
            parallel.Step(gradients);
            Expect(c, parallel.ParametersMatchAcrossRanks(), $"{policy}: the ranks' parameters differ after the step that followed");
        }
    }

    /// <summary>
    /// Bytes a data-parallel step allocates on this rank's thread once warm (fused and in-place buckets, GlobalNormClip and
    /// the non-finite check on): the fewest over 5 batches of 200 steps, which must be 0. Every rank runs the same count.
    /// </summary>
    public static long StepAllocations(ICommunicator c, bool sharded, bool clip)
    {
        var model = new Net();
        Fill(model, 9);
        Optimizer<Net.Gradients> optimizer = CreateNet("Adam", model, sharded ? c.ShardOf(model) : null);
        optimizer.GlobalNormClip = clip ? 1.0 : null;
        var parallel = new DataParallel<Net.Gradients>(optimizer, c, new DataParallelOptions { BucketBytes = 4096 });
        var gradients = new Net.Gradients(model);
        Fill(gradients, Seed(c.Rank, 0));
        for (int i = 0; i < 100; i++)
        {
            parallel.Step(gradients, clearGradients: (i & 1) == 0);
        }

        long fewest = long.MaxValue;
        for (int batch = 0; batch < 5; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
            {
                parallel.Step(gradients, clearGradients: (i & 1) == 0);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Expect(c, fewest == 0, $"a {(sharded ? "sharded" : "plain")} step{(clip ? " with GlobalNormClip" : string.Empty)} allocated {fewest} bytes in 200 steps (the fewest of 5 batches)");
        return fewest;
    }

    /// <summary>
    /// Trains sharded Adam (float32 and 8-bit state) and saves each optimizer and the model to <paramref name="directory"/>,
    /// with the training's gradient seed, so that <see cref="LoadAt"/> at another world size and
    /// <see cref="LoadInOneProcess"/> can check what they load.
    /// </summary>
    public static void SaveAt(ICommunicator c, string directory)
    {
        foreach (string name in new[] { "Adam", "AdamInt8", "AdamWBf16" })
        {
            (Net model, DataParallel<Net.Gradients> parallel) = Train(c, name, sharded: true, DataParallelOptions.DefaultBucketBytes, Steps);
            parallel.SaveOptimizer(Path.Combine(directory, name + ".optimizer.safetensors"));
            parallel.SaveModel(Path.Combine(directory, name + ".model.safetensors"));
            _ = model;
        }
    }

    /// <summary>
    /// Loads what <see cref="SaveAt"/> wrote (at any world size) into sharded and plain optimizers on these ranks; saved
    /// again without a step, each file must be the original byte for byte. Then one more step keeps every rank equal.
    /// </summary>
    public static void LoadAt(ICommunicator c, string directory)
    {
        foreach (string name in new[] { "Adam", "AdamInt8", "AdamWBf16" })
        {
            foreach (bool sharded in new[] { true, false })
            {
                var model = new Net();
                var parallel = new DataParallel<Net.Gradients>(CreateNet(name, model, sharded ? c.ShardOf(model) : null), c);
                string optimizerFile = Path.Combine(directory, name + ".optimizer.safetensors");
                string modelFile = Path.Combine(directory, name + ".model.safetensors");
                parallel.LoadOptimizer(optimizerFile);
                parallel.LoadModel(modelFile);
                string again = Path.Combine(directory, $"{name}.{(sharded ? "sharded" : "plain")}.{c.Size}.optimizer.safetensors");
                parallel.SaveOptimizer(again);
                if (c.Rank == 0)
                {
                    Expect(c, File.ReadAllBytes(again).AsSpan().SequenceEqual(File.ReadAllBytes(optimizerFile)), $"{name}: loaded at {c.Size} ranks ({(sharded ? "sharded" : "plain")}) and saved again, the checkpoint differs from the one saved");
                    File.Delete(again);
                }

                Expect(c, parallel.Optimizer.StepCount == Steps, $"{name}: the loaded step count is {parallel.Optimizer.StepCount}");
                var gradients = new Net.Gradients(model);
                Fill(gradients, Seed(c.Rank, Steps));
                parallel.Step(gradients);
                Expect(c, parallel.ParametersMatchAcrossRanks(), $"{name}: after loading at {c.Size} ranks and a step, the ranks' parameters differ");
            }
        }
    }

    /// <summary>One process loads what <see cref="SaveAt"/> wrote at N ranks, with the runtime's own Checkpoint: saved again, byte for byte the same file.</summary>
    public static void LoadInOneProcess(string directory)
    {
        foreach (string name in new[] { "Adam", "AdamInt8", "AdamWBf16" })
        {
            var model = new Net();
            Optimizer<Net.Gradients> optimizer = CreateNet(name, model, null);
            string file = Path.Combine(directory, name + ".optimizer.safetensors");
            Checkpoint.LoadOptimizer(optimizer, file);
            Checkpoint.LoadModel(model, Path.Combine(directory, name + ".model.safetensors"));
            string again = Path.Combine(directory, name + ".single.optimizer.safetensors");
            Checkpoint.SaveOptimizer(optimizer, again);
            if (!File.ReadAllBytes(again).AsSpan().SequenceEqual(File.ReadAllBytes(file)))
            {
                throw new CheckFailedException($"{name}: a single process loaded the checkpoint written by several ranks and saved it again, and the files differ.");
            }

            File.Delete(again);
        }
    }

    /// <summary>
    /// Bad input on every rank: exceptions naming the member or file, and nothing changed. A damaged checkpoint is
    /// rejected on every rank with the same error; a missing one on rank 0 with an IOException and on the others with a
    /// RankFailedException.
    /// </summary>
    public static void BadInput(ICommunicator c, string directory)
    {
        var model = new Net();
        Fill(model, 4);
        var optimizer = new Net.Adam(model, c.ShardOf(model));
        var parallel = new DataParallel<Net.Gradients>(optimizer, c);
        var gradients = new Net.Gradients(model);
        Fill(gradients, Seed(c.Rank, 0));
        parallel.Step(gradients);
        byte[] parameters = ParameterBytes(model), state = StateBytesOf(optimizer);

        ExpectThrows<ArgumentNullException>(c, () => parallel.Step(null!), "gradients", "Step(null)");
        gradients.B1 = new float[41];
        ExpectThrows<ArgumentException>(c, () => parallel.Step(gradients), "'B1'", "a gradient of the wrong shape");
        gradients.B1 = new float[40];
        float[] big = model.Big;
        model.Big = new float[10];
        ExpectThrows<InvalidOperationException>(c, () => parallel.Step(gradients), "'Big'", "a model array replaced by a shorter one");
        model.Big = big;

        string damaged = Path.Combine(directory, "damaged.safetensors");
        parallel.SaveOptimizer(damaged);
        if (c.Rank == 0)
        {
            byte[] bytes = File.ReadAllBytes(damaged);
            bytes[^3] ^= 0x40;
            File.WriteAllBytes(damaged, bytes);
        }

        c.Barrier();
        ExpectThrows<CheckpointException>(c, () => parallel.LoadOptimizer(damaged), "damaged.safetensors", "a damaged checkpoint");
        string missing = Path.Combine(directory, "missing.safetensors");
        if (c.Rank == 0)
        {
            ExpectThrows<IOException>(c, () => parallel.LoadOptimizer(missing), "missing.safetensors", "a missing checkpoint, on rank 0");
        }
        else
        {
            ExpectThrows<RankFailedException>(c, () => parallel.LoadOptimizer(missing), "missing.safetensors", "a missing checkpoint, on another rank");
        }

        Expect(c, ParameterBytes(model).AsSpan().SequenceEqual(parameters) && StateBytesOf(optimizer).AsSpan().SequenceEqual(state) && optimizer.StepCount == 1,
            "bad input changed the parameters, the state or the step count");

        // A rank whose model differs: every rank refuses, naming the member.
        var other = new Net();
        if (c.Rank == c.Size - 1)
        {
            other.B3 = new float[4];
        }

        if (c.Size > 1)
        {
            ExpectThrows<ArgumentException>(c, () => new DataParallel<Net.Gradients>(new Net.Adam(other), c), "'B3'", "a rank with another model");
        }

        // A shard made for another rank: every rank refuses.
        var mine = new Net();
        OptimizerShard wrong = OptimizerShard.Create(mine, (c.Rank + 1) % c.Size, c.Size);
        if (c.Size > 1)
        {
            ExpectThrows<ArgumentException>(c, () => new DataParallel<Net.Gradients>(new Net.Adam(mine, c.Rank == 0 ? wrong : c.ShardOf(mine)), c), "shard", "rank 0 with another rank's shard");
        }

        // A sharded optimizer cannot be saved on its own.
        ExpectThrows<InvalidOperationException>(c, () => Checkpoint.SaveOptimizer(optimizer, Path.Combine(directory, "never.safetensors")), "DataParallel", "Checkpoint.SaveOptimizer of a sharded optimizer");
        c.Barrier();
    }

    /// <summary>Trains Net from the same start on every rank, with gradients that differ by rank and step.</summary>
    public static (Net Model, DataParallel<Net.Gradients> Parallel) Train(ICommunicator c, string optimizer, bool sharded, int bucketBytes, int steps)
    {
        var model = new Net();
        Fill(model, 1);
        var parallel = new DataParallel<Net.Gradients>(CreateNet(optimizer, model, sharded ? c.ShardOf(model) : null), c, new DataParallelOptions { BucketBytes = bucketBytes });
        var gradients = new Net.Gradients(model);
        for (int step = 0; step < steps; step++)
        {
            Fill(gradients, Seed(c.Rank, step));
            parallel.Step(gradients);
        }

        return (model, parallel);
    }

    /// <summary>Compares parameter values; returns the largest difference relative to 1 + |expected| (0 must be exact).</summary>
    public static double Compare(ICommunicator c, string what, double[] actual, double[] expected, double tolerance)
    {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs(expected[i]));
            bool equal = tolerance == 0 ? BitConverter.DoubleToInt64Bits(actual[i]) == BitConverter.DoubleToInt64Bits(expected[i]) : difference <= tolerance;
            if (!equal || difference > worst)
            {
                (worst, at) = (equal ? difference : double.PositiveInfinity, i);
            }
        }

        Expect(c, !double.IsPositiveInfinity(worst), $"{what}: parameter {at} is {(at >= 0 ? actual[at] : 0)}, expected {(at >= 0 ? expected[at] : 0)} ({(tolerance == 0 ? "bit for bit" : "within " + tolerance)})");
        return worst;
    }

    public static ulong Seed(int rank, int step) => ((ulong)rank << 32) | (uint)step;

    /// <summary>Every element of every member from a counter hash of (seed, member, index), in [-1, 1).</summary>
    public static void Fill(ITrainable model, ulong seed)
    {
        for (int m = 0; m < model.ParameterCount; m++)
        {
            Fill(model.GetParameter(m), seed, m);
        }
    }

    public static void Fill(GradientsBase gradients, ulong seed)
    {
        for (int m = 0; m < gradients.MemberCount; m++)
        {
            Fill(gradients.GetMember(m), seed + 1000, m);
        }
    }

    public static double[] ParameterValues(ITrainable model)
    {
        var values = new List<double>();
        for (int m = 0; m < model.ParameterCount; m++)
        {
            TensorRef member = model.GetParameter(m);
            if (member.Element == TensorElement.Single)
            {
                foreach (float value in member.AsSingleSpan())
                {
                    values.Add(value);
                }
            }
            else
            {
                values.AddRange(member.AsDoubleSpan().ToArray());
            }
        }

        return values.ToArray();
    }

    public static byte[] ParameterBytes(ITrainable model)
    {
        var bytes = new List<byte>();
        for (int m = 0; m < model.ParameterCount; m++)
        {
            TensorRef member = model.GetParameter(m);
            bytes.AddRange(member.Element == TensorElement.Single ? MemoryMarshal.AsBytes(member.AsSingleSpan()).ToArray() : MemoryMarshal.AsBytes(member.AsDoubleSpan()).ToArray());
        }

        return bytes.ToArray();
    }

    public static void Expect(ICommunicator c, bool condition, string message)
    {
        if (!condition)
        {
            throw new CheckFailedException($"rank {c.Rank} of {c.Size}: {message}");
        }
    }

    private static void ExpectThrows<TException>(ICommunicator c, Action action, string named, string what)
        where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException exception)
        {
            Expect(c, exception.Message.Contains(named, StringComparison.Ordinal), $"{what}: {typeof(TException).Name} does not name {named}: {exception.Message}");
            return;
        }
        catch (Exception exception)
        {
            throw new CheckFailedException($"rank {c.Rank} of {c.Size}: {what}: expected {typeof(TException).Name}, got {exception.GetType().Name}: {exception.Message}");
        }

        throw new CheckFailedException($"rank {c.Rank} of {c.Size}: {what}: expected {typeof(TException).Name}, nothing was thrown");
    }

    private static byte[] StateBytesOf<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase
    {
        var bytes = new List<byte>();
        for (int i = 0; i < optimizer.StateCount; i++)
        {
            TensorRef buffer = optimizer.GetState(i).Buffer;
            bytes.AddRange(buffer.Element switch
            {
                TensorElement.Single => MemoryMarshal.AsBytes(buffer.AsSingleSpan()).ToArray(),
                TensorElement.Double => MemoryMarshal.AsBytes(buffer.AsDoubleSpan()).ToArray(),
                TensorElement.UInt8 => buffer.AsByteSpan().ToArray(),
                _ => MemoryMarshal.AsBytes(buffer.AsBitsSpan()).ToArray(),
            });
        }

        return bytes.ToArray();
    }

    private static void Fill(TensorRef tensor, ulong seed, int member)
    {
        ulong stream = (seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)member << 48);
        if (tensor.Element == TensorElement.Single)
        {
            Span<float> values = tensor.AsSingleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)Uniform(stream, i);
            }
        }
        else
        {
            Span<double> values = tensor.AsDoubleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Uniform(stream, i);
            }
        }
    }

    /// <summary>SplitMix64 of (stream, index) to a double in [-1, 1) with 24 significant bits (exact as a float).</summary>
    private static double Uniform(ulong stream, long index)
    {
        ulong z = stream + ((ulong)(index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((long)(z >> 40) - (1L << 23)) / (double)(1L << 23);
    }

    /// <summary>A batch of least-squares samples for a step: x uniform, y = x·W* + noise for a fixed W*.</summary>
    private static (float[,] X, float[,] Y) Batch(int step, int size)
    {
        var x = new float[size, Linear.Inputs];
        var y = new float[size, Linear.Outputs];
        for (int s = 0; s < size; s++)
        {
            for (int i = 0; i < Linear.Inputs; i++)
            {
                x[s, i] = (float)Uniform(0xBA7C400UL + (ulong)step, (s * Linear.Inputs) + i);
            }

            for (int o = 0; o < Linear.Outputs; o++)
            {
                double target = 0.1 * Uniform(0x7E57UL, o + 1_000_000);
                for (int i = 0; i < Linear.Inputs; i++)
                {
                    target += x[s, i] * Uniform(0xC0FFEEUL, (i * Linear.Outputs) + o);
                }

                y[s, o] = (float)(target + (0.01 * Uniform(0x4015EUL + (ulong)step, (s * Linear.Outputs) + o)));
            }
        }

        return (x, y);
    }

    /// <summary>
    /// The gradient of the mean over samples [first, first + count) of ½‖x·W + b − y‖², computed in double and rounded
    /// to float once per element: what a rank computes on its shard of the batch.
    /// </summary>
    private static void LeastSquaresGradient(Linear model, float[,] x, float[,] y, int first, int count, Linear.Gradients gradients)
    {
        var dw = new double[Linear.Inputs, Linear.Outputs];
        var db = new double[Linear.Outputs];
        for (int s = first; s < first + count; s++)
        {
            for (int o = 0; o < Linear.Outputs; o++)
            {
                double residual = model.B[o] - y[s, o];
                for (int i = 0; i < Linear.Inputs; i++)
                {
                    residual += x[s, i] * model.W[i, o];
                }

                db[o] += residual;
                for (int i = 0; i < Linear.Inputs; i++)
                {
                    dw[i, o] += residual * x[s, i];
                }
            }
        }

        for (int o = 0; o < Linear.Outputs; o++)
        {
            gradients.B[o] = (float)(db[o] / count);
            for (int i = 0; i < Linear.Inputs; i++)
            {
                gradients.W[i, o] = (float)(dw[i, o] / count);
            }
        }
    }
}
