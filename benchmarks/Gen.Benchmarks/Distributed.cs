using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gen.Distributed;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>The model of the distributed step rows: one flat member, Adam with PyTorch's defaults.</summary>
[Adam]
public sealed partial class DistributedModel
{
    public float[] P = Array.Empty<float>();
}

/// <summary>
/// Gen.Distributed's benchmarks, run under mpirun by benchmarks/distributed/run.sh (benchmarks/README.md, "Distributed"):
/// <list type="bullet">
/// <item><c>--distributed allreduce</c>: <see cref="MpiCommunicator.AllReduce(Span{float}, ReduceOperation)"/> from 4 KB to
/// 256 MB, timed exactly as benchmarks/distributed/allreduce.c times the same MPI call from C; rank 0 appends one JSON
/// line per size to allreduce.jsonl, beside the C program's.</item>
/// <item><c>--distributed step</c>: at 16M parameters, timed in turn round after round: the all-reduce of the gradients,
/// the optimizer's own step on every rank at once and on rank 0 alone, and <see cref="DataParallel{TGradients}.Step(TGradients)"/>
/// plain and sharded; and the optimizer state each rank keeps. Writes distributed.json.</item>
/// </list>
/// A time is the slowest rank's (the ranks wait for each other in a collective), each repetition started after a barrier.
/// </summary>
public static class Distributed
{
    /// <summary>The rows of <c>--distributed step</c>, in distributed.json.</summary>
    public static readonly string[] StepRows = { "AllReduce", "StepEveryRank", "StepOneRank", "DataParallel", "DataParallelSharded" };

    public static int Run(string mode, string artifacts, bool dry, string command) => MpiCommunicator.Run(world => mode switch
    {
        "allreduce" => AllReduce(world, artifacts, dry),
        "step" => Step(world, artifacts, dry, command),
        _ => throw new ArgumentException($"--distributed {mode}: expected allreduce or step."),
    });

    /// <summary>Warm-up calls and timed repetitions for a message of <paramref name="bytes"/>: the C program's.</summary>
    public static (int Warmup, int Repetitions) Repetitions(long bytes, bool dry) =>
        dry ? (1, 3) : bytes >= (64 << 20) ? (3, 10) : bytes >= (1 << 20) ? (5, 30) : (50, 300);

    private static int AllReduce(MpiCommunicator world, string artifacts, bool dry)
    {
        long largest = dry ? 64L << 10 : 256L << 20;
        var buffer = new float[largest / sizeof(float)];
        var times = new double[1000];
        var elapsed = new double[1];
        var lines = new List<string>();
        for (long bytes = 4 << 10; bytes <= largest; bytes *= 4)
        {
            int count = (int)(bytes / sizeof(float));
            (int warmup, int repetitions) = Repetitions(bytes, dry);
            for (int i = 0; i < count; i++)
            {
                buffer[i] = (i % 1000) * 1e-3f;
            }

            Span<float> values = buffer.AsSpan(0, count);
            for (int i = 0; i < warmup + repetitions; i++)
            {
                world.Barrier();
                long start = Stopwatch.GetTimestamp();
                world.AllReduce(values, ReduceOperation.Sum);
                elapsed[0] = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
                world.AllReduce(elapsed, ReduceOperation.Max);
                if (i >= warmup)
                {
                    times[i - warmup] = elapsed[0];
                }
            }

            Array.Sort(times, 0, repetitions);
            lines.Add(Invariant($"{{\"Implementation\": \"Gen.Distributed\", \"Ranks\": {world.Size}, \"Bytes\": {bytes}, \"Repetitions\": {repetitions}, \"MedianSeconds\": {times[repetitions / 2]:E9}, \"MinSeconds\": {times[0]:E9}}}"));
        }

        if (world.Rank == 0)
        {
            File.AppendAllLines(Path.Combine(artifacts, "allreduce.jsonl"), lines);
            lines.ForEach(Console.WriteLine);
        }

        return 0;
    }

    private static int Step(MpiCommunicator world, string artifacts, bool dry, string command)
    {
        DateTime started = DateTime.UtcNow;
        string loadBefore = LoadAverage();
        int parameters = dry ? 1 << 16 : 1 << 24;
        (int warmup, int rounds) = dry ? (1, 3) : (3, 15);
        var random = new Random(20261208);
        var model = new DistributedModel { P = new float[parameters] };
        var template = new float[parameters];
        for (int i = 0; i < parameters; i++)
        {
            model.P[i] = (float)((random.NextDouble() * 2) - 1);
            template[i] = (float)(((random.NextDouble() * 2) - 1) * 1e-2);
        }

        var gradients = new DistributedModel.Gradients(model);
        var optimizer = new DistributedModel.AdamOptimizer(model);
        var plain = new DataParallel<DistributedModel.Gradients>(optimizer, world);
        var shardedOptimizer = new DistributedModel.AdamOptimizer(model, world.ShardOf(model));
        var sharded = new DataParallel<DistributedModel.Gradients>(shardedOptimizer, world);
        var rows = new Dictionary<string, Action>
        {
            ["AllReduce"] = () => world.AllReduce(gradients.P, ReduceOperation.Sum),
            ["StepEveryRank"] = () => optimizer.Step(gradients),
            ["StepOneRank"] = () =>
            {
                if (world.Rank == 0)
                {
                    optimizer.Step(gradients);
                }
            },
            ["DataParallel"] = () => plain.Step(gradients),
            ["DataParallelSharded"] = () => sharded.Step(gradients),
        };

        var times = StepRows.ToDictionary(r => r, _ => new List<double>());
        var elapsed = new double[1];
        for (int round = 0; round < warmup + rounds; round++)
        {
            // Each round starts at another row, so no row always follows the same one.
            for (int k = 0; k < StepRows.Length; k++)
            {
                string row = StepRows[(round + k) % StepRows.Length];
                template.CopyTo(gradients.P, 0);
                world.Barrier();
                long start = Stopwatch.GetTimestamp();
                rows[row]();
                elapsed[0] = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
                world.AllReduce(elapsed, ReduceOperation.Max);
                if (round >= warmup)
                {
                    times[row].Add(elapsed[0]);
                }
            }
        }

        var perRank = new long[world.Size];
        perRank[world.Rank] = shardedOptimizer.StateBytes;
        world.AllReduce(perRank, ReduceOperation.Sum);
        if (world.Rank == 0)
        {
            var result = new
            {
                Command = command,
                Started = started,
                Ended = DateTime.UtcNow,
                LoadAverageBefore = loadBefore,
                LoadAverageAfter = LoadAverage(),
                Ranks = world.Size,
                Parameters = parameters,
                Rounds = rounds,
                GradientBytes = plain.GradientBytes,
                StateBytesOneProcess = optimizer.StateBytes,
                StateBytesPerRank = perRank,
                Seconds = times,
            };
            File.WriteAllText(Path.Combine(artifacts, "distributed.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            foreach (string row in StepRows)
            {
                List<double> sorted = times[row].OrderBy(t => t).ToList();
                Console.WriteLine(Invariant($"{row}: median {sorted[sorted.Count / 2] * 1e3:0.00} ms ({sorted[0] * 1e3:0.00}–{sorted[^1] * 1e3:0.00})"));
            }
        }

        return 0;
    }

    /// <summary>The machine's load average (1, 5, 15 minutes), which says how busy it was.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
