using System;
using Gen.Runtime;

namespace Gen;

/// <summary>
/// Base of every generated <c>Gradients</c> container: one array per trainable member of the
/// model, with the member's name, type and shape.
/// </summary>
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
            Array.Clear(GetMember(i).Array!);
        }
    }

    /// <summary>Throws, naming the member, when any gradient array is null.</summary>
    protected void EnsureAllPresent()
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
}
