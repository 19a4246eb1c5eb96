using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>
/// The section of RESULTS.md for Muon's matrix work: matrix.json (<see cref="Matrix"/>) beside PyTorch's <c>torch.mm</c>
/// (benchmarks/peers/torch_matmul.py: torch-matmul.json with the BLAS Debian's torch loads, torch-matmul-openblas.json with
/// OpenBLAS). <see cref="Report"/> writes it in a full report; benchmarks/run-matrix.sh runs the rows alone and
/// <see cref="Splice"/> puts the section into an existing RESULTS.md in place of its old one.
/// </summary>
public static class MatrixReport
{
    public const string Heading = "## Matrix products for Muon (`--matrix`)";

    private static readonly (string Row, string Label)[] Products =
    {
        ("Gram", "X·Xᵀ"), ("GramSquare", "A·A"), ("Apply", "B·X"),
    };

    /// <summary>The section, or null when <paramref name="artifacts"/> has no matrix.json.</summary>
    public static string? Section(string artifacts, string cpu)
    {
        if (Read(Path.Combine(artifacts, "matrix.json")) is not { } gen)
        {
            return null;
        }

        JsonNode[] peers = new[] { "torch-matmul.json", "torch-matmul-openblas.json" }.Select(f => Read(Path.Combine(artifacts, f))).OfType<JsonNode>().ToArray();
        var md = new StringBuilder();
        void W(string text) => md.Append(text).Append('\n');

        W(Heading + "\n");
        W(Invariant($"Run on its own: `{gen["Command"]}`, {(DateTime)gen["Started"]!:yyyy-MM-dd HH:mm}–{(DateTime)gen["Ended"]!:HH:mm} UTC, on {cpu}. ")
            + Invariant($"Load average (1, 5, 15 min) {gen["LoadAverageBefore"]} before and {gen["LoadAverageAfter"]} after, on {gen["ProcessorCount"]} logical cores")
            + (IsLoaded(gen) ? ": **the machine was shared with other work**, so every figure here is from a loaded machine and the ratios matter more than the times. " : ". ")
            + Invariant($"One thread. Gen: {gen["Placements"]} placements of {gen["Rounds"]} rounds timed in turn, median (lowest–highest over placements). ")
            + "PyTorch 1.13 (Debian's python3-torch): `torch.mm` on one thread (`torch.set_num_threads(1)`), median of its calls; "
            + "its BLAS is whatever `libblas.so.3` resolves to, named below with the library the process mapped.\n");
        foreach (JsonNode peer in peers)
        {
            string load = Invariant($"load average {peer["load_average_before"]} before, {peer["load_average_after"]} after");
            W(Invariant($"- PyTorch with **{peer["label"]}**: {string.Join(", ", peer["blas"]!.AsArray().Select(p => "`" + p + "`"))}")
                + ((string?)peer["ld_library_path"] is { Length: > 0 } path ? Invariant($" (`LD_LIBRARY_PATH={path}`, `OPENBLAS_NUM_THREADS={peer["openblas_num_threads"]}`)") : string.Empty)
                + Invariant($"; {peer["started"]}–{peer["ended"]}, {load}; mode {peer["mode"]}."));
        }

        W("");
        W("For an m × n member (m ≤ n; a taller one is transposed), one Newton–Schulz iteration is X·Xᵀ (m × m, depth n), A·A (m × m, depth m) "
            + "and B·X (m × n, depth m), timed as plain products C = op(A)·op(B), which is what `torch.mm` computes and PyTorch's Muon calls (`@`). "
            + "GFLOP/s counts a multiply-add as two operations.\n");
        bool inTurn = gen["OpenBlas"] is not null;
        if (inTurn)
        {
            W("The processes above ran minutes apart on a machine whose load moved meanwhile, so their ratios carry that drift. The column \"OpenBLAS in turn\" is "
                + Invariant($"OpenBLAS's `cblas_sgemm` called from the .NET process (`{gen["OpenBlas"]}`, `openblas_set_num_threads(1)`) on the same products, timed in turn with Gen's ")
                + "in the same placements and rounds: its ratio, the median of the per-placement ratios, is the comparison under one load.\n");
        }

        string peerHeaders = string.Concat(peers.Select(p => $" PyTorch, {p["label"]}: ms (GFLOP/s) |"));
        string ratioHeaders = string.Concat(peers.Select(p => $" Gen's speed-up over {p["label"]} |"));
        string inTurnHeaders = inTurn ? " OpenBLAS in turn: ms (GFLOP/s) | Gen's speed-up over OpenBLAS, in turn |" : string.Empty;
        W("| Member | Product | Gen: ms (GFLOP/s) |" + peerHeaders + ratioHeaders + inTurnHeaders);
        W("|---|---|---:|" + string.Concat(peers.Select(_ => "---:|")) + string.Concat(peers.Select(_ => "---:|")) + (inTurn ? "---:|---:|" : string.Empty));
        foreach (JsonNode? c in gen["Cases"]!.AsArray())
        {
            int rows = (int)c!["Rows"]!, columns = (int)c["Columns"]!;
            foreach ((string row, string label) in Products)
            {
                W(Line(c, rows, columns, row, label, peers));
            }
        }

        W("");
        W("The whole orthogonalization (five iterations with PyTorch's coefficients, the Frobenius normalization, the transposes; PyTorch: its "
            + "`_zeropower_via_newtonschulz` in float32, as Gen runs it, where PyTorch 2.9 casts to bfloat16), and a whole `Step` of the generated "
            + "[Muon] and [AdamW] (PyTorch's defaults) on one member of that shape: what the orthogonalization adds to an element-wise step.\n");
        W("| Member | Orthogonalization, Gen: ms (GFLOP/s) |" + string.Concat(peers.Select(p => $" PyTorch, {p["label"]}: ms (GFLOP/s) |"))
            + " [Muon] `Step`: ms | [AdamW] `Step`: ms | Muon ÷ AdamW |");
        W("|---|---:|" + string.Concat(peers.Select(_ => "---:|")) + "---:|---:|---:|");
        foreach (JsonNode? c in gen["Cases"]!.AsArray())
        {
            int rows = (int)c!["Rows"]!, columns = (int)c["Columns"]!;
            (double muon, _, _) = Median(c, "MuonStep");
            (double adamW, _, _) = Median(c, "AdamWStep");
            W(Invariant($"| {rows} × {columns} | {Cell(c, "NewtonSchulz", rows, columns)} |")
                + string.Concat(peers.Select(p => " " + PeerCell(p, rows, columns, "NewtonSchulz") + " |"))
                + Invariant($" {muon / 1e6:0.00} | {adamW / 1e6:0.000} | {muon / adamW:0}× |"));
        }

        W("");
        return md.ToString();
    }

    /// <summary>Replaces the section in <paramref name="output"/> (or inserts it before the Mono, PyTorch or BenchmarkDotNet section), leaving the rest as it is.</summary>
    public static int Splice(string artifacts, string output, string cpu)
    {
        string section = Section(artifacts, cpu) ?? throw new InvalidOperationException($"{artifacts} has no matrix.json: run --matrix first.");
        string text = File.Exists(output) ? File.ReadAllText(output) : "# Benchmark results\n\n";
        int start = text.IndexOf(Heading, StringComparison.Ordinal);
        if (start >= 0)
        {
            int end = text.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
            text = text.Substring(0, start) + section + (end < 0 ? string.Empty : text.Substring(end + 1));
        }
        else
        {
            int at = new[] { "\n## Mono", "\n## PyTorch", "\n## BenchmarkDotNet" }.Select(h => text.IndexOf(h, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(text.Length).Min();
            text = text.Substring(0, at).TrimEnd('\n') + "\n\n" + section + (at < text.Length ? text.Substring(at + 1) : string.Empty);
        }

        File.WriteAllText(output, text);
        Console.WriteLine($"wrote the matrix section of {output}");
        return 0;
    }

    /// <summary>A load average above the core count, at the start or the end of the run.</summary>
    private static bool IsLoaded(JsonNode gen) =>
        new[] { (string?)gen["LoadAverageBefore"], (string?)gen["LoadAverageAfter"] }
            .Any(l => l is not null && double.TryParse(l.Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double one) && one > (int)gen["ProcessorCount"]!);

    private static string Line(JsonNode c, int rows, int columns, string row, string label, JsonNode[] peers)
    {
        int m = Math.Min(rows, columns), n = Math.Max(rows, columns);
        string shape = row switch { "Gram" => Invariant($"{m} × {m}, depth {n}"), "GramSquare" => Invariant($"{m} × {m}, depth {m}"), _ => Invariant($"{m} × {n}, depth {m}") };
        (double gen, _, _) = Median(c, row);
        string inTurn = string.Empty;
        if (c["NanosecondsPerStep"]![0]![("OpenBlas" + row)] is not null)
        {
            double[] ratios = c["NanosecondsPerStep"]!.AsArray().Select(p => (double)p![("OpenBlas" + row)]! / (double)p[row]!).OrderBy(v => v).ToArray();
            inTurn = Invariant($" {Cell(c, "OpenBlas" + row, rows, columns)} | {Interleaved.Median(ratios):0.00}× ({ratios[0]:0.00}–{ratios[^1]:0.00}) |");
        }

        return Invariant($"| {rows} × {columns} | {label} ({shape}) | {Cell(c, row, rows, columns)} |")
            + string.Concat(peers.Select(p => " " + PeerCell(p, rows, columns, row) + " |"))
            + string.Concat(peers.Select(p => PeerNs(p, rows, columns, row) is { } ns ? Invariant($" {ns / gen:0.0}× |") : " — |"))
            + inTurn;
    }

    private static string Cell(JsonNode c, string row, int rows, int columns)
    {
        (double median, double low, double high) = Median(c, row);
        return Invariant($"{median / 1e6:0.000} ({Matrix.Flops(row, rows, columns) / median:0.0}; {low / 1e6:0.000}–{high / 1e6:0.000} ms)");
    }

    private static string PeerCell(JsonNode peer, int rows, int columns, string row) =>
        PeerNs(peer, rows, columns, row) is { } ns ? Invariant($"{ns / 1e6:0.000} ({Matrix.Flops(row, rows, columns) / ns:0.0})") : "—";

    private static double? PeerNs(JsonNode peer, int rows, int columns, string row) => peer["results"]!.AsArray()
        .Where(r => (int)r!["rows"]! == Math.Min(rows, columns) && (int)r["columns"]! == Math.Max(rows, columns) && (string)r["row"]! == row)
        .Select(r => (double?)r!["median_ns"])
        .FirstOrDefault();

    /// <summary>The row's median over placements, and the lowest and highest placement.</summary>
    private static (double Median, double Low, double High) Median(JsonNode c, string row)
    {
        double[] times = c["NanosecondsPerStep"]!.AsArray().Select(p => (double)p![row]!).OrderBy(v => v).ToArray();
        return (Interleaved.Median(times), times[0], times[^1]);
    }

    private static JsonNode? Read(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
}
