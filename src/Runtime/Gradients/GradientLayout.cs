using System;
using Gen.__Internals;

namespace Gen;

/// <summary>
/// Checks that two gradient containers, or a model and a gradient container, have the same members
/// with the same shapes, before an operation on them writes anything. Every message names the member.
/// </summary>
internal static class GradientLayout
{
    /// <summary>
    /// <paramref name="source"/> can be combined element by element with <paramref name="target"/>:
    /// same generated type, every member of both present, equal shapes.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or one of its members is null.</exception>
    /// <exception cref="ArgumentException">The types or a member's shapes differ.</exception>
    /// <exception cref="InvalidOperationException">A member of <paramref name="target"/> is null.</exception>
    public static void RequireSameLayout(GradientsBase target, GradientsBase? source, string parameterName)
    {
        if (source is null)
        {
            throw new ArgumentNullException(parameterName);
        }

        if (source.GetType() != target.GetType())
        {
            throw new ArgumentException(
                $"Gradients of type {source.GetType()} cannot be combined with {target.GetType()}: both must be the Gradients type of the same model class.",
                parameterName);
        }

        for (int i = 0; i < target.MemberCount; i++)
        {
            TensorRef own = target.GetMember(i);
            TensorRef other = source.GetMember(i);
            if (own.Array is null)
            {
                throw new InvalidOperationException($"Gradient '{own.Name}' is null.");
            }

            if (other.Array is null)
            {
                throw new ArgumentNullException(parameterName, $"Gradient '{other.Name}' is null.");
            }

            if (!Tensors.SameShape(own.Array, other.Array))
            {
                throw new ArgumentException(
                    $"Gradient '{own.Name}' has shape {Tensors.FormatShape(other.Array)} in {parameterName} but {Tensors.FormatShape(own.Array)} here.",
                    parameterName);
            }
        }
    }

    /// <summary>
    /// <paramref name="gradients"/> belongs to <paramref name="model"/>: the same members in the same
    /// order, every array present, same element types and shapes, and no gradient array that is the
    /// model's own parameter array.
    /// </summary>
    /// <exception cref="ArgumentNullException">A gradient member is null.</exception>
    /// <exception cref="ArgumentException">The members differ in number, name, element type or shape, a model member is null, or a gradient shares a parameter's array.</exception>
    public static void RequireMatchesModel(ITrainable model, GradientsBase gradients, string parameterName)
    {
        if (model.ParameterCount != gradients.MemberCount)
        {
            throw new ArgumentException(
                $"The gradients have {gradients.MemberCount} members but the model has {model.ParameterCount} trainable members.",
                parameterName);
        }

        for (int i = 0; i < model.ParameterCount; i++)
        {
            TensorRef parameter = model.GetParameter(i);
            TensorRef gradient = gradients.GetMember(i);
            if (parameter.Name != gradient.Name)
            {
                throw new ArgumentException(
                    $"Gradient member {i} is '{gradient.Name}' but the model's trainable member {i} is '{parameter.Name}': the gradients belong to another model class.",
                    parameterName);
            }

            if (parameter.Array is null)
            {
                throw new ArgumentException($"Model member '{parameter.Name}' is null.", parameterName);
            }

            if (gradient.Array is null)
            {
                throw new ArgumentNullException(parameterName, $"Gradient '{gradient.Name}' is null.");
            }

            if (parameter.Element != gradient.Element || !Tensors.SameShape(parameter.Array, gradient.Array))
            {
                throw new ArgumentException(
                    $"Gradient '{gradient.Name}' is {gradient.Element} {Tensors.FormatShape(gradient.Array)} but the parameter is {parameter.Element} {Tensors.FormatShape(parameter.Array)}.",
                    parameterName);
            }

            if (ReferenceEquals(parameter.Array, gradient.Array))
            {
                throw new ArgumentException($"Gradient '{gradient.Name}' is the model's own parameter array.", parameterName);
            }
        }
    }
}
