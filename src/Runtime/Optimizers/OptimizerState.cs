namespace Gen;

/// <summary>One state buffer of one parameter, as an optimizer exposes it for checkpoints.</summary>
public readonly struct OptimizerState
{
    /// <summary>Describes a state buffer.</summary>
    public OptimizerState(int parameterIndex, string key, TensorRef buffer)
    {
        ParameterIndex = parameterIndex;
        Key = key;
        Buffer = buffer;
    }

    /// <summary>Index of the parameter in <see cref="ITrainable.GetParameter"/> order.</summary>
    public int ParameterIndex { get; }

    /// <summary>PyTorch's state_dict name of the buffer, e.g. <c>square_avg</c>.</summary>
    public string Key { get; }

    /// <summary>The buffer, flat (row-major, the parameter's element count); its name is the parameter's.</summary>
    public TensorRef Buffer { get; }
}
