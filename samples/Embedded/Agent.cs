using System;
using Gen;

namespace Embedded;

/// <summary>
/// The parameters: an actor (4 → 32 tanh → 3 move probabilities) and a critic (4 → 32 tanh → the
/// state's value). Gen generates <c>Net.AdamOptimizer</c> and <c>Net.Gradients</c> from the attribute
/// at compile time, as plain C#: nothing is looked up by reflection or generated at run time, which
/// is what lets the whole program compile ahead of time. <c>Maximize = true</c> because the agent
/// climbs the reward; the critic learns 5× faster than the actor so that its values lead.
/// </summary>
[Adam(LearningRate = 5e-4, Maximize = true)]
public sealed partial class Net
{
    public const int In = Catch.Features, Hidden = 32, Out = Catch.Actions;

    public float[,] PolicyW1 = new float[In, Hidden];
    public float[] PolicyB1 = new float[Hidden];
    public float[,] PolicyW2 = new float[Hidden, Out];
    public float[] PolicyB2 = new float[Out];
    [LearningRateScale(5)] public float[,] ValueW1 = new float[In, Hidden];
    [LearningRateScale(5)] public float[] ValueB1 = new float[Hidden];
    [LearningRateScale(5)] public float[] ValueW2 = new float[Hidden];
    [LearningRateScale(5)] public float[] ValueB2 = new float[1];

    /// <summary>Xavier-uniform hidden layers; a tiny actor output layer (a near-uniform first policy); a zero critic.</summary>
    public Net(Random random)
    {
        float limit = MathF.Sqrt(6f / (In + Hidden));
        for (int i = 0; i < In; i++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                PolicyW1[i, j] = limit * (float)(2 * random.NextDouble() - 1);
                ValueW1[i, j] = limit * (float)(2 * random.NextDouble() - 1);
            }
        }

        for (int j = 0; j < Hidden; j++)
        {
            for (int k = 0; k < Out; k++)
            {
                PolicyW2[j, k] = 0.004f * (float)(2 * random.NextDouble() - 1);
            }
        }
    }
}

/// <summary>
/// One-step actor-critic with eligibility traces (Sutton &amp; Barto, 2nd ed., §13.5), one optimizer
/// step per frame. <c>δ = r + γ·V(s′) − V(s)</c> judges each frame; the traces <c>z ← γλ·z + ∇</c>
/// (∇ log π(a|s) for the actor, ∇V(s) for the critic) carry a landing's reward back to the moves that
/// led to it; the optimizer moves the parameters along <c>δ·z</c>. samples/GameAgent explains it at length.
/// </summary>
public sealed class Agent
{
    private const float Gamma = 0.98f, Lambda = 0.9f;

    private readonly Net _net;
    private readonly Net.Gradients _grads; // this frame's ∇, then the step direction δ·z
    private readonly Net.Gradients _trace; // eligibility traces, shaped like the parameters
    private readonly Net.AdamOptimizer _optimizer;
    private readonly Random _random;
    private readonly float[] _x = new float[Net.In], _next = new float[Net.In];
    private readonly float[] _policyHidden = new float[Net.Hidden], _valueHidden = new float[Net.Hidden], _nextHidden = new float[Net.Hidden];
    private readonly float[] _probabilities = new float[Net.Out];
    private float _value; // V(s) of the state the last move was chosen in

    public Agent(Random random)
    {
        _random = random;
        _net = new Net(random);
        _grads = new Net.Gradients(_net);
        _trace = new Net.Gradients(_net);
        _optimizer = new Net.AdamOptimizer(_net);
    }

    public long Steps => _optimizer.StepCount;

    /// <summary>Observes the game and samples a move from the policy.</summary>
    public int Act(Catch game)
    {
        game.Observe(_x);
        _value = Value(_x, _valueHidden);

        // Actor: logits = tanh(x·W1 + b1)·W2 + b2, then softmax (shifted by the largest logit).
        float max = float.NegativeInfinity;
        for (int j = 0; j < Net.Hidden; j++)
        {
            float a = _net.PolicyB1[j];
            for (int i = 0; i < Net.In; i++)
            {
                a += _x[i] * _net.PolicyW1[i, j];
            }

            _policyHidden[j] = MathF.Tanh(a);
        }

        for (int k = 0; k < Net.Out; k++)
        {
            float z = _net.PolicyB2[k];
            for (int j = 0; j < Net.Hidden; j++)
            {
                z += _policyHidden[j] * _net.PolicyW2[j, k];
            }

            _probabilities[k] = z;
            max = MathF.Max(max, z);
        }

        float sum = 0;
        for (int k = 0; k < Net.Out; k++)
        {
            _probabilities[k] = MathF.Exp(_probabilities[k] - max);
            sum += _probabilities[k];
        }

        for (int k = 0; k < Net.Out; k++)
        {
            _probabilities[k] /= sum;
        }

        // Sample a move (sampling rather than taking the likeliest move is how the agent explores).
        float u = (float)_random.NextDouble();
        for (int k = 0; k < Net.Out - 1; k++)
        {
            u -= _probabilities[k];
            if (u < 0)
            {
                return k;
            }
        }

        return Net.Out - 1;
    }

    /// <summary>Learns from the frame just played: the move from the last <see cref="Act"/> and the reward it led to.</summary>
    public void Learn(int action, int reward, Catch game)
    {
        bool landed = reward != 0; // a landed ball ends the episode: V(s′) = 0
        float next = 0;
        if (!landed)
        {
            game.Observe(_next);
            next = Value(_next, _nextHidden);
        }

        float delta = reward + Gamma * next - _value;

        // Actor: d log π(a) / d logit_k = [k == a] − π_k, back through W2 and tanh.
        for (int k = 0; k < Net.Out; k++)
        {
            _grads.PolicyB2[k] = (k == action ? 1f : 0f) - _probabilities[k];
        }

        for (int j = 0; j < Net.Hidden; j++)
        {
            float h = _policyHidden[j], dh = 0;
            for (int k = 0; k < Net.Out; k++)
            {
                _grads.PolicyW2[j, k] = h * _grads.PolicyB2[k];
                dh += _net.PolicyW2[j, k] * _grads.PolicyB2[k];
            }

            _grads.PolicyB1[j] = dh * (1 - h * h);
            for (int i = 0; i < Net.In; i++)
            {
                _grads.PolicyW1[i, j] = _x[i] * _grads.PolicyB1[j];
            }
        }

        // Critic: dV / d parameters.
        _grads.ValueB2[0] = 1;
        for (int j = 0; j < Net.Hidden; j++)
        {
            float h = _valueHidden[j];
            _grads.ValueW2[j] = h;
            _grads.ValueB1[j] = _net.ValueW2[j] * (1 - h * h);
            for (int i = 0; i < Net.In; i++)
            {
                _grads.ValueW1[i, j] = _x[i] * _grads.ValueB1[j];
            }
        }

        // Traces and step direction, member by member through the generated containers.
        for (int m = 0; m < _grads.MemberCount; m++)
        {
            Span<float> g = _grads.GetMember(m).AsSingleSpan();
            Span<float> z = _trace.GetMember(m).AsSingleSpan();
            for (int i = 0; i < g.Length; i++)
            {
                z[i] = Gamma * Lambda * z[i] + g[i];
                g[i] = delta * z[i];
            }
        }

        _optimizer.Step(_grads); // θ ← θ + Adam(δ·z), in place, no allocation
        if (landed)
        {
            _trace.Clear();
        }
    }

    private float Value(ReadOnlySpan<float> x, Span<float> hidden)
    {
        float v = _net.ValueB2[0];
        for (int j = 0; j < Net.Hidden; j++)
        {
            float a = _net.ValueB1[j];
            for (int i = 0; i < Net.In; i++)
            {
                a += x[i] * _net.ValueW1[i, j];
            }

            hidden[j] = MathF.Tanh(a);
            v += hidden[j] * _net.ValueW2[j];
        }

        return v;
    }
}
