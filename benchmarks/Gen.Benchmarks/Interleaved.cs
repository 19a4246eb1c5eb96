using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>
/// The rows that a ratio target compares, timed in turn in one process: for each placement every row is made afresh (in
/// shuffled order, with random padding between, so its arrays lie somewhere new), then the rows take turns, a batch of steps
/// each, for several rounds. A ratio is taken within one placement, between rows timed milliseconds apart, so neither a drift
/// of the machine's bandwidth over minutes nor one unlucky placement of one row decides it (BenchmarkDotNet times a row
/// minutes apart from its roof); the spread over placements shows how much placement alone moves it. Writes each placement's
/// row times; <see cref="Report"/> forms the ratios and judges the targets.
/// </summary>
public static class Interleaved
{
    /// <summary>The rows of the main interleaved run (interleaved.json).</summary>
    public static readonly RowKind[] AllKinds =
    {
        RowKind.Generated, RowKind.GeneratedKernel, RowKind.FastKernel, RowKind.PortableKernel, RowKind.TensorPrimitives,
        RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst,
    };

    /// <summary>
    /// The rows of the portable run (<c>--portable</c>, interleaved-portable.json), meant to run at 256 bits
    /// (<c>DOTNET_PreferredVectorBitWidth=256</c>): the Vector&lt;T&gt; kernel against the Vector256 kernel and the arithmetic roof.
    /// </summary>
    public static readonly RowKind[] PortableKinds =
    {
        RowKind.GeneratedKernel, RowKind.PortableKernel, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst,
    };

    /// <summary>The rows Adam runs in turn: its kernel and the roofs on its streams (the other rows are RMSProp's).</summary>
    private static readonly RowKind[] AdamKinds =
    {
        RowKind.GeneratedKernel, RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst,
    };

    /// <summary>The rows warmed until the JIT is idle, by name: only the first placement of each warms it.</summary>
    private static readonly HashSet<string> s_warmed = new();

    /// <summary>
    /// Times <paramref name="kinds"/> for every configuration of <paramref name="configs"/> at <paramref name="sizes"/> (Adam: the
    /// kinds it has, its kernel and the roofs) and writes the times to <paramref name="path"/> (JSON).
    /// </summary>
    public static void Run(string path, RowKind[] allKinds, IReadOnlyList<Config> configs, IReadOnlyList<Size> sizes, int placements, int rounds, double batchMilliseconds)
    {
        var cases = new List<object>();
        var random = new Random(20261206);
        foreach (Size size in sizes)
        {
            foreach (Config config in configs)
            {
                RowKind[] kinds = Workload.IsRmsProp(config) ? allKinds : allKinds.Intersect(AdamKinds).ToArray();
                var perPlacement = new List<Dictionary<string, double>>();
                for (int placement = 0; placement < placements; placement++)
                {
                    IReadOnlyDictionary<RowKind, double> times = TimePlacement(kinds, kind => Rows.Create(kind, config, size), $"{config}/{size}", rounds, batchMilliseconds, random);
                    perPlacement.Add(kinds.ToDictionary(k => k.ToString(), k => times[k]));
                    Console.WriteLine($"interleaved {size} {config} placement {placement}: " +
                        string.Join(", ", kinds.Select(k => Invariant($"{k} {times[k]:0.#} ns"))));
                }

                cases.Add(new { Size = size.ToString(), Config = config.ToString(), NanosecondsPerStep = perPlacement });
            }
        }

        var simd = new { Vector512 = Vector512.IsHardwareAccelerated, Vector256 = Vector256.IsHardwareAccelerated, VectorTBits = Vector<byte>.Count * 8 };
        var document = new { Placements = placements, Rounds = rounds, BatchMilliseconds = batchMilliseconds, Simd = simd, Cases = cases };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
    }

    /// <summary>
    /// One placement of <paramref name="kinds"/>: each row made afresh by <paramref name="create"/>, then timed in turn for
    /// <paramref name="rounds"/> rounds of batches of about <paramref name="batchMilliseconds"/>; the median nanoseconds per step of
    /// each row. <paramref name="scope"/> names the case, so that each row of each case warms the JIT once.
    /// </summary>
    internal static IReadOnlyDictionary<TKind, double> TimePlacement<TKind>(IReadOnlyList<TKind> kinds, Func<TKind, IStepRow> create, string scope, int rounds, double batchMilliseconds, Random random)
        where TKind : notnull
    {
        // Fresh arrays for every row, made in a new order with garbage of random size between them.
        var padding = new List<byte[]>();
        var rows = new Dictionary<TKind, IStepRow>();
        GC.Collect();
        foreach (TKind kind in kinds.OrderBy(_ => random.Next()))
        {
            padding.Add(new byte[random.Next(1, 64 * 1024)]);
            rows[kind] = create(kind);
        }

        // Warm-up: the page faults of fresh state buffers, and (first placement) the JIT's tiers for the code that tiers.
        var steps = new Dictionary<TKind, int>();
        foreach ((TKind kind, IStepRow row) in rows)
        {
            if (!Plan.Dry && s_warmed.Add(kind + "/" + scope))
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

        var batches = kinds.ToDictionary(k => k, _ => new List<double>());
        for (int round = 0; round < rounds; round++)
        {
            // Each round starts at a different row, so no row always follows the same one.
            for (int j = 0; j < kinds.Count; j++)
            {
                TKind kind = kinds[(round + j) % kinds.Count];
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

    /// <summary>The median of sorted values.</summary>
    internal static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
