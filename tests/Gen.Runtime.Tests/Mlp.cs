using System;
using System.Numerics;
using Gen.__Internals;

namespace Gen.Runtime.Tests;

/// <summary>A two-layer perceptron in double, for the gradient check.</summary>
[RmsProp]
public sealed partial class Mlp
{
    public double[,] W1 = new double[3, 6];

    public double[] B1 = new double[6];

    public double[,] W2 = new double[6, 2];

    public double[] B2 = new double[2];
}

/// <summary>The same perceptron in float: its loss is computed in float, as a user's would be.</summary>
[RmsProp]
public sealed partial class MlpSingle
{
    public float[,] W1 = new float[3, 6];

    public float[] B1 = new float[6];

    public float[,] W2 = new float[6, 2];

    public float[] B2 = new float[2];
}

/// <summary>Which mistake <see cref="Network.Backward"/> makes, if any.</summary>
public enum BackwardBug
{
    None,

    /// <summary>Forgets the tanh derivative in the hidden bias gradient only.</summary>
    HiddenBiasSkipsTanhDerivative,

    /// <summary>Uses the hidden pre-activation instead of the activation in the output weight gradient.</summary>
    OutputWeightsUsePreActivation,
}

/// <summary>
/// Forward and hand-written backward pass of h = tanh(x·W1 + b1), y = h·W2 + b2,
/// loss = Σ (y − t)² / (2N), in the element type <typeparamref name="T"/>.
/// </summary>
public sealed class Network<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public Network(int seed, int batch)
    {
        var random = new Random(seed);
        X = new T[batch, 3];
        Targets = new T[batch, 2];
        Fill(X, random);
        Fill(Targets, random);
    }

    public T[,] X { get; }

    public T[,] Targets { get; }

    public static void Fill(Array array, Random random)
    {
        Span<T> values = Tensors.FlatSpan<T>(array);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating((random.NextDouble() * 2) - 1);
        }
    }

    public T Loss(T[,] w1, T[] b1, T[,] w2, T[] b2)
    {
        (_, _, T[,] y) = Forward(w1, b1, w2, b2);
        T sum = T.Zero;
        for (int n = 0; n < y.GetLength(0); n++)
        {
            for (int o = 0; o < y.GetLength(1); o++)
            {
                T d = y[n, o] - Targets[n, o];
                sum += d * d;
            }
        }

        return sum / T.CreateTruncating(2 * y.GetLength(0));
    }

    public void Backward(T[,] w1, T[] b1, T[,] w2, T[] b2, T[,] gw1, T[] gb1, T[,] gw2, T[] gb2, BackwardBug bug = BackwardBug.None)
    {
        (T[,] z, T[,] h, T[,] y) = Forward(w1, b1, w2, b2);
        int batch = X.GetLength(0);
        int hidden = b1.Length;
        int outputs = b2.Length;
        T count = T.CreateTruncating(batch);
        Array.Clear(gw1);
        Array.Clear(gb1);
        Array.Clear(gw2);
        Array.Clear(gb2);

        for (int n = 0; n < batch; n++)
        {
            var dy = new T[outputs];
            for (int o = 0; o < outputs; o++)
            {
                dy[o] = (y[n, o] - Targets[n, o]) / count;
                gb2[o] += dy[o];
                for (int j = 0; j < hidden; j++)
                {
                    gw2[j, o] += (bug == BackwardBug.OutputWeightsUsePreActivation ? z[n, j] : h[n, j]) * dy[o];
                }
            }

            for (int j = 0; j < hidden; j++)
            {
                T dh = T.Zero;
                for (int o = 0; o < outputs; o++)
                {
                    dh += dy[o] * w2[j, o];
                }

                T dz = dh * (T.One - (h[n, j] * h[n, j]));
                gb1[j] += bug == BackwardBug.HiddenBiasSkipsTanhDerivative ? dh : dz;
                for (int i = 0; i < X.GetLength(1); i++)
                {
                    gw1[i, j] += X[n, i] * dz;
                }
            }
        }
    }

    private (T[,] Z, T[,] H, T[,] Y) Forward(T[,] w1, T[] b1, T[,] w2, T[] b2)
    {
        int batch = X.GetLength(0);
        var z = new T[batch, b1.Length];
        var h = new T[batch, b1.Length];
        var y = new T[batch, b2.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int j = 0; j < b1.Length; j++)
            {
                T sum = b1[j];
                for (int i = 0; i < X.GetLength(1); i++)
                {
                    sum += X[n, i] * w1[i, j];
                }

                z[n, j] = sum;
                h[n, j] = T.Tanh(sum);
            }

            for (int o = 0; o < b2.Length; o++)
            {
                T sum = b2[o];
                for (int j = 0; j < b1.Length; j++)
                {
                    sum += h[n, j] * w2[j, o];
                }

                y[n, o] = sum;
            }
        }

        return (z, h, y);
    }
}
