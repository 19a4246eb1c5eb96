using System.Linq;

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
/// loading first or late were no faster than staging ×4, and loading first was 10–20 % slower; at 128 bits ×2, ×8 and
/// loading first were no faster. Pipelining took Adam's loop in cache at 256 bits from 1.19–1.95× its roof to
/// 1.12–1.20× (quick runs) and was no better for RMSProp (two divider operations per element) or at 128 and 512 bits.
/// </summary>
/// <param name="Unroll">Registers per iteration (per block, pipelined).</param>
/// <param name="Order">Where the loads go.</param>
/// <param name="Pipelined">
/// Each iteration runs the head of the next block of registers (the update up to its square root) before the tail of this
/// one (<c>KernelTransforms.Pipeline</c>), so the divider has the next block's work while this block's dependent
/// operations wait.
/// </param>
internal sealed record LoopShape(int Unroll, LoadOrder Order, bool Pipelined = false)
{
    private static readonly LoopShape Wide = new(4, LoadOrder.LoadsFirst);
    private static readonly LoopShape Narrow = new(4, LoadOrder.Staged);
    private static readonly LoopShape NarrowPipelined = new(4, LoadOrder.Staged, Pipelined: true);

    /// <summary>
    /// The main loop's shape for registers of <paramref name="bits"/> bits and this kernel: pipelined at 256 bits where
    /// the divider carries three or more operations per element (Adam: a square root and two divisions). 0 bits is
    /// <c>Vector&lt;T&gt;</c>, whose width is only known at run time (256 bits on an AVX2 PC, 128 on ARM64): the staged shape
    /// that serves both.
    /// </summary>
    public static LoopShape For(int bits, KernelDescription kernel) =>
        bits >= 512 ? Wide : bits == 256 && DividerOperations(kernel) >= 3 ? NarrowPipelined : Narrow;

    /// <summary>Square roots and divisions per element, which the divide/square-root unit computes one after another.</summary>
    public static int DividerOperations(KernelDescription kernel) => kernel.Statements
        .SelectMany(KernelValues.Of)
        .SelectMany(KernelValues.Walk)
        .Count(node => node is UnaryValue { Operator: UnaryOperator.Sqrt } or BinaryValue { Operator: BinaryOperator.Divide });
}
