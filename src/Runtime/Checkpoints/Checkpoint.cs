using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Gen.__Internals;

namespace Gen;

/// <summary>
/// Saves and loads training state as safetensors files that PyTorch users can read: an optimizer's
/// state (every state buffer, the step count, the learning rate and weight decay) and, separately, a
/// model's trainable parameters. The format is described in docs/CHECKPOINTS.md.
/// </summary>
/// <remarks>
/// <para>
/// Loading checks everything before it changes anything: the structure, the length, a CRC32 over the
/// whole file, then that the checkpoint fits the target (optimizer kind, compile-time configuration,
/// members, tensor names, dtypes and shapes). Any problem throws a <see cref="CheckpointException"/>
/// whose <see cref="CheckpointException.Error"/> says which, and the target is left untouched; values
/// are then copied into the existing arrays, so references to them stay valid.
/// </para>
/// <para>
/// Saving to a path is atomic: the file is written beside the target under a temporary name,
/// flushed to the disk and renamed over the target, so the target holds the old checkpoint or the new
/// one, never part of one. Saving and loading allocate; <see cref="Optimizer{TGradients}.Step(TGradients)"/> still
/// does not. Neither may run while another thread steps the optimizer or changes the model.
/// </para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>Writes the optimizer's state buffers, step count, learning rate and weight decay to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable.</exception>
    /// <exception cref="InvalidOperationException">A model member is null or was replaced by an array of another length; nothing was written.</exception>
    public static void SaveOptimizer<TGradients>(Optimizer<TGradients> optimizer, Stream destination)
        where TGradients : GradientsBase
    {
        CheckpointLayout layout = OptimizerLayoutToSave(optimizer);
        CheckpointFile.Write(Writable(destination), layout);
    }

    /// <summary>Writes the optimizer's state to the file <paramref name="path"/>, replacing it atomically.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">A model member is null or was replaced by an array of another length; nothing was written.</exception>
    /// <exception cref="IOException">
    /// The file could not be written; an existing file at <paramref name="path"/> is unchanged. When the disk is full or the
    /// file would exceed a file size limit, the message names <paramref name="path"/> and the operating system's error is the
    /// <see cref="Exception.InnerException"/>.
    /// </exception>
    public static void SaveOptimizer<TGradients>(Optimizer<TGradients> optimizer, string path)
        where TGradients : GradientsBase
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        CheckpointLayout layout = OptimizerLayoutToSave(optimizer);
        AtomicFile.Write(path, stream => CheckpointFile.Write(stream, layout));
    }

    /// <summary>
    /// Restores the optimizer from a checkpoint that <see cref="SaveOptimizer{TGradients}(Optimizer{TGradients}, Stream)"/>
    /// wrote for an optimizer of the same kind and configuration, on a model with the same members and
    /// shapes. Reads one checkpoint and leaves <paramref name="source"/> just after it.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CheckpointException">The checkpoint is damaged or does not fit this optimizer; nothing was changed.</exception>
    public static void LoadOptimizer<TGradients>(Optimizer<TGradients> optimizer, Stream source)
        where TGradients : GradientsBase =>
        LoadOptimizer(optimizer, source, convertStatePrecision: false);

    /// <summary>
    /// <see cref="LoadOptimizer{TGradients}(Optimizer{TGradients}, Stream)"/>; with <paramref name="convertStatePrecision"/>,
    /// state saved at another float precision (F32, BF16 or F16 tensors: an optimizer generated with another
    /// <c>StatePrecision</c>) is converted to this optimizer's: widened exactly, or narrowed to nearest even. Without it,
    /// such a file is rejected (<see cref="CheckpointError.DtypeMismatch"/>): a conversion is never silent. 8-bit block-wise
    /// state (<c>StatePrecision.Int8Blockwise</c>) converts the same way, through float: the file's 8-bit state is
    /// dequantized (its code table must still be this runtime's), float state quantized block by block.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CheckpointException">The checkpoint is damaged or does not fit this optimizer; nothing was changed.</exception>
    public static void LoadOptimizer<TGradients>(Optimizer<TGradients> optimizer, Stream source, bool convertStatePrecision)
        where TGradients : GradientsBase =>
        LoadOptimizer(optimizer, Readable(source), path: null, wholeFile: false, convertStatePrecision);

    /// <summary>Restores the optimizer from the checkpoint file <paramref name="path"/>, which must hold nothing else.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CheckpointException">The file is damaged or does not fit this optimizer; nothing was changed. The message names the file.</exception>
    /// <exception cref="IOException">The file could not be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static void LoadOptimizer<TGradients>(Optimizer<TGradients> optimizer, string path)
        where TGradients : GradientsBase =>
        LoadOptimizer(optimizer, path, convertStatePrecision: false);

    /// <summary>
    /// <see cref="LoadOptimizer{TGradients}(Optimizer{TGradients}, string)"/>, converting state saved at another float
    /// precision when <paramref name="convertStatePrecision"/> is true (see
    /// <see cref="LoadOptimizer{TGradients}(Optimizer{TGradients}, Stream, bool)"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CheckpointException">The file is damaged or does not fit this optimizer; nothing was changed. The message names the file.</exception>
    /// <exception cref="IOException">The file could not be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static void LoadOptimizer<TGradients>(Optimizer<TGradients> optimizer, string path, bool convertStatePrecision)
        where TGradients : GradientsBase
    {
        _ = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        using FileStream stream = OpenRead(path);
        LoadOptimizer(optimizer, stream, path, wholeFile: true, convertStatePrecision);
    }

    /// <summary>Writes every trainable member of <paramref name="model"/> to <paramref name="destination"/>, one tensor per member.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable.</exception>
    /// <exception cref="InvalidOperationException">A model member is null; nothing was written.</exception>
    public static void SaveModel(ITrainable model, Stream destination)
    {
        CheckpointLayout layout = ModelLayoutToSave(model);
        CheckpointFile.Write(Writable(destination), layout);
    }

    /// <summary>Writes every trainable member of <paramref name="model"/> to the file <paramref name="path"/>, replacing it atomically.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">A model member is null; nothing was written.</exception>
    /// <exception cref="IOException">
    /// The file could not be written; an existing file at <paramref name="path"/> is unchanged. When the disk is full or the
    /// file would exceed a file size limit, the message names <paramref name="path"/> and the operating system's error is the
    /// <see cref="Exception.InnerException"/>.
    /// </exception>
    public static void SaveModel(ITrainable model, string path)
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        CheckpointLayout layout = ModelLayoutToSave(model);
        AtomicFile.Write(path, stream => CheckpointFile.Write(stream, layout));
    }

    /// <summary>
    /// Copies a model checkpoint into the model's existing arrays: every trainable member must be in
    /// it with its dtype and shape, and nothing else. Reads one checkpoint and leaves
    /// <paramref name="source"/> just after it.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CheckpointException">The checkpoint is damaged or does not fit this model; nothing was changed.</exception>
    public static void LoadModel(ITrainable model, Stream source) =>
        LoadModel(model, Readable(source), path: null, wholeFile: false);

    /// <summary>Copies the model checkpoint file <paramref name="path"/>, which must hold nothing else, into the model's arrays.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="CheckpointException">The file is damaged or does not fit this model; nothing was changed. The message names the file.</exception>
    /// <exception cref="IOException">The file could not be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static void LoadModel(ITrainable model, string path)
    {
        _ = model ?? throw new ArgumentNullException(nameof(model));
        using FileStream stream = OpenRead(path);
        LoadModel(model, stream, path, wholeFile: true);
    }

    /// <summary>
    /// Writes an optimizer checkpoint of <paramref name="optimizer"/> whose state buffers are <paramref name="states"/>
    /// (<see cref="Optimizer{TGradients}.GetState"/>'s list with each buffer whole, gathered from the shards of a sharded
    /// optimizer): the single-process file. Gen.Distributed's DataParallel saves through it.
    /// </summary>
    internal static void SaveOptimizer<TGradients>(Optimizer<TGradients> optimizer, string path, IReadOnlyList<OptimizerState> states)
        where TGradients : GradientsBase
    {
        _ = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _ = path ?? throw new ArgumentNullException(nameof(path));
        EnsureLittleEndian();
        CheckpointLayout layout = CheckpointLayout.ForOptimizer(optimizer, (_, detail) => new InvalidOperationException("Cannot save the optimizer: " + detail), states);
        AtomicFile.Write(path, stream => CheckpointFile.Write(stream, layout));
    }

    /// <summary>
    /// Restores <paramref name="optimizer"/> from the checkpoint in <paramref name="source"/> (the whole stream: the file
    /// <paramref name="path"/>, which messages name), with its state read into <paramref name="states"/> (whole buffers,
    /// laid out as <see cref="Optimizer{TGradients}.GetState"/> lists them) instead of the optimizer's own, or into the
    /// optimizer's own when null. Every check passes before anything is written; the step count, rates and seed are
    /// restored with the state. Gen.Distributed's DataParallel loads through it and then copies each process's shard.
    /// </summary>
    internal static void LoadOptimizer<TGradients>(Optimizer<TGradients> optimizer, Stream source, string path, bool convertStatePrecision, IReadOnlyList<OptimizerState>? states)
        where TGradients : GradientsBase =>
        LoadOptimizer(optimizer, Readable(source), path, wholeFile: true, convertStatePrecision, states);

    /// <summary>
    /// <see cref="LoadModel(ITrainable, string)"/> from <paramref name="source"/>, the whole stream holding the file
    /// <paramref name="path"/> (which messages name).
    /// </summary>
    internal static void LoadModel(ITrainable model, Stream source, string path) =>
        LoadModel(model, Readable(source), path, wholeFile: true);

    private static void LoadOptimizer<TGradients>(Optimizer<TGradients> optimizer, Stream stream, string? path, bool wholeFile, bool convertStatePrecision, IReadOnlyList<OptimizerState>? states = null)
        where TGradients : GradientsBase
    {
        _ = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        EnsureLittleEndian();
        CheckpointLayout layout = CheckpointLayout.ForOptimizer(optimizer, (member, detail) => new CheckpointException(CheckpointError.ModelArrayReplaced, member, path, detail), states);
        (LoadPlan plan, Dictionary<TensorSlot, TensorRef> staged) = CheckpointFile.Read(stream, path, wholeFile, header => layout.Plan(header, path, convertStatePrecision));

        // PyTorch keeps a step per parameter; Gen keeps one for the optimizer. They must agree.
        RestoredValues values = plan.Values;
        foreach (KeyValuePair<TensorSlot, TensorRef> pair in staged)
        {
            if (pair.Key.IsStep && pair.Value.AsSingleSpan()[0] != (float)values.StepCount)
            {
                throw new CheckpointException(
                    CheckpointError.InvalidValue,
                    pair.Key.Name,
                    path,
                    $"tensor '{pair.Key.Name}' is {pair.Value.AsSingleSpan()[0]}, but the checkpoint's step count is {values.StepCount}; Gen keeps one step count for every parameter.");
            }
        }

        // A scalar kept once for every member (NAdam's mu_product) is listed under each, as PyTorch keeps one per
        // parameter: every member's value must be the same, or continuing would not be what either side would do.
        foreach (KeyValuePair<TensorSlot, TensorRef> pair in staged)
        {
            if (!pair.Key.IsShared)
            {
                continue;
            }

            TensorSlot firstShared = FirstSharing(staged, pair.Key);
            if (!Dtypes.AsBytes(pair.Value).SequenceEqual(Dtypes.AsBytes(staged[firstShared])))
            {
                throw new CheckpointException(
                    CheckpointError.InvalidValue,
                    pair.Key.Name,
                    path,
                    $"tensor '{pair.Key.Name}' is {Describe(pair.Value)}, but '{firstShared.Name}' is {Describe(staged[firstShared])}; Gen keeps one value for every parameter.");
            }
        }

        // 8-bit state's code tables are not copied but must be this runtime's: codes index them.
        foreach (KeyValuePair<TensorSlot, TensorRef> pair in staged)
        {
            bool codeToMatch = pair.Key.IsConstant || (pair.Key.Conversion is { } conversion && pair.Key == conversion.Code);
            if (codeToMatch && !IsCodeTable(pair.Value, pair.Key.IsConstant ? pair.Key.Values : null))
            {
                throw new CheckpointException(
                    CheckpointError.InvalidValue,
                    pair.Key.Name,
                    path,
                    $"tensor '{pair.Key.Name}' is not this runtime's 8-bit code table (bitsandbytes' create_dynamic_map under torch 1.13's float32 arithmetic) bit for bit, and its 8-bit codes index that table: "
                    + "state quantized with another code cannot be continued exactly.");
            }
        }

        // Every check has passed: copy. Nothing below can fail.
        CopyStaged(staged);
        optimizer.RestoreLearningRate(values.LearningRate);
        optimizer.WeightDecay = values.WeightDecay;
        if (values.BaseLearningRate is { } baseLearningRate)
        {
            optimizer.BaseLearningRate = baseLearningRate;
        }

        if (values.RoundingSeed is { } seed)
        {
            optimizer.StochasticRoundingSeed = seed;
        }

        if (values.GroupValues is { } groupValues)
        {
            for (int i = 0; i < groupValues.Length; i++)
            {
                optimizer.RestoreGroupValue(i, groupValues[i]);
            }
        }

        optimizer.StepCount = values.StepCount;
    }

    private static void LoadModel(ITrainable model, Stream stream, string? path, bool wholeFile)
    {
        _ = model ?? throw new ArgumentNullException(nameof(model));
        EnsureLittleEndian();
        CheckpointLayout layout = CheckpointLayout.ForModel(model, (member, detail) => new CheckpointException(CheckpointError.ModelArrayReplaced, member, path, detail));
        (_, Dictionary<TensorSlot, TensorRef> staged) = CheckpointFile.Read(stream, path, wholeFile, header => layout.Plan(header, path));
        CopyStaged(staged);
    }

    /// <summary>
    /// Whether <paramref name="table"/> is this runtime's code (<paramref name="expected"/>, or either of the two when it is
    /// null: a converting load dequantizes with the file's, which must still be one of them).
    /// </summary>
    private static bool IsCodeTable(TensorRef table, TensorRef? expected)
    {
        Span<byte> bytes = Dtypes.AsBytes(table);
        return expected is { } code
            ? bytes.SequenceEqual(Dtypes.AsBytes(code))
            : bytes.SequenceEqual(MemoryMarshal.AsBytes(DynamicCode.Signed)) || bytes.SequenceEqual(MemoryMarshal.AsBytes(DynamicCode.Unsigned));
    }

    /// <summary>The first staged slot that holds the same array as <paramref name="slot"/> (a shared scalar's first member).</summary>
    private static TensorSlot FirstSharing(Dictionary<TensorSlot, TensorRef> staged, TensorSlot slot)
    {
        foreach (TensorSlot other in staged.Keys)
        {
            if (other.IsShared && ReferenceEquals(other.Values.Array, slot.Values.Array))
            {
                return other;
            }
        }

        return slot;
    }

    /// <summary>A staged scalar's value, for messages.</summary>
    private static string Describe(TensorRef value) => value.Element switch
    {
        TensorElement.Single => value.AsSingleSpan()[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        TensorElement.Double => value.AsDoubleSpan()[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => "(" + value.Element + ")",
    };

    private static void CopyStaged(Dictionary<TensorSlot, TensorRef> staged)
    {
        foreach (KeyValuePair<TensorSlot, TensorRef> pair in staged)
        {
            TensorSlot slot = pair.Key;
            if (slot.IsStep || slot.IsConstant)
            {
                continue;
            }

            TensorRef source = pair.Value, target = slot.Values;
            if (slot.Conversion is { } conversion)
            {
                // A converting load between 8-bit and float state: through float, block by block.
                if (conversion.Quantizes)
                {
                    BlockwiseQuantization.Quantize(AsSingle(source), conversion.Target.AsByteSpan(), conversion.TargetAbsmax.AsSingleSpan(), conversion.Signed);
                }
                else if (slot == conversion.Codes)
                {
                    TensorRef code = staged[conversion.Code!];
                    var values = new float[source.Length];
                    BlockwiseQuantization.Dequantize(source.AsByteSpan(), staged[conversion.Absmax!].AsSingleSpan(), values, signed: code.AsSingleSpan()[0] < 0);
                    Store(values, conversion.Target);
                }

                continue;
            }

            if (source.Element == target.Element)
            {
                Dtypes.AsBytes(source).CopyTo(Dtypes.AsBytes(target));
                continue;
            }

            // A converting load (the plan accepted it): through float, exact when widening, to nearest even when narrowing.
            Store(AsSingle(source), target);
        }
    }

    /// <summary>A float or 16-bit tensor as floats (widened exactly).</summary>
    private static float[] AsSingle(TensorRef source)
    {
        float[] values = source.Element == TensorElement.Single ? (float[])source.Array! : new float[source.Length];
        if (source.Element != TensorElement.Single)
        {
            Widen(source, values);
        }

        return values;
    }

    /// <summary>Writes floats into a float or 16-bit tensor (to nearest even when narrowing).</summary>
    private static void Store(float[] values, TensorRef target)
    {
        if (target.Element == TensorElement.Single)
        {
            values.AsSpan().CopyTo(target.AsSingleSpan());
        }
        else if (target.Element == TensorElement.BFloat16)
        {
            BFloat16Storage.Narrow(values, target.AsBitsSpan());
        }
        else
        {
            Float16Storage.Narrow(values, target.AsBitsSpan());
        }
    }

    private static void Widen(TensorRef source, Span<float> destination)
    {
        if (source.Element == TensorElement.BFloat16)
        {
            BFloat16Storage.Widen(source.AsBitsSpan(), destination);
        }
        else
        {
            Float16Storage.Widen(source.AsBitsSpan(), destination);
        }
    }

    private static CheckpointLayout OptimizerLayoutToSave<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase
    {
        _ = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        EnsureLittleEndian();
        return CheckpointLayout.ForOptimizer(optimizer, (_, detail) => new InvalidOperationException("Cannot save the optimizer: " + detail));
    }

    private static CheckpointLayout ModelLayoutToSave(ITrainable model)
    {
        _ = model ?? throw new ArgumentNullException(nameof(model));
        EnsureLittleEndian();
        return CheckpointLayout.ForModel(model, (_, detail) => new InvalidOperationException("Cannot save the model: " + detail));
    }

    private static Stream Writable(Stream destination)
    {
        _ = destination ?? throw new ArgumentNullException(nameof(destination));
        return destination.CanWrite ? destination : throw new ArgumentException("The stream is not writable.", nameof(destination));
    }

    private static Stream Readable(Stream source)
    {
        _ = source ?? throw new ArgumentNullException(nameof(source));
        return source.CanRead ? source : throw new ArgumentException("The stream is not readable.", nameof(source));
    }

    private static FileStream OpenRead(string path)
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.SequentialScan);
    }

    /// <summary>
    /// The tensors are copied to and from memory as they are laid out, which is the file's little-endian
    /// order on every platform .NET supports today. Refuse rather than write a wrong file elsewhere.
    /// </summary>
    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Gen checkpoints are read and written on little-endian machines only.");
        }
    }
}
