using System;
using Gen.__Internals;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Muon's update of one <c>rows × columns</c> matrix member, written from the algorithm (Jordan et al. 2024; PyTorch
/// 2.9's <c>_single_tensor_muon</c> and <c>_zeropower_via_newtonschulz</c>): <c>b = lerp(b, g, 1 − μ)</c>;
/// <c>u = lerp(g, b, μ)</c> with Nesterov, else <c>b</c>; <c>u = NS(u)</c>; <c>p = p·(1 − lr·wd)</c>;
/// <c>p = p − lr'·u</c>, with PyTorch's <c>lerp</c> rule and its <c>_adjust_lr</c>.
/// </summary>
/// <remarks>
/// With <c>single: false</c> every operation is in double, the Newton–Schulz iteration included (<see cref="Orthogonalize"/>,
/// written here): the float64 algorithm. With <c>single: true</c> every element-wise operation is rounded to float as
/// the generated kernels round it (the lerp weight and <c>1 − w</c> in float, as PyTorch's float kernel has them), and
/// the matrix is orthogonalized by the runtime's float32 <see cref="NewtonSchulz"/> (its own tests hold it to the
/// iteration in double and its products to their documented sequence), so a generated float optimizer must match it bit
/// for bit.
/// </remarks>
internal sealed class MuonReference
{
    private readonly MuonAttribute _c;
    private readonly int _rows;
    private readonly int _columns;
    private readonly bool _single;
    private readonly double[] _buffer;
    private readonly NewtonSchulzWorkspace? _workspace;

    public MuonReference(MuonAttribute c, int rows, int columns, bool single)
    {
        _c = c;
        _rows = rows;
        _columns = columns;
        _single = single;
        _buffer = new double[rows * columns];
        _workspace = single ? new NewtonSchulzWorkspace(Math.Min(rows, columns), Math.Max(rows, columns)) : null;
    }

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay)
    {
        Func<double, double> r = References.Rounding(_single);
        int length = parameters.Length;
        double[] update = new double[length];
        for (int i = 0; i < length; i++)
        {
            double grad = gradients[i];
            double buffer = Lerp(_buffer[i], grad, 1 - _c.Momentum);
            _buffer[i] = buffer;
            update[i] = _c.Nesterov ? Lerp(grad, buffer, _c.Momentum) : buffer;
        }

        double[] orthogonal = _single ? OrthogonalizeInFloat(update) : Orthogonalize(update, _rows, _columns, _c.NewtonSchulzA, _c.NewtonSchulzB, _c.NewtonSchulzC, _c.NewtonSchulzSteps, _c.Epsilon);

        // _adjust_lr: A, B = shape[:2]; "original" lr·sqrt(max(1, A / B)), "match_rms_adamw" lr·(0.2·sqrt(max(A, B))).
        double adjusted = _c.LearningRateAdjustment == MuonLearningRateAdjustment.Original
            ? learningRate * Math.Sqrt(Math.Max(1, (double)_rows / _columns))
            : learningRate * (0.2 * Math.Sqrt(Math.Max(_rows, _columns)));
        double decay = r(1 - (learningRate * weightDecay)), negAdjusted = r(-adjusted);
        for (int i = 0; i < length; i++)
        {
            double param = r(parameters[i] * decay);
            parameters[i] = r(param + r(negAdjusted * orthogonal[i]));
        }
    }

    /// <summary>
    /// The Newton–Schulz iteration in double: X = G (transposed when it has more rows than columns) divided by
    /// max(‖X‖_F, ε), then <paramref name="steps"/> times A = X·Xᵀ, B = b·A + c·A·A, X = a·X + B·X; transposed back.
    /// </summary>
    public static double[] Orthogonalize(double[] g, int rows, int columns, double a, double b, double c, int steps, double epsilon)
    {
        bool transposed = rows > columns;
        int m = transposed ? columns : rows, n = transposed ? rows : columns;
        double[,] x = new double[m, n];
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double value = g[(i * columns) + j];
                x[transposed ? j : i, transposed ? i : j] = value;
                sum += value * value;
            }
        }

        double scale = Math.Max(Math.Sqrt(sum), epsilon);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                x[i, j] /= scale;
            }
        }

        for (int step = 0; step < steps; step++)
        {
            double[,] gram = new double[m, m];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < n; k++)
                    {
                        dot += x[i, k] * x[j, k];
                    }

                    gram[i, j] = dot;
                }
            }

            double[,] polynomial = new double[m, m];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    double square = 0;
                    for (int k = 0; k < m; k++)
                    {
                        square += gram[i, k] * gram[k, j];
                    }

                    polynomial[i, j] = (b * gram[i, j]) + (c * square);
                }
            }

            double[,] next = new double[m, n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double product = 0;
                    for (int k = 0; k < m; k++)
                    {
                        product += polynomial[i, k] * x[k, j];
                    }

                    next[i, j] = (a * x[i, j]) + product;
                }
            }

            x = next;
        }

        double[] result = new double[g.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[(i * columns) + j] = x[transposed ? j : i, transposed ? i : j];
            }
        }

        return result;
    }

    /// <summary>
    /// PyTorch's <c>lerp(start, end, weight)</c> per element: <c>start + w·(end − start)</c> for <c>|w| &lt; 0.5</c>, else
    /// <c>end − (end − start)·(1 − w)</c>, with <c>w</c> (and <c>1 − w</c>) in the tensor's type.
    /// </summary>
    private double Lerp(double start, double end, double weight)
    {
        Func<double, double> r = References.Rounding(_single);
        double w = r(weight);
        if (Math.Abs(w) < 0.5)
        {
            return r(start + r(w * r(end - start)));
        }

        return r(end - r(r(end - start) * r(1 - w)));
    }

    private double[] OrthogonalizeInFloat(double[] update)
    {
        float[] matrix = TestData.ToSingle(update);
        NewtonSchulz.Orthogonalize(matrix, _rows, _columns, matrix, (float)_c.NewtonSchulzA, (float)_c.NewtonSchulzB, (float)_c.NewtonSchulzC, _c.NewtonSchulzSteps, (float)_c.Epsilon, _workspace!);
        return Array.ConvertAll(matrix, v => (double)v);
    }
}

/// <summary>
/// [Muon] on a model without matrices: every member takes the AdamW part, [AdamW]'s update (PyTorch 1.13's
/// <c>_single_tensor_adamw</c>) at <c>LearningRate·AdamWLearningRateScale</c> with the constant <c>AdamWWeightDecay</c>.
/// </summary>
internal sealed class MuonAdamWPartReference(MuonAttribute c, int length, bool single) : IReference
{
    private readonly AdamReference _adam = new(c.AdamWBeta1, c.AdamWBeta2, c.AdamWEpsilon, amsGrad: false, maximize: false, decoupled: true, length, single);

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount) =>
        _adam.Step(parameters, gradients, learningRate * c.AdamWLearningRateScale, c.AdamWWeightDecay, stepCount);
}
