using System;

namespace Gen;

/// <summary>
/// Thrown by <see cref="Optimizer{TGradients}.Step(TGradients)"/> under <see cref="NonFinitePolicy.Throw"/> when a
/// gradient element is NaN or infinite. The step changed nothing.
/// </summary>
/// <remarks>
/// A <see cref="NotFiniteNumberException"/> (hence an <see cref="ArithmeticException"/>):
/// <see cref="NotFiniteNumberException.OffendingNumber"/> is the element's value.
/// </remarks>
public class NonFiniteGradientException : NotFiniteNumberException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public NonFiniteGradientException()
        : this("A gradient element is NaN or infinite.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NonFiniteGradientException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public NonFiniteGradientException(string message, Exception? innerException)
        : base(message, double.NaN, innerException)
    {
        Member = string.Empty;
        Index = -1;
    }

    /// <summary>Creates the exception for one element, with a message that names the member, the index and the value.</summary>
    /// <param name="member">The gradient member's name.</param>
    /// <param name="index">The element's flat (row-major) index in the member.</param>
    /// <param name="value">The element's value.</param>
    /// <param name="message">The message.</param>
    public NonFiniteGradientException(string member, int index, double value, string message)
        : base(message, value)
    {
        Member = member ?? throw new ArgumentNullException(nameof(member));
        Index = index;
    }

    /// <summary>Name of the gradient member holding the element (empty when unknown).</summary>
    public string Member { get; }

    /// <summary>Flat (row-major) index of the element in the member, −1 when unknown.</summary>
    public int Index { get; }

    /// <summary>The exception for element <paramref name="index"/> of <paramref name="member"/>, found by <see cref="GradientsBase.TryFindNonFinite"/>.</summary>
    internal static NonFiniteGradientException For(GradientsBase gradients, string member, int index)
    {
        TensorRef tensor = Find(gradients, member);
        return For(gradients, member, index, tensor.Element == TensorElement.Single ? tensor.AsSingleSpan()[index] : tensor.AsDoubleSpan()[index]);
    }

    /// <summary>
    /// The exception for element <paramref name="index"/> of <paramref name="member"/>, whose value is
    /// <paramref name="value"/> (Gen.Distributed: the process that found it may not be the one that throws).
    /// </summary>
    internal static NonFiniteGradientException For(GradientsBase gradients, string member, int index, double value)
    {
        TensorRef tensor = Find(gradients, member);
        Array array = tensor.Array!;
        string position = array.Rank == 1
            ? $"index {index}"
            : $"{FormatIndex(array, index)} (flat index {index})";
        string message = FormattableString.Invariant($"Gradient '{member}' is {value} at {position}; the step changed nothing. Find where the loss or the backward pass overflows, or set the optimizer's NonFinitePolicy to SkipStep to skip such steps.");
        return new NonFiniteGradientException(member, index, value, message);
    }

    private static TensorRef Find(GradientsBase gradients, string member)
    {
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            TensorRef tensor = gradients.GetMember(i);
            if (tensor.Name == member && tensor.Array is not null)
            {
                return tensor;
            }
        }

        throw new ArgumentException($"No gradient member '{member}'.", nameof(member));
    }

    /// <summary>The row-major position of a flat index, e.g. <c>[1, 8]</c>.</summary>
    private static string FormatIndex(Array array, int flatIndex)
    {
        var indices = new int[array.Rank];
        for (int d = array.Rank - 1; d >= 0; d--)
        {
            indices[d] = flatIndex % array.GetLength(d);
            flatIndex /= array.GetLength(d);
        }

        return "[" + string.Join(", ", indices) + "]";
    }
}
