using System;

namespace Gen.Distributed;

/// <summary>Helpers for an <see cref="ICommunicator"/>.</summary>
public static class CommunicatorExtensions
{
    /// <summary>
    /// This rank's shard of <paramref name="model"/>'s parameters: <c>OptimizerShard.Create(model, communicator.Rank,
    /// communicator.Size)</c>. Create the optimizer with it to keep only this rank's part of the optimizer state (ZeRO
    /// stage 1) under <see cref="DataParallel{TGradients}"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A trainable member of the model is null.</exception>
    public static OptimizerShard ShardOf(this ICommunicator communicator, ITrainable model)
    {
        _ = communicator ?? throw new ArgumentNullException(nameof(communicator));
        return OptimizerShard.Create(model, communicator.Rank, communicator.Size);
    }
}
