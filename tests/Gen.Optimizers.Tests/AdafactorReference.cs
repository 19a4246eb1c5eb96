using System;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Adafactor on one member, written from the algorithm of PyTorch 2.5's single-tensor <c>torch.optim.Adafactor</c>
/// (<c>torch/optim/_adafactor.py</c>) and Shazeer and Stern 2018: <c>w = t^β</c>, <c>ρ = min(lr, 1/√t)</c>,
/// <c>α = max(ε2, ‖p‖/√n)·ρ</c> (p before the decay), <c>p = p·(1 − lr·wd)</c>; for a member of <c>batches</c> matrices of
/// <c>rows × columns</c>, <c>R = lerp(R, ‖g_row‖²/columns, w)</c> per row, <c>C = lerp(C, ‖g_col‖²/rows, w)</c> per column,
/// <c>v = R_i·C_j / max(mean(R), ε1)</c>; for a vector <c>V = lerp(V, g·g, w)</c>, <c>v = V</c>; then
/// <c>u = g / √max(v, ε1²)</c>, <c>p = p + (−α / max(1, ‖u‖/(√n·d)))·u</c>. <c>lerp(s, e, w)</c> is PyTorch's:
/// <c>s + w·(e − s)</c> for |w| &lt; 0.5, else <c>e − (e − s)·(1 − w)</c>.
/// </summary>
/// <remarks>
/// With <c>single</c> every operation is rounded to float and ε1's default is float's machine epsilon; otherwise it is
/// all double. With <c>runtimeSums</c> a row's and the update's sums of squares are the runtime's fixed-order sums
/// (<c>GradientKernels.SumOfSquares</c> of each chunk of 1,024 elements, added in order), as the generated optimizer
/// takes them, so the reference is its result bit for bit; without, every sum is a plain sum in index order (the
/// algorithm, within rounding). A column's sum and the mean of the row averages are in order either way.
/// </remarks>
internal sealed class AdafactorReference
{
    private const int Chunk = 1024;
    private readonly AdafactorAttribute _c;
    private readonly bool _single, _runtimeSums;
    private readonly int _batches, _rows, _columns;
    private readonly bool _factored;

    /// <summary>A factored member (<paramref name="rows"/> and <paramref name="columns"/> of its last two dimensions) or, with <paramref name="rows"/> 0, a vector of <paramref name="columns"/>.</summary>
    public AdafactorReference(AdafactorAttribute config, int batches, int rows, int columns, bool single, bool runtimeSums)
    {
        _c = config;
        _single = single;
        _runtimeSums = runtimeSums;
        _factored = rows > 0;
        (_batches, _rows, _columns) = (batches, rows, columns);
        RowVariance = new double[_factored ? batches * rows : 0];
        ColumnVariance = new double[_factored ? batches * columns : 0];
        Variance = new double[_factored ? 0 : columns];
    }

    public double[] RowVariance { get; }

    public double[] ColumnVariance { get; }

    public double[] Variance { get; }

    /// <summary>One step (<paramref name="stepCount"/> steps done before it) on <paramref name="p"/>; <paramref name="noDecay"/> for [NoWeightDecay].</summary>
    public void Step(double[] p, double[] gradient, double learningRate, double weightDecay, bool noDecay, long stepCount)
    {
        int n = p.Length;
        if (n == 0)
        {
            return;
        }

        double t = stepCount + 1;
        double weight = R(Math.Pow(t, _c.Beta2Decay)), rho = Math.Min(learningRate, 1d / Math.Pow(t, 0.5));
        double eps1 = double.IsNaN(_c.Epsilon1) ? (_single ? 1.1920928955078125e-07 : 2.220446049250313e-16) : _c.Epsilon1;
        double meanFloor = R(eps1), floor = R(eps1 * eps1);
        double decay = R(1d - (learningRate * (noDecay ? 0 : weightDecay)));
        var g = new double[n];
        for (int i = 0; i < n; i++)
        {
            g[i] = _c.Maximize ? -gradient[i] : gradient[i];
        }

        double alpha = Math.Max(_c.Epsilon2, R(Math.Sqrt(Sum(p, 0, n))) / Math.Sqrt(n)) * rho;
        var u = new double[n];
        if (_factored)
        {
            int matrix = _rows * _columns;
            for (int b = 0; b < _batches; b++)
            {
                for (int i = 0; i < _rows; i++)
                {
                    double sum = 0;
                    for (int j0 = 0; j0 < _columns; j0 += Chunk)
                    {
                        sum += Sum(g, (b * matrix) + (i * _columns) + j0, Math.Min(Chunk, _columns - j0));
                    }

                    RowVariance[(b * _rows) + i] = Lerp(RowVariance[(b * _rows) + i], MeanSquare(sum, _columns), weight);
                }

                for (int j = 0; j < _columns; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < _rows; i++)
                    {
                        double x = g[(b * matrix) + (i * _columns) + j];
                        sum += x * x;
                    }

                    ColumnVariance[(b * _columns) + j] = Lerp(ColumnVariance[(b * _columns) + j], MeanSquare(sum, _rows), weight);
                }

                double rowSum = 0;
                for (int i = 0; i < _rows; i++)
                {
                    rowSum += RowVariance[(b * _rows) + i];
                }

                double rowMean = Math.Max(R(rowSum / _rows), meanFloor);
                for (int i = 0; i < _rows; i++)
                {
                    for (int j = 0; j < _columns; j++)
                    {
                        double v = R(R(RowVariance[(b * _rows) + i] * ColumnVariance[(b * _columns) + j]) / rowMean);
                        int at = (b * matrix) + (i * _columns) + j;
                        u[at] = R(R(1d / R(Math.Sqrt(v < floor ? floor : v))) * g[at]);
                    }
                }
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Variance[i] = Lerp(Variance[i], R(g[i] * g[i]), weight);
                double v = Variance[i];
                u[i] = R(R(1d / R(Math.Sqrt(v < floor ? floor : v))) * g[i]);
            }
        }

        // The update's sum: in the kernel's rows of chunks for a factored member, chunks of the vector otherwise.
        double updateSum = 0;
        int piece = _factored ? _columns : n;
        for (int start = 0; start < n; start += piece)
        {
            for (int j0 = 0; j0 < piece; j0 += Chunk)
            {
                updateSum += Sum(u, start + j0, Math.Min(Chunk, piece - j0));
            }
        }

        double denominator = Math.Max(1d, R(Math.Sqrt(updateSum)) / (Math.Sqrt(n) * _c.ClipThreshold));
        double step = R(-alpha / denominator);
        for (int i = 0; i < n; i++)
        {
            p[i] = R(R(p[i] * decay) + R(step * u[i]));
        }
    }

    /// <summary>PyTorch's <c>norm(x)² / count</c> in the element type.</summary>
    private double MeanSquare(double sum, int count)
    {
        double norm = R(Math.Sqrt(sum));
        return R(R(norm * norm) / count);
    }

    private double Lerp(double start, double end, double weight) =>
        Math.Abs(weight) < 0.5 ? R(start + R(weight * R(end - start))) : R(end - R(R(end - start) * R(1 - weight)));

    /// <summary>The sum of squares of <paramref name="count"/> elements from <paramref name="start"/>.</summary>
    private double Sum(double[] x, int start, int count)
    {
        if (_runtimeSums)
        {
            return _single
                ? Gen.GradientKernels.SumOfSquares(TestData.ToSingle(x.AsSpan(start, count).ToArray()))
                : Gen.GradientKernels.SumOfSquares(x.AsSpan(start, count));
        }

        double sum = 0;
        for (int i = start; i < start + count; i++)
        {
            sum += x[i] * x[i];
        }

        return sum;
    }

    private double R(double x) => _single ? (float)x : x;
}

/// <summary>
/// <see cref="AdafactorReference"/> on a vector member with the runtime's sums, for the kernel sweep: a float (or double)
/// optimizer matches it bit for bit.
/// </summary>
internal sealed class AdafactorMemberReference(AdafactorAttribute c, int length, bool single) : IReference
{
    private readonly AdafactorReference _reference = new(c, 1, 0, length, single, runtimeSums: true);

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount) =>
        _reference.Step(parameters, gradients, learningRate, weightDecay, noDecay: false, stepCount);
}
