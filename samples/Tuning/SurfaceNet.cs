using System;
using Gen;

namespace Tuning;

/// <summary>
/// A 2 → 24 → 24 → 1 multilayer perceptron with tanh hidden layers and a linear output, trained with
/// mean squared error. Every <c>float[]</c> / <c>float[,]</c> instance field is a parameter that Gen trains.
/// </summary>
/// <remarks>
/// <para>
/// One attribute per optimizer to sweep. Rho is a compile-time constant of a generated RMSProp (it is
/// folded into the update loop), so each rho is its own attribute with its own <c>Name</c>, hence its own
/// generated type: <c>SurfaceNet.RmsPropRho90</c>, <c>RmsPropRho99</c>, <c>RmsPropRho999</c>. The
/// learning rate is a runtime property of every optimizer, so one type serves every rate of the sweep.
/// </para>
/// <para>
/// The attributes' learning rates are only the starting values of <c>LearningRate</c> and
/// <c>BaseLearningRate</c>; the sweep sets <c>BaseLearningRate</c> itself. <c>[Sgd]</c> requires one.
/// AdEMAMix's warm-ups of α and β3 last the whole run (1,200 steps), as its paper advises; Schedule-Free AdamW
/// warms up over 5% of it and runs without the schedule. All twelve optimizers share the one generated
/// <c>SurfaceNet.Gradients</c>. (Rprop is not swept: it is a full-batch method, and its learning rate is only its
/// initial step size, which a schedule does not reach.)
/// </para>
/// </remarks>
[RmsProp(Name = "RmsPropRho90", Rho = 0.9)]    // Keras/TensorFlow's default rho
[RmsProp(Name = "RmsPropRho99", Rho = 0.99)]   // PyTorch's default alpha
[RmsProp(Name = "RmsPropRho999", Rho = 0.999)] // a long average of squared gradients
[Adam]
[NAdam]
[RAdam]
[Adamax]
[Sgd(LearningRate = 0.1, Momentum = 0.9)]
[Asgd(T0 = 600)]                               // plain SGD whose parameters are averaged over the last 600 of 1,200 steps
[AdEMAMix(Beta3 = 0.999, AlphaWarmup = 1200, Beta3Warmup = 1200)]
[Adopt]
[ScheduleFreeAdamW(WarmupSteps = 60)]
public sealed partial class SurfaceNet
{
    public const int Inputs = 2;
    public const int Hidden = 24;

    // Parameters. Weights are stored [input, output]: W1[i, j] connects input i to unit j.
    public float[,] W1 = new float[Inputs, Hidden];
    public float[] B1 = new float[Hidden];
    public float[,] W2 = new float[Hidden, Hidden];
    public float[] B2 = new float[Hidden];
    public float[] W3 = new float[Hidden];
    public float[] B3 = new float[1]; // a scalar bias is a 1-element array: parameters are arrays.

    /// <summary>Xavier/Glorot-uniform weights (suited to tanh), zero biases, from a seeded generator.</summary>
    public SurfaceNet(Random random)
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
    /// Stores the hidden activations and the outputs in <paramref name="ws"/> (row b of the workspace is
    /// the b-th sample of the batch) for <see cref="Backward"/>.
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

            // Output: the prediction o = h2 · W3 + B3 (linear: this is a regression).
            float o = B3[0];
            for (int k = 0; k < Hidden; k++)
            {
                o += ws.H2[b, k] * W3[k];
            }

            ws.Output[b] = o;
        }
    }

    /// <summary>Mean squared error of the outputs of the last <see cref="Forward"/> against the targets.</summary>
    public static double Loss(float[] y, int[] rows, int start, int count, Workspace ws)
    {
        double sum = 0;
        for (int b = 0; b < count; b++)
        {
            double error = ws.Output[b] - y[rows[start + b]];
            sum += error * error;
        }

        return sum / count;
    }

    /// <summary>
    /// Backward pass: adds the gradient of the mean squared error over the batch of the last
    /// <see cref="Forward"/> to <paramref name="grads"/>. Clear the gradients first.
    /// </summary>
    public void Backward(float[,] x, float[] y, int[] rows, int start, int count, Workspace ws, Gradients grads)
    {
        float scale = 2f / count; // d/do of mean((o − y)²) is 2 (o − y) / count
        for (int b = 0; b < count; b++)
        {
            int n = rows[start + b];
            float dout = (ws.Output[b] - y[n]) * scale;

            // Output layer: o = h2 · W3 + B3.
            grads.B3[0] += dout;
            for (int k = 0; k < Hidden; k++)
            {
                float h2 = ws.H2[b, k];
                grads.W3[k] += h2 * dout;

                // Through tanh: d tanh(a) / da = 1 − tanh(a)².
                ws.DA2[k] = W3[k] * dout * (1 - h2 * h2);
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
}

/// <summary>
/// Pre-allocated buffers for one batch: activations of the forward pass and per-sample scratch of
/// the backward pass. Kept out of <see cref="SurfaceNet"/>, where every float array is a parameter.
/// </summary>
public sealed class Workspace
{
    public readonly float[,] H1;    // [batch, Hidden] tanh outputs of layer 1
    public readonly float[,] H2;    // [batch, Hidden] tanh outputs of layer 2
    public readonly float[] Output; // [batch] predictions
    public readonly float[] DA1 = new float[SurfaceNet.Hidden]; // d loss / d pre-activation, layer 1 (one sample)
    public readonly float[] DA2 = new float[SurfaceNet.Hidden]; // d loss / d pre-activation, layer 2 (one sample)

    public Workspace(int capacity)
    {
        H1 = new float[capacity, SurfaceNet.Hidden];
        H2 = new float[capacity, SurfaceNet.Hidden];
        Output = new float[capacity];
    }
}
