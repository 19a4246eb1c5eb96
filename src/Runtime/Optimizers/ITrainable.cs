
namespace Gen;

/// <summary>
/// A model class with generated optimizer code: its trainable members, in declaration order.
/// Gen implements it explicitly on every annotated class, so it adds no member names to the model.
/// Runtime tools (checkpoints, gradient checks) take an <see cref="ITrainable"/>.
/// </summary>
public interface ITrainable
{
    /// <summary>Number of trainable members.</summary>
    int ParameterCount { get; }

    /// <summary>The trainable member at <paramref name="index"/>: its name and current array.</summary>
    TensorRef GetParameter(int index);
}
