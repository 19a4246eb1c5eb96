using System;
using Gen;

namespace GameAgent;

/// <summary>
/// The agent's two small networks, each with one tanh hidden layer: the actor (policy) maps what
/// the agent sees to a probability for each move, the critic maps it to the value of the state (the
/// discounted reward to expect from here). Every <c>float[]</c>/<c>float[,]</c> field is a parameter
/// that the generated optimizer trains.
/// </summary>
/// <remarks>
/// <c>[Adam]</c> makes Gen add <c>ActorCritic.AdamOptimizer</c> and <c>ActorCritic.Gradients</c> (one
/// zeroed array per parameter, same names and shapes) to this partial class. <c>Maximize = true</c>:
/// actor-critic climbs the reward (θ ← θ + α·δ·z), so the agent hands the optimizer the ascent
/// direction δ·z as it is instead of negating it. The critic's layers learn 5× faster than the
/// actor's (<c>[LearningRateScale(5)]</c>): the actor can only improve once the critic's values are
/// roughly right, so the critic should lead. With equal rates, some agents learned and then fell
/// back to near chance for a while (seeds 1–30: a later window at 12.5%); with the critic 5× faster,
/// no window after tick 60,000 fell below 89% over seeds 1–100. The learning rate is half Adam's
/// default for the same reason: at 1e-3 the agents learned as fast but less steadily (seeds 1–30:
/// later windows down to 45%).
/// </remarks>
[Adam(LearningRate = 5e-4, Maximize = true)]
public sealed partial class ActorCritic
{
    public const int Inputs = CatchGame.FeatureCount;
    public const int Hidden = 32;
    public const int Actions = CatchGame.ActionCount;

    // Actor. Weights are stored [input, output]: PolicyW1[i, j] connects input i to hidden unit j.
    public float[,] PolicyW1 = new float[Inputs, Hidden];
    public float[] PolicyB1 = new float[Hidden];
    public float[,] PolicyW2 = new float[Hidden, Actions];
    public float[] PolicyB2 = new float[Actions];

    // Critic.
    [LearningRateScale(5)] public float[,] ValueW1 = new float[Inputs, Hidden];
    [LearningRateScale(5)] public float[] ValueB1 = new float[Hidden];
    [LearningRateScale(5)] public float[] ValueW2 = new float[Hidden];
    [LearningRateScale(5)] public float[] ValueB2 = new float[1]; // a scalar is a 1-element array: parameters are arrays

    /// <summary>
    /// Xavier/Glorot-uniform hidden layers (suited to tanh), zero biases. The actor's output layer
    /// starts 100× smaller, so the first policy is close to uniform (every move equally likely:
    /// maximal exploration); the critic's starts at zero (every state is worth 0).
    /// </summary>
    public ActorCritic(Random random)
    {
        FillUniform(PolicyW1, random, MathF.Sqrt(6f / (Inputs + Hidden)));
        FillUniform(ValueW1, random, MathF.Sqrt(6f / (Inputs + Hidden)));
        FillUniform(PolicyW2, random, 0.01f * MathF.Sqrt(6f / (Hidden + Actions)));
    }

    /// <summary>
    /// Actor forward pass: hidden activations into <paramref name="ws"/>.<see cref="Workspace.PolicyHidden"/>,
    /// move probabilities into <paramref name="ws"/>.<see cref="Workspace.Probabilities"/> (softmax of the logits).
    /// </summary>
    public void Act(ReadOnlySpan<float> x, Workspace ws)
    {
        for (int j = 0; j < Hidden; j++)
        {
            float a = PolicyB1[j];
            for (int i = 0; i < Inputs; i++)
            {
                a += x[i] * PolicyW1[i, j];
            }

            ws.PolicyHidden[j] = MathF.Tanh(a);
        }

        float max = float.NegativeInfinity;
        for (int k = 0; k < Actions; k++)
        {
            float z = PolicyB2[k];
            for (int j = 0; j < Hidden; j++)
            {
                z += ws.PolicyHidden[j] * PolicyW2[j, k];
            }

            ws.Probabilities[k] = z;
            max = MathF.Max(max, z);
        }

        // Softmax, shifted by the largest logit so that Exp cannot overflow.
        float sum = 0;
        for (int k = 0; k < Actions; k++)
        {
            float e = MathF.Exp(ws.Probabilities[k] - max);
            ws.Probabilities[k] = e;
            sum += e;
        }

        for (int k = 0; k < Actions; k++)
        {
            ws.Probabilities[k] /= sum;
        }
    }

    /// <summary>Critic forward pass: the value of state <paramref name="x"/>. Hidden activations go into <paramref name="hidden"/>.</summary>
    public float Value(ReadOnlySpan<float> x, Span<float> hidden)
    {
        float v = ValueB2[0];
        for (int j = 0; j < Hidden; j++)
        {
            float a = ValueB1[j];
            for (int i = 0; i < Inputs; i++)
            {
                a += x[i] * ValueW1[i, j];
            }

            float h = MathF.Tanh(a);
            hidden[j] = h;
            v += h * ValueW2[j];
        }

        return v;
    }

    /// <summary>
    /// Writes into <paramref name="grads"/> the gradient of log π(<paramref name="action"/> | x) with
    /// respect to the actor's parameters and of V(x) with respect to the critic's, for the state x of
    /// the last <see cref="Act"/> and <see cref="Value"/> (whose activations <paramref name="ws"/>
    /// holds). Every gradient element is overwritten, so the gradients need no clearing first.
    /// </summary>
    public void Backward(ReadOnlySpan<float> x, int action, Workspace ws, Gradients grads)
    {
        // Actor. For a softmax policy, d log π(a) / d logit_k = [k == a] − π(k).
        Span<float> dLogit = stackalloc float[Actions];
        for (int k = 0; k < Actions; k++)
        {
            dLogit[k] = (k == action ? 1f : 0f) - ws.Probabilities[k];
            grads.PolicyB2[k] = dLogit[k];
        }

        for (int j = 0; j < Hidden; j++)
        {
            float h = ws.PolicyHidden[j];
            float dh = 0;
            for (int k = 0; k < Actions; k++)
            {
                grads.PolicyW2[j, k] = h * dLogit[k];
                dh += PolicyW2[j, k] * dLogit[k];
            }

            float da = dh * (1 - h * h); // through tanh: d tanh(a) / da = 1 − tanh(a)²
            grads.PolicyB1[j] = da;
            for (int i = 0; i < Inputs; i++)
            {
                grads.PolicyW1[i, j] = x[i] * da;
            }
        }

        // Critic. V = h · ValueW2 + ValueB2 with h = tanh(x · ValueW1 + ValueB1).
        grads.ValueB2[0] = 1;
        for (int j = 0; j < Hidden; j++)
        {
            float h = ws.ValueHidden[j];
            grads.ValueW2[j] = h;
            float da = ValueW2[j] * (1 - h * h);
            grads.ValueB1[j] = da;
            for (int i = 0; i < Inputs; i++)
            {
                grads.ValueW1[i, j] = x[i] * da;
            }
        }
    }

    private static void FillUniform(float[,] w, Random random, float limit)
    {
        for (int i = 0; i < w.GetLength(0); i++)
        {
            for (int j = 0; j < w.GetLength(1); j++)
            {
                w[i, j] = (float)((2 * random.NextDouble() - 1) * limit);
            }
        }
    }
}

/// <summary>
/// Activations of the last forward passes, kept for the backward pass. Kept out of
/// <see cref="ActorCritic"/>, where every float array is a parameter.
/// </summary>
public sealed class Workspace
{
    public readonly float[] PolicyHidden = new float[ActorCritic.Hidden];
    public readonly float[] Probabilities = new float[ActorCritic.Actions];
    public readonly float[] ValueHidden = new float[ActorCritic.Hidden];
    public readonly float[] NextValueHidden = new float[ActorCritic.Hidden]; // scratch for V(next state)
}
