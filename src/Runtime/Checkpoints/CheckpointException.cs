using System;

namespace Gen;

/// <summary>Why a checkpoint could not be loaded. See <see cref="CheckpointException.Error"/>.</summary>
public enum CheckpointError
{
    /// <summary>Not a safetensors file, or its header or layout is malformed (including bytes after the end of a checkpoint file).</summary>
    InvalidFormat = 1,

    /// <summary>The file or stream ends before the length its header declares.</summary>
    Truncated,

    /// <summary>The CRC32 recorded in the file differs from the one computed over its bytes: the file was altered or damaged.</summary>
    ChecksumMismatch,

    /// <summary>A valid safetensors file that Gen did not write: its metadata has no Gen format tag.</summary>
    NotGenCheckpoint,

    /// <summary>A Gen checkpoint of a format version this runtime cannot read.</summary>
    UnsupportedVersion,

    /// <summary>A model checkpoint given to an optimizer load, or an optimizer checkpoint given to a model load.</summary>
    WrongContent,

    /// <summary>The checkpoint holds the state of another optimizer kind (e.g. Adam into RMSProp).</summary>
    KindMismatch,

    /// <summary>A compile-time hyperparameter differs, or exists on one side only.</summary>
    ConfigurationMismatch,

    /// <summary>A trainable member of the model has nothing in the checkpoint.</summary>
    MissingMember,

    /// <summary>The checkpoint holds a member the model does not have.</summary>
    UnexpectedMember,

    /// <summary>A tensor the optimizer needs (e.g. <c>W1.square_avg</c>) is not in the checkpoint.</summary>
    MissingTensor,

    /// <summary>The checkpoint holds a tensor the optimizer does not keep.</summary>
    UnexpectedTensor,

    /// <summary>A tensor's shape differs from the model member's.</summary>
    ShapeMismatch,

    /// <summary>A tensor's element type differs from the model member's (e.g. F64 for a <c>float[]</c>).</summary>
    DtypeMismatch,

    /// <summary>A model member is null, or was replaced by an array of another length after the optimizer was created.</summary>
    ModelArrayReplaced,

    /// <summary>A recorded value is out of range or inconsistent: learning rate, weight decay, step count or a per-parameter step.</summary>
    InvalidValue,
}

/// <summary>
/// Thrown when a checkpoint cannot be loaded. The model and the optimizer are unchanged: every check
/// runs before the first write. <see cref="Error"/> says what was wrong, <see cref="Name"/> which
/// member, tensor or setting, and <see cref="Path"/> which file; the message says all three.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception; <see cref="Exception.Message"/> is composed from the parts.</summary>
    public CheckpointException(CheckpointError error, string? name, string? path, string detail, Exception? innerException = null)
        : base(Compose(path, detail), innerException)
    {
        Error = error;
        Name = name;
        Path = path;
        Detail = detail;
    }

    /// <summary>What was wrong.</summary>
    public CheckpointError Error { get; }

    /// <summary>The member, tensor (e.g. <c>W1.square_avg</c>) or setting concerned, or null when the problem is the whole file.</summary>
    public string? Name { get; }

    /// <summary>The file being loaded, or null when loading from a stream.</summary>
    public string? Path { get; }

    /// <summary>The message without the file: what was found and what was expected.</summary>
    public string Detail { get; }

    private static string Compose(string? path, string detail) =>
        path is null ? "Cannot load the checkpoint: " + detail : $"Cannot load the checkpoint '{path}': {detail}";
}
