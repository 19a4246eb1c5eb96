using System;
using Gen;

namespace QuickStart;

/// <summary>
/// A 2 → 32 → 32 → 1 multilayer perceptron with tanh hidden layers and one logit output
/// (sigmoid + binary cross-entropy). The model class holds only the parameters: every
/// <c>float[]</c> / <c>float[,]</c> instance field is a parameter that Gen trains.
/// </summary>
/// <remarks>
/// Each optimizer attribute makes the source generator add a nested optimizer type to this class
/// (<c>SpiralNet.RmsPropOptimizer</c>, <c>AdamOptimizer</c>, <c>SgdOptimizer</c>, <c>AdagradOptimizer</c>,
/// <c>AdamWOptimizer</c>, <c>NAdamOptimizer</c>, <c>RAdamOptimizer</c>, <c>AdamaxOptimizer</c>, <c>AsgdOptimizer</c>,
/// <c>RpropOptimizer</c>: PyTorch's semantics, allocation-free; <c>LionOptimizer</c>, <c>LambOptimizer</c>,
/// <c>MuonOptimizer</c>, <c>AdafactorOptimizer</c>: the semantics the README's table gives for each;
/// <c>ScheduleFreeAdamWOptimizer</c>: Defazio et al.'s Schedule-Free AdamW, which needs no learning-rate schedule),
/// and all of them share one generated
/// <c>SpiralNet.Gradients</c> (one zeroed array per parameter, same names and shapes).
/// The class must be <c>partial</c> so the generator can add them.
/// </remarks>
[RmsProp(LearningRate = 1e-2, Rho = 0.9)]
[Adam(LearningRate = 1e-2)]
[AdamW(LearningRate = 1e-2)]            // decoupled weight decay 0.01 (PyTorch's default)
[Sgd(LearningRate = 0.1, Momentum = 0.9)]
[Adagrad(LearningRate = 0.2)]
[NAdam(LearningRate = 1e-2)]
[RAdam(LearningRate = 1e-2)]
[Adamax(LearningRate = 2e-2)]
[Lion(LearningRate = 3e-3)]             // steps of size lr per element (signs): a third of Adam's rate
[Lamb(LearningRate = 1e-2)]             // Adam's direction scaled per member to ||p|| / ||u||
[Muon(LearningRate = 2e-2)]             // W1 and W2 orthogonalized (Newton-Schulz); the vectors by its AdamW part
[Adafactor(LearningRate = 3e-2)]        // factored second moments for W1 and W2; steps relative to each member's RMS
[Asgd(LearningRate = 0.5, T0 = 3900)]   // averages from step 3,900 on: the second half of the QuickStart's 7,800 steps
[Rprop]                                 // PyTorch's defaults; a full-batch method (Program.cs gives it every point per step)
[ScheduleFreeAdamW(LearningRate = 3e-2, WarmupSteps = 390)] // warm-up: the first 5% of the 7,800 steps
public sealed partial class SpiralNet
{
    public const int Inputs = 2;
    public const int Hidden = 32;

    // Parameters. Weights are stored [input, output]: W1[i, j] connects input i to unit j.
    public float[,] W1 = new float[Inputs, Hidden];
    public float[] B1 = new float[Hidden];
    public float[,] W2 = new float[Hidden, Hidden];
    public float[] B2 = new float[Hidden];
    public float[] W3 = new float[Hidden];
    public float[] B3 = new float[1]; // a scalar bias is a 1-element array: parameters are arrays.

    /// <summary>Xavier/Glorot-uniform weights (suited to tanh), zero biases, from a seeded generator.</summary>
    public SpiralNet(Random random)
    {
        FillXavier(W1, random);
        FillXavier(W2, random);
        float limit = MathF.Sqrt(6f / (Hidden + 1));
        for (int k = 0; k < Hidden; k++)
        {
            W3[k] = Uniform(random, limit);
        }
    }

    private static void FillXavier(float[,] w, Random random)
    {
        int fanIn = w.GetLength(0), fanOut = w.GetLength(1);
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (int i = 0; i < fanIn; i++)
        {
            for (int j = 0; j < fanOut; j++)
            {
                w[i, j] = Uniform(random, limit);
            }
        }
    }

    private static float Uniform(Random random, float limit) => (float)((2 * random.NextDouble() - 1) * limit);

    /// <summary>
    /// Forward pass over the samples <c>rows[start .. start + count)</c> of <paramref name="x"/>.
    /// Stores the hidden activations and the output logits in <paramref name="ws"/> (row b of the
    /// workspace is the b-th sample of the batch) for <see cref="Backward"/>.
    /// </summary>
    public void Forward(float[,] x, int[] rows, int start, int count, Workspace ws)
    {
        for (int b = 0; b < count; b++)
        {
            int n = rows[start + b];

            // Layer 1: h1 = tanh(x · W1 + B1)
            for (int j = 0; j < Hidden; j++)
            {
                float a = B1[j];
                for (int i = 0; i < Inputs; i++)
                {
                    a += x[n, i] * W1[i, j];
                }

                ws.H1[b, j] = MathF.Tanh(a);
            }

            // Layer 2: h2 = tanh(h1 · W2 + B2)
            for (int k = 0; k < Hidden; k++)
            {
                float a = B2[k];
                for (int j = 0; j < Hidden; j++)
                {
                    a += ws.H1[b, j] * W2[j, k];
                }

                ws.H2[b, k] = MathF.Tanh(a);
            }

            // Output: one logit z = h2 · W3 + B3. P(class 1) = sigmoid(z).
            float z = B3[0];
            for (int k = 0; k < Hidden; k++)
            {
                z += ws.H2[b, k] * W3[k];
            }

            ws.Logit[b] = z;
        }
    }

    /// <summary>
    /// Mean binary cross-entropy of the logits of the last <see cref="Forward"/> against the labels,
    /// in the numerically stable form <c>max(z, 0) − z·y + log(1 + e^(−|z|))</c>; also counts the
    /// samples whose predicted class (<c>z &gt; 0</c>) is right.
    /// </summary>
    public static float Loss(float[] y, int[] rows, int start, int count, Workspace ws, out int correct)
    {
        double sum = 0;
        correct = 0;
        for (int b = 0; b < count; b++)
        {
            float z = ws.Logit[b];
            float label = y[rows[start + b]];
            sum += MathF.Max(z, 0) - z * label + MathF.Log(1 + MathF.Exp(-MathF.Abs(z)));
            if ((z > 0) == (label > 0.5f))
            {
                correct++;
            }
        }

        return (float)(sum / count);
    }

    /// <summary>
    /// Backward pass: adds the gradient of the mean loss over the batch of the last
    /// <see cref="Forward"/> to <paramref name="grads"/>. Clear the gradients first.
    /// </summary>
    public void Backward(float[,] x, float[] y, int[] rows, int start, int count, Workspace ws, Gradients grads)
    {
        float scale = 1f / count; // the loss is a mean over the batch
        for (int b = 0; b < count; b++)
        {
            int n = rows[start + b];

            // d loss / d z for sigmoid + binary cross-entropy is simply sigmoid(z) − y.
            float dz = (Sigmoid(ws.Logit[b]) - y[n]) * scale;

            // Output layer: z = h2 · W3 + B3.
            grads.B3[0] += dz;
            for (int k = 0; k < Hidden; k++)
            {
                grads.W3[k] += ws.H2[b, k] * dz;

                // Through tanh: d tanh(a) / da = 1 − tanh(a)².
                float h2 = ws.H2[b, k];
                ws.DA2[k] = W3[k] * dz * (1 - h2 * h2);
            }

            // Layer 2: a2 = h1 · W2 + B2.
            for (int k = 0; k < Hidden; k++)
            {
                grads.B2[k] += ws.DA2[k];
            }

            for (int j = 0; j < Hidden; j++)
            {
                float h1 = ws.H1[b, j];
                float dh1 = 0;
                for (int k = 0; k < Hidden; k++)
                {
                    grads.W2[j, k] += h1 * ws.DA2[k];
                    dh1 += W2[j, k] * ws.DA2[k];
                }

                ws.DA1[j] = dh1 * (1 - h1 * h1);
            }

            // Layer 1: a1 = x · W1 + B1.
            for (int j = 0; j < Hidden; j++)
            {
                grads.B1[j] += ws.DA1[j];
                for (int i = 0; i < Inputs; i++)
                {
                    grads.W1[i, j] += x[n, i] * ws.DA1[j];
                }
            }
        }
    }

    private static float Sigmoid(float z) => z >= 0
        ? 1 / (1 + MathF.Exp(-z))
        : MathF.Exp(z) / (1 + MathF.Exp(z));
}

/// <summary>
/// Pre-allocated buffers for one batch: activations of the forward pass and per-sample scratch of
/// the backward pass. Kept out of <see cref="SpiralNet"/>, where every float array is a parameter.
/// </summary>
public sealed class Workspace
{
    public readonly float[,] H1;    // [batch, Hidden] tanh outputs of layer 1
    public readonly float[,] H2;    // [batch, Hidden] tanh outputs of layer 2
    public readonly float[] Logit;  // [batch] output logits
    public readonly float[] DA1 = new float[SpiralNet.Hidden]; // d loss / d pre-activation, layer 1 (one sample)
    public readonly float[] DA2 = new float[SpiralNet.Hidden]; // d loss / d pre-activation, layer 2 (one sample)

    public Workspace(int capacity)
    {
        H1 = new float[capacity, SpiralNet.Hidden];
        H2 = new float[capacity, SpiralNet.Hidden];
        Logit = new float[capacity];
    }
}
