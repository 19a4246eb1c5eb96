using System;

namespace Gen;

/// <summary>
/// Gradient accumulation: steps the optimizer once every <see cref="AccumulationSteps"/> micro-batches,
/// with the mean (or sum) of their gradients, as Optax's <c>MultiSteps</c> and Keras'
/// <c>gradient_accumulation_steps</c> do. Allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Exactly, for micro-batch gradients g₁ … g_k of one cycle (k = <see cref="AccumulationSteps"/>), each
/// element of the buffer becomes <c>((g₁ + g₂) + …) + g_k</c>, added left to right in the member's
/// element type starting from a copy of g₁; in <see cref="GradientAccumulationMode.Mean"/> mode it is
/// then divided by k (one correctly rounded division per element). The optimizer is stepped with the
/// buffer. So the result is bit for bit that of one <see cref="Optimizer{TGradients}.Step(TGradients)"/> with a
/// gradient computed that way, and the optimizer's state, <see cref="Optimizer{TGradients}.StepCount"/>
/// and learning-rate schedule advance once per cycle, not per micro-batch.
/// </para>
/// <para>
/// The accumulated gradient is checked by the optimizer's <see cref="Optimizer{TGradients}.NonFinitePolicy"/>
/// at the step: a NaN in any micro-batch reaches the sum. If <see cref="Optimizer{TGradients}.Step(TGradients)"/>
/// throws, the cycle is discarded (the buffer keeps the gradient it was given, for inspection) and the
/// exception propagates; the next <see cref="Add"/> starts a new cycle.
/// </para>
/// </remarks>
/// <typeparam name="TGradients">The model's generated <c>Gradients</c> type.</typeparam>
public sealed class GradientAccumulator<TGradients>
    where TGradients : GradientsBase
{
    /// <summary>Creates an accumulator that steps <paramref name="optimizer"/> every <paramref name="accumulationSteps"/> micro-batches.</summary>
    /// <param name="optimizer">The optimizer to step.</param>
    /// <param name="buffer">
    /// Gradients of the optimizer's model to accumulate into, e.g. <c>new Model.Gradients(model)</c>;
    /// used only by the accumulator (its content at construction does not matter).
    /// </param>
    /// <param name="accumulationSteps">Micro-batches per step, ≥ 1 (1 steps on every micro-batch).</param>
    /// <param name="mode">Whether the optimizer sees the mean (the default) or the sum of the micro-batch gradients.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/>, <paramref name="buffer"/> or a member of the buffer is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="accumulationSteps"/> is less than 1 or <paramref name="mode"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The buffer's members do not match the model's trainable members, or share their arrays.</exception>
    public GradientAccumulator(
        Optimizer<TGradients> optimizer,
        TGradients buffer,
        int accumulationSteps,
        GradientAccumulationMode mode = GradientAccumulationMode.Mean)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Buffer = buffer ?? throw new ArgumentNullException(nameof(buffer));
        if (accumulationSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(accumulationSteps), accumulationSteps, "At least one micro-batch per step.");
        }

        if (mode is not (GradientAccumulationMode.Mean or GradientAccumulationMode.Sum))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a defined GradientAccumulationMode.");
        }

        GradientLayout.RequireMatchesModel(optimizer.Model, buffer, nameof(buffer));
        AccumulationSteps = accumulationSteps;
        Mode = mode;
    }

    /// <summary>The optimizer stepped once per cycle.</summary>
    public Optimizer<TGradients> Optimizer { get; }

    /// <summary>The buffer the micro-batch gradients are accumulated into, and the optimizer is stepped with.</summary>
    public TGradients Buffer { get; }

    /// <summary>Micro-batches per optimizer step (Keras' <c>gradient_accumulation_steps</c>, Optax's <c>every_k_schedule</c>).</summary>
    public int AccumulationSteps { get; }

    /// <summary>Whether the optimizer sees the mean or the sum of a cycle's gradients.</summary>
    public GradientAccumulationMode Mode { get; }

    /// <summary>Micro-batches added since the last step: 0 to <see cref="AccumulationSteps"/> − 1.</summary>
    public int PendingMicroBatches { get; private set; }

    /// <summary>Micro-batches added since construction or <see cref="Reset"/>, including those of discarded cycles.</summary>
    public long MicroBatches { get; private set; }

    /// <summary>
    /// Number of times the accumulated gradient was given to <see cref="Optimizer{TGradients}.Step(TGradients)"/>
    /// and it returned, since construction or <see cref="Reset"/>. A step the optimizer skipped under
    /// <see cref="NonFinitePolicy.SkipStep"/> counts here and in <see cref="Optimizer{TGradients}.SkippedSteps"/>.
    /// </summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Adds one micro-batch's gradients; on the <see cref="AccumulationSteps"/>-th of a cycle, steps the
    /// optimizer with their mean (or sum) and starts a new cycle. <paramref name="microBatch"/> is only
    /// read, so it can be cleared and refilled for the next micro-batch.
    /// </summary>
    /// <returns>True when this call stepped the optimizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="microBatch"/> or one of its members is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="microBatch"/> is the buffer or shares an array with it, or a member's shape differs
    /// from the buffer's; nothing was changed.
    /// </exception>
    /// <exception cref="InvalidOperationException">A member of the buffer was set to null.</exception>
    /// <remarks>Any exception of <see cref="Optimizer{TGradients}.Step(TGradients)"/> propagates, after the cycle is discarded.</remarks>
    public bool Add(TGradients microBatch)
    {
        GradientLayout.RequireSameLayout(Buffer, microBatch, nameof(microBatch));
        RequireNoSharedArray(microBatch);

        if (PendingMicroBatches == 0)
        {
            CopyIntoBuffer(microBatch);
        }
        else
        {
            Buffer.Add(microBatch);
        }

        PendingMicroBatches++;
        MicroBatches++;
        return PendingMicroBatches == AccumulationSteps && StepWithBuffer();
    }

    /// <summary>
    /// Steps the optimizer with the micro-batches of an incomplete cycle, e.g. at the end of an epoch:
    /// in <see cref="GradientAccumulationMode.Mean"/> mode the mean over the <see cref="PendingMicroBatches"/>
    /// added, not over <see cref="AccumulationSteps"/>. Does nothing when no micro-batch is pending.
    /// </summary>
    /// <returns>True when this call stepped the optimizer.</returns>
    /// <remarks>Any exception of <see cref="Optimizer{TGradients}.Step(TGradients)"/> propagates, after the cycle is discarded.</remarks>
    public bool Flush() => PendingMicroBatches > 0 && StepWithBuffer();

    /// <summary>
    /// Discards the pending micro-batches, clears the buffer and sets the counters to zero. The optimizer
    /// is not reset (call <see cref="Optimizer{TGradients}.Reset"/> for that).
    /// </summary>
    /// <exception cref="InvalidOperationException">A member of the buffer was set to null.</exception>
    public void Reset()
    {
        Buffer.Clear();
        PendingMicroBatches = 0;
        MicroBatches = 0;
        Steps = 0;
    }

    private bool StepWithBuffer()
    {
        try
        {
            if (Mode == GradientAccumulationMode.Mean && PendingMicroBatches > 1)
            {
                DivideBuffer(PendingMicroBatches);
            }

            Optimizer.Step(Buffer);
            Steps++;
            return true;
        }
        finally
        {
            PendingMicroBatches = 0;
        }
    }

    private void CopyIntoBuffer(TGradients microBatch)
    {
        for (int i = 0; i < Buffer.MemberCount; i++)
        {
            TensorRef target = Buffer.GetMember(i);
            TensorRef source = microBatch.GetMember(i);
            if (target.Element == TensorElement.Single)
            {
                source.AsSingleSpan().CopyTo(target.AsSingleSpan());
            }
            else
            {
                source.AsDoubleSpan().CopyTo(target.AsDoubleSpan());
            }
        }
    }

    private void DivideBuffer(int count)
    {
        for (int i = 0; i < Buffer.MemberCount; i++)
        {
            TensorRef member = Buffer.GetMember(i);
            if (member.Element == TensorElement.Single)
            {
                GradientKernels.Divide(member.AsSingleSpan(), (float)count);
            }
            else
            {
                GradientKernels.Divide(member.AsDoubleSpan(), (double)count);
            }
        }
    }

    private void RequireNoSharedArray(TGradients microBatch)
    {
        for (int i = 0; i < Buffer.MemberCount; i++)
        {
            if (ReferenceEquals(Buffer.GetMember(i).Array, microBatch.GetMember(i).Array))
            {
                throw new ArgumentException(
                    $"Gradient '{Buffer.GetMember(i).Name}' of the micro-batch is the accumulation buffer's own array: use separate Gradients for the micro-batches and the buffer.",
                    nameof(microBatch));
            }
        }
    }
}
