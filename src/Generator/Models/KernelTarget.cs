namespace Gen.Generator.Models;

/// <summary>
/// The vector API the kernels are written against, chosen once per compilation
/// (<c>Parsing/KernelTargetSetting</c>) and carried in every <see cref="ModelSpec"/>.
/// </summary>
internal enum KernelTarget
{
    /// <summary>
    /// <c>System.Runtime.Intrinsics</c>: the cascade Vector512 → 256 → 128 → scalar over refs and
    /// <c>nuint</c> offsets. Needs .NET 8 or later (Vector512, LoadUnsafe).
    /// </summary>
    Intrinsics,

    /// <summary>
    /// <c>System.Numerics.Vector&lt;T&gt;</c> over spans with <c>int</c> indices, then the scalar tail:
    /// only APIs netstandard2.1 has, for Unity (Mono, IL2CPP) and other runtimes without
    /// <c>System.Runtime.Intrinsics</c>.
    /// </summary>
    Portable,
}
