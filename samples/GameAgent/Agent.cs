using System;
using System.Diagnostics;
using Gen;

namespace GameAgent;

/// <summary>
/// An actor-critic agent that learns while it plays: every frame it picks a move from its policy,
/// and after the game has advanced it makes one optimizer step from what that frame taught it.
/// No replay buffer, no batches, no allocation.
/// </summary>
/// <remarks>
/// <para>
/// The learning rule is one-step actor-critic with eligibility traces (Sutton &amp; Barto,
/// <i>Reinforcement Learning: An Introduction</i>, 2nd ed., §13.5). The critic V estimates how much
/// discounted reward to expect from a state. After each frame, the TD error
/// <c>δ = r + γ·V(s′) − V(s)</c> says whether things went better (δ &gt; 0) or worse than the critic
/// expected: the move just made is made more likely if δ &gt; 0, less if δ &lt; 0, and the critic
/// moves V(s) toward <c>r + γ·V(s′)</c>.
/// </para>
/// <para>
/// The reward comes only when a ball lands (+1 caught, −1 missed), up to 45 frames after the moves
/// that decided it. Eligibility traces carry the credit back: <c>z</c> is a decaying sum of the
/// recent gradients (∇ log π(a|s) for the actor, ∇V(s) for the critic), <c>z ← γλ·z + ∇</c>, and every
/// frame the parameters move along <c>δ·z</c>, so a surprise at landing updates all the moves that
/// led to it. The traces have exactly the parameters' shapes, so they are simply a second
/// <see cref="ActorCritic.Gradients"/>. The traces are cleared when a ball lands (an episode ends).
/// Like most implementations, this drops the γᵗ factor of the book's episodic actor update.
/// </para>
/// <para>
/// The generated Adam optimizer does the update. It was declared with <c>Maximize = true</c>, so
/// <see cref="Learn"/> hands it <c>δ·z</c> (the ascent direction) as the "gradient".
/// </para>
/// </remarks>
public sealed class Agent
{
    /// <summary>Discount per frame: a reward 45 frames away is worth 0.98⁴⁵ ≈ 0.4 of one now.</summary>
    public const float Gamma = 0.98f;

    /// <summary>Trace decay: how far back (in frames, about 1 / (1 − γλ) ≈ 8) one surprise assigns credit.</summary>
    public const float Lambda = 0.9f;

    private readonly ActorCritic _model;
    private readonly ActorCritic.Gradients _grads; // this frame's gradients, then the step direction δ·z
    private readonly ActorCritic.Gradients _trace; // eligibility traces z, shaped like the parameters
    private readonly Optimizer<ActorCritic.Gradients> _optimizer;
    private readonly Workspace _ws = new();
    private readonly float[] _state = new float[ActorCritic.Inputs];
    private readonly float[] _next = new float[ActorCritic.Inputs];
    private readonly Random _random;
    private float _value; // V(s) of the state the last move was chosen in

    /// <summary>A new agent with random weights from <paramref name="random"/>, which it also uses to sample moves.</summary>
    public Agent(Random random)
    {
        _random = random;
        _model = new ActorCritic(random);
        _grads = new ActorCritic.Gradients(_model);
        _trace = new ActorCritic.Gradients(_model);
        _optimizer = new ActorCritic.AdamOptimizer(_model);
    }

    /// <summary>The optimizer, for its step count and learning rate.</summary>
    public Optimizer<ActorCritic.Gradients> Optimizer => _optimizer;

    /// <summary>Stopwatch ticks spent in the optimizer's <c>Step</c> so far (part of <see cref="Learn"/>).</summary>
    public long OptimizerTime { get; private set; }

    /// <summary>
    /// Chooses the paddle's move for this frame: observes the game, runs the actor, and samples a
    /// move from its probabilities (sampling, not the most likely move, is how the agent explores).
    /// </summary>
    public int Act(CatchGame game)
    {
        game.Observe(_state);
        _model.Act(_state, _ws);
        _value = _model.Value(_state, _ws.ValueHidden);

        float u = (float)_random.NextDouble();
        for (int k = 0; k < ActorCritic.Actions - 1; k++)
        {
            u -= _ws.Probabilities[k];
            if (u < 0)
            {
                return k;
            }
        }

        return ActorCritic.Actions - 1;
    }

    /// <summary>
    /// Learns from the frame just played: <paramref name="action"/> was chosen by the last
    /// <see cref="Act"/>, then the game advanced and returned <paramref name="reward"/>
    /// (non-zero when the ball landed, which ends the episode).
    /// </summary>
    public void Learn(int action, int reward, CatchGame game)
    {
        // TD error. A landed ball ends the episode: nothing more to expect, so V(s′) counts as 0
        // (the game has already put the next ball in play, but that is a new episode).
        bool episodeEnded = reward != 0;
        float next = 0;
        if (!episodeEnded)
        {
            game.Observe(_next);
            next = _model.Value(_next, _ws.NextValueHidden);
        }

        float delta = reward + Gamma * next - _value;

        // ∇ log π(action | s) and ∇V(s) into _grads, then per element: z ← γλ·z + ∇, step direction δ·z.
        _model.Backward(_state, action, _ws, _grads);
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

        long start = Stopwatch.GetTimestamp();
        _optimizer.Step(_grads); // θ ← θ + Adam(δ·z): every parameter updated in place
        OptimizerTime += Stopwatch.GetTimestamp() - start;

        if (episodeEnded)
        {
            _trace.Clear();
        }
    }
}
