using System;
using System.Globalization;

namespace Gen;

/// <summary>
/// One of <see cref="Count"/> contiguous parts of a model's trainable parameters, taken as one vector (the members
/// flattened row-major and concatenated in declaration order), for sharded optimizer state (ZeRO stage 1). An optimizer
/// created with a shard (every generated optimizer has a constructor that takes one) allocates its state for the shard's
/// elements only, and its steps update only them.
/// </summary>
/// <remarks>
/// <para>
/// The cuts fall near <c>k·T/N</c> for a model of T elements cut into N shards, moved to the nearest multiple of 256
/// elements within the member they fall in, or to its end: a slice of a member's 8-bit block-wise state then never
/// splits a block, and every shard starts on whole cache lines and registers. Shards of a small model can therefore be
/// uneven, or empty. The cuts depend on the members' lengths and <see cref="Count"/> only, so every process computes the
/// same ones.
/// </para>
/// <para>
/// With the state of each element kept in exactly one shard, the shards' optimizers together compute what one optimizer
/// of the whole model computes, element for element, bit for bit: the update of an element depends on that element
/// alone (its stochastic rounding, too, is drawn from its index in the member).
/// </para>
/// </remarks>
public sealed class OptimizerShard
{
    /// <summary>Cuts fall at multiples of this many elements within a member: 8-bit block-wise state's block size.</summary>
    public const int Alignment = Gen.__Internals.BlockwiseState.BlockSize;

    private readonly int[] _memberLengths;
    private readonly long[] _cuts;
    private readonly int[] _starts;
    private readonly int[] _lengths;

    private OptimizerShard(int index, int count, int[] memberLengths, long[] cuts)
    {
        Index = index;
        Count = count;
        _memberLengths = memberLengths;
        _cuts = cuts;
        _starts = new int[memberLengths.Length];
        _lengths = new int[memberLengths.Length];
        long offset = 0;
        for (int m = 0; m < memberLengths.Length; m++)
        {
            long start = Math.Clamp(cuts[index] - offset, 0, memberLengths[m]);
            long end = Math.Clamp(cuts[index + 1] - offset, 0, memberLengths[m]);
            _starts[m] = (int)start;
            _lengths[m] = (int)(end - start);
            offset += memberLengths[m];
        }
    }

    /// <summary>
    /// Shard <paramref name="index"/> of <paramref name="count"/> of <paramref name="model"/>'s trainable parameters, cut
    /// by their lengths now.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="index">Which shard, from 0 (a process's rank).</param>
    /// <param name="count">How many shards (the number of processes), at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1, or <paramref name="index"/> is not in [0, count).</exception>
    /// <exception cref="ArgumentException">A trainable member of the model is null.</exception>
    public static OptimizerShard Create(ITrainable model, int index, int count)
    {
        _ = model ?? throw new ArgumentNullException(nameof(model));
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "A model is cut into at least 1 shard.");
        }

        if (index < 0 || index >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard index must be in [0, {count}).");
        }

        var lengths = new int[model.ParameterCount];
        for (int m = 0; m < lengths.Length; m++)
        {
            TensorRef member = model.GetParameter(m);
            lengths[m] = member.Array?.Length ?? throw new ArgumentException(
                $"Model member '{member.Name}' is null: assign its array before cutting the model into shards.", nameof(model));
        }

        return new OptimizerShard(index, count, lengths, Cuts(lengths, count));
    }

    /// <summary>This shard's position, from 0.</summary>
    public int Index { get; }

    /// <summary>How many shards the model is cut into.</summary>
    public int Count { get; }

    /// <summary>The model's number of trainable members.</summary>
    public int MemberCount => _memberLengths.Length;

    /// <summary>Where this shard begins in the flattened parameters.</summary>
    public long Start => _cuts[Index];

    /// <summary>How many elements this shard holds.</summary>
    public long Length => _cuts[Index + 1] - _cuts[Index];

    /// <summary>The model's number of trainable elements, every shard's together.</summary>
    public long TotalLength => _cuts[Count];

    /// <summary>Where shard <paramref name="shard"/> begins in the flattened parameters (<paramref name="shard"/> = <see cref="Count"/>: the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is not in [0, Count].</exception>
    public long GetCut(int shard) => (uint)shard <= (uint)Count
        ? _cuts[shard]
        : throw new ArgumentOutOfRangeException(nameof(shard), shard, $"A cut is in [0, {Count}].");

    /// <summary>The first element of member <paramref name="member"/> in this shard (its length when the shard holds none of it and begins after it).</summary>
    public int GetMemberStart(int member) => _starts[member];

    /// <summary>How many elements of member <paramref name="member"/> this shard holds.</summary>
    public int GetMemberLength(int member) => _lengths[member];

    /// <summary>The element count of member <paramref name="member"/> the shard was cut for.</summary>
    public int GetModelLength(int member) => _memberLengths[member];

    /// <summary>
    /// Whether <paramref name="other"/> is the same cut of a model with the same member lengths into as many shards,
    /// whatever its index.
    /// </summary>
    public bool IsSameCut(OptimizerShard? other) =>
        other is not null && other.Count == Count && _memberLengths.AsSpan().SequenceEqual(other._memberLengths);

    /// <summary>For messages: "shard 1 of 3 (elements 1,024 to 2,048 of 3,000)".</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "shard {0} of {1} (elements {2:N0} to {3:N0} of {4:N0})", Index, Count, Start, Start + Length, TotalLength);

    /// <summary>
    /// Throws unless <paramref name="model"/> has the members this shard was cut for, with their lengths; names the first
    /// member that differs. A null member is left to the optimizer's own check, which names it.
    /// </summary>
    internal void CheckFits(ITrainable model, string parameterName)
    {
        if (model.ParameterCount != _memberLengths.Length)
        {
            throw new ArgumentException(
                $"The shard was cut for a model of {_memberLengths.Length} trainable members, and this model has {model.ParameterCount}.", parameterName);
        }

        for (int m = 0; m < _memberLengths.Length; m++)
        {
            TensorRef member = model.GetParameter(m);
            if (member.Array is { } array && array.Length != _memberLengths[m])
            {
                throw new ArgumentException(
                    $"The shard was cut for a model whose member '{member.Name}' holds {_memberLengths[m]} elements, and this model's holds {array.Length}.", parameterName);
            }
        }
    }

    /// <summary>
    /// The cuts: 0, then for k in 1..count-1 the allowed point nearest to k·T/count (each member's start, its multiples of
    /// <see cref="Alignment"/>, its end), then T. Non-decreasing, since the allowed points are ordered and so are the targets.
    /// </summary>
    private static long[] Cuts(int[] lengths, int count)
    {
        long total = 0;
        foreach (int length in lengths)
        {
            total += length;
        }

        var cuts = new long[count + 1];
        cuts[count] = total;
        int member = 0;
        long offset = 0;
        for (int k = 1; k < count; k++)
        {
            // k·T/count without overflow for any T a model can have (each member below 2^31 elements).
            long target = (long)((decimal)total * k / count);
            while (member < lengths.Length && offset + lengths[member] <= target)
            {
                offset += lengths[member];
                member++;
            }

            if (member == lengths.Length)
            {
                cuts[k] = total;
                continue;
            }

            long within = target - offset;
            long below = within / Alignment * Alignment;
            long above = Math.Min(below + Alignment, lengths[member]);
            cuts[k] = offset + (within - below <= above - within ? below : above);
        }

        return cuts;
    }
}
