using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Gen.__Internals;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>
/// Muon's matrix work on one thread (<c>--matrix</c>), for matrix members of the shapes in <see cref="Shapes"/>: the three
/// products of one Newton–Schulz iteration (<see cref="Gemm"/>; the same products PyTorch's <c>torch.mm</c> times in
/// benchmarks/peers/torch_matmul.py), the whole five-iteration orthogonalization, and a [Muon] step against an [AdamW] step
/// on the same member (what the orthogonalization adds to an element-wise step). Rows are timed in turn
/// (<see cref="Interleaved.TimePlacement"/>); writes matrix.json, from which <see cref="Report"/> writes its section.
/// </summary>
/// <remarks>
/// For an <c>m × n</c> member (m ≤ n; a taller one is transposed), the iteration's products are <c>A = X·Xᵀ</c>
/// (m × m, depth n), <c>A·A</c> (m × m, depth m) and <c>B·X</c> (m × n, depth m). They are timed as plain products
/// (<c>C = A·B</c>, β = 0), which is what <c>torch.mm</c> computes and what PyTorch's Muon calls (<c>@</c>; its
/// <c>use_addmm</c> option fuses the scaled additions, which the rows <see cref="NewtonSchulzRow"/> include).
/// </remarks>
public static class Matrix
{
    /// <summary>
    /// The products of one iteration, then the whole orthogonalization and the two steps, each a name in matrix.json; with
    /// OpenBLAS loaded (<see cref="OpenBlas"/>), its <c>cblas_sgemm</c> on the same three products, timed in turn with Gen's
    /// in this process, so that the two are compared under the same load.
    /// </summary>
    public static string[] Rows => OpenBlas.Sgemm is null ? GenRows : GenRows.Concat(OpenBlasRows).ToArray();

    private static readonly string[] GenRows = { "Gram", "GramSquare", "Apply", "NewtonSchulz", "MuonStep", "AdamWStep" };

    private static readonly string[] OpenBlasRows = { "OpenBlasGram", "OpenBlasGramSquare", "OpenBlasApply" };

    /// <summary>The members timed: a 256 × 1024 projection, a 512 × 512 and a 1024 × 1024 square (the dry run: small ones).</summary>
    public static (int Rows, int Columns)[] Shapes => Plan.Dry ? new[] { (16, 64), (32, 32) } : new[] { (256, 1024), (512, 512), (1024, 1024) };

    /// <summary>Floating-point operations of a row for a <c>rows × columns</c> member (a multiply-add is two).</summary>
    public static double Flops(string row, int rows, int columns)
    {
        double m = Math.Min(rows, columns), n = Math.Max(rows, columns);
        return row switch
        {
            "Gram" or "Apply" or "OpenBlasGram" or "OpenBlasApply" => 2 * m * m * n,
            "GramSquare" or "OpenBlasGramSquare" => 2 * m * m * m,
            "NewtonSchulz" or "MuonStep" => 5 * ((4 * m * m * n) + (2 * m * m * m)),
            _ => 0,
        };
    }

    public static void Run(string path, int placements, int rounds, double batchMilliseconds, string command)
    {
        DateTime started = DateTime.UtcNow;
        string loadBefore = LoadAverage();
        var random = new Random(20261207);
        var cases = new List<object>();
        foreach ((int rows, int columns) in Shapes)
        {
            var perPlacement = new List<Dictionary<string, double>>();
            for (int placement = 0; placement < placements; placement++)
            {
                IReadOnlyDictionary<string, double> times = Interleaved.TimePlacement(Rows, row => Create(row, rows, columns), Invariant($"matrix/{rows}x{columns}"), rounds, batchMilliseconds, random);
                perPlacement.Add(Rows.ToDictionary(r => r, r => times[r]));
                Console.WriteLine(Invariant($"matrix {rows}x{columns} placement {placement}: ") + string.Join(", ", Rows.Select(r => Invariant($"{r} {times[r] / 1e6:0.000} ms"))));
            }

            cases.Add(new { Rows = rows, Columns = columns, Flops = Rows.ToDictionary(r => r, r => Flops(r, rows, columns)), NanosecondsPerStep = perPlacement });
        }

        var simd = new { Vector512 = Vector512.IsHardwareAccelerated, Vector256 = Vector256.IsHardwareAccelerated, VectorTBits = Vector<byte>.Count * 8, Fma = System.Runtime.Intrinsics.X86.Fma.IsSupported };
        var document = new
        {
            Command = command, Started = started, Ended = DateTime.UtcNow, LoadAverageBefore = loadBefore, LoadAverageAfter = LoadAverage(), OpenBlas = OpenBlas.Library,
            Environment.ProcessorCount, Placements = placements, Rounds = rounds, BatchMilliseconds = batchMilliseconds, Simd = simd, Cases = cases,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
    }

    /// <summary>A fresh row for a <c>rows × columns</c> member, over its own arrays (values in [-1, 1)).</summary>
    public static IStepRow Create(string row, int rows, int columns)
    {
        var random = new Random((rows * 7919) + columns);
        int m = Math.Min(rows, columns), n = Math.Max(rows, columns);
        return row switch
        {
            "Gram" or "OpenBlasGram" => new ProductRow(m, m, n, Fill(new float[m * n], random), transposeA: false, Fill(new float[m * n], random), transposeB: true, row.StartsWith("OpenBlas", StringComparison.Ordinal)),
            "GramSquare" or "OpenBlasGramSquare" => new ProductRow(m, m, m, Fill(new float[m * m], random), transposeA: false, Fill(new float[m * m], random), transposeB: false, row.StartsWith("OpenBlas", StringComparison.Ordinal)),
            "Apply" or "OpenBlasApply" => new ProductRow(m, n, m, Fill(new float[m * m], random), transposeA: false, Fill(new float[m * n], random), transposeB: false, row.StartsWith("OpenBlas", StringComparison.Ordinal)),
            "NewtonSchulz" => new NewtonSchulzRow(rows, columns, Fill(new float[rows * columns], random)),
            "MuonStep" or "AdamWStep" => new MatrixStepRow(row == "MuonStep", rows, columns, random),
            _ => throw new ArgumentOutOfRangeException(nameof(row), row, "No such matrix row."),
        };
    }

    private static float[] Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>"0.52 0.61 0.70": the machine's load averages (1, 5, 15 minutes), so the report can say how loaded it was.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary><c>C = op(A)·op(B)</c>: one product of the iteration, by Gen's <see cref="Gemm"/> or by OpenBLAS's <c>cblas_sgemm</c>.</summary>
    public sealed class ProductRow : IStepRow
    {
        private readonly int _m, _n, _k;
        private readonly float[] _a, _b, _c;
        private readonly bool _transposeA, _transposeB, _openBlas;
        private readonly GemmWorkspace _workspace;

        public ProductRow(int m, int n, int k, float[] a, bool transposeA, float[] b, bool transposeB, bool openBlas = false)
        {
            (_m, _n, _k, _a, _transposeA, _b, _transposeB, _openBlas) = (m, n, k, a, transposeA, b, transposeB, openBlas);
            _c = new float[m * n];
            _workspace = new GemmWorkspace(n);
        }

        /// <summary>The product of the last step (row-major, m × n).</summary>
        public float[] Result => _c;

        public void Step()
        {
            if (!_openBlas)
            {
                Gemm.Multiply(_m, _n, _k, 1f, _a, _transposeA, _b, _transposeB, 0f, _c, _workspace);
                return;
            }

            // Row-major: A is m × k (k × m transposed), B is k × n (n × k transposed); leading dimensions are row lengths.
            OpenBlas.Sgemm!(OpenBlas.RowMajor, _transposeA ? OpenBlas.Transpose : OpenBlas.NoTranspose, _transposeB ? OpenBlas.Transpose : OpenBlas.NoTranspose,
                _m, _n, _k, 1f, _a, _transposeA ? _m : _k, _b, _transposeB ? _k : _n, 0f, _c, _n);
        }
    }

    /// <summary>
    /// OpenBLAS's <c>cblas_sgemm</c>, loaded from the library the environment variable <c>GEN_OPENBLAS</c> names (run-matrix.sh
    /// sets it to the unpacked libopenblas0-pthread's <c>libopenblas.so.0</c>), on one thread; null when it is not set.
    /// </summary>
    public static class OpenBlas
    {
        public const int RowMajor = 101, NoTranspose = 111, Transpose = 112;

        /// <summary>The library's path, or null.</summary>
        public static readonly string? Library = Environment.GetEnvironmentVariable("GEN_OPENBLAS") is { Length: > 0 } path && File.Exists(path) ? Path.GetFullPath(path) : null;

        public static readonly SgemmFunction? Sgemm = Load();

        public delegate void SgemmFunction(int order, int transposeA, int transposeB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc);

        private delegate void SetThreads(int threads);

        private static SgemmFunction? Load()
        {
            if (Library is null)
            {
                return null;
            }

            IntPtr handle = System.Runtime.InteropServices.NativeLibrary.Load(Library);
            System.Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<SetThreads>(System.Runtime.InteropServices.NativeLibrary.GetExport(handle, "openblas_set_num_threads"))(1);
            return System.Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<SgemmFunction>(System.Runtime.InteropServices.NativeLibrary.GetExport(handle, "cblas_sgemm"));
        }
    }

    /// <summary>Muon's orthogonalization of one matrix: five iterations with PyTorch's coefficients.</summary>
    public sealed class NewtonSchulzRow : IStepRow
    {
        private readonly int _rows, _columns;
        private readonly float[] _matrix, _result;
        private readonly NewtonSchulzWorkspace _workspace;

        public NewtonSchulzRow(int rows, int columns, float[] matrix)
        {
            (_rows, _columns, _matrix) = (rows, columns, matrix);
            _result = new float[matrix.Length];
            _workspace = new NewtonSchulzWorkspace(Math.Min(rows, columns), Math.Max(rows, columns));
        }

        /// <summary>The orthogonalized matrix of the last step.</summary>
        public float[] Result => _result;

        public void Step() => NewtonSchulz.Orthogonalize(_matrix, _rows, _columns, _result, 3.4445f, -4.775f, 2.0315f, 5, 1e-7f, _workspace);
    }

    /// <summary>A [Muon] or an [AdamW] step (PyTorch's defaults) on one matrix member, with gradients A and B in turn.</summary>
    public sealed class MatrixStepRow : IStepRow
    {
        private readonly MatrixModel.Gradients _a, _b;
        private bool _useB;

        public MatrixStepRow(bool muon, int rows, int columns, Random random)
        {
            var model = new MatrixModel { W = new float[rows, columns] };
            Buffer.BlockCopy(Fill(new float[rows * columns], random), 0, model.W, 0, rows * columns * sizeof(float));
            _a = new MatrixModel.Gradients(model);
            _b = new MatrixModel.Gradients(model);
            Buffer.BlockCopy(Fill(new float[rows * columns], random), 0, _a.W, 0, rows * columns * sizeof(float));
            Buffer.BlockCopy(Fill(new float[rows * columns], random), 0, _b.W, 0, rows * columns * sizeof(float));
            Optimizer = muon ? new MatrixModel.MuonOptimizer(model) : new MatrixModel.AdamWOptimizer(model);
        }

        public Optimizer<MatrixModel.Gradients> Optimizer { get; }

        public void Step()
        {
            MatrixModel.Gradients gradients = _useB ? _b : _a;
            _useB = !_useB;
            Optimizer.Step(gradients);
        }
    }
}
