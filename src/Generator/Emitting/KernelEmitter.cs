using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Writes one optimizer's kernels for one element type: <c>UpdateBuffer</c> with the width cascade
/// Vector512 → Vector256 → Vector128 → scalar (an unrolled main loop at the widest accelerated width),
/// and one block method per width that updates one register's worth of elements. Every method is the
/// same <see cref="KernelDescription"/>, transformed (<see cref="KernelTransforms"/>) and then spelled
/// for its width (<see cref="KernelFlavor"/>).
/// </summary>
internal static class KernelEmitter
{
    /// <summary>Unroll factor of the main vector loop.</summary>
    private const int Unroll = 4;

    /// <summary>
    /// The narrowest registers whose unrolled loop issues every load before its first statement. With
    /// 512-bit registers the staged loop of centered RMSProp with momentum (five buffers) ran 10–30%
    /// faster in cache when the loads of m and b no longer waited behind the stores to v (A/B in
    /// benchmarks/README.md); narrower loops keep the staged order, which the JIT schedules as well.
    /// </summary>
    private const int LoadsFirstBits = 512;

    public static void Write(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel)
    {
        w.Line();
        WriteUpdateBuffer(w, optimizer, kernel);
        foreach (KernelFlavor flavor in KernelFlavor.Cascade(kernel.Element))
        {
            w.Line();
            WriteBlock(w, optimizer, kernel, flavor);
        }

        w.Line();
        WriteBlock(w, optimizer, kernel, KernelFlavor.Scalar(kernel.Element));
    }

    private static void WriteUpdateBuffer(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel)
    {
        KernelFlavor scalar = KernelFlavor.Scalar(kernel.Element);
        string type = scalar.ElementType;
        var parameters = new List<string>();
        foreach (KernelBuffer buffer in kernel.Buffers)
        {
            parameters.Add((buffer.Role == BufferRole.Gradient ? "global::System.ReadOnlySpan<" : "global::System.Span<") + buffer.Memory.Keyword() + "> " + buffer.Span);
        }

        parameters.AddRange(optimizer.Scalars.Select(s => type + " " + s.Name));

        w.Line("// Update rule, per element:");
        foreach (string line in optimizer.UpdateRule)
        {
            w.Line("//   " + line);
        }

        w.Line("/// <summary>One " + optimizer.DisplayName + " step over one " + type + " buffer, in a single pass: each element is loaded and stored once.</summary>");
        // Fully optimized from its first call: under tiered compilation with PGO a new kernel's first
        // seconds ran in an instrumented tier, 12–20× slower (BenchmarkDotNet, 64K Fast: 83–139 µs per step
        // for 13 iterations of 250 ms, then 7 µs), which a frame-budgeted training loop cannot absorb.
        w.Line(SourceWriter.AggressiveOptimization);
        using (w.Block("private static void UpdateBuffer" + DecayTypeParameter(optimizer) + "(" + string.Join(", ", parameters) + ")" + DecayConstraint(optimizer)))
        {
            KernelBuffer first = kernel.Buffers[0];
            w.Line("nuint length = (nuint)" + first.Span + ".Length;");
            string lengthCheck = string.Join(" || ", kernel.Buffers.Skip(1).Select(b => "(nuint)" + b.Span + ".Length != length"));
            using (w.Block("if (" + lengthCheck + ")"))
            {
                w.Line(SourceWriter.Guard + ".ThrowBufferLengthMismatch();");
            }

            w.Line();
            foreach (KernelBuffer buffer in kernel.Buffers)
            {
                w.Line("ref " + buffer.Memory.Keyword() + " " + buffer.Reference + " = ref " + SourceWriter.MemoryMarshal + ".GetReference(" + buffer.Span + ");");
            }

            w.Line("nuint i = 0;");
            w.Line();
            w.Line("// Widest accelerated registers first (the JIT folds the IsHardwareAccelerated checks), an");
            w.Line("// unrolled main loop at that width, then one register at a time at each narrower width,");
            w.Line("// then single elements with the same formula: no element is processed twice.");
            IReadOnlyList<KernelFlavor> cascade = KernelFlavor.Cascade(kernel.Element);
            for (int index = 0; index < cascade.Count; index++)
            {
                KernelFlavor flavor = cascade[index];
                using (w.Block("if (" + flavor.IsAccelerated + ")"))
                {
                    foreach (StepScalar s in optimizer.Scalars)
                    {
                        w.Line("var " + s.Name + flavor.Bits + " = " + flavor.Broadcast(s.Name) + ";");
                    }

                    w.Line("nuint width = (nuint)" + flavor.Count + ";");
                    if (index == 0)
                    {
                        WriteUnrolledLoop(w, kernel, flavor);
                    }
                    else
                    {
                        using (w.Block("if (!" + cascade[index - 1].IsAccelerated + ")"))
                        {
                            WriteUnrolledLoop(w, kernel, flavor);
                        }
                    }

                    w.Line();

                    using (w.Block("for (; i + width <= length; i += width)"))
                    {
                        w.Line(BlockCall(optimizer, kernel, flavor));
                    }
                }

                w.Line();
            }

            using (w.Block("for (; i < length; i++)"))
            {
                w.Line(BlockCall(optimizer, kernel, scalar));
            }
        }
    }

    /// <summary>
    /// The main loop: <see cref="Unroll"/> registers per iteration, staged, and at
    /// <see cref="LoadsFirstBits"/> every load first. Step scalars are the width's broadcasts (negLr512).
    /// </summary>
    private static void WriteUnrolledLoop(IndentedTextWriter w, KernelDescription kernel, KernelFlavor flavor)
    {
        IReadOnlyList<KernelStatement> staged = KernelTransforms.Stage(
            Enumerable.Range(0, Unroll).Select(register => KernelTransforms.ForRegister(kernel.Statements, register)).ToList());
        bool loadsFirst = flavor.Bits >= LoadsFirstBits;
        w.Line("// " + Unroll + " registers per iteration, each statement for all of them before the next" + (loadsFirst ? "; every load first." : "."));
        using (w.Block("for (; i + " + Unroll + " * width <= length; i += " + Unroll + " * width)"))
        {
            foreach (KernelStatement statement in loadsFirst ? KernelTransforms.LoadsFirst(staged) : staged)
            {
                w.Line(flavor.Write(statement, kernel, flavor.Bits.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    /// <summary>
    /// <c>&lt;TDecay&gt;</c> for kernels with coupled decay: compiled once with the term
    /// (<see cref="SourceWriter.WithCoupledDecay"/>) and once without, for steps whose decay is 0.
    /// </summary>
    private static string DecayTypeParameter(OptimizerLayout optimizer) => optimizer.HasCoupledDecay ? "<TDecay>" : string.Empty;

    private static string DecayConstraint(OptimizerLayout optimizer) => optimizer.HasCoupledDecay ? " where TDecay : struct" : string.Empty;

    private static string BlockCall(OptimizerLayout optimizer, KernelDescription kernel, KernelFlavor flavor)
    {
        var arguments = kernel.Buffers.Select(b => "ref " + b.Reference).ToList();
        arguments.Add("i");
        arguments.AddRange(optimizer.Scalars.Select(s => flavor.IsScalar ? s.Name : s.Name + flavor.Bits));
        return flavor.BlockMethod + DecayTypeParameter(optimizer) + "(" + string.Join(", ", arguments) + ");";
    }

    private static void WriteBlock(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel, KernelFlavor flavor)
    {
        var parameters = kernel.Buffers.Select(b => "ref " + b.Memory.Keyword() + " " + b.Reference).ToList();
        parameters.Add("nuint i");
        parameters.AddRange(optimizer.Scalars.Select(s => flavor.Type + " " + s.Name));

        w.Line(flavor.IsScalar
            ? "/// <summary>Updates the element at offset <paramref name=\"i\"/>; the same operations, in the same order, as the vector blocks.</summary>"
            : "/// <summary>Updates the " + flavor.Bits + "-bit register of elements at offset <paramref name=\"i\"/>.</summary>");
        w.Line(SourceWriter.AggressiveInlining);
        using (w.Block("private static void " + flavor.BlockMethod + DecayTypeParameter(optimizer) + "(" + string.Join(", ", parameters) + ")" + DecayConstraint(optimizer)))
        {
            foreach (KernelStatement statement in kernel.Statements)
            {
                w.Line(flavor.Write(statement, kernel));
            }
        }
    }
}
