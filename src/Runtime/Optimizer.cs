using System;
using System.Collections.Generic;
using Gen.Runtime;

namespace Gen;

/// <summary>
/// Base of every generated optimizer: the runtime hyperparameters, the step counter and the
/// check-then-update order of <see cref="Step"/>. The update itself is generated for one model class.
/// </summary>
/// <typeparam name="TGradients">The model's generated <c>Gradients</c> type.</typeparam>
public abstract class Optimizer<TGradients>
    where TGradients : GradientsBase
{
    private double _learningRate;
    private double _weightDecay;
    private NonFinitePolicy _nonFinitePolicy;

    /// <summary>Starts with the attribute's learning rate and weight decay.</summary>
    protected Optimizer(ITrainable model, double learningRate, double weightDecay)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The model whose parameters this optimizer updates.</summary>
    public ITrainable Model { get; }

    /// <summary>The optimizer's kind, e.g. <c>RMSProp</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// The compile-time hyperparameters (the attribute's values other than LearningRate and
    /// WeightDecay), as invariant text: two optimizers with equal configurations compute the same update.
    /// </summary>
    public abstract IReadOnlyList<KeyValuePair<string, string>> Configuration { get; }

    /// <summary>Number of state buffers: one per parameter per buffer the configuration needs.</summary>
    public abstract int StateCount { get; }

    /// <summary>The state buffer at <paramref name="index"/>, parameter by parameter, in declaration order.</summary>
    public abstract OptimizerState GetState(int index);

    /// <summary>Step size used by the next <see cref="Step"/>. Settable for schedules and sweeps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Guard.NonNegativeFinite(value, nameof(LearningRate));
    }

    /// <summary>Weight decay factor used by the next <see cref="Step"/>, applied as the attribute's mode says.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = Guard.NonNegativeFinite(value, nameof(WeightDecay));
    }

    /// <summary>
    /// What <see cref="Step"/> does with a gradient that holds NaN or ±∞: <see cref="NonFinitePolicy.Throw"/>
    /// (the default), <see cref="NonFinitePolicy.SkipStep"/> or <see cref="NonFinitePolicy.Ignore"/>.
    /// The check reads every gradient element once more per step unless the policy is Ignore.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Gen.NonFinitePolicy"/>.</exception>
    public NonFinitePolicy NonFinitePolicy
    {
        get => _nonFinitePolicy;
        set => _nonFinitePolicy = value is NonFinitePolicy.Throw or NonFinitePolicy.SkipStep or NonFinitePolicy.Ignore
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NonFinitePolicy), value, "Not a defined NonFinitePolicy.");
    }

    /// <summary>Number of completed steps since construction or <see cref="Reset"/>. Skipped steps do not count.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Number of steps skipped under <see cref="NonFinitePolicy.SkipStep"/> since construction or
    /// <see cref="Reset"/>.
    /// </summary>
    public long SkippedSteps { get; private set; }

    /// <summary>
    /// Updates the model's parameters in place from <paramref name="gradients"/>. Every argument is
    /// checked before the first write, then the gradients are checked for NaN and ±∞ as
    /// <see cref="NonFinitePolicy"/> says, so a step that throws or is skipped leaves the model, the
    /// state and <see cref="StepCount"/> unchanged. Allocates nothing (except the exception it throws).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> or one of its arrays is null.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    /// <exception cref="InvalidOperationException">A model array was replaced by one of another length.</exception>
    /// <exception cref="NonFiniteGradientException">
    /// <see cref="NonFinitePolicy"/> is <see cref="NonFinitePolicy.Throw"/> and a gradient element is NaN
    /// or infinite; the exception names the first one.
    /// </exception>
    public void Step(TGradients gradients)
    {
        if (gradients is null)
        {
            throw new ArgumentNullException(nameof(gradients));
        }

        ValidateStep(gradients);
        if (_nonFinitePolicy != NonFinitePolicy.Ignore && gradients.TryFindNonFinite(out string? member, out int index))
        {
            if (_nonFinitePolicy == NonFinitePolicy.SkipStep)
            {
                SkippedSteps++;
                return;
            }

            throw NonFiniteGradientException.For(gradients, member, index);
        }

        ApplyStep(gradients, _learningRate, _weightDecay);
        StepCount++;
    }

    /// <summary>
    /// Returns every state buffer, <see cref="StepCount"/> and <see cref="SkippedSteps"/> to their
    /// initial values. The learning rate, weight decay and <see cref="NonFinitePolicy"/> keep their values.
    /// </summary>
    public void Reset()
    {
        ResetState();
        StepCount = 0;
        SkippedSteps = 0;
    }

    /// <summary>Throws if a step with <paramref name="gradients"/> cannot complete. Must not write anything.</summary>
    protected abstract void ValidateStep(TGradients gradients);

    /// <summary>Applies one update to every parameter. Called only after <see cref="ValidateStep"/> passed.</summary>
    protected abstract void ApplyStep(TGradients gradients, double learningRate, double weightDecay);

    /// <summary>Sets every state buffer to its initial value.</summary>
    protected abstract void ResetState();
}
