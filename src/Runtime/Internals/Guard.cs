using System;
using System.ComponentModel;

namespace Gen.__Internals;

/// <summary>Argument and state checks that generated optimizers run before they write anything.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>
    /// Checks before a step that a member's state of another shape than the member's own (Adafactor's per-row and
    /// per-column averages) still fits it: a member replaced by an array of the same length and another shape would
    /// change the number of rows or columns. A state of 0 elements (a shard without the member) fits any shape.
    /// </summary>
    /// <exception cref="InvalidOperationException">The state no longer has <paramref name="expectedLength"/> elements.</exception>
    public static void StateShape(int stateLength, int expectedLength, string key, string member)
    {
        if (stateLength != 0 && stateLength != expectedLength)
        {
            throw new InvalidOperationException(
                $"Model member '{member}' was replaced by an array of another shape: its state '{key}' holds {stateLength} elements, the new shape needs {expectedLength}. Assign an array of the original shape, or create a new optimizer.");
        }
    }

    /// <summary>The element count of a model member when an optimizer is created.</summary>
    /// <exception cref="ArgumentException">The member is null.</exception>
    public static int ParameterLength(Array? parameter, string member) =>
        parameter?.Length ?? throw new ArgumentException(
            $"Model member '{member}' is null: assign its array before creating an optimizer for the model.", member);

    /// <summary>
    /// Checks one parameter and its gradient before a step: the model array must still hold
    /// <paramref name="stateLength"/> elements (any length when it is negative: the optimizer keeps no
    /// state), and the gradient must exist with the parameter's shape.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model member is null or was replaced by an array of another length.</exception>
    /// <exception cref="ArgumentNullException">The gradient is null.</exception>
    /// <exception cref="ArgumentException">The gradient's shape differs from the parameter's.</exception>
    public static void StepArguments(Array? parameter, Array? gradient, int stateLength, string member)
    {
        if (parameter is null)
        {
            throw new InvalidOperationException(
                $"Model member '{member}' is null; the optimizer was created for {stateLength} elements. Assign an array of that length, or create a new optimizer.");
        }

        if (stateLength >= 0 && parameter.Length != stateLength)
        {
            throw new InvalidOperationException(
                $"Model member '{member}' now holds {parameter.Length} elements but the optimizer state was created for {stateLength}. Create a new optimizer after replacing a model array with one of another size.");
        }

        if (gradient is null)
        {
            throw new ArgumentNullException("gradients", $"Gradient '{member}' is null.");
        }

        if (!Tensors.SameShape(parameter, gradient))
        {
            throw new ArgumentException(
                $"Gradient '{member}' has shape {Tensors.FormatShape(gradient)} but the parameter has shape {Tensors.FormatShape(parameter)}.",
                "gradients");
        }
    }

    /// <summary>Checks that no two trainable members hold the same array, which a step would update twice.</summary>
    /// <exception cref="ArgumentException">Two members hold the same array; the message names both.</exception>
    public static void DistinctArrays(TensorRef[] members)
    {
        for (int i = 0; i < members.Length; i++)
        {
            for (int j = i + 1; j < members.Length; j++)
            {
                if (members[i].Array is { } array && ReferenceEquals(array, members[j].Array))
                {
                    throw new ArgumentException(
                        $"Model members '{members[i].Name}' and '{members[j].Name}' hold the same array, which every step would update twice. Mark one of them [Frozen].",
                        members[j].Name);
                }
            }
        }
    }

    /// <summary>
    /// Thrown by a generated kernel when its buffers differ in length. Unreachable after the step's
    /// checks unless a model property returns a different array on every read; it keeps the kernels'
    /// unchecked memory access safe even then.
    /// </summary>
    public static void ThrowBufferLengthMismatch() =>
        throw new InvalidOperationException("A model member returned arrays of different lengths within one step; model properties must return the same array on every read.");

    /// <summary>
    /// Checks that the state a copy reads exists: PyTorch creates it at the first step, so before one (or after
    /// <c>Reset()</c>) there is nothing to copy.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="stepCount"/> is 0.</exception>
    public static void StateCreated(long stepCount, string key)
    {
        if (stepCount == 0)
        {
            throw new InvalidOperationException(
                $"The optimizer has taken no step since it was created or reset, so it has no '{key}' yet (PyTorch creates it at the first step): step first.");
        }
    }

    /// <summary>
    /// Checks that an optimizer with a training and an evaluation mode (Schedule-Free) is training before a step: in
    /// evaluation mode the model holds the averaged parameters x, not the point y the gradients must be taken at.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="training"/> is false.</exception>
    public static void Training(bool training, string kind)
    {
        if (!training)
        {
            throw new InvalidOperationException(
                $"The {kind} optimizer is in evaluation mode: Eval() put the averaged parameters x into the model, and a step needs the training point y there. "
                + "Call Train() before computing the gradients and stepping (as schedulefree's optimizer.train()).");
        }
    }

    /// <summary>
    /// Checks a member of the optimizer's own model before state is copied into it or from it (<c>Eval()</c>,
    /// <c>Train()</c>): it must still hold the <paramref name="stateLength"/> elements the optimizer was created for.
    /// </summary>
    /// <exception cref="InvalidOperationException">The member is null or was replaced by an array of another length.</exception>
    public static void ModelMember(Array? parameter, int stateLength, string member)
    {
        if (parameter is null || parameter.Length != stateLength)
        {
            throw new InvalidOperationException(parameter is null
                ? $"Model member '{member}' is null; the optimizer was created for {stateLength} elements. Assign an array of that length, or create a new optimizer."
                : $"Model member '{member}' now holds {parameter.Length} elements but the optimizer state was created for {stateLength}. Create a new optimizer after replacing a model array with one of another size.");
        }
    }

    /// <summary>
    /// Checks a model member that optimizer state is copied into (<c>CopyAveragedTo</c>, <c>CopyEvalParametersTo</c>): it must exist and have
    /// the shape of the trained model's member (when that is null, the length of the state, <paramref name="stateLength"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The member is null or has another shape.</exception>
    public static void CopyTarget(Array? target, Array? trained, int stateLength, string member)
    {
        if (target is null)
        {
            throw new ArgumentException($"Model member '{member}' is null: give a model whose trainable members are all assigned.", "model");
        }

        bool byShape = trained is not null && trained.Length == stateLength;
        if (byShape ? !Tensors.SameShape(target, trained!) : target.Length != stateLength)
        {
            throw new ArgumentException(
                $"Model member '{member}' has shape {Tensors.FormatShape(target)}, but the optimizer's state is for {(byShape ? "shape " + Tensors.FormatShape(trained!) : stateLength + " elements")}.",
                "model");
        }
    }

    /// <summary>Checks a value given to a learning-rate or weight-decay setter.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public static double NonNegativeFinite(double value, string name) =>
        value >= 0 && !double.IsPositiveInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0.");
}
