using System;

namespace Gen.Distributed;

/// <summary>Settings of a <see cref="DataParallel{TGradients}"/>; every rank must use the same.</summary>
public sealed class DataParallelOptions
{
    /// <summary>The default <see cref="BucketBytes"/>: 4 MiB.</summary>
    public const int DefaultBucketBytes = 4 << 20;

    private readonly int _bucketBytes = DefaultBucketBytes;

    /// <summary>
    /// The most bytes one collective call moves. Members smaller than this are copied together into one buffer of this
    /// size and reduced in one call (fewer calls for models of many small tensors); larger ones are reduced in place,
    /// in pieces of at most this size. Float and double members are never mixed in a bucket: each is reduced in its own
    /// type. Default 4 MiB; at least 64 bytes and a multiple of 8.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 64 or not a multiple of 8.</exception>
    public int BucketBytes
    {
        get => _bucketBytes;
        init => _bucketBytes = value >= 64 && value % 8 == 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BucketBytes), value, "BucketBytes must be at least 64 and a multiple of 8.");
    }
}
