using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Gen.__Internals;

/// <summary>
/// Adafactor's update of one member (Shazeer and Stern 2018, arXiv:1804.04235) as PyTorch 2.5's single-tensor
/// <c>torch.optim.Adafactor</c> (<c>torch/optim/_adafactor.py</c>): generated [Adafactor] optimizers call
/// <c>UpdateFactored</c> for members of rank 2 or more (one running average per row and per column of the last two
/// dimensions, the leading ones batch dimensions) and <c>UpdateVector</c> for vectors, on the whole member, on the calling
/// thread, since the step size reads the norms of the whole parameter and the whole update.
/// </summary>
/// <remarks>
/// <para>
/// Three sweeps over a factored member, two over a vector, nothing allocated (a chunk of 1,024 elements and its column
/// sums on the stack): (1) the running averages, <c>lerp_</c> towards this step's mean squares, with the parameter's sum
/// of squares before the decay; (2) the sum of squares of <c>u = g / √max(v, eps1²)</c>, recomputed chunk by chunk and
/// never stored (<c>v = R_i·C_j / max(mean(R), eps1)</c> or the vector's average); (3) <c>p·(1 − lr·wd)</c> then
/// <c>+ (−alpha/denom)·u</c>, two roundings as PyTorch's <c>mul_</c> and <c>add_</c>.
/// </para>
/// <para>
/// Element-wise operations are one IEEE operation each, the same on the <see cref="Vector{T}"/> path and the scalar tail.
/// Every sum has a fixed order whatever the vector width or the thread: a row's or the update's sum of squares is
/// <c>GradientKernels.SumOfSquares</c> (32 double lanes) of each chunk, added chunk by chunk in element order; a column's is
/// its squares in row order (one column per lane); the mean of the row averages is a sequential double sum. So every
/// SIMD setting and runtime gives the same bits. PyTorch sums its float32 norms in float with its own order, so the
/// norms may differ from its by a few units in the last place (docs/PRECISION.md, "Adafactor").
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Adafactor
{
    /// <summary>PyTorch's <c>torch.finfo(torch.float32).eps</c> as the Python float <c>eps1</c> takes: 2^-23.</summary>
    public const double SingleEpsilon = 1.1920928955078125e-07;

    /// <summary>PyTorch's <c>torch.finfo(torch.float64).eps</c>: 2^-52.</summary>
    public const double DoubleEpsilon = 2.220446049250313e-16;

    /// <summary>Elements per chunk: a fixed number, so the order of every sum is the same on every path.</summary>
    private const int Chunk = 1024;

    /// <summary>
    /// One step of a factored member (rank 2 or more) of <c>batches</c> matrices of
    /// <c>rows</c> × <c>columns</c>, row-major: the row and column running averages (<c>rowVariance</c>, <c>batches·rows</c>
    /// elements; <c>columnVariance</c>, <c>batches·columns</c>), then the parameter. The gradient is multiplied by
    /// <c>gradientScale</c> as it is read (1: unchanged), negated for <c>maximize</c>, and zeroed after its last read when
    /// <c>clearGradient</c> is set.
    /// </summary>
    /// <remarks>
    /// The step's scalars, computed once per step in double by the generated optimizer: <c>beta2Weight</c>, this step's
    /// weight of the new mean (<c>t^beta2_decay</c>); <c>rho</c>, the relative step size (<c>min(lr, 1/sqrt(t))</c>);
    /// <c>decay</c>, the decoupled decay's factor (<c>1 − lr·wd</c>, 1 without decay); <c>epsilon1</c>, PyTorch's
    /// <c>eps1</c> (NaN for its <c>None</c>: the element type's machine epsilon), <c>epsilon2</c> and <c>clipThreshold</c>
    /// (its <c>eps2</c> and <c>d</c>).
    /// </remarks>
    /// <exception cref="ArgumentException">A span's length does not match the shape.</exception>
    public static void UpdateFactored(Span<float> parameter, Span<float> gradient, Span<float> rowVariance, Span<float> columnVariance,
        int batches, int rows, int columns, double beta2Weight, double rho, double decay, double gradientScale,
        double epsilon1, double epsilon2, double clipThreshold, bool maximize, bool clearGradient)
    {
        CheckFactored(parameter.Length, gradient.Length, rowVariance.Length, columnVariance.Length, batches, rows, columns);
        if (parameter.Length == 0)
        {
            return;
        }

        double eps1 = double.IsNaN(epsilon1) ? SingleEpsilon : epsilon1;
        float meanFloor = (float)eps1, estimateFloor = (float)(eps1 * eps1);
        float weight = (float)beta2Weight, scale = (float)(maximize ? -gradientScale : gradientScale);
        Span<float> chunk = stackalloc float[Chunk];
        Span<double> columnSums = stackalloc double[Chunk];

        // The parameter's norm before the decay (PyTorch's param.norm(2).item(), taken first).
        double parameterSum = GradientKernels.SumOfSquares(parameter);

        // (1) The running averages of the rows' and the columns' mean squares, and each matrix's mean row average.
        int matrix = rows * columns;
        for (int b = 0; b < batches; b++)
        {
            Span<float> g = gradient.Slice(b * matrix, matrix);
            Span<float> r = rowVariance.Slice(b * rows, rows);
            Span<float> c = columnVariance.Slice(b * columns, columns);
            bool wholeRows = columns <= Chunk;
            if (!wholeRows)
            {
                // Rows longer than a chunk: their sums first, chunk by chunk in order.
                for (int i = 0; i < rows; i++)
                {
                    double sum = 0;
                    for (int j0 = 0; j0 < columns; j0 += Chunk)
                    {
                        int n = Math.Min(Chunk, columns - j0);
                        Scale(g.Slice((i * columns) + j0, n), scale, chunk.Slice(0, n));
                        sum += GradientKernels.SumOfSquares(chunk.Slice(0, n));
                    }

                    r[i] = Lerp(r[i], MeanSquare(sum, columns), weight);
                }
            }

            for (int j0 = 0; j0 < columns; j0 += Chunk)
            {
                int n = Math.Min(Chunk, columns - j0);
                Span<double> sums = columnSums.Slice(0, n);
                sums.Clear();
                for (int i = 0; i < rows; i++)
                {
                    Span<float> x = chunk.Slice(0, n);
                    Scale(g.Slice((i * columns) + j0, n), scale, x);
                    if (wholeRows)
                    {
                        r[i] = Lerp(r[i], MeanSquare(GradientKernels.SumOfSquares(x), columns), weight);
                    }

                    AddSquares(x, sums);
                }

                for (int j = 0; j < n; j++)
                {
                    c[j0 + j] = Lerp(c[j0 + j], MeanSquare(sums[j], rows), weight);
                }
            }
        }

        // (2) The update's norm: u recomputed chunk by chunk, never stored.
        double updateSum = 0;
        for (int b = 0; b < batches; b++)
        {
            float rowMean = RowMean(rowVariance.Slice(b * rows, rows), meanFloor);
            for (int i = 0; i < rows; i++)
            {
                float rowValue = rowVariance[(b * rows) + i];
                for (int j0 = 0; j0 < columns; j0 += Chunk)
                {
                    int n = Math.Min(Chunk, columns - j0);
                    int at = (b * matrix) + (i * columns) + j0;
                    Span<float> u = chunk.Slice(0, n);
                    FactoredUpdate(gradient.Slice(at, n), columnVariance.Slice((b * columns) + j0, n), rowValue, rowMean, estimateFloor, scale, u);
                    updateSum += GradientKernels.SumOfSquares(u);
                }
            }
        }

        (float step, float factor) = StepOf(parameterSum, updateSum, parameter.Length, rho, decay, epsilon2, clipThreshold);

        // (3) p·(1 − lr·wd), then p + (−alpha/denom)·u.
        for (int b = 0; b < batches; b++)
        {
            float rowMean = RowMean(rowVariance.Slice(b * rows, rows), meanFloor);
            for (int i = 0; i < rows; i++)
            {
                float rowValue = rowVariance[(b * rows) + i];
                for (int j0 = 0; j0 < columns; j0 += Chunk)
                {
                    int n = Math.Min(Chunk, columns - j0);
                    int at = (b * matrix) + (i * columns) + j0;
                    Span<float> u = chunk.Slice(0, n);
                    FactoredUpdate(gradient.Slice(at, n), columnVariance.Slice((b * columns) + j0, n), rowValue, rowMean, estimateFloor, scale, u);
                    Apply(parameter.Slice(at, n), u, factor, step);
                    if (clearGradient)
                    {
                        gradient.Slice(at, n).Clear();
                    }
                }
            }
        }
    }

    /// <summary>
    /// One step of a vector member: its running average <c>variance</c> of <c>g²</c>, then the parameter
    /// (the arguments as <see cref="UpdateFactored(Span{float}, Span{float}, Span{float}, Span{float}, int, int, int, double, double, double, double, double, double, double, bool, bool)"/>'s).
    /// </summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void UpdateVector(Span<float> parameter, Span<float> gradient, Span<float> variance,
        double beta2Weight, double rho, double decay, double gradientScale,
        double epsilon1, double epsilon2, double clipThreshold, bool maximize, bool clearGradient)
    {
        CheckVector(parameter.Length, gradient.Length, variance.Length);
        if (parameter.Length == 0)
        {
            return;
        }

        double eps1 = double.IsNaN(epsilon1) ? SingleEpsilon : epsilon1;
        float estimateFloor = (float)(eps1 * eps1);
        float weight = (float)beta2Weight, scale = (float)(maximize ? -gradientScale : gradientScale);
        Span<float> chunk = stackalloc float[Chunk];
        double parameterSum = GradientKernels.SumOfSquares(parameter);

        // (1) variance.lerp_(g·g, w) and the update's norm, chunk by chunk.
        double updateSum = 0;
        for (int at = 0; at < parameter.Length; at += Chunk)
        {
            int n = Math.Min(Chunk, parameter.Length - at);
            Span<float> u = chunk.Slice(0, n);
            Scale(gradient.Slice(at, n), scale, u);
            LerpSquares(variance.Slice(at, n), u, weight);
            VectorUpdate(u, variance.Slice(at, n), estimateFloor, u);
            updateSum += GradientKernels.SumOfSquares(u);
        }

        (float step, float factor) = StepOf(parameterSum, updateSum, parameter.Length, rho, decay, epsilon2, clipThreshold);

        // (2) p·(1 − lr·wd), then p + (−alpha/denom)·u.
        for (int at = 0; at < parameter.Length; at += Chunk)
        {
            int n = Math.Min(Chunk, parameter.Length - at);
            Span<float> u = chunk.Slice(0, n);
            Scale(gradient.Slice(at, n), scale, u);
            VectorUpdate(u, variance.Slice(at, n), estimateFloor, u);
            Apply(parameter.Slice(at, n), u, factor, step);
            if (clearGradient)
            {
                gradient.Slice(at, n).Clear();
            }
        }
    }

    /// <summary>
    /// The step's float factors: <c>(float)(−alpha/denom)</c>, with <c>alpha = max(eps2, ‖p‖/√n)·rho</c> and
    /// <c>denom = max(1, ‖u‖/(√n·d))</c>, each norm rounded to the element type as PyTorch's <c>.item()</c> of it; and the
    /// decay factor as a float.
    /// </summary>
    private static (float Step, float Decay) StepOf(double parameterSum, double updateSum, int count, double rho, double decay, double epsilon2, double clipThreshold)
    {
        double root = Math.Sqrt(count);
        double alpha = Math.Max(epsilon2, (float)Math.Sqrt(parameterSum) / root) * rho;
        double denominator = Math.Max(1d, (float)Math.Sqrt(updateSum) / (root * clipThreshold));
        return ((float)(-alpha / denominator), (float)decay);
    }

    /// <summary>A row's or column's mean square from its sum of squares: PyTorch's <c>norm(g)² / count</c> in float.</summary>
    private static float MeanSquare(double sum, int count)
    {
        float norm = (float)Math.Sqrt(sum);
        return norm * norm / count;
    }

    /// <summary><c>max(mean(r), floor)</c> in float (the mean summed in double, in order).</summary>
    private static float RowMean(Span<float> rowVariance, float floor)
    {
        double sum = 0;
        for (int i = 0; i < rowVariance.Length; i++)
        {
            sum += rowVariance[i];
        }

        float mean = (float)(sum / rowVariance.Length);
        return mean < floor ? floor : mean;
    }

    /// <summary>PyTorch's scalar-weight <c>lerp</c>: <c>s + w·(e − s)</c> for |w| &lt; 0.5, else <c>e − (e − s)·(1 − w)</c>.</summary>
    private static float Lerp(float start, float end, float weight) =>
        Math.Abs(weight) < 0.5f ? start + (weight * (end - start)) : end - ((end - start) * (1f - weight));

    /// <summary><c>x = g·scale</c> per element (the scale carries maximize's sign): a copy, then the runtime's multiply.</summary>
    private static void Scale(Span<float> gradient, float scale, Span<float> x)
    {
        gradient.CopyTo(x);
        GradientKernels.Multiply(x, scale);
    }

    /// <summary><c>sums[j] += x[j]²</c> in double (each square exact), one column per lane.</summary>
    private static void AddSquares(Span<float> x, Span<double> sums)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = x.Length - (x.Length % Vector<float>.Count);
            Span<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x.Slice(0, whole));
            Span<Vector<double>> sv = MemoryMarshal.Cast<double, Vector<double>>(sums.Slice(0, whole));
            for (int k = 0; k < xv.Length; k++)
            {
                Vector.Widen(xv[k], out Vector<double> low, out Vector<double> high);
                sv[2 * k] += low * low;
                sv[(2 * k) + 1] += high * high;
            }

            i = whole;
        }

        for (; i < x.Length; i++)
        {
            double w = x[i];
            sums[i] += w * w;
        }
    }

    /// <summary><c>u = g / √max(r·c/rowMean, floor)</c> per element of one row's chunk (<c>g</c> scaled as it is read).</summary>
    private static void FactoredUpdate(Span<float> gradient, Span<float> columnVariance, float rowValue, float rowMean, float floor, float scale, Span<float> u)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = gradient.Length - (gradient.Length % Vector<float>.Count);
            Span<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(gradient.Slice(0, whole));
            Span<Vector<float>> cv = MemoryMarshal.Cast<float, Vector<float>>(columnVariance.Slice(0, whole));
            Span<Vector<float>> uv = MemoryMarshal.Cast<float, Vector<float>>(u.Slice(0, whole));
            var r = new Vector<float>(rowValue);
            var mean = new Vector<float>(rowMean);
            var f = new Vector<float>(floor);
            var s = new Vector<float>(scale);
            for (int k = 0; k < gv.Length; k++)
            {
                Vector<float> v = r * cv[k] / mean;
                v = Vector.ConditionalSelect(Vector.LessThan<float>(v, f), f, v);
                uv[k] = Vector<float>.One / Vector.SquareRoot(v) * (gv[k] * s);
            }

            i = whole;
        }

        for (; i < gradient.Length; i++)
        {
            float v = rowValue * columnVariance[i] / rowMean;
            v = v < floor ? floor : v;
            u[i] = 1f / (float)Math.Sqrt(v) * (gradient[i] * scale);
        }
    }

    /// <summary><c>variance.lerp_(g·g, w)</c> per element (<paramref name="g"/> already scaled).</summary>
    private static void LerpSquares(Span<float> variance, Span<float> g, float weight)
    {
        int i = 0;
        bool small = Math.Abs(weight) < 0.5f;
        float complement = 1f - weight;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = g.Length - (g.Length % Vector<float>.Count);
            Span<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g.Slice(0, whole));
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(variance.Slice(0, whole));
            var w = new Vector<float>(small ? weight : complement);
            for (int k = 0; k < gv.Length; k++)
            {
                Vector<float> end = gv[k] * gv[k];
                vv[k] = small ? vv[k] + (w * (end - vv[k])) : end - ((end - vv[k]) * w);
            }

            i = whole;
        }

        for (; i < g.Length; i++)
        {
            variance[i] = Lerp(variance[i], g[i] * g[i], weight);
        }
    }

    /// <summary><c>u = g / √max(v, floor)</c> per element (<paramref name="g"/> already scaled; <paramref name="u"/> may be it).</summary>
    private static void VectorUpdate(Span<float> g, Span<float> variance, float floor, Span<float> u)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = g.Length - (g.Length % Vector<float>.Count);
            Span<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g.Slice(0, whole));
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(variance.Slice(0, whole));
            Span<Vector<float>> uv = MemoryMarshal.Cast<float, Vector<float>>(u.Slice(0, whole));
            var f = new Vector<float>(floor);
            for (int k = 0; k < gv.Length; k++)
            {
                Vector<float> v = Vector.ConditionalSelect(Vector.LessThan<float>(vv[k], f), f, vv[k]);
                uv[k] = Vector<float>.One / Vector.SquareRoot(v) * gv[k];
            }

            i = whole;
        }

        for (; i < g.Length; i++)
        {
            float v = variance[i] < floor ? floor : variance[i];
            u[i] = 1f / (float)Math.Sqrt(v) * g[i];
        }
    }

    /// <summary><c>p = p·decay</c>, then <c>p = p + step·u</c>: two roundings, as PyTorch's <c>mul_</c> then <c>add_</c>.</summary>
    private static void Apply(Span<float> parameter, Span<float> u, float decay, float step)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = parameter.Length - (parameter.Length % Vector<float>.Count);
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(parameter.Slice(0, whole));
            Span<Vector<float>> uv = MemoryMarshal.Cast<float, Vector<float>>(u.Slice(0, whole));
            var d = new Vector<float>(decay);
            var s = new Vector<float>(step);
            for (int k = 0; k < pv.Length; k++)
            {
                Vector<float> p = pv[k] * d;
                pv[k] = p + (s * uv[k]);
            }

            i = whole;
        }

        for (; i < parameter.Length; i++)
        {
            float p = parameter[i] * decay;
            parameter[i] = p + (step * u[i]);
        }
    }

    /// <inheritdoc cref="UpdateFactored(Span{float}, Span{float}, Span{float}, Span{float}, int, int, int, double, double, double, double, double, double, double, bool, bool)"/>
    public static void UpdateFactored(Span<double> parameter, Span<double> gradient, Span<double> rowVariance, Span<double> columnVariance,
        int batches, int rows, int columns, double beta2Weight, double rho, double decay, double gradientScale,
        double epsilon1, double epsilon2, double clipThreshold, bool maximize, bool clearGradient)
    {
        CheckFactored(parameter.Length, gradient.Length, rowVariance.Length, columnVariance.Length, batches, rows, columns);
        if (parameter.Length == 0)
        {
            return;
        }

        double eps1 = double.IsNaN(epsilon1) ? DoubleEpsilon : epsilon1;
        double meanFloor = (double)eps1, estimateFloor = (double)(eps1 * eps1);
        double weight = (double)beta2Weight, scale = (double)(maximize ? -gradientScale : gradientScale);
        Span<double> chunk = stackalloc double[Chunk];
        Span<double> columnSums = stackalloc double[Chunk];

        // The parameter's norm before the decay (PyTorch's param.norm(2).item(), taken first).
        double parameterSum = GradientKernels.SumOfSquares(parameter);

        // (1) The running averages of the rows' and the columns' mean squares, and each matrix's mean row average.
        int matrix = rows * columns;
        for (int b = 0; b < batches; b++)
        {
            Span<double> g = gradient.Slice(b * matrix, matrix);
            Span<double> r = rowVariance.Slice(b * rows, rows);
            Span<double> c = columnVariance.Slice(b * columns, columns);
            bool wholeRows = columns <= Chunk;
            if (!wholeRows)
            {
                // Rows longer than a chunk: their sums first, chunk by chunk in order.
                for (int i = 0; i < rows; i++)
                {
                    double sum = 0;
                    for (int j0 = 0; j0 < columns; j0 += Chunk)
                    {
                        int n = Math.Min(Chunk, columns - j0);
                        Scale(g.Slice((i * columns) + j0, n), scale, chunk.Slice(0, n));
                        sum += GradientKernels.SumOfSquares(chunk.Slice(0, n));
                    }

                    r[i] = Lerp(r[i], MeanSquareDouble(sum, columns), weight);
                }
            }

            for (int j0 = 0; j0 < columns; j0 += Chunk)
            {
                int n = Math.Min(Chunk, columns - j0);
                Span<double> sums = columnSums.Slice(0, n);
                sums.Clear();
                for (int i = 0; i < rows; i++)
                {
                    Span<double> x = chunk.Slice(0, n);
                    Scale(g.Slice((i * columns) + j0, n), scale, x);
                    if (wholeRows)
                    {
                        r[i] = Lerp(r[i], MeanSquareDouble(GradientKernels.SumOfSquares(x), columns), weight);
                    }

                    AddSquares(x, sums);
                }

                for (int j = 0; j < n; j++)
                {
                    c[j0 + j] = Lerp(c[j0 + j], MeanSquareDouble(sums[j], rows), weight);
                }
            }
        }

        // (2) The update's norm: u recomputed chunk by chunk, never stored.
        double updateSum = 0;
        for (int b = 0; b < batches; b++)
        {
            double rowMean = RowMean(rowVariance.Slice(b * rows, rows), meanFloor);
            for (int i = 0; i < rows; i++)
            {
                double rowValue = rowVariance[(b * rows) + i];
                for (int j0 = 0; j0 < columns; j0 += Chunk)
                {
                    int n = Math.Min(Chunk, columns - j0);
                    int at = (b * matrix) + (i * columns) + j0;
                    Span<double> u = chunk.Slice(0, n);
                    FactoredUpdate(gradient.Slice(at, n), columnVariance.Slice((b * columns) + j0, n), rowValue, rowMean, estimateFloor, scale, u);
                    updateSum += GradientKernels.SumOfSquares(u);
                }
            }
        }

        (double step, double factor) = StepOfDouble(parameterSum, updateSum, parameter.Length, rho, decay, epsilon2, clipThreshold);

        // (3) p·(1 − lr·wd), then p + (−alpha/denom)·u.
        for (int b = 0; b < batches; b++)
        {
            double rowMean = RowMean(rowVariance.Slice(b * rows, rows), meanFloor);
            for (int i = 0; i < rows; i++)
            {
                double rowValue = rowVariance[(b * rows) + i];
                for (int j0 = 0; j0 < columns; j0 += Chunk)
                {
                    int n = Math.Min(Chunk, columns - j0);
                    int at = (b * matrix) + (i * columns) + j0;
                    Span<double> u = chunk.Slice(0, n);
                    FactoredUpdate(gradient.Slice(at, n), columnVariance.Slice((b * columns) + j0, n), rowValue, rowMean, estimateFloor, scale, u);
                    Apply(parameter.Slice(at, n), u, factor, step);
                    if (clearGradient)
                    {
                        gradient.Slice(at, n).Clear();
                    }
                }
            }
        }
    }

    /// <inheritdoc cref="UpdateVector(Span{float}, Span{float}, Span{float}, double, double, double, double, double, double, double, bool, bool)"/>
    public static void UpdateVector(Span<double> parameter, Span<double> gradient, Span<double> variance,
        double beta2Weight, double rho, double decay, double gradientScale,
        double epsilon1, double epsilon2, double clipThreshold, bool maximize, bool clearGradient)
    {
        CheckVector(parameter.Length, gradient.Length, variance.Length);
        if (parameter.Length == 0)
        {
            return;
        }

        double eps1 = double.IsNaN(epsilon1) ? DoubleEpsilon : epsilon1;
        double estimateFloor = (double)(eps1 * eps1);
        double weight = (double)beta2Weight, scale = (double)(maximize ? -gradientScale : gradientScale);
        Span<double> chunk = stackalloc double[Chunk];
        double parameterSum = GradientKernels.SumOfSquares(parameter);

        // (1) variance.lerp_(g·g, w) and the update's norm, chunk by chunk.
        double updateSum = 0;
        for (int at = 0; at < parameter.Length; at += Chunk)
        {
            int n = Math.Min(Chunk, parameter.Length - at);
            Span<double> u = chunk.Slice(0, n);
            Scale(gradient.Slice(at, n), scale, u);
            LerpSquares(variance.Slice(at, n), u, weight);
            VectorUpdate(u, variance.Slice(at, n), estimateFloor, u);
            updateSum += GradientKernels.SumOfSquares(u);
        }

        (double step, double factor) = StepOfDouble(parameterSum, updateSum, parameter.Length, rho, decay, epsilon2, clipThreshold);

        // (2) p·(1 − lr·wd), then p + (−alpha/denom)·u.
        for (int at = 0; at < parameter.Length; at += Chunk)
        {
            int n = Math.Min(Chunk, parameter.Length - at);
            Span<double> u = chunk.Slice(0, n);
            Scale(gradient.Slice(at, n), scale, u);
            VectorUpdate(u, variance.Slice(at, n), estimateFloor, u);
            Apply(parameter.Slice(at, n), u, factor, step);
            if (clearGradient)
            {
                gradient.Slice(at, n).Clear();
            }
        }
    }

    /// <summary>
    /// The step's double factors: <c>(double)(−alpha/denom)</c>, with <c>alpha = max(eps2, ‖p‖/√n)·rho</c> and
    /// <c>denom = max(1, ‖u‖/(√n·d))</c>, each norm rounded to the element type as PyTorch's <c>.item()</c> of it; and the
    /// decay factor (double members: nothing rounded to float).
    /// </summary>
    private static (double Step, double Decay) StepOfDouble(double parameterSum, double updateSum, int count, double rho, double decay, double epsilon2, double clipThreshold)
    {
        double root = Math.Sqrt(count);
        double alpha = Math.Max(epsilon2, Math.Sqrt(parameterSum) / root) * rho;
        double denominator = Math.Max(1d, Math.Sqrt(updateSum) / (root * clipThreshold));
        return (-alpha / denominator, decay);
    }

    /// <summary>A row's or column's mean square from its sum of squares: PyTorch's <c>norm(g)² / count</c> in double.</summary>
    private static double MeanSquareDouble(double sum, int count)
    {
        double norm = (double)Math.Sqrt(sum);
        return norm * norm / count;
    }

    /// <summary><c>max(mean(r), floor)</c> in double (the mean summed in double, in order).</summary>
    private static double RowMean(Span<double> rowVariance, double floor)
    {
        double sum = 0;
        for (int i = 0; i < rowVariance.Length; i++)
        {
            sum += rowVariance[i];
        }

        double mean = (double)(sum / rowVariance.Length);
        return mean < floor ? floor : mean;
    }

    /// <summary>PyTorch's scalar-weight <c>lerp</c>: <c>s + w·(e − s)</c> for |w| &lt; 0.5, else <c>e − (e − s)·(1 − w)</c>.</summary>
    private static double Lerp(double start, double end, double weight) =>
        Math.Abs(weight) < 0.5d ? start + (weight * (end - start)) : end - ((end - start) * (1d - weight));

    /// <summary><c>x = g·scale</c> per element (the scale carries maximize's sign): a copy, then the runtime's multiply.</summary>
    private static void Scale(Span<double> gradient, double scale, Span<double> x)
    {
        gradient.CopyTo(x);
        GradientKernels.Multiply(x, scale);
    }

    /// <summary><c>sums[j] += x[j]²</c>, one column per lane.</summary>
    private static void AddSquares(Span<double> x, Span<double> sums)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = x.Length - (x.Length % Vector<double>.Count);
            Span<Vector<double>> xv = MemoryMarshal.Cast<double, Vector<double>>(x.Slice(0, whole));
            Span<Vector<double>> sv = MemoryMarshal.Cast<double, Vector<double>>(sums.Slice(0, whole));
            for (int k = 0; k < xv.Length; k++)
            {
                sv[k] += xv[k] * xv[k];
            }

            i = whole;
        }

        for (; i < x.Length; i++)
        {
            sums[i] += x[i] * x[i];
        }
    }

    /// <summary><c>u = g / √max(r·c/rowMean, floor)</c> per element of one row's chunk (<c>g</c> scaled as it is read).</summary>
    private static void FactoredUpdate(Span<double> gradient, Span<double> columnVariance, double rowValue, double rowMean, double floor, double scale, Span<double> u)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = gradient.Length - (gradient.Length % Vector<double>.Count);
            Span<Vector<double>> gv = MemoryMarshal.Cast<double, Vector<double>>(gradient.Slice(0, whole));
            Span<Vector<double>> cv = MemoryMarshal.Cast<double, Vector<double>>(columnVariance.Slice(0, whole));
            Span<Vector<double>> uv = MemoryMarshal.Cast<double, Vector<double>>(u.Slice(0, whole));
            var r = new Vector<double>(rowValue);
            var mean = new Vector<double>(rowMean);
            var f = new Vector<double>(floor);
            var s = new Vector<double>(scale);
            for (int k = 0; k < gv.Length; k++)
            {
                Vector<double> v = r * cv[k] / mean;
                v = Vector.ConditionalSelect(Vector.LessThan<double>(v, f), f, v);
                uv[k] = Vector<double>.One / Vector.SquareRoot(v) * (gv[k] * s);
            }

            i = whole;
        }

        for (; i < gradient.Length; i++)
        {
            double v = rowValue * columnVariance[i] / rowMean;
            v = v < floor ? floor : v;
            u[i] = 1d / (double)Math.Sqrt(v) * (gradient[i] * scale);
        }
    }

    /// <summary><c>variance.lerp_(g·g, w)</c> per element (<paramref name="g"/> already scaled).</summary>
    private static void LerpSquares(Span<double> variance, Span<double> g, double weight)
    {
        int i = 0;
        bool small = Math.Abs(weight) < 0.5d;
        double complement = 1d - weight;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = g.Length - (g.Length % Vector<double>.Count);
            Span<Vector<double>> gv = MemoryMarshal.Cast<double, Vector<double>>(g.Slice(0, whole));
            Span<Vector<double>> vv = MemoryMarshal.Cast<double, Vector<double>>(variance.Slice(0, whole));
            var w = new Vector<double>(small ? weight : complement);
            for (int k = 0; k < gv.Length; k++)
            {
                Vector<double> end = gv[k] * gv[k];
                vv[k] = small ? vv[k] + (w * (end - vv[k])) : end - ((end - vv[k]) * w);
            }

            i = whole;
        }

        for (; i < g.Length; i++)
        {
            variance[i] = Lerp(variance[i], g[i] * g[i], weight);
        }
    }

    /// <summary><c>u = g / √max(v, floor)</c> per element (<paramref name="g"/> already scaled; <paramref name="u"/> may be it).</summary>
    private static void VectorUpdate(Span<double> g, Span<double> variance, double floor, Span<double> u)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = g.Length - (g.Length % Vector<double>.Count);
            Span<Vector<double>> gv = MemoryMarshal.Cast<double, Vector<double>>(g.Slice(0, whole));
            Span<Vector<double>> vv = MemoryMarshal.Cast<double, Vector<double>>(variance.Slice(0, whole));
            Span<Vector<double>> uv = MemoryMarshal.Cast<double, Vector<double>>(u.Slice(0, whole));
            var f = new Vector<double>(floor);
            for (int k = 0; k < gv.Length; k++)
            {
                Vector<double> v = Vector.ConditionalSelect(Vector.LessThan<double>(vv[k], f), f, vv[k]);
                uv[k] = Vector<double>.One / Vector.SquareRoot(v) * gv[k];
            }

            i = whole;
        }

        for (; i < g.Length; i++)
        {
            double v = variance[i] < floor ? floor : variance[i];
            u[i] = 1d / (double)Math.Sqrt(v) * g[i];
        }
    }

    /// <summary><c>p = p·decay</c>, then <c>p = p + step·u</c>: two roundings, as PyTorch's <c>mul_</c> then <c>add_</c>.</summary>
    private static void Apply(Span<double> parameter, Span<double> u, double decay, double step)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int whole = parameter.Length - (parameter.Length % Vector<double>.Count);
            Span<Vector<double>> pv = MemoryMarshal.Cast<double, Vector<double>>(parameter.Slice(0, whole));
            Span<Vector<double>> uv = MemoryMarshal.Cast<double, Vector<double>>(u.Slice(0, whole));
            var d = new Vector<double>(decay);
            var s = new Vector<double>(step);
            for (int k = 0; k < pv.Length; k++)
            {
                Vector<double> p = pv[k] * d;
                pv[k] = p + (s * uv[k]);
            }

            i = whole;
        }

        for (; i < parameter.Length; i++)
        {
            double p = parameter[i] * decay;
            parameter[i] = p + (step * u[i]);
        }
    }

    private static void CheckFactored(int parameter, int gradient, int rowVariance, int columnVariance, int batches, int rows, int columns)
    {
        if (batches < 0 || rows < 0 || columns < 0 || parameter != (long)batches * rows * columns)
        {
            throw new ArgumentException("The parameter's length is not batches × rows × columns.", nameof(parameter));
        }

        if (gradient != parameter)
        {
            throw new ArgumentException("The gradient and the parameter must have the same length.", nameof(gradient));
        }

        if (rowVariance != batches * rows || columnVariance != batches * columns)
        {
            throw new ArgumentException("The row and column averages must hold batches × rows and batches × columns elements.", nameof(rowVariance));
        }
    }

    private static void CheckVector(int parameter, int gradient, int variance)
    {
        if (gradient != parameter || variance != parameter)
        {
            throw new ArgumentException("The parameter, the gradient and the average must have the same length.", nameof(gradient));
        }
    }
}
