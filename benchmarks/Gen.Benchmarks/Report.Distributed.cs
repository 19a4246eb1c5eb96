using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>The distributed section of RESULTS.md: benchmarks/distributed/run.sh's allreduce.jsonl and distributed.json.</summary>
public sealed partial class Report
{
    /// <summary>The all-reduce of Gen.Distributed must be within this factor of the same call from C at 1 MB and more.</summary>
    private const double AllReduceLimit = 1.05;

    /// <summary>A DataParallel step must take at most this factor of (all-reduce + the optimizer's own step).</summary>
    private const double DataParallelLimit = 1.05;

    /// <summary>
    /// Only the distributed section, from a distributed run alone (<c>--report-distributed</c>): for RESULTS.md between two
    /// full runs, where <see cref="Write"/> puts it (after the lean-memory section).
    /// </summary>
    public static int WriteDistributed(string artifacts, string output)
    {
        var md = new StringBuilder();
        Distributed(md, JsonNode.Parse(File.ReadAllText(Path.Combine(artifacts, "distributed.json")))!, Path.Combine(artifacts, "allreduce.jsonl"));
        File.WriteAllText(output, md.ToString());
        Console.WriteLine($"wrote {output}");
        return 0;
    }

    private void Distributed(JsonNode run, string allReducePath) => Distributed(_md, run, allReducePath);

    private static void Distributed(StringBuilder md, JsonNode run, string allReducePath)
    {
        void W(string text) => md.Append(text).Append('\n');

        int ranks = (int)run["Ranks"]!;
        int parameters = (int)run["Parameters"]!;
        long gradientBytes = (long)run["GradientBytes"]!;
        W("## Distributed: Open MPI, 2 ranks on this machine (`benchmarks/distributed/run.sh`)\n");
        W(Invariant($"Run on its own: `{run["Command"]}`, ended {(DateTime)run["Ended"]!:yyyy-MM-dd HH:mm} UTC (the all-reduce runs first, the step rows from {(DateTime)run["Started"]!:HH:mm}), CPU {Cpu()}, ")
            + Invariant($"Open MPI 4.1 (`libmpi.so.40`), `mpirun -np {ranks} --mca btl self,vader,tcp --mca btl_tcp_if_include lo`. Load average (1, 5, 15 minutes) before and after the step rows: {run["LoadAverageBefore"]} / {run["LoadAverageAfter"]}. ")
            + "**Two ranks on two cores of one VM exchange data through shared memory (Open MPI's `vader` transport): these figures measure memory copies "
            + "and the two cores' shared memory bandwidth, not a network.** A time is the slowest rank's, each repetition started after a barrier; medians.\n");
        double load = new[] { (string?)run["LoadAverageBefore"], (string?)run["LoadAverageAfter"] }
            .Select(l => double.TryParse(l?.Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : 0).Max();
        if (load > Environment.ProcessorCount)
        {
            W(Invariant($"> **The machine was busy: a load average of {load:0} on {Environment.ProcessorCount} cores.** Other processes held the cores most of the time, and ")
                + "MPI's ranks wait for each other by polling, so every time below is mostly time spent waiting for a core, and the ratios compare two such waits. "
                + "These figures do not measure Gen.Distributed's overhead; judge the targets on a run on a quiet machine.\n");
        }

        // The all-reduce: C and Gen.Distributed, each the median of its runs' medians per size.
        var lines = File.Exists(allReducePath)
            ? File.ReadAllLines(allReducePath).Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList()
            : new List<JsonNode>();
        var sizes = lines.Select(l => (long)l["Bytes"]!).Distinct().OrderBy(b => b).ToList();
        double? Median(string implementation, long bytes)
        {
            double[] runs = lines.Where(l => (string)l["Implementation"]! == implementation && (long)l["Bytes"]! == bytes).Select(l => (double)l["MedianSeconds"]!).OrderBy(v => v).ToArray();
            return runs.Length == 0 ? null : runs.Length % 2 == 1 ? runs[runs.Length / 2] : (runs[(runs.Length / 2) - 1] + runs[runs.Length / 2]) / 2;
        }

        int runsEach = lines.Count(l => (string)l["Implementation"]! == "C" && (long)l["Bytes"]! == sizes.FirstOrDefault());
        W(Invariant($"**All-reduce** (`MPI_Allreduce`, float sum, in place), from C (`benchmarks/distributed/allreduce.c`, built with `mpicc -O2`) and through `MpiCommunicator.AllReduce`, timed the same way: ")
            + Invariant($"{runsEach} runs of each, alternating, each run's median over its repetitions (300 up to 256 KB, 30 up to 16 MB, 10 above), and here the median of the runs. ")
            + "Bandwidth is the message size over the time (an all-reduce of 2 ranks moves about that much each way).\n");
        W("| Size | C: ms | C: GB/s | Gen.Distributed: ms | GB/s | Gen ÷ C |\n|---:|---:|---:|---:|---:|---:|");
        var ratios = new List<(long Bytes, double Ratio)>();
        foreach (long bytes in sizes)
        {
            double? c = Median("C", bytes), gen = Median("Gen.Distributed", bytes);
            if (c is null || gen is null)
            {
                continue;
            }

            ratios.Add((bytes, gen.Value / c.Value));
            W(Invariant($"| {MessageSize(bytes)} | {c * 1e3:0.000} | {bytes / c / 1e9:0.00} | {gen * 1e3:0.000} | {bytes / gen / 1e9:0.00} | {gen / c:0.00}× |"));
        }

        // The 16M step rows, timed in turn round after round.
        JsonNode seconds = run["Seconds"]!;
        double[] Times(string row) => seconds[row]!.AsArray().Select(v => (double)v!).ToArray();
        (double Median, double Low, double High) Stats(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return (Interleaved.Median(sorted), sorted[0], sorted[^1]);
        }

        int rounds = (int)run["Rounds"]!;
        W("");
        W(Invariant($"**A step at {parameters:N0} parameters** (one float member, Adam with PyTorch's defaults, the default `NonFinitePolicy.Throw`), {rounds} rounds; ")
            + "in each round every row runs once, from the same gradients, starting at another row each round.\n");
        W("| Row | What it times | ms (median, lowest–highest) |\n|---|---|---:|");
        var rows = new (string Row, string What)[]
        {
            ("AllReduce", Invariant($"`MpiCommunicator.AllReduce` of the {gradientBytes / 1048576.0:0} MiB of gradients")),
            ("StepEveryRank", "`optimizer.Step` on both ranks at once (no communication): each rank's own update, sharing the memory bandwidth as in a data-parallel step"),
            ("StepOneRank", "the same on rank 0 alone"),
            ("DataParallel", "`DataParallel.Step`: the all-reduce (in buckets of 4 MiB), then the step with the gradients × 1/2"),
            ("DataParallelSharded", "`DataParallel.Step` with ZeRO stage 1: reduce-scatter, the step of each rank's half, all-gather of the parameters"),
        };
        foreach ((string row, string what) in rows)
        {
            (double median, double low, double high) = Stats(Times(row));
            W(Invariant($"| {row} | {what} | {median * 1e3:0.00} ({low * 1e3:0.00}–{high * 1e3:0.00}) |"));
        }

        double[] perRound = Enumerable.Range(0, rounds).Select(i => Times("DataParallel")[i] / (Times("AllReduce")[i] + Times("StepEveryRank")[i])).ToArray();
        (double Median, double Low, double High) stepRatio = Stats(perRound);
        long single = (long)run["StateBytesOneProcess"]!;
        long[] perRank = run["StateBytesPerRank"]!.AsArray().Select(v => (long)v!).ToArray();

        W("");
        W("| Target | Measured | Met |\n|---|---:|:---:|");
        foreach ((long bytes, double ratio) in ratios.Where(r => r.Bytes >= 1 << 20))
        {
            W(Invariant($"| All-reduce {MessageSize(bytes)}: Gen.Distributed within 5 % of C (≤ {AllReduceLimit:0.00}×) | {ratio:0.00}× | {Met(ratio <= AllReduceLimit)} |"));
        }

        W(Invariant($"| DataParallel step, {ranks} ranks, {parameters / 1048576.0:0}M parameters ≤ {DataParallelLimit:0.00} × (all-reduce + step on every rank), per round | {Format(stepRatio)} | {Met(stepRatio.Median <= DataParallelLimit)} |"));
        W(Invariant($"| ZeRO-1 optimizer state bytes per rank = 1/{ranks} of one process's ({single:N0} B) | {string.Join(" and ", perRank.Select(b => b.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} B | {Met(perRank.Sum() == single && perRank.All(b => Math.Abs(b - ((double)single / ranks)) <= 2 * 4 * OptimizerShard.Alignment))} |"));
        W("");
        W("These targets are judged on their own limits (no 5 % allowance on top).\n");

        // What the bytes mean on a network.
        double mb = gradientBytes / 1e6;
        W(Invariant($"**On a real network.** A step of this model combines {gradientBytes:N0} bytes of gradients ({mb:0} MB). Open MPI's large all-reduce (reduce-scatter then all-gather, ring-style) sends and receives about 2·(N−1)/N of that per rank per step, ")
            + Invariant($"{mb:0} MB at 2 ranks and approaching {2 * mb:0} MB as N grows; ZeRO stage 1 moves the same bytes (a reduce-scatter of the gradients, an all-gather of the parameters). ")
            + Invariant($"At a link's full rate that is at least {mb * 8 / 10e3 * 1e3:0} ms per step on 10 Gb/s Ethernet, {mb * 8 / 25e3 * 1e3:0} ms on 25 Gb/s and {mb * 8 / 100e3 * 1e3:0.0} ms on 100 Gb/s (InfiniBand or RoCE), ")
            + Invariant($"against the optimizer's own step above ({Stats(Times("StepEveryRank")).Median * 1e3:0.0} ms): across machines the exchange, not the update, sets the pace unless the link is 100 Gb/s or faster, ")
            + "or the model's compute per step (forward and backward, which this benchmark does not run) is long enough to hide it. "
            + Invariant($"Here the all-reduce took {Stats(Times("AllReduce")).Median * 1e3:0.0} ms, which a link of about {gradientBytes * 8 / Stats(Times("AllReduce")).Median / 1e9:0} Gb/s would match at its full rate; ")
            + "the ratios above are the binding's and DataParallel's own overhead over MPI, not a forecast of a cluster.\n");
    }

    private static string MessageSize(long bytes) => bytes >= 1 << 20 ? Invariant($"{bytes >> 20} MB") : Invariant($"{bytes >> 10} KB");
}
