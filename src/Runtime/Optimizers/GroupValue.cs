namespace Gen;

/// <summary>
/// A value an optimizer keeps across steps for a whole parameter group rather than per element, as PyTorch keeps it in
/// <c>param_groups</c>: Schedule-Free's running maximum of the learning rate (<c>lr_max</c>), its sum of averaging
/// weights (<c>weight_sum</c>) and its mode (<c>train_mode</c>). Checkpoints save and restore them
/// (docs/CHECKPOINTS.md).
/// </summary>
public readonly struct GroupValue
{
    /// <summary>Describes a number.</summary>
    public GroupValue(string key, double value)
        : this(key, value, isFlag: false)
    {
    }

    /// <summary>Describes a number, or with <paramref name="isFlag"/> a flag (1 for true, 0 for false).</summary>
    public GroupValue(string key, double value, bool isFlag)
    {
        Key = key;
        Value = value;
        IsFlag = isFlag;
    }

    /// <summary>
    /// PyTorch's <c>param_groups</c> name, e.g. <c>weight_sum</c>; for a member with its own learning rate
    /// (<c>[LearningRateScale]</c>), which PyTorch would put in a group of its own, the name and the member:
    /// <c>weight_sum.W1</c>.
    /// </summary>
    public string Key { get; }

    /// <summary>The value; for a flag 1 (true) or 0 (false).</summary>
    public double Value { get; }

    /// <summary>True for a flag (<c>train_mode</c>), written as <c>true</c> or <c>false</c>.</summary>
    public bool IsFlag { get; }
}
