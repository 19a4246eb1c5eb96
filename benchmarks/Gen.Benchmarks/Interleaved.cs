using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>
/// The rows that a ratio target compares, timed in turn in one process: for each placement every row
/// is made afresh (in shuffled order, with random padding between, so its arrays lie somewhere new),
/// then the rows take turns, a batch of steps each, for several rounds. A ratio is taken within one
/// placement, between rows timed milliseconds apart, so neither a drift of the machine's bandwidth
/// over minutes nor one unlucky placement of one row decides it; the spread over placements shows how
/// much placement alone moves it. BenchmarkDotNet times each row minutes apart from its roof.
/// </summary>
public static class Interleaved
{
    private static readonly RowKind[] Kinds =
    {
        RowKind.Generated, RowKind.GeneratedKernel, RowKind.FastKernel, RowKind.TensorPrimitives,
        RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst,
    };

    /// <summary>The ratios reported: a numerator row over the faster shape of a roof, or a peer over a row.</summary>
    private static readonly (string Label, Func<IReadOnlyDictionary<RowKind, double>, double> Ratio)[] Ratios =
    {
        ("kernel ÷ memory roof", t => t[RowKind.GeneratedKernel] / Faster(t, RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst)),
        ("kernel ÷ arithmetic roof", t => t[RowKind.GeneratedKernel] / Faster(t, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst)),
        ("Fast ÷ arithmetic roof", t => t[RowKind.FastKernel] / Faster(t, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst)),
        ("Fast ÷ memory roof", t => t[RowKind.FastKernel] / Faster(t, RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst)),
        ("TensorPrimitives ÷ `Step`", t => t[RowKind.TensorPrimitives] / t[RowKind.Generated]),
    };

    private static readonly HashSet<(RowKind, Config, Size)> s_warmed = new();

    private static double Faster(IReadOnlyDictionary<RowKind, double> times, RowKind a, RowKind b) => Math.Min(times[a], times[b]);

    /// <summary>Times every RMSProp configuration at <paramref name="sizes"/> and writes the Markdown section to <paramref name="path"/>.</summary>
    public static void Run(string path, IReadOnlyList<Size> sizes, int placements, int rounds, double batchMilliseconds)
    {
        var text = new StringBuilder();
        text.AppendLine("## Interleaved: the targets' ratios within one placement");
        text.AppendLine();
        text.AppendLine(Invariant($"Gen.Benchmarks `--interleaved`: for each of {placements} placement{(placements == 1 ? "" : "s")} every row below is made afresh (shuffled, with random padding between), ") +
            Invariant($"then the rows take turns, {rounds} rounds of a batch of about {batchMilliseconds:0.#} ms of steps each; a row's time in a placement is its median batch. ") +
            "Each ratio is taken within a placement and shown as the median over placements, with the lowest and highest. " +
            "A roof is the faster of its two loop shapes, as above.");
        text.AppendLine();
        text.Append("| Size | Configuration |");
        foreach (var ratio in Ratios)
        {
            text.Append(' ').Append(ratio.Label).Append(" |");
        }

        text.AppendLine();
        text.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---:|", Ratios.Length))).AppendLine();

        var random = new Random(20261206);
        foreach (Size size in sizes)
        {
            foreach (Config config in Workload.RmsPropConfigs)
            {
                var perPlacement = new List<double[]>();
                for (int placement = 0; placement < placements; placement++)
                {
                    IReadOnlyDictionary<RowKind, double> times = TimePlacement(config, size, rounds, batchMilliseconds, random);
                    double[] values = Ratios.Select(r => r.Ratio(times)).ToArray();
                    perPlacement.Add(values);
                    Console.WriteLine($"interleaved {size} {config} placement {placement}: " +
                        string.Join(", ", Kinds.Select(k => Invariant($"{k} {times[k]:0.#} ns"))) + " | " +
                        string.Join(", ", Ratios.Select((r, i) => Invariant($"{r.Label} {values[i]:0.00}"))));
                }

                text.Append("| ").Append(size).Append(" | ").Append(config).Append(" |");
                for (int r = 0; r < Ratios.Length; r++)
                {
                    double[] values = perPlacement.Select(v => v[r]).OrderBy(v => v).ToArray();
                    text.Append(Invariant($" {Median(values):0.00}× ({values[0]:0.00}–{values[^1]:0.00}) |"));
                }

                text.AppendLine();
            }
        }

        File.WriteAllText(path, text.ToString());
        Console.WriteLine($"wrote {path}");
    }

    private static IReadOnlyDictionary<RowKind, double> TimePlacement(Config config, Size size, int rounds, double batchMilliseconds, Random random)
    {
        // Fresh arrays for every row, made in a new order with garbage of random size between them.
        var padding = new List<byte[]>();
        var rows = new Dictionary<RowKind, IStepRow>();
        GC.Collect();
        foreach (RowKind kind in Kinds.OrderBy(_ => random.Next()))
        {
            padding.Add(new byte[random.Next(1, 64 * 1024)]);
            rows[kind] = Rows.Create(kind, config, size);
        }

        // Warm-up: the page faults of fresh state buffers, and (first placement) the JIT's tiers for the code that tiers.
        var steps = new Dictionary<RowKind, int>();
        foreach ((RowKind kind, IStepRow row) in rows)
        {
            if (!Plan.Dry && s_warmed.Add((kind, config, size)))
            {
                StepBenchmarks.WarmUntilTheJitIsIdle(row);
            }

            var clock = Stopwatch.StartNew();
            int count = 0;
            while (count < 3 || clock.Elapsed.TotalMilliseconds < 4 * batchMilliseconds)
            {
                row.Step();
                count++;
            }

            // Even steps per batch: the rows alternate gradients A and B.
            double perStep = clock.Elapsed.TotalMilliseconds / count;
            steps[kind] = 2 * Math.Max(1, (int)Math.Round(batchMilliseconds / perStep / 2));
        }

        var batches = Kinds.ToDictionary(k => k, _ => new List<double>());
        for (int round = 0; round < rounds; round++)
        {
            // Each round starts at a different row, so no row always follows the same one.
            for (int j = 0; j < Kinds.Length; j++)
            {
                RowKind kind = Kinds[(round + j) % Kinds.Length];
                IStepRow row = rows[kind];
                int n = steps[kind];
                long start = Stopwatch.GetTimestamp();
                for (int s = 0; s < n; s++)
                {
                    row.Step();
                }

                batches[kind].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / n);
            }
        }

        GC.KeepAlive(padding);
        return batches.ToDictionary(b => b.Key, b => Median(b.Value.OrderBy(v => v).ToArray()));
    }

    private static double Median(double[] sorted) => sorted.Length % 2 == 1
        ? sorted[sorted.Length / 2]
        : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
