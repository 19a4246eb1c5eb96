using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Gen.Distributed;

/// <summary>
/// Data-parallel training with a generated optimizer: every rank computes gradients on its share of the batch, and
/// <see cref="Step(TGradients)"/> combines them across the ranks and applies the same update everywhere, so every rank
/// keeps the same parameters. With an optimizer created for an <see cref="OptimizerShard"/> (ZeRO stage 1), each rank
/// keeps and updates the optimizer state of its shard only, and the ranks exchange the updated parameters.
/// </summary>
/// <remarks>
/// <para>
/// <b>Plain.</b> <see cref="Step(TGradients)"/> sums each gradient over the ranks in place (<c>MPI_Allreduce</c>, in
/// buckets of <see cref="DataParallelOptions.BucketBytes"/>; float and double members each in their own type), then
/// runs the optimizer's own step with every gradient element multiplied by 1/N as the kernel reads it: the step of the
/// mean gradient, without a pass of its own. Every rank sums the same values and steps the same state, so the
/// parameters stay identical bit for bit. After the step the gradients hold the sums (or zeros, with
/// <c>clearGradients</c>).
/// </para>
/// <para>
/// <b>Sharded (ZeRO stage 1).</b> Gradients are reduce-scattered (<c>MPI_Reduce_scatter</c>): each rank receives the sums
/// of its shard only, steps its shard with the generated kernel, then the ranks all-gather the updated parameters
/// (<c>MPI_Allgatherv</c>). Each rank holds 1/N of the optimizer state. Outside its shard a rank's gradients are left
/// unspecified after the step. The update of an element does not depend on where it is computed, so the result is plain
/// data parallelism's, bit for bit when the sums are (see docs/DISTRIBUTED.md on summation order).
/// </para>
/// <para>
/// The optimizer's <see cref="Optimizer{TGradients}.NonFinitePolicy"/> and
/// <see cref="Optimizer{TGradients}.GlobalNormClip"/> apply to the combined gradients, after the reduction, so every
/// rank makes the same decision: all skip, all throw (naming the same member and index), or all step. A step allocates
/// nothing. Every rank must call the same methods in the same order (each is a collective operation); a rank that
/// throws elsewhere must end the job (<see cref="MpiCommunicator.Run(Func{MpiCommunicator, int})"/> does).
/// </para>
/// </remarks>
/// <typeparam name="TGradients">The model's generated <c>Gradients</c> type.</typeparam>
public sealed class DataParallel<TGradients> : INormParts
    where TGradients : GradientsBase
{
    private readonly Optimizer<TGradients> _optimizer;
    private readonly ICommunicator _communicator;
    private readonly ITrainable _model;
    private readonly OptimizerShard? _shard;
    private readonly int _bucketBytes;
    private readonly Bucket[] _buckets;
    private readonly long[] _memberOffsets;
    private readonly byte[] _fusion;
    private readonly int[] _chunkCounts;
    private readonly long[] _longScalar = new long[1];
    private readonly double[] _doubleScalar = new double[1];
    private readonly double _inverseSize;

    /// <summary>For a sharded optimizer: each rank's bytes of each state buffer, [rank][state] (checkpoints).</summary>
    private readonly long[][]? _stateParts;

    /// <summary>
    /// Wraps <paramref name="optimizer"/> for training on the ranks of <paramref name="communicator"/>. A collective
    /// operation: every rank constructs its own, and they check that their models and optimizers agree.
    /// </summary>
    /// <param name="optimizer">
    /// This rank's optimizer: created for the whole model, or for this rank's shard
    /// (<c>OptimizerShard.Create(model, communicator.Rank, communicator.Size)</c>, see <see cref="CommunicatorExtensions.ShardOf"/>)
    /// to keep only the shard's state.
    /// </param>
    /// <param name="communicator">The ranks.</param>
    /// <param name="options">The bucket size; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="communicator"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A model member is null; the optimizer's shard is not this rank's; or another rank's model (members, lengths,
    /// element types), optimizer (kind, configuration, sharding) or options differ from this rank's: the message names
    /// the first difference, and every rank throws it.
    /// </exception>
    public DataParallel(Optimizer<TGradients> optimizer, ICommunicator communicator, DataParallelOptions? options = null)
    {
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
        _model = optimizer.Model;
        _bucketBytes = (options ?? new DataParallelOptions()).BucketBytes;
        _inverseSize = 1.0 / communicator.Size;
        _shard = optimizer.Shard;

        // Problems of this rank's arguments are agreed on with the other ranks before anyone throws: a rank that threw
        // alone would leave the others waiting in the next collective.
        string? problem = null;
        if (_shard is { } shard && (shard.Count != communicator.Size || shard.Index != communicator.Rank))
        {
            problem = $"the optimizer keeps the state of {shard}, but this is rank {communicator.Rank} of {communicator.Size}: create it with OptimizerShard.Create(model, communicator.Rank, communicator.Size) (communicator.ShardOf(model))";
        }

        int members = _model.ParameterCount;
        _memberOffsets = new long[members + 1];
        for (int m = 0; m < members; m++)
        {
            TensorRef member = _model.GetParameter(m);
            if (member.Array is null)
            {
                problem ??= $"model member '{member.Name}' is null";
            }

            _memberOffsets[m + 1] = _memberOffsets[m] + member.Length;
        }

        _chunkCounts = new int[communicator.Size];
        AgreeOnLayout(problem);
        _buckets = PlanBuckets(out bool fused);
        _fusion = fused ? new byte[_bucketBytes] : Array.Empty<byte>();
        _stateParts = _shard is null ? null : GatherStateParts();
    }

    /// <summary>The optimizer this steps.</summary>
    public Optimizer<TGradients> Optimizer => _optimizer;

    /// <summary>The ranks.</summary>
    public ICommunicator Communicator => _communicator;

    /// <summary>Whether the optimizer keeps only this rank's shard of the state (ZeRO stage 1).</summary>
    public bool IsSharded => _shard is not null;

    /// <summary>Bytes of gradients each step combines across the ranks: every trainable element's (4 for float, 8 for double).</summary>
    public long GradientBytes
    {
        get
        {
            long total = 0;
            foreach (Bucket bucket in _buckets)
            {
                total += (long)bucket.Length * bucket.ElementSize;
            }

            return total;
        }
    }

    /// <summary>
    /// Sums <paramref name="gradients"/> across the ranks and applies the optimizer's step to their mean (see the
    /// remarks of <see cref="DataParallel{TGradients}"/>). Every argument is checked before anything is sent; a step that
    /// throws or is skipped leaves the parameters and the optimizer's state unchanged on every rank (the gradients hold
    /// the sums by then). Allocates nothing (except an exception it throws).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> or one of its arrays is null.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    /// <exception cref="InvalidOperationException">A model array was replaced by one of another length.</exception>
    /// <exception cref="NonFiniteGradientException">
    /// The optimizer's policy is <see cref="NonFinitePolicy.Throw"/> and a summed gradient element is NaN or infinite;
    /// every rank throws it, naming the same member and index.
    /// </exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public void Step(TGradients gradients) => Step(gradients, clearGradients: false);

    /// <summary><see cref="Step(TGradients)"/>, then every gradient element set to 0 for the next accumulation.</summary>
    /// <inheritdoc cref="Step(TGradients)" path="/exception"/>
    public void Step(TGradients gradients, bool clearGradients)
    {
        // Local checks first: a rank that throws here has sent nothing.
        _optimizer.Validate(gradients);
        if (_shard is null)
        {
            Reduce(gradients, scatter: false);
            _optimizer.Step(gradients, clearGradients, _inverseSize);
            return;
        }

        Reduce(gradients, scatter: true);
        StepShard(gradients, _shard, clearGradients);
    }

    /// <summary>
    /// Copies rank <paramref name="root"/>'s parameters to every rank: after each rank initialized its model, so that
    /// they all start from the same point. A collective operation.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank.</exception>
    /// <exception cref="InvalidOperationException">A model array was replaced by one of another length.</exception>
    public void BroadcastParameters(int root = 0)
    {
        if ((uint)root >= (uint)_communicator.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank, in [0, {_communicator.Size}).");
        }

        CheckModelLengths();
        foreach (Bucket bucket in _buckets)
        {
            if (bucket.Pieces.Length == 1)
            {
                _communicator.Broadcast(PieceBytes(_model.GetParameter(bucket.Pieces[0].Member), bucket.Pieces[0]), root);
                continue;
            }

            Span<byte> fusion = _fusion.AsSpan(0, bucket.Length * bucket.ElementSize);
            if (_communicator.Rank == root)
            {
                CopyIn(bucket, fusion, gradients: null);
            }

            _communicator.Broadcast(fusion, root);
            CopyOut(bucket, fusion, gradients: null);
        }
    }

    /// <summary>
    /// Whether every rank's parameters are the same bits: a 64-bit hash of this rank's parameters compared across the
    /// ranks. A collective operation (for checks and samples; it allocates).
    /// </summary>
    public bool ParametersMatchAcrossRanks()
    {
        ulong hash = 14695981039346656037UL;
        for (int m = 0; m < _model.ParameterCount; m++)
        {
            hash = Hash(hash, Dtypes.AsBytes(_model.GetParameter(m)));
        }

        int size = _communicator.Size;
        var all = new byte[size * sizeof(ulong)];
        MemoryMarshal.Write(all.AsSpan(_communicator.Rank * sizeof(ulong)), in hash);
        var counts = new int[size];
        Array.Fill(counts, sizeof(ulong));
        _communicator.AllGather(all, counts);
        for (int r = 1; r < size; r++)
        {
            if (!all.AsSpan(r * sizeof(ulong), sizeof(ulong)).SequenceEqual(all.AsSpan(0, sizeof(ulong))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Writes the optimizer's checkpoint to <paramref name="path"/> in the single-process format (every state buffer
    /// whole), from rank 0, so that any number of ranks or a single process can load it. With a sharded optimizer the
    /// ranks' shards are gathered on rank 0 first (rank 0 then holds the whole state while it writes). A collective
    /// operation: rank 0 reports whether the write succeeded, and if it failed every rank throws.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="IOException">Rank 0 could not write the file (on rank 0); the file is unchanged.</exception>
    /// <exception cref="RankFailedException">Rank 0 failed (on the other ranks).</exception>
    public void SaveOptimizer(string path)
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        CheckModelLengths();
        OptimizerState[]? whole = null;
        if (_shard is not null)
        {
            whole = GatherState(root: 0);
        }

        Exception? failure = null;
        if (_communicator.Rank == 0)
        {
            try
            {
                if (whole is null)
                {
                    Checkpoint.SaveOptimizer(_optimizer, path);
                }
                else
                {
                    Checkpoint.SaveOptimizer(_optimizer, path, whole);
                }
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }

        Outcome(failure, root: 0, $"SaveOptimizer(\"{path}\")");
    }

    /// <summary>
    /// Restores the optimizer on every rank from the checkpoint <paramref name="path"/>, written by
    /// <see cref="SaveOptimizer"/> at any number of ranks, sharded or not, or by <see cref="Checkpoint.SaveOptimizer{TGradients}(Optimizer{TGradients}, string)"/>
    /// in a single process. Rank 0 reads the file and sends it to the others (no shared file system is needed), and
    /// every rank checks the same bytes, so they all load or all throw the same <see cref="CheckpointException"/>
    /// (naming the member and the file), leaving the optimizer unchanged. A sharded optimizer takes its shard of each
    /// buffer. A collective operation; each rank holds the file and the whole state while it loads.
    /// </summary>
    /// <param name="path">The file, on rank 0.</param>
    /// <param name="convertStatePrecision">Converts state saved at another state precision, as <see cref="Checkpoint.LoadOptimizer{TGradients}(Optimizer{TGradients}, string, bool)"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="CheckpointException">The file is damaged or does not fit this optimizer; nothing was changed on any rank.</exception>
    /// <exception cref="IOException">Rank 0 could not read the file (on rank 0).</exception>
    /// <exception cref="RankFailedException">Rank 0 could not read the file (on the other ranks).</exception>
    public void LoadOptimizer(string path, bool convertStatePrecision = false)
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        CheckModelLengths();
        byte[] file = ReadOnRoot(path, "LoadOptimizer");
        using var stream = new MemoryStream(file, writable: false);
        if (_shard is null)
        {
            Checkpoint.LoadOptimizer(_optimizer, stream, path, convertStatePrecision, states: null);
            return;
        }

        OptimizerState[] whole = WholeState(allocate: true);
        Checkpoint.LoadOptimizer(_optimizer, stream, path, convertStatePrecision, whole);

        // Every check passed and the whole state is in the temporaries: this rank's part of each buffer into its shard.
        for (int i = 0; i < whole.Length; i++)
        {
            OptimizerState own = _optimizer.GetState(i);
            if (!own.IsConstant)
            {
                Dtypes.AsBytes(whole[i].Buffer).Slice((int)PartOffset(i, _communicator.Rank), (int)_stateParts![_communicator.Rank][i]).CopyTo(Dtypes.AsBytes(own.Buffer));
            }
        }
    }

    /// <summary>
    /// Writes the model's parameters (identical on every rank) to <paramref name="path"/> from rank 0, as
    /// <see cref="Checkpoint.SaveModel(ITrainable, string)"/>. A collective operation, like <see cref="SaveOptimizer"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="IOException">Rank 0 could not write the file (on rank 0); the file is unchanged.</exception>
    /// <exception cref="RankFailedException">Rank 0 failed (on the other ranks).</exception>
    public void SaveModel(string path)
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        Exception? failure = null;
        if (_communicator.Rank == 0)
        {
            try
            {
                Checkpoint.SaveModel(_model, path);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }

        Outcome(failure, root: 0, $"SaveModel(\"{path}\")");
    }

    /// <summary>
    /// Loads the model checkpoint <paramref name="path"/> (read on rank 0, sent to every rank) into every rank's model.
    /// A collective operation: every rank loads or throws the same <see cref="CheckpointException"/>, unchanged.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="CheckpointException">The file is damaged or does not fit the model; nothing was changed on any rank.</exception>
    /// <exception cref="IOException">Rank 0 could not read the file (on rank 0).</exception>
    /// <exception cref="RankFailedException">Rank 0 could not read the file (on the other ranks).</exception>
    public void LoadModel(string path)
    {
        _ = path ?? throw new ArgumentNullException(nameof(path));
        byte[] file = ReadOnRoot(path, "LoadModel");
        using var stream = new MemoryStream(file, writable: false);
        Checkpoint.LoadModel(_model, stream, path);
    }

    double INormParts.Sum(double part)
    {
        _doubleScalar[0] = part;
        _communicator.AllReduce(_doubleScalar, ReduceOperation.Sum);
        return _doubleScalar[0];
    }

    double INormParts.Max(double part)
    {
        _doubleScalar[0] = part;
        _communicator.AllReduce(_doubleScalar, ReduceOperation.Max);
        return _doubleScalar[0];
    }

    /// <summary>The sharded step after the reduce-scatter: the checks across the ranks, the shard's update, the all-gather.</summary>
    private void StepShard(TGradients gradients, OptimizerShard shard, bool clearGradients)
    {
        double scale = _inverseSize;
        bool knownFinite = false;
        if (_optimizer.GlobalNormClip is { } limit)
        {
            // As Optimizer.Step computes it, over every rank's shard: each adds its squares, the ranks sum the parts.
            double norm = GradientNorm.Of(gradients, shard, this) * _inverseSize;
            _optimizer.RecordGradientNorm(norm);
            scale = ClipNorm.Coefficient(limit, norm) * _inverseSize;
            knownFinite = double.IsFinite(norm);
        }

        if (_optimizer.NonFinitePolicy != NonFinitePolicy.Ignore && !knownFinite)
        {
            _longScalar[0] = FirstNonFinite(gradients, shard);
            _communicator.AllReduce(_longScalar, ReduceOperation.Min);
            if (_longScalar[0] != long.MaxValue)
            {
                if (_optimizer.NonFinitePolicy == NonFinitePolicy.SkipStep)
                {
                    _optimizer.SkipStep(gradients, clearGradients);
                    return;
                }

                throw NonFinite(gradients, shard, _longScalar[0]);
            }
        }

        _optimizer.ApplyCheckedStep(gradients, scale, clearGradients);
        if (clearGradients)
        {
            // The kernels cleared the shard's elements; the rest held partial sums or nothing useful.
            ClearOutside(gradients, shard);
        }

        GatherParameters();
    }

    /// <summary>Sums the gradients across the ranks, bucket by bucket: all of them, or with <paramref name="scatter"/> each rank's shard.</summary>
    private void Reduce(TGradients gradients, bool scatter)
    {
        foreach (Bucket bucket in _buckets)
        {
            if (bucket.Pieces.Length == 1)
            {
                Sum(PieceBytes(gradients.GetMember(bucket.Pieces[0].Member), bucket.Pieces[0]), bucket, scatter);
                continue;
            }

            Span<byte> fusion = _fusion.AsSpan(0, bucket.Length * bucket.ElementSize);
            CopyIn(bucket, fusion, gradients);
            Sum(fusion, bucket, scatter);
            CopyOut(bucket, fusion, gradients);
        }
    }

    /// <summary>One bucket's sum over the ranks, in its own element type: whole, or each rank's part (<see cref="Bucket.Counts"/>).</summary>
    private void Sum(Span<byte> bytes, Bucket bucket, bool scatter)
    {
        if (bucket.ElementSize == sizeof(float))
        {
            Span<float> values = MemoryMarshal.Cast<byte, float>(bytes);
            if (scatter)
            {
                _communicator.ReduceScatter(values, bucket.Counts);
            }
            else
            {
                _communicator.AllReduce(values, ReduceOperation.Sum);
            }
        }
        else
        {
            Span<double> values = MemoryMarshal.Cast<byte, double>(bytes);
            if (scatter)
            {
                _communicator.ReduceScatter(values, bucket.Counts);
            }
            else
            {
                _communicator.AllReduce(values, ReduceOperation.Sum);
            }
        }
    }

    /// <summary>Every rank's shard of the updated parameters to every rank, bucket by bucket, in place.</summary>
    private void GatherParameters()
    {
        foreach (Bucket bucket in _buckets)
        {
            if (bucket.Pieces.Length == 1)
            {
                _communicator.AllGather(PieceBytes(_model.GetParameter(bucket.Pieces[0].Member), bucket.Pieces[0]), bucket.Bytes);
                continue;
            }

            Span<byte> fusion = _fusion.AsSpan(0, bucket.Length * bucket.ElementSize);
            CopyIn(bucket, fusion, gradients: null);
            _communicator.AllGather(fusion, bucket.Bytes);
            CopyOut(bucket, fusion, gradients: null);
        }
    }

    /// <summary>The flat index (in the flattened parameters) of the first NaN or infinite gradient element of the shard, or long.MaxValue.</summary>
    private long FirstNonFinite(TGradients gradients, OptimizerShard shard)
    {
        for (int m = 0; m < _model.ParameterCount; m++)
        {
            int length = shard.GetMemberLength(m);
            int index = length == 0 ? -1 : gradients.IndexOfNonFinite(m, shard.GetMemberStart(m), length);
            if (index >= 0)
            {
                return _memberOffsets[m] + index;
            }
        }

        return long.MaxValue;
    }

    /// <summary>The exception every rank throws for the non-finite element at flat index <paramref name="flat"/>: its value comes from the rank that holds it.</summary>
    private NonFiniteGradientException NonFinite(TGradients gradients, OptimizerShard shard, long flat)
    {
        int member = 0;
        while (_memberOffsets[member + 1] <= flat)
        {
            member++;
        }

        int index = (int)(flat - _memberOffsets[member]);
        int owner = 0;
        while (shard.GetCut(owner + 1) <= flat)
        {
            owner++;
        }

        TensorRef gradient = gradients.GetMember(member);
        _doubleScalar[0] = _communicator.Rank == owner
            ? (gradient.Element == TensorElement.Single ? gradient.AsSingleSpan()[index] : gradient.AsDoubleSpan()[index])
            : 0;
        _communicator.Broadcast(MemoryMarshal.AsBytes(_doubleScalar.AsSpan()), owner);
        return NonFiniteGradientException.For(gradients, gradient.Name, index, _doubleScalar[0]);
    }

    /// <summary>Zeroes the gradient elements outside the shard.</summary>
    private void ClearOutside(TGradients gradients, OptimizerShard shard)
    {
        for (int m = 0; m < gradients.MemberCount; m++)
        {
            Span<byte> bytes = Dtypes.AsBytes(gradients.GetMember(m));
            int size = gradients.GetMember(m).Element == TensorElement.Single ? sizeof(float) : sizeof(double);
            int start = shard.GetMemberStart(m) * size, end = start + (shard.GetMemberLength(m) * size);
            bytes.Slice(0, start).Clear();
            bytes.Slice(end).Clear();
        }
    }

    /// <summary>
    /// The buckets: each member in declaration order cut into pieces of at most <see cref="_bucketBytes"/>; consecutive
    /// pieces of one element type share a bucket while they fit. A bucket of one piece is reduced in place.
    /// </summary>
    private Bucket[] PlanBuckets(out bool fused)
    {
        var buckets = new List<Bucket>();
        var pieces = new List<Piece>();
        int elementSize = 0, length = 0;
        long flatStart = 0;

        void Close()
        {
            if (pieces.Count > 0)
            {
                buckets.Add(new Bucket(pieces.ToArray(), elementSize, length, flatStart, _communicator.Size));
                pieces.Clear();
            }
        }

        for (int m = 0; m < _model.ParameterCount; m++)
        {
            TensorRef member = _model.GetParameter(m);
            int size = member.Element == TensorElement.Single ? sizeof(float) : sizeof(double);
            int capacity = _bucketBytes / size;
            for (int start = 0; start < member.Length; start += capacity)
            {
                int count = Math.Min(capacity, member.Length - start);
                if (pieces.Count > 0 && (size != elementSize || length + count > capacity))
                {
                    Close();
                }

                if (pieces.Count == 0)
                {
                    (elementSize, length, flatStart) = (size, 0, _memberOffsets[m] + start);
                }

                pieces.Add(new Piece(m, start, count));
                length += count;
            }
        }

        Close();
        fused = false;
        foreach (Bucket bucket in buckets)
        {
            fused |= bucket.Pieces.Length > 1;
            if (_shard is { } shard)
            {
                // Each rank's part of the bucket: its shard's cut of the bucket's flat range, in rank order.
                for (int r = 0; r < shard.Count; r++)
                {
                    long from = Math.Clamp(shard.GetCut(r), bucket.FlatStart, bucket.FlatStart + bucket.Length);
                    long to = Math.Clamp(shard.GetCut(r + 1), bucket.FlatStart, bucket.FlatStart + bucket.Length);
                    bucket.Counts[r] = (int)(to - from);
                    bucket.Bytes[r] = (int)(to - from) * bucket.ElementSize;
                }
            }
        }

        return buckets.ToArray();
    }

    private static Span<byte> PieceBytes(TensorRef tensor, Piece piece)
    {
        int size = tensor.Element == TensorElement.Single ? sizeof(float) : sizeof(double);
        return Dtypes.AsBytes(tensor).Slice(piece.Start * size, piece.Length * size);
    }

    /// <summary>The bucket's pieces of the gradients (or, when <paramref name="gradients"/> is null, of the parameters) into the fusion buffer.</summary>
    private void CopyIn(Bucket bucket, Span<byte> fusion, GradientsBase? gradients)
    {
        int offset = 0;
        foreach (Piece piece in bucket.Pieces)
        {
            Span<byte> source = PieceBytes(gradients is null ? _model.GetParameter(piece.Member) : gradients.GetMember(piece.Member), piece);
            source.CopyTo(fusion.Slice(offset));
            offset += source.Length;
        }
    }

    /// <summary>The fusion buffer back into the bucket's pieces of the gradients (or of the parameters).</summary>
    private void CopyOut(Bucket bucket, Span<byte> fusion, GradientsBase? gradients)
    {
        int offset = 0;
        foreach (Piece piece in bucket.Pieces)
        {
            Span<byte> target = PieceBytes(gradients is null ? _model.GetParameter(piece.Member) : gradients.GetMember(piece.Member), piece);
            fusion.Slice(offset, target.Length).CopyTo(target);
            offset += target.Length;
        }
    }

    /// <summary>Throws, naming the member, when a model array no longer has the length the buckets were planned for.</summary>
    private void CheckModelLengths()
    {
        for (int m = 0; m < _model.ParameterCount; m++)
        {
            TensorRef member = _model.GetParameter(m);
            long expected = _memberOffsets[m + 1] - _memberOffsets[m];
            if (member.Array is null || member.Length != expected)
            {
                throw new InvalidOperationException(
                    $"Model member '{member.Name}' now holds {(member.Array is null ? "no array" : member.Length + " elements")}, and DataParallel was created for {expected}. Create a new optimizer and DataParallel after replacing a model array.");
            }
        }
    }

    /// <summary>
    /// Checks that every rank has the same model layout, optimizer and options, since the collectives of a step must
    /// match: one all-gather of a fingerprint, and only when they differ, more to name the first difference.
    /// </summary>
    private void AgreeOnLayout(string? problem)
    {
        int members = _model.ParameterCount;
        var description = new StringBuilder();
        description.Append(CultureInfo.InvariantCulture, $"kind={_optimizer.Kind};sharded={_shard is not null};buckets={_bucketBytes};states={_optimizer.StateCount}");
        foreach (KeyValuePair<string, string> pair in _optimizer.Configuration)
        {
            description.Append(';').Append(pair.Key).Append('=').Append(pair.Value);
        }

        var layout = new long[members];
        for (int m = 0; m < members; m++)
        {
            TensorRef member = _model.GetParameter(m);
            layout[m] = ((long)member.Length << 1) | (member.Element == TensorElement.Single ? 0L : 1L);
            description.Append(';').Append(member.Name);
        }

        ulong settings = Hash(14695981039346656037UL, Encoding.UTF8.GetBytes(description.ToString()));
        long[] fingerprint = { members, (long)Hash(settings, MemoryMarshal.AsBytes(layout.AsSpan())), (long)settings, problem is null ? 0 : 1 };
        long[][] all = AllGatherLongs(fingerprint);
        int failed = Array.FindIndex(all, f => f[3] != 0);
        if (failed >= 0)
        {
            // The first rank with a problem says what it is; every rank throws it.
            byte[] text = Encoding.UTF8.GetBytes(problem ?? string.Empty);
            _longScalar[0] = text.Length;
            _communicator.Broadcast(MemoryMarshal.AsBytes(_longScalar.AsSpan()), failed);
            text = _communicator.Rank == failed ? text : new byte[_longScalar[0]];
            _communicator.Broadcast(text, failed);
            throw new ArgumentException($"DataParallel cannot start: on rank {failed}, {Encoding.UTF8.GetString(text)}.", "optimizer");
        }

        if (Array.TrueForAll(all, f => f.AsSpan().SequenceEqual(fingerprint)))
        {
            return;
        }

        string Why()
        {
            for (int r = 1; r < all.Length; r++)
            {
                if (all[r][0] != all[0][0])
                {
                    return $"rank {r}'s model has {all[r][0]} trainable members and rank 0's has {all[0][0]}";
                }
            }

            long[][] lengths = AllGatherLongs(layout);
            for (int r = 1; r < lengths.Length; r++)
            {
                for (int m = 0; m < members; m++)
                {
                    if (lengths[r][m] != lengths[0][m])
                    {
                        static string Describe(long value) => $"{value >> 1} {((value & 1) == 0 ? "float" : "double")} elements";
                        return $"member '{_model.GetParameter(m).Name}' holds {Describe(lengths[r][m])} on rank {r} and {Describe(lengths[0][m])} on rank 0";
                    }
                }
            }

            for (int r = 1; r < all.Length; r++)
            {
                if (all[r][2] != all[0][2])
                {
                    return $"rank {r}'s optimizer (kind, configuration, sharding) or DataParallelOptions differ from rank 0's, or its members have other names; this rank's: {description}";
                }
            }

            return "the ranks' member names differ";
        }

        throw new ArgumentException($"The ranks do not train the same model the same way: {Why()}. Every rank must create the same model, optimizer and options.", "optimizer");
    }

    /// <summary>Each rank's bytes of each state buffer of the sharded optimizer.</summary>
    private long[][] GatherStateParts()
    {
        var own = new long[_optimizer.StateCount];
        for (int i = 0; i < own.Length; i++)
        {
            OptimizerState state = _optimizer.GetState(i);
            own[i] = state.IsConstant ? 0 : state.Buffer.ByteLength;
        }

        return AllGatherLongs(own);
    }

    private long[][] AllGatherLongs(long[] own)
    {
        int size = _communicator.Size, bytes = own.Length * sizeof(long);
        var all = new byte[size * bytes];
        MemoryMarshal.AsBytes(own.AsSpan()).CopyTo(all.AsSpan(_communicator.Rank * bytes));
        var counts = new int[size];
        Array.Fill(counts, bytes);
        _communicator.AllGather(all, counts);
        var result = new long[size][];
        for (int r = 0; r < size; r++)
        {
            result[r] = MemoryMarshal.Cast<byte, long>(all.AsSpan(r * bytes, bytes)).ToArray();
        }

        return result;
    }

    /// <summary>Where rank <paramref name="rank"/>'s part of state buffer <paramref name="state"/> begins in the whole buffer, in bytes.</summary>
    private long PartOffset(int state, int rank)
    {
        long offset = 0;
        for (int r = 0; r < rank; r++)
        {
            offset += _stateParts![r][state];
        }

        return offset;
    }

    /// <summary>
    /// The whole state buffers, as a single-process optimizer lists them: arrays of every rank's parts together (the code
    /// tables, constant, are the optimizer's own). Empty arrays when <paramref name="allocate"/> is false.
    /// </summary>
    private OptimizerState[] WholeState(bool allocate)
    {
        var whole = new OptimizerState[_optimizer.StateCount];
        for (int i = 0; i < whole.Length; i++)
        {
            OptimizerState own = _optimizer.GetState(i);
            if (own.IsConstant)
            {
                whole[i] = own;
                continue;
            }

            long bytes = allocate ? PartOffset(i, _communicator.Size) : 0;
            string name = own.Buffer.Name;
            TensorRef buffer = own.Buffer.Element switch
            {
                TensorElement.Single => new TensorRef(name, new float[bytes / sizeof(float)]),
                TensorElement.Double => new TensorRef(name, new double[bytes / sizeof(double)]),
                TensorElement.UInt8 => new TensorRef(name, new byte[bytes]),
                _ => new TensorRef(name, new ushort[bytes / sizeof(ushort)], own.Buffer.Element),
            };
            whole[i] = new OptimizerState(own.ParameterIndex, own.Key, buffer, WholeShape(own.Shape, buffer.Length, allocate), isConstant: false, own.FloatKey);
        }

        return whole;
    }

    /// <summary>
    /// The whole buffer's shape: the member's (null) for a buffer shaped like it; a shape of two or more dimensions whose
    /// elements are the whole buffer's as the optimizer gives it (Adafactor's <c>row_var</c> [..., R, 1], which one shard
    /// holds all of); otherwise the flat length (8-bit state's absmax, whose parts tile it).
    /// </summary>
    private static int[]? WholeShape(int[]? own, int length, bool allocate)
    {
        if (own is null)
        {
            return null;
        }

        if (own.Length >= 2 && allocate)
        {
            long elements = 1;
            foreach (int dimension in own)
            {
                elements *= dimension;
            }

            if (elements == length)
            {
                return own;
            }
        }

        return new[] { length };
    }

    /// <summary>The sharded state gathered whole on <paramref name="root"/> (other ranks get an empty list), in chunks of at most a bucket.</summary>
    private OptimizerState[]? GatherState(int root)
    {
        bool isRoot = _communicator.Rank == root;
        OptimizerState[] whole = WholeState(allocate: isRoot);
        int size = _communicator.Size;
        for (int i = 0; i < whole.Length; i++)
        {
            OptimizerState own = _optimizer.GetState(i);
            if (own.IsConstant)
            {
                continue;
            }

            long total = PartOffset(i, size);
            Span<byte> mine = Dtypes.AsBytes(own.Buffer);
            long myStart = PartOffset(i, _communicator.Rank);
            for (long chunk = 0; chunk < total; chunk += _bucketBytes)
            {
                long chunkEnd = Math.Min(total, chunk + _bucketBytes);
                long offset = 0;
                for (int r = 0; r < size; r++)
                {
                    long from = Math.Clamp(offset, chunk, chunkEnd), to = Math.Clamp(offset + _stateParts![r][i], chunk, chunkEnd);
                    _chunkCounts[r] = (int)(to - from);
                    offset += _stateParts[r][i];
                }

                long partFrom = Math.Clamp(myStart, chunk, chunkEnd);
                ReadOnlySpan<byte> part = mine.Slice((int)(partFrom - myStart), _chunkCounts[_communicator.Rank]);
                Span<byte> values = isRoot ? Dtypes.AsBytes(whole[i].Buffer).Slice((int)chunk, (int)(chunkEnd - chunk)) : Span<byte>.Empty;
                _communicator.Gather(part, values, _chunkCounts, root);
            }
        }

        return isRoot ? whole : null;
    }

    /// <summary>Rank 0 reads the file and sends it to every rank; if it cannot, every rank throws.</summary>
    private byte[] ReadOnRoot(string path, string operation)
    {
        byte[]? file = null;
        Exception? failure = null;
        if (_communicator.Rank == 0)
        {
            try
            {
                file = File.ReadAllBytes(path);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }

        Outcome(failure, root: 0, $"{operation}(\"{path}\")");
        _longScalar[0] = file?.LongLength ?? 0;
        _communicator.Broadcast(MemoryMarshal.AsBytes(_longScalar.AsSpan()), 0);
        file ??= new byte[_longScalar[0]];
        for (long chunk = 0; chunk < file.LongLength; chunk += _bucketBytes)
        {
            _communicator.Broadcast(file.AsSpan((int)chunk, (int)Math.Min(_bucketBytes, file.LongLength - chunk)), 0);
        }

        return file;
    }

    /// <summary>
    /// After an operation only <paramref name="root"/> performed: it sends whether it succeeded and, if not, its message;
    /// then the root rethrows its exception and every other rank throws a <see cref="RankFailedException"/>.
    /// </summary>
    private void Outcome(Exception? failure, int root, string operation)
    {
        byte[] message = failure is null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(failure.GetType().Name + ": " + failure.Message);
        _longScalar[0] = message.Length;
        _communicator.Broadcast(MemoryMarshal.AsBytes(_longScalar.AsSpan()), root);
        if (_longScalar[0] == 0)
        {
            return;
        }

        if (_communicator.Rank != root)
        {
            message = new byte[_longScalar[0]];
        }

        _communicator.Broadcast(message, root);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        throw new RankFailedException(root, operation, Encoding.UTF8.GetString(message));
    }

    /// <summary>FNV-1a over <paramref name="bytes"/>, 8 bytes at a time (a fingerprint, not a cryptographic hash).</summary>
    private static ulong Hash(ulong hash, ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
        {
            hash = (hash ^ word) * 1099511628211UL;
        }

        foreach (byte b in bytes.Slice(words.Length * sizeof(ulong)))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (hash ^ (ulong)bytes.Length) * 1099511628211UL;
    }

    /// <summary>Elements [Start, Start + Length) of member <c>Member</c>.</summary>
    private readonly record struct Piece(int Member, int Start, int Length);

    /// <summary>Pieces of one element type reduced in one call; with a shard, each rank's part of it.</summary>
    private sealed class Bucket
    {
        public Bucket(Piece[] pieces, int elementSize, int length, long flatStart, int ranks)
        {
            Pieces = pieces;
            ElementSize = elementSize;
            Length = length;
            FlatStart = flatStart;
            Counts = new int[ranks];
            Bytes = new int[ranks];
        }

        public Piece[] Pieces { get; }

        public int ElementSize { get; }

        /// <summary>Elements.</summary>
        public int Length { get; }

        /// <summary>Where the bucket begins in the flattened parameters.</summary>
        public long FlatStart { get; }

        /// <summary>Each rank's elements of the bucket (sharded).</summary>
        public int[] Counts { get; }

        /// <summary>Each rank's bytes of the bucket (sharded).</summary>
        public int[] Bytes { get; }
    }
}
