namespace Gen;

/// <summary>One state buffer of one parameter, as an optimizer exposes it for checkpoints.</summary>
public readonly struct OptimizerState
{
    /// <summary>Describes a state buffer shaped as its parameter.</summary>
    public OptimizerState(int parameterIndex, string key, TensorRef buffer)
        : this(parameterIndex, key, buffer, shape: null, isConstant: false)
    {
    }

    /// <summary>
    /// Describes a state tensor with a shape of its own (8-bit state's per-block <c>absmax</c>, its code table
    /// <c>qmap</c>), or shaped as its parameter when <paramref name="shape"/> is null.
    /// </summary>
    /// <param name="parameterIndex">Index of the parameter in <see cref="ITrainable.GetParameter"/> order.</param>
    /// <param name="key">The state_dict name.</param>
    /// <param name="buffer">The values, flat.</param>
    /// <param name="shape">The tensor's shape, whose product is the buffer's length; null for the parameter's shape.</param>
    /// <param name="isConstant">
    /// True for a table the optimizer records for readers but never changes (a code table): not counted in
    /// <c>StateBytes</c>, and a checkpoint load compares it instead of copying it.
    /// </param>
    public OptimizerState(int parameterIndex, string key, TensorRef buffer, int[]? shape, bool isConstant)
        : this(parameterIndex, key, buffer, shape, isConstant, floatKey: null)
    {
    }

    /// <summary>8-bit state's codes, with the PyTorch key of the buffer they hold (for converting loads).</summary>
    internal OptimizerState(int parameterIndex, string key, TensorRef buffer, int[]? shape, bool isConstant, string? floatKey)
        : this(parameterIndex, key, buffer, shape, isConstant, floatKey, isShared: false)
    {
    }

    private OptimizerState(int parameterIndex, string key, TensorRef buffer, int[]? shape, bool isConstant, string? floatKey, bool isShared)
    {
        ParameterIndex = parameterIndex;
        Key = key;
        Buffer = buffer;
        Shape = shape;
        IsConstant = isConstant;
        FloatKey = floatKey;
        IsShared = isShared;
    }

    /// <summary>Index of the parameter in <see cref="ITrainable.GetParameter"/> order.</summary>
    public int ParameterIndex { get; }

    /// <summary>
    /// PyTorch's state_dict name of the buffer, e.g. <c>square_avg</c>; for 8-bit state bitsandbytes' names
    /// <c>state1</c>, <c>absmax1</c>, <c>qmap1</c>, ... (docs/CHECKPOINTS.md).
    /// </summary>
    public string Key { get; }

    /// <summary>The buffer, flat (row-major); its name is the parameter's.</summary>
    public TensorRef Buffer { get; }

    /// <summary>The tensor's shape when it is not the parameter's (null: the parameter's shape, and its element count).</summary>
    public int[]? Shape { get; }

    /// <summary>True for a constant table (an 8-bit code): saved, compared on load, not counted in <c>StateBytes</c>.</summary>
    public bool IsConstant { get; }

    /// <summary>
    /// True for a scalar the optimizer keeps once for every parameter (NAdam's <c>mu_product</c>, which depends on the step
    /// alone) and lists under each parameter, as PyTorch keeps one per parameter: every parameter's entry holds the same
    /// one-element array. <c>StateBytes</c> counts it once, and a checkpoint load requires every parameter's value to be equal.
    /// </summary>
    public bool IsShared { get; }

    /// <summary>
    /// Describes a scalar (shape <c>[]</c>) the optimizer keeps once for every parameter, listed under parameter
    /// <paramref name="parameterIndex"/> (<see cref="IsShared"/>).
    /// </summary>
    /// <param name="parameterIndex">Index of the parameter in <see cref="ITrainable.GetParameter"/> order.</param>
    /// <param name="key">The state_dict name, e.g. <c>mu_product</c>.</param>
    /// <param name="value">A one-element array holding the value, the same for every parameter.</param>
    public static OptimizerState SharedScalar(int parameterIndex, string key, TensorRef value) =>
        value.Length == 1
            ? new OptimizerState(parameterIndex, key, value, System.Array.Empty<int>(), isConstant: false, floatKey: null, isShared: true)
            : throw new System.ArgumentException("A shared scalar is held in a one-element array.", nameof(value));

    /// <summary>For 8-bit state's codes (<c>state{k}</c>), PyTorch's key of the buffer (<c>exp_avg</c>); else null.</summary>
    internal string? FloatKey { get; }
}
