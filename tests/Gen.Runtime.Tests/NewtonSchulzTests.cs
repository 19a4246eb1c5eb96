using System;
using Gen.__Internals;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// <see cref="NewtonSchulz.Orthogonalize"/> is Muon's iteration (PyTorch 2.9's <c>_zeropower_via_newtonschulz</c>, in
/// float32): against the same iteration in double, for wide, tall and square matrices, in place, and for edge cases.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class NewtonSchulzTests
{
    // Muon's coefficients and ε (PyTorch 2.9 torch/optim/_muon.py, from the Muon reference).
    private const float A = 3.4445f, B = -4.7750f, C = 2.0315f, Epsilon = 1e-7f;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(16, 32)]
    [InlineData(32, 16)]
    [InlineData(40, 40)]
    [InlineData(70, 300)]
    [InlineData(300, 70)]
    public void FiveStepsMatchTheIterationInDouble(int rows, int columns)
    {
        var random = new Random((rows * 1000) + columns);
        float[] g = new float[rows * columns];
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = (float)((random.NextDouble() * 2) - 1);
        }

        float[] result = new float[g.Length];
        NewtonSchulz.Orthogonalize(g, rows, columns, result, A, B, C, 5, Epsilon, new NewtonSchulzWorkspace(Math.Min(rows, columns), Math.Max(rows, columns)));

        double[] expected = Reference(g, rows, columns, 5);
        double largest = 0;
        for (int i = 0; i < g.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i]));
            Assert.True(Math.Abs(result[i] - expected[i]) <= 2e-4 * (1 + Math.Abs(expected[i])), $"{rows}×{columns}: element {i} is {result[i]:R}, the iteration in double gives {expected[i]:R}");
        }

        // The iteration moves the singular values toward 1 (roughly 0.7–1.2 after five steps): entries are not tiny.
        Assert.True(largest > 0.05, $"{rows}×{columns}: the largest entry is {largest}");
    }

    [Fact]
    public void TheResultMayBeTheInput()
    {
        var random = new Random(3);
        float[] g = new float[12 * 5];
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = (float)random.NextDouble();
        }

        var workspace = new NewtonSchulzWorkspace(5, 12);
        float[] separate = new float[g.Length];
        NewtonSchulz.Orthogonalize(g, 12, 5, separate, A, B, C, 5, Epsilon, workspace);
        NewtonSchulz.Orthogonalize(g, 12, 5, g, A, B, C, 5, Epsilon, workspace);
        Assert.Equal(separate, g);
    }

    [Fact]
    public void AZeroMatrixStaysZeroAndZeroStepsOnlyNormalize()
    {
        float[] zero = new float[6], result = { 1, 1, 1, 1, 1, 1 };
        var workspace = new NewtonSchulzWorkspace(2, 3);
        NewtonSchulz.Orthogonalize(zero, 2, 3, result, A, B, C, 5, Epsilon, workspace);
        Assert.Equal(new float[6], result);

        float[] g = { 3, 0, 0, 4, 0, 0 };
        NewtonSchulz.Orthogonalize(g, 2, 3, result, A, B, C, 0, Epsilon, workspace);
        Assert.Equal(new[] { 0.6f, 0, 0, 0.8f, 0, 0 }, result);
    }

    [Fact]
    public void BadArgumentsThrowBeforeAnythingIsWritten()
    {
        float[] g = new float[6], result = { 1, 2, 3, 4, 5, 6 };
        var workspace = new NewtonSchulzWorkspace(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => NewtonSchulz.Orthogonalize(g, -2, 3, result, A, B, C, 5, Epsilon, workspace));
        Assert.Throws<ArgumentOutOfRangeException>("steps", () => NewtonSchulz.Orthogonalize(g, 2, 3, result, A, B, C, -1, Epsilon, workspace));
        Assert.Throws<ArgumentException>("matrix", () => NewtonSchulz.Orthogonalize(g.AsSpan(0, 5), 2, 3, result, A, B, C, 5, Epsilon, workspace));
        Assert.Throws<ArgumentException>("result", () => NewtonSchulz.Orthogonalize(g, 2, 3, result.AsSpan(1), A, B, C, 5, Epsilon, workspace));
        Assert.Throws<ArgumentException>("workspace", () => NewtonSchulz.Orthogonalize(new float[8], 2, 4, new float[8], A, B, C, 5, Epsilon, workspace));
        Assert.Throws<ArgumentNullException>("workspace", () => NewtonSchulz.Orthogonalize(g, 2, 3, result, A, B, C, 5, Epsilon, null!));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, result);
    }

    /// <summary>The iteration in double, written from its definition with plain loops.</summary>
    private static double[] Reference(float[] g, int rows, int columns, int steps)
    {
        bool transposed = rows > columns;
        int m = transposed ? columns : rows, n = transposed ? rows : columns;
        double[,] x = new double[m, n];
        double norm = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double value = g[(i * columns) + j];
                norm += value * value;
                if (transposed)
                {
                    x[j, i] = value;
                }
                else
                {
                    x[i, j] = value;
                }
            }
        }

        norm = Math.Max(Math.Sqrt(norm), Epsilon);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                x[i, j] /= norm;
            }
        }

        for (int step = 0; step < steps; step++)
        {
            double[,] gram = new double[m, m], poly = new double[m, m], next = new double[m, n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    for (int k = 0; k < n; k++)
                    {
                        gram[i, j] += x[i, k] * x[j, k];
                    }
                }
            }

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    double square = 0;
                    for (int k = 0; k < m; k++)
                    {
                        square += gram[i, k] * gram[k, j];
                    }

                    poly[i, j] = (B * gram[i, j]) + (C * square);
                }
            }

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double product = 0;
                    for (int k = 0; k < m; k++)
                    {
                        product += poly[i, k] * x[k, j];
                    }

                    next[i, j] = (A * x[i, j]) + product;
                }
            }

            x = next;
        }

        double[] result = new double[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[(i * columns) + j] = transposed ? x[j, i] : x[i, j];
            }
        }

        return result;
    }
}
