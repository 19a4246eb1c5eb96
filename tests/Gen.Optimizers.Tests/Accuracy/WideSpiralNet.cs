using System;
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>
/// The QuickStart's network made wide enough for 8-bit state: 2 → 64 → 64 → 1, tanh, one logit (sigmoid + binary
/// cross-entropy), Xavier-uniform weights from a seeded generator. W2 has 4,096 elements, so
/// <c>StatePrecision.Int8Blockwise</c> quantizes its state (bitsandbytes' 4,096-element minimum); the smaller members
/// keep float32 state, as bitsandbytes does. Forward and backward over a mini-batch of rows, plain loops.
/// </summary>
[Adam(Name = "Adam", LearningRate = 1e-2)]
[Adam(Name = "AdamInt8", LearningRate = 1e-2, StatePrecision = StatePrecision.Int8Blockwise)]
[AdamW(Name = "AdamW", LearningRate = 1e-2)]
[AdamW(Name = "AdamWInt8", LearningRate = 1e-2, StatePrecision = StatePrecision.Int8Blockwise)]
[RmsProp(Name = "RmsProp", LearningRate = 1e-2, Rho = 0.9)]
[RmsProp(Name = "RmsPropInt8", LearningRate = 1e-2, Rho = 0.9, StatePrecision = StatePrecision.Int8Blockwise)]
public sealed partial class WideSpiralNet
{
    public const int Hidden = 64;

    public float[,] W1 = new float[2, Hidden];
    public float[] B1 = new float[Hidden];
    public float[,] W2 = new float[Hidden, Hidden];
    public float[] B2 = new float[Hidden];
    public float[] W3 = new float[Hidden];
    public float[] B3 = new float[1];

    // Activations of the last forward pass, per row of the batch: not parameters.
    [Frozen] private float[,] _h1 = new float[0, Hidden];
    [Frozen] private float[,] _h2 = new float[0, Hidden];
    [Frozen] private float[] _logit = Array.Empty<float>();

    public WideSpiralNet(Random random)
    {
        Xavier(W1, random);
        Xavier(W2, random);
        float limit = MathF.Sqrt(6f / (Hidden + 1));
        for (int k = 0; k < Hidden; k++)
        {
            W3[k] = (float)(((2 * random.NextDouble()) - 1) * limit);
        }
    }

    /// <summary>The logits of rows <c>rows[start .. start + count)</c> of <paramref name="x"/>.</summary>
    public float[] Forward(float[,] x, int[] rows, int start, int count)
    {
        if (_logit.Length < count)
        {
            (_h1, _h2, _logit) = (new float[count, Hidden], new float[count, Hidden], new float[count]);
        }

        for (int n = 0; n < count; n++)
        {
            int row = rows[start + n];
            for (int j = 0; j < Hidden; j++)
            {
                _h1[n, j] = MathF.Tanh((x[row, 0] * W1[0, j]) + (x[row, 1] * W1[1, j]) + B1[j]);
            }

            for (int j = 0; j < Hidden; j++)
            {
                float a = B2[j];
                for (int i = 0; i < Hidden; i++)
                {
                    a += _h1[n, i] * W2[i, j];
                }

                _h2[n, j] = MathF.Tanh(a);
            }

            float logit = B3[0];
            for (int j = 0; j < Hidden; j++)
            {
                logit += _h2[n, j] * W3[j];
            }

            _logit[n] = logit;
        }

        return _logit;
    }

    /// <summary>The mean loss's gradient over the rows of the last <see cref="Forward"/>, added to <paramref name="grads"/>.</summary>
    public void Backward(float[,] x, float[] y, int[] rows, int start, int count, Gradients grads)
    {
        Span<float> d2 = stackalloc float[Hidden];
        Span<float> d1 = stackalloc float[Hidden];
        for (int n = 0; n < count; n++)
        {
            int row = rows[start + n];
            float dLogit = ((1f / (1f + MathF.Exp(-_logit[n]))) - y[row]) / count;
            grads.B3[0] += dLogit;
            for (int j = 0; j < Hidden; j++)
            {
                grads.W3[j] += dLogit * _h2[n, j];
                d2[j] = dLogit * W3[j] * (1 - (_h2[n, j] * _h2[n, j]));
                grads.B2[j] += d2[j];
            }

            for (int i = 0; i < Hidden; i++)
            {
                float back = 0;
                for (int j = 0; j < Hidden; j++)
                {
                    grads.W2[i, j] += _h1[n, i] * d2[j];
                    back += W2[i, j] * d2[j];
                }

                d1[i] = back * (1 - (_h1[n, i] * _h1[n, i]));
                grads.B1[i] += d1[i];
                grads.W1[0, i] += x[row, 0] * d1[i];
                grads.W1[1, i] += x[row, 1] * d1[i];
            }
        }
    }

    /// <summary>The fraction of <paramref name="y"/> the model classifies right.</summary>
    public double Accuracy(float[,] x, float[] y)
    {
        int[] all = new int[y.Length];
        for (int n = 0; n < all.Length; n++)
        {
            all[n] = n;
        }

        float[] logits = Forward(x, all, 0, all.Length);
        int correct = 0;
        for (int n = 0; n < all.Length; n++)
        {
            correct += (logits[n] > 0) == (y[n] > 0.5f) ? 1 : 0;
        }

        return (double)correct / all.Length;
    }

    private static void Xavier(float[,] w, Random random)
    {
        float limit = MathF.Sqrt(6f / (w.GetLength(0) + w.GetLength(1)));
        for (int i = 0; i < w.GetLength(0); i++)
        {
            for (int j = 0; j < w.GetLength(1); j++)
            {
                w[i, j] = (float)(((2 * random.NextDouble()) - 1) * limit);
            }
        }
    }
}
