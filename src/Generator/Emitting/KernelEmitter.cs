using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Writes one optimizer's kernels for one element type: <c>UpdateBuffer</c> with the width cascade
/// (Intrinsics: Vector512 → Vector256 → Vector128 → scalar, an unrolled main loop at the widest
/// accelerated width; Portable: Vector&lt;T&gt;, unrolled, then scalar), and one block method per width
/// that updates one register's worth of elements. Every method is the same
/// <see cref="KernelDescription"/>, transformed (<see cref="KernelTransforms"/>) and then spelled for its
/// width (<see cref="KernelFlavor"/>).
/// </summary>
internal static class KernelEmitter
{
    /// <summary>Writes a kernel of the optimizer's first part (every kind's only part but [Muon]'s).</summary>
    public static void Write(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel, KernelTarget target) =>
        Write(w, optimizer, optimizer.Parts[0], kernel, target);

    /// <summary>Writes <paramref name="kernel"/>, one of <paramref name="part"/>'s: its span method, its block methods and, for 8-bit state, its block-wise driver.</summary>
    public static void Write(IndentedTextWriter w, OptimizerLayout optimizer, UpdatePart part, KernelDescription kernel, KernelTarget target)
    {
        w.Line();
        WriteUpdateBuffer(w, optimizer, part, kernel, target);
        foreach (KernelFlavor flavor in KernelFlavor.Cascade(kernel.Element, target))
        {
            w.Line();
            WriteBlock(w, part, kernel, flavor);
        }

        w.Line();
        WriteBlock(w, part, kernel, KernelFlavor.Scalar(kernel.Element, target));
        if (kernel.IsBlockwise)
        {
            w.Line();
            WriteUpdateBlocks(w, optimizer, part, kernel, target);
        }
    }

    /// <summary>
    /// The step scalars <paramref name="kernel"/> takes: those of its part that it reads, in the part's order (a kind's
    /// single kernel reads them all; each pass of a several-pass update reads its own).
    /// </summary>
    public static IEnumerable<StepScalar> ScalarsOf(UpdatePart part, KernelDescription kernel)
    {
        var used = new HashSet<string>(kernel.Statements.SelectMany(KernelValues.Of).SelectMany(KernelValues.Walk).OfType<ScalarValue>().Select(v => v.Name), System.StringComparer.Ordinal);
        return part.Scalars.Where(s => s.Passed && used.Contains(s.Name));
    }

    /// <summary>"One AdamW step", "The momentum pass of a Muon step": what a kernel method computes, for its docs.</summary>
    private static string What(OptimizerLayout optimizer, UpdatePart part, KernelDescription kernel) =>
        kernel.Method == KernelDescription.DefaultMethod ? "One " + optimizer.DisplayName + " step"
        : part.Passes.Count > 1 ? "The " + kernel.Method.ToLowerInvariant() + " pass of one " + (part.Name.Length == 0 ? optimizer.DisplayName : part.Name) + " step"
        : "One " + part.Name + " step";

    /// <summary>
    /// <c>UpdateBlocks</c>, the step of a member slice whose state is 8-bit block-wise: per block of 256 elements, each state
    /// buffer dequantized into a float temporary (allocated once per call, on the stack), <c>UpdateBuffer</c> on the block,
    /// then each temporary quantized back. Every block is read from and written to memory once; the temporaries stay in L1.
    /// </summary>
    private static void WriteUpdateBlocks(IndentedTextWriter w, OptimizerLayout optimizer, UpdatePart part, KernelDescription kernel, KernelTarget target)
    {
        string type = KernelFlavor.Scalar(kernel.Element, target).ElementType;
        KernelBuffer[] states = kernel.Buffers.Where(b => b.Role == BufferRole.State).ToArray();
        var parameters = new List<string>();
        foreach (KernelBuffer buffer in kernel.Buffers.Where(b => b.Role != BufferRole.State))
        {
            parameters.Add("global::System.Span<" + buffer.Memory.Keyword() + "> " + buffer.Span);
        }

        parameters.AddRange(states.Select(b => SourceWriter.BlockwiseState + " " + b.Span));
        parameters.Add("int start");
        parameters.AddRange(ScalarsOf(part, kernel).Select(s => type + " " + s.Name));

        string blockSize = SourceWriter.BlockwiseState + ".BlockSize";
        w.Line("/// <summary>");
        w.Line("/// " + What(optimizer, part, kernel) + " over a slice of a member with 8-bit block-wise state, whose state starts at element <paramref name=\"start\"/>");
        w.Line("/// of the state buffers (a multiple of 256): per block, each state buffer dequantized into a float block, <c>" + kernel.BufferMethod + "</c> on it, then quantized");
        w.Line("/// back (" + string.Join(", ", states.Select(b => b.Span + ": " + b.Blockwise.ToString().ToLowerInvariant() + " code")) + ").");
        w.Line("/// </summary>");
        if (target == KernelTarget.Portable)
        {
            w.Line("// (MethodImplOptions)512 is AggressiveOptimization, which netstandard2.1 does not name; a runtime without it ignores it.");
        }

        w.Line(target == KernelTarget.Portable ? SourceWriter.AggressiveOptimizationByValue : SourceWriter.AggressiveOptimization);
        using (w.Block("private static void " + kernel.BlocksMethod + TypeParameters(kernel) + "(" + string.Join(", ", parameters) + ")" + Constraints(kernel)))
        {
            foreach (KernelBuffer buffer in states)
            {
                w.Line("global::System.Span<float> " + buffer.Span + "Block = stackalloc float[" + blockSize + "];");
            }

            w.Line("int block = " + SourceWriter.BlockwiseState + ".FirstBlock(start);");
            // The slice's length, from the first buffer that is not state (the parameter, or the gradient of a first pass).
            string slice = kernel.Buffers.First(b => b.Role != BufferRole.State).Span;
            using (w.Block("for (int offset = 0; offset < " + slice + ".Length; offset += " + blockSize + ", block++)"))
            {
                w.Line("int length = global::System.Math.Min(" + blockSize + ", " + slice + ".Length - offset);");
                foreach (KernelBuffer buffer in states)
                {
                    w.Line("global::System.Span<float> " + buffer.Span + "Values = " + buffer.Span + ".Load(block, " + buffer.Span + "Block);");
                }

                var arguments = kernel.Buffers.Select(b => b.Role == BufferRole.State ? b.Span + "Values" : b.Span + ".Slice(offset, length)")
                    .Concat(ScalarsOf(part, kernel).Select(s => s.Name));
                w.Line(kernel.BufferMethod + TypeParameters(kernel) + "(" + string.Join(", ", arguments) + ");");
                foreach (KernelBuffer buffer in states)
                {
                    w.Line(buffer.Span + ".Store(block, " + buffer.Span + "Values);");
                }
            }
        }
    }

    private static void WriteUpdateBuffer(IndentedTextWriter w, OptimizerLayout optimizer, UpdatePart part, KernelDescription kernel, KernelTarget target)
    {
        KernelFlavor scalar = KernelFlavor.Scalar(kernel.Element, target);
        string type = scalar.ElementType;
        StepScalar[] scalars = ScalarsOf(part, kernel).ToArray();
        var parameters = new List<string>();
        foreach (KernelBuffer buffer in kernel.Buffers)
        {
            // The gradient is writable: the kernel compiled to clear gradients zeroes it.
            parameters.Add("global::System.Span<" + buffer.Memory.Keyword() + "> " + buffer.Span);
        }

        parameters.AddRange(scalars.Select(s => type + " " + s.Name));
        if (kernel.RoundsStochastically)
        {
            parameters.Add("uint rounding");
        }

        w.Line("// Update rule, per element:");
        foreach (string line in part.UpdateRule)
        {
            w.Line("//   " + line);
        }

        if (target == KernelTarget.Portable)
        {
            w.Line("// (MethodImplOptions)512 is AggressiveOptimization, which netstandard2.1 does not name; a runtime without it ignores it.");
        }

        w.Line("/// <summary>" + What(optimizer, part, kernel) + " over one " + type + " buffer, in a single pass: each element is loaded and stored once.</summary>");
        // Fully optimized from its first call: under tiered compilation with PGO a new kernel's first
        // seconds ran in an instrumented tier, 12–20× slower (BenchmarkDotNet, 64K Fast: 83–139 µs per step
        // for 13 iterations of 250 ms, then 7 µs), which a frame-budgeted training loop cannot absorb.
        w.Line(target == KernelTarget.Portable ? SourceWriter.AggressiveOptimizationByValue : SourceWriter.AggressiveOptimization);
        using (w.Block("private static void " + kernel.BufferMethod + TypeParameters(kernel) + "(" + string.Join(", ", parameters) + ")" + Constraints(kernel)))
        {
            if (target == KernelTarget.Portable)
            {
                WritePortableBody(w, scalars, kernel, scalar);
                return;
            }

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
                    foreach (StepScalar s in scalars)
                    {
                        w.Line("var " + s.Name + flavor.Suffix + " = " + flavor.Broadcast(s.Name) + ";");
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
                        w.Line(BlockCall(scalars, kernel, flavor));
                    }
                }

                w.Line();
            }

            using (w.Block("for (; i < length; i++)"))
            {
                w.Line(BlockCall(scalars, kernel, scalar));
            }
        }
    }

    /// <summary>The main loop in its width's <see cref="LoopShape"/>. Step scalars are the width's broadcasts (negLr512).</summary>
    private static void WriteUnrolledLoop(IndentedTextWriter w, KernelDescription kernel, KernelFlavor flavor)
    {
        LoopShape shape = LoopShape.For(flavor.Bits);
        w.Line(LoopComment(shape));
        using (w.Block("for (; i + " + shape.Unroll + " * width <= length; i += " + shape.Unroll + " * width)"))
        {
            foreach (KernelStatement statement in KernelTransforms.MainLoop(kernel.Statements, shape))
            {
                w.Line(flavor.Write(statement, kernel, flavor.Suffix));
            }
        }
    }

    private static string LoopComment(LoopShape shape) =>
        "// " + shape.Unroll + " registers per iteration, each statement for all of them before the next" + (shape.Order == LoadOrder.LoadsFirst ? "; every load first." : ".");

    /// <summary>
    /// The portable <c>UpdateBuffer</c>'s body: spans with int indices (netstandard2.1 has no Unsafe; every buffer,
    /// the gradient included, is a Span: Mono 6.8 has no ReadOnlySpan&lt;T&gt; indexer), Vector&lt;T&gt; registers through
    /// <c>MemoryMarshal.Cast</c> while they are accelerated (16-bit state through its storage class), then the scalar tail.
    /// </summary>
    private static void WritePortableBody(IndentedTextWriter w, IReadOnlyList<StepScalar> scalars, KernelDescription kernel, KernelFlavor scalar)
    {
        KernelBuffer first = kernel.Buffers[0];
        w.Line("int length = " + first.Span + ".Length;");
        string lengthCheck = string.Join(" || ", kernel.Buffers.Skip(1).Select(b => b.Span + ".Length != length"));
        using (w.Block("if (" + lengthCheck + ")"))
        {
            w.Line(SourceWriter.Guard + ".ThrowBufferLengthMismatch();");
        }

        w.Line();
        w.Line("// Span indexers with int indices: netstandard2.1 has no Unsafe.");
        foreach (KernelBuffer buffer in kernel.Buffers)
        {
            w.Line("global::System.Span<" + buffer.Memory.Keyword() + "> " + buffer.Reference + " = " + buffer.Span + ";");
        }

        w.Line("int i = 0;");
        w.Line();
        KernelFlavor vector = KernelFlavor.VectorOfT(kernel.Element);
        w.Line("// Whole Vector<T> registers while they are accelerated (the JIT folds the check; a runtime without");
        w.Line("// SIMD skips them), an unrolled main loop then one register at a time, then single elements with the");
        w.Line("// same formula: no element is processed twice.");
        using (w.Block("if (" + vector.IsAccelerated + ")"))
        {
            foreach (StepScalar s in scalars)
            {
                w.Line("var " + s.Name + vector.Suffix + " = " + vector.Broadcast(s.Name) + ";");
            }

            // 16-bit state stays a span of its elements: its storage class reads and writes a register's worth.
            foreach (KernelBuffer buffer in kernel.Buffers.Where(b => !b.Memory.Is16Bit()))
            {
                w.Line("var " + vector.BufferName(buffer) + " = " + SourceWriter.MemoryMarshal + ".Cast<" + buffer.Memory.Keyword() + ", " + vector.Type + ">(" + buffer.Reference + ");");
            }

            w.Line("int registers = " + vector.BufferName(first) + ".Length;");

            // Vector<T> is 128 or 256 bits wide on RyuJIT, whose shape it takes; Mono's and IL2CPP's schedulers are not measured.
            LoopShape shape = LoopShape.For(vector.Bits);
            w.Line(LoopComment(shape));
            using (w.Block("for (; i + " + shape.Unroll + " <= registers; i += " + shape.Unroll + ")"))
            {
                foreach (KernelStatement statement in KernelTransforms.MainLoop(kernel.Statements, shape))
                {
                    w.Line(vector.Write(statement, kernel, vector.Suffix));
                }
            }

            w.Line();
            using (w.Block("for (; i < registers; i++)"))
            {
                w.Line(BlockCall(scalars, kernel, vector));
            }

            w.Line();
            w.Line("// From registers to elements: the scalar loop starts after the last whole register.");
            w.Line("i = registers * " + vector.Count + ";");
        }

        w.Line();
        using (w.Block("for (; i < length; i++)"))
        {
            w.Line(BlockCall(scalars, kernel, scalar));
        }
    }

    /// <summary>
    /// One type parameter per <see cref="KernelSwitch"/> the kernel uses, "&lt;TDecay, TScale, TClear&gt;": the kernel is
    /// compiled once per combination of on and off, and each instantiation computes only its own terms.
    /// </summary>
    private static string TypeParameters(KernelDescription kernel) =>
        kernel.Switches.Any() ? "<" + string.Join(", ", kernel.Switches.Select(KernelSwitches.TypeParameter)) + ">" : string.Empty;

    private static string Constraints(KernelDescription kernel) =>
        string.Concat(kernel.Switches.Select(s => " where " + KernelSwitches.TypeParameter(s) + " : struct"));

    private static string BlockCall(IReadOnlyList<StepScalar> scalars, KernelDescription kernel, KernelFlavor flavor)
    {
        var arguments = kernel.Buffers.Select(flavor.BufferArgument).ToList();
        arguments.Add("i");
        arguments.AddRange(scalars.Select(s => s.Name + flavor.Suffix));
        if (kernel.RoundsStochastically)
        {
            arguments.Add("rounding");
        }

        return flavor.BlockMethodOf(kernel.Method) + TypeParameters(kernel) + "(" + string.Join(", ", arguments) + ");";
    }

    private static void WriteBlock(IndentedTextWriter w, UpdatePart part, KernelDescription kernel, KernelFlavor flavor)
    {
        var parameters = kernel.Buffers.Select(flavor.BufferParameter).ToList();
        parameters.Add(flavor.IndexType + " i");
        parameters.AddRange(ScalarsOf(part, kernel).Select(s => flavor.Type + " " + s.Name));
        if (kernel.RoundsStochastically)
        {
            parameters.Add("uint rounding");
        }

        w.Line(flavor.IsScalar
            ? "/// <summary>Updates the element at offset <paramref name=\"i\"/>; the same operations, in the same order, as the vector blocks.</summary>"
            : flavor.IsVectorOfT
            ? "/// <summary>Updates register <paramref name=\"i\"/> of the spans of whole Vector&lt;" + flavor.ElementType + "&gt; registers.</summary>"
            : "/// <summary>Updates the " + flavor.Bits + "-bit register of elements at offset <paramref name=\"i\"/>.</summary>");
        w.Line(SourceWriter.AggressiveInlining);
        using (w.Block("private static void " + flavor.BlockMethodOf(kernel.Method) + TypeParameters(kernel) + "(" + string.Join(", ", parameters) + ")" + Constraints(kernel)))
        {
            foreach (KernelStatement statement in kernel.Statements)
            {
                w.Line(flavor.Write(statement, kernel));
            }
        }
    }
}
