using System;

namespace Gen
{
    /// <summary>
    /// Updates a matrix member of a <see cref="MuonAttribute"/> model with Muon's AdamW part instead of Muon's
    /// orthogonalized momentum: the usual choice for embeddings and the output layer (PyTorch's documentation of
    /// <c>torch.optim.Muon</c>, Keras's <c>exclude_embeddings</c> / <c>exclude_layers</c>). Vectors and members of rank 3
    /// use the AdamW part without it; on them, or in a class without [Muon], it has no effect (a warning says so).
    /// </summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
    public sealed class ExcludeFromMuonAttribute : Attribute
    {
    }
}
