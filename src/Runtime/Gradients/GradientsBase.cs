using System;
using System.Diagnostics.CodeAnalysis;

namespace Gen;

/// <summary>
/// Base of every generated <c>Gradients</c> container: one array per trainable member of the
/// model, with the member's name, type and shape.
/// </summary>
/// <remarks>
/// The operations below work on every member in declaration order, with SIMD kernels, and allocate
/// nothing. Float members are computed in float (a double argument is rounded to float once, as
/// PyTorch does with a Python scalar), double members in double. Every operation checks all of its
/// arguments and members before it writes anything: one that throws changes nothing.
/// </remarks>
public abstract class GradientsBase
{
    /// <summary>Number of gradient arrays (trainable members of the model).</summary>
    public abstract int MemberCount { get; }

    /// <summary>The gradient array of the trainable member at <paramref name="index"/>, in declaration order.</summary>
    public abstract TensorRef GetMember(int index);

    /// <summary>Total number of elements over every gradient array.</summary>
    public int Length
    {
        get
        {
            int total = 0;
            for (int i = 0; i < MemberCount; i++)
            {
                total += GetMember(i).Length;
            }

            return total;
        }
    }

    /// <summary>Sets every gradient element to zero.</summary>
    /// <exception cref="InvalidOperationException">A gradient member is null; nothing was cleared.</exception>
    public void Clear()
    {
        EnsureAllPresent();
        for (int i = 0; i < MemberCount; i++)
        {
            Array array = GetMember(i).Array!;
            Array.Clear(array, 0, array.Length);
        }
    }

    /// <summary>
    /// Multiplies every element by <paramref name="factor"/> (<c>g ← g·factor</c>, PyTorch's <c>g.mul_(factor)</c>).
    /// Float members are multiplied by <c>(float)factor</c>, which is ±∞ beyond float's range (about 3.4e38).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">A gradient member is null; nothing was changed.</exception>
    public void Scale(double factor)
    {
        if (!double.IsFinite(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be a finite number.");
        }

        EnsureAllPresent();
        MultiplyAll(factor);
    }

    /// <summary>
    /// Adds <paramref name="other"/>'s gradients element by element (<c>g ← g + other</c>), e.g. to
    /// accumulate the gradient of another micro-batch. Adding a container to itself doubles it.
    /// </summary>
    /// <param name="other">Gradients of the same generated type whose members all have this container's shapes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> or one of its members is null; the message names the member.</exception>
    /// <exception cref="ArgumentException"><paramref name="other"/> is another type, or a member's shape differs; the message names the member.</exception>
    /// <exception cref="InvalidOperationException">A member of this container is null.</exception>
    public void Add(GradientsBase other)
    {
        GradientLayout.RequireSameLayout(this, other, nameof(other));
        for (int i = 0; i < MemberCount; i++)
        {
            TensorRef target = GetMember(i);
            TensorRef source = other.GetMember(i);
            if (target.Element == TensorElement.Single)
            {
                GradientKernels.Add(target.AsSingleSpan(), source.AsSingleSpan());
            }
            else
            {
                GradientKernels.Add(target.AsDoubleSpan(), source.AsDoubleSpan());
            }
        }
    }

    /// <summary>
    /// The Euclidean norm of all gradients together, as if they were concatenated into one vector:
    /// <c>√(Σ g²)</c> (PyTorch's <c>total_norm</c> in <c>clip_grad_norm_</c> with <c>norm_type=2</c>).
    /// </summary>
    /// <remarks>
    /// Accumulated in double: float elements are widened (their squares are exact), in an order that
    /// does not depend on the SIMD width, so the result is the same on every machine. It is NaN when
    /// an element is NaN and +∞ when one is infinite and none is NaN. Unlike PyTorch (which
    /// accumulates float32 gradients in float32, and double ones without scaling) it does not overflow
    /// or underflow: when the plain sum of squares is infinite or tiny it is recomputed with the
    /// elements scaled by a power of two.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A gradient member is null.</exception>
    public double L2Norm()
    {
        EnsureAllPresent();
        return GradientNorm.Of(this, shard: null, parts: null);
    }

    /// <summary>
    /// PyTorch's <c>torch.nn.utils.clip_grad_norm_(parameters, max_norm)</c>: with
    /// <c>total = </c><see cref="L2Norm"/>, multiplies every element by
    /// <c>min(1, maxNorm / (total + 1e-6))</c>, so that the norm becomes at most
    /// <paramref name="maxNorm"/>. Returns the norm before clipping.
    /// </summary>
    /// <remarks>
    /// As in PyTorch (with its default <c>error_if_nonfinite=False</c>), a non-finite norm is not an
    /// error: a NaN norm makes every element NaN, and an infinite one multiplies by 0, which turns the
    /// infinite elements into NaN and the others into ±0. Check <see cref="AllFinite"/> first, or let
    /// the optimizer's <see cref="Optimizer{TGradients}.NonFinitePolicy"/> catch them at the step.
    /// When the coefficient is 1 nothing is written (multiplying by 1 changes no bits). Float members
    /// are multiplied by the coefficient rounded to float.
    /// </remarks>
    /// <param name="maxNorm">The largest norm allowed, ≥ 0 (+∞ clips nothing).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN.</exception>
    /// <exception cref="InvalidOperationException">A gradient member is null; nothing was changed.</exception>
    public double ClipByGlobalNorm(double maxNorm)
    {
        if (!(maxNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be a number >= 0.");
        }

        double total = L2Norm();
        double coefficient = ClipNorm.Coefficient(maxNorm, total);
        if (coefficient != 1)
        {
            MultiplyAll(coefficient);
        }

        return total;
    }


    /// <summary>
    /// PyTorch's <c>torch.nn.utils.clip_grad_value_(parameters, clip_value)</c>: clamps every element to
    /// [−<paramref name="limit"/>, <paramref name="limit"/>]. NaN stays NaN. Float members are clamped
    /// to <c>(float)limit</c>.
    /// </summary>
    /// <param name="limit">The largest magnitude allowed, ≥ 0 (+∞ clamps nothing).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative or NaN.</exception>
    /// <exception cref="InvalidOperationException">A gradient member is null; nothing was changed.</exception>
    public void ClipByValue(double limit)
    {
        if (!(limit >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be a number >= 0.");
        }

        EnsureAllPresent();
        for (int i = 0; i < MemberCount; i++)
        {
            TensorRef member = GetMember(i);
            if (member.Element == TensorElement.Single)
            {
                GradientKernels.ClampMagnitude(member.AsSingleSpan(), (float)limit);
            }
            else
            {
                GradientKernels.ClampMagnitude(member.AsDoubleSpan(), limit);
            }
        }
    }

    /// <summary>True when no element is NaN or infinite.</summary>
    /// <exception cref="InvalidOperationException">A gradient member is null.</exception>
    public bool AllFinite() => !TryFindNonFinite(out _, out _);

    /// <summary>
    /// Finds the first NaN or infinite element: the first member, in declaration order, that has one,
    /// and its first such element in row-major order.
    /// </summary>
    /// <param name="member">The member's name, or null when every element is finite.</param>
    /// <param name="index">The element's flat (row-major) index in the member, or −1 when every element is finite.</param>
    /// <returns>True when a non-finite element was found.</returns>
    /// <exception cref="InvalidOperationException">A gradient member is null.</exception>
    public bool TryFindNonFinite([NotNullWhen(true)] out string? member, out int index)
    {
        EnsureAllPresent();
        int count = MemberCount;
        for (int i = 0; i < count; i++)
        {
            TensorRef tensor = GetMember(i);
            index = IndexOfNonFinite(tensor, 0, tensor.Length);
            if (index >= 0)
            {
                member = tensor.Name;
                return true;
            }
        }

        member = null;
        index = -1;
        return false;
    }

    /// <summary>The flat index of the first NaN or infinite element of member <paramref name="member"/> in [start, start + count), or −1.</summary>
    internal int IndexOfNonFinite(int member, int start, int count) => IndexOfNonFinite(GetMember(member), start, count);

    private static int IndexOfNonFinite(TensorRef tensor, int start, int count)
    {
        int found = tensor.Element == TensorElement.Single
            ? GradientKernels.IndexOfNonFinite<float>(tensor.AsSingleSpan().Slice(start, count))
            : GradientKernels.IndexOfNonFinite<double>(tensor.AsDoubleSpan().Slice(start, count));
        return found < 0 ? -1 : start + found;
    }

    /// <summary>Throws, naming the member, when any gradient array is null.</summary>
    protected internal void EnsureAllPresent()
    {
        for (int i = 0; i < MemberCount; i++)
        {
            TensorRef member = GetMember(i);
            if (member.Array is null)
            {
                throw new InvalidOperationException($"Gradient '{member.Name}' is null.");
            }
        }
    }

    private void MultiplyAll(double factor)
    {
        for (int i = 0; i < MemberCount; i++)
        {
            TensorRef member = GetMember(i);
            if (member.Element == TensorElement.Single)
            {
                GradientKernels.Multiply(member.AsSingleSpan(), (float)factor);
            }
            else
            {
                GradientKernels.Multiply(member.AsDoubleSpan(), factor);
            }
        }
    }
}
