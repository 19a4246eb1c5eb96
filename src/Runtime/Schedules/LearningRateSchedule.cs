using System;
using System.Runtime.CompilerServices;
using Gen.__Internals;

namespace Gen;

/// <summary>
/// A learning-rate schedule: the rate to use at a 0-based step, as a function of the step and a
/// base rate. Attach one to <see cref="Optimizer{TGradients}.Schedule"/> to have every
/// <see cref="Optimizer{TGradients}.Step(TGradients)"/> use it, or call <see cref="GetLearningRate"/> yourself.
/// </summary>
/// <remarks>
/// <para>
/// The built-in schedules follow PyTorch 1.13's <c>torch.optim.lr_scheduler</c> classes of the same
/// name: the rate at step t is the <c>optimizer.param_groups[i]["lr"]</c> that PyTorch's optimizer
/// step t uses when <c>scheduler.step()</c> is called once after every <c>optimizer.step()</c>, and
/// the base rate is the optimizer's initial <c>lr</c> (PyTorch's <c>initial_lr</c>). They are
/// computed in closed form, so a value does not depend on the steps before it; PyTorch's chainable
/// formulas multiply the previous rate instead and so differ from these by rounding only (at most
/// 4.5e-14 relative on the golden cases of tests/Gen.Schedules.Tests, two thirds of the rates
/// bit-identical; OneCycle, warm restarts and plateau rates are computed as PyTorch does, bit for bit).
/// </para>
/// <para>
/// Schedules are immutable and thread-safe, allocate nothing per call, and one instance can serve
/// any number of optimizers, each with its own base rate; <see cref="ReduceOnPlateauSchedule"/> is
/// the exception: it holds the state its <see cref="ReduceOnPlateauSchedule.Report"/> updates.
/// </para>
/// <para>
/// To write a custom schedule, derive from this class and override
/// <see cref="GetLearningRateCore"/>; the arguments are checked before it is called and its result after.
/// </para>
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>Initializes the schedule.</summary>
    protected LearningRateSchedule()
    {
    }

    /// <summary>The learning rate for the 0-based <paramref name="step"/>.</summary>
    /// <param name="step">The 0-based index of the optimizer step (or of the epoch, when stepping per epoch).</param>
    /// <param name="baseLearningRate">The rate the schedule scales: PyTorch's <c>initial_lr</c>
    /// (<c>max_lr</c> for <see cref="OneCycleSchedule"/>).</param>
    /// <returns>A finite rate &gt;= 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative or past the
    /// end of a schedule that has one, or <paramref name="baseLearningRate"/> is negative, NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The schedule computed a rate that is negative, NaN or
    /// infinite (a custom schedule's bug, or a growing schedule that overflowed).</exception>
    public double GetLearningRate(long step, double baseLearningRate)
    {
        if (step < 0)
        {
            ThrowNegativeStep(step);
        }

        Guard.NonNegativeFinite(baseLearningRate, nameof(baseLearningRate));
        double rate = GetLearningRateCore(step, baseLearningRate);
        if (!(rate >= 0) || double.IsPositiveInfinity(rate))
        {
            ThrowInvalidRate(step, baseLearningRate, rate);
        }

        return rate;
    }

    /// <summary>
    /// Computes the rate for <paramref name="step"/>. Called by <see cref="GetLearningRate"/> with
    /// <paramref name="step"/> &gt;= 0 and a finite <paramref name="baseLearningRate"/> &gt;= 0; must
    /// return a finite rate &gt;= 0, must not allocate, and should not change state.
    /// </summary>
    protected abstract double GetLearningRateCore(long step, double baseLearningRate);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegativeStep(long step) =>
        throw new ArgumentOutOfRangeException(nameof(step), step, "The step index must be >= 0.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowInvalidRate(long step, double baseLearningRate, double rate) =>
        throw new InvalidOperationException(FormattableString.Invariant($"{this} gave the learning rate {rate:R} for step {step} and base rate {baseLearningRate:R}; a learning rate must be a finite number >= 0."));
}
