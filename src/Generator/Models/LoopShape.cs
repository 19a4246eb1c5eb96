namespace Gen.Generator.Models;

/// <summary>The order of the loads in an unrolled main loop (<c>Emitting/KernelTransforms</c>).</summary>
internal enum LoadOrder
{
    /// <summary>Each statement for every register before the next statement: each buffer loaded where the rule reads it.</summary>
    Staged,

    /// <summary>Staged, then every load moved to the top of the iteration.</summary>
    LoadsFirst,
}

/// <summary>
/// How a kernel's main loop is unrolled and ordered at one register width: the tuning of the loop, as data. Every kind's
/// loop takes its shape from <see cref="For"/>, so a measurement changes one entry here, never the text of a flavor. The
/// entries are measured on Zen 4 (benchmarks/README.md, "Loop shapes"): at 512 bits loading first made the centered +
/// momentum loop 10–30 % faster in cache; at 256 bits with AVX-512 off (16 registers, an AVX2 PC) unrolling ×2 and
/// loading first or late were no faster than staging ×4, loading first was 10–20 % slower, and pipelining Adam's loop
/// (the next block's update up to its square root run before the rest of this one) made it 20–60 % slower: its carried
/// registers do not fit in 16; at 128 bits ×2, ×8 and loading first were no faster.
/// </summary>
/// <param name="Unroll">Registers per iteration.</param>
/// <param name="Order">Where the loads go.</param>
internal sealed record LoopShape(int Unroll, LoadOrder Order)
{
    private static readonly LoopShape Wide = new(4, LoadOrder.LoadsFirst);
    private static readonly LoopShape Narrow = new(4, LoadOrder.Staged);

    /// <summary>
    /// The main loop's shape for registers of <paramref name="bits"/> bits. 0 bits is <c>Vector&lt;T&gt;</c>, whose width is
    /// only known at run time (256 bits on an AVX2 PC, 128 on ARM64): the staged shape that serves both.
    /// </summary>
    public static LoopShape For(int bits) => bits >= 512 ? Wide : Narrow;
}
