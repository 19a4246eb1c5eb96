using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Kinds;

/// <summary>
/// Collects a kind's per-element update into a <see cref="KernelDescription"/>. Values combine with C#
/// operators and the static functions here; <see cref="Let"/> names a value, <see cref="Store"/> writes
/// one. <see cref="Build"/> checks that every local exists and that no buffer is read after it is written.
/// </summary>
internal sealed class KernelBuilder
{
    /// <summary>The parameter's buffer reference.</summary>
    public const string Parameter = "p";

    /// <summary>The gradient's buffer reference.</summary>
    public const string Gradient = "g";

    private readonly List<KernelStatement> _statements = new();
    private readonly KernelBuffer[] _buffers;

    public KernelBuilder(ElementKind element, IReadOnlyList<StateBuffer> states, StateStorage storage)
    {
        Element = element;

        // State may be stored in fewer bits than it is computed in (bf16, fp16): only its Memory and
        // Rounding change here; KernelFlavor spells the widening load and the narrowing store. 8-bit
        // block-wise state keeps the float kernel and records its code (Blockwise) for UpdateBlocks.
        _buffers = new[]
            {
                new KernelBuffer(Parameter, "parameter", BufferRole.Parameter, element, element),
                new KernelBuffer(Gradient, "gradient", BufferRole.Gradient, element, element),
            }
            .Concat(states.Select(s => new KernelBuffer(s.Reference, s.Field, BufferRole.State, storage.Memory(element), element, storage.Rounding, storage.Blockwise(s))))
            .ToArray();
    }

    /// <summary>The element type this kernel is for (Precision.Fast applies to float only).</summary>
    public ElementKind Element { get; }

    /// <summary>The element at the current offset of <paramref name="buffer"/>.</summary>
    public KernelValue Load(string buffer) => new LoadValue(buffer);

    /// <summary>A per-step scalar by name.</summary>
    public KernelValue Scalar(StepScalar scalar) => new ScalarValue(scalar.Name);

    /// <summary><c>var name = value;</c></summary>
    public LocalValue Let(string name, KernelValue value)
    {
        _statements.Add(new LetStatement(name, value));
        return new LocalValue(name);
    }

    /// <summary><c>local = value;</c></summary>
    public void Assign(LocalValue local, KernelValue value) => _statements.Add(new AssignStatement(local.Name, value));

    /// <summary>Stores <paramref name="value"/> into <paramref name="buffer"/> at the current offset.</summary>
    public void Store(string buffer, KernelValue value) => _statements.Add(new StoreStatement(buffer, value));

    /// <summary>
    /// Loads the gradient (and clears it, in the kernel compiled to clear gradients), scales it (in the kernel
    /// compiled for a clipping step), loads the parameter, then applies what most optimizers do first, in
    /// PyTorch's order: the sign flip for maximize, then coupled L2 decay (<c>g + wd * p</c>, as <c>grad.add(param,
    /// alpha=wd)</c>, only in the kernel compiled for steps with decay) or the decoupled decay factor
    /// (<c>p * (1 - lr * wd)</c>, as AdamW's <c>mul_</c>).
    /// </summary>
    public (LocalValue Grad, LocalValue Param) GradientPrologue(bool maximize, WeightDecayMode mode)
    {
        (LocalValue grad, LocalValue param) = GradientPrologue(maximize);
        StepScalar decay = StepScalar.WeightDecay(mode);
        Assign(
            mode == WeightDecayMode.L2 ? grad : param,
            mode == WeightDecayMode.L2 ? new SwitchValue(KernelSwitch.CoupledDecay, grad + Scalar(decay) * param, grad) : param * Scalar(decay));
        return (grad, param);
    }

    /// <summary>
    /// <see cref="GradientPrologue(bool, WeightDecayMode)"/> for a kind that applies weight decay its own way (at
    /// Schedule-Free's y, to AdEMAMix's update, ADOPT's after its first step): the gradient loaded, cleared and scaled as
    /// the step's switches say, the parameter loaded, the sign flip for maximize.
    /// </summary>
    public (LocalValue Grad, LocalValue Param) GradientPrologue(bool maximize)
    {
        LocalValue grad = Let("grad", Load(Gradient));

        // Step(gradients, clearGradients: true): the gradient is zeroed once read, in the same pass.
        _statements.Add(new StoreStatement(Gradient, 0, Only: KernelSwitch.ClearGradient));

        // GlobalNormClip: the gradient as ClipByGlobalNorm would have left it, g·scale in the element type.
        Assign(grad, new SwitchValue(KernelSwitch.GradientScale, grad * Scalar(StepScalar.GradientScale), grad));
        LocalValue param = Let("param", Load(Parameter));
        if (maximize)
        {
            Assign(grad, -grad);
        }

        return (grad, param);
    }

    /// <summary>
    /// <paramref name="on"/> in the kernel compiled with the kind's own switch on, <paramref name="off"/> in the other: a
    /// choice per member and step, never per element (<see cref="KernelSwitch.StepBranch"/>, chosen by the kind's
    /// <see cref="SwitchCondition"/>). Each instantiation computes only its own term, and a load in either term happens only
    /// in its own instantiation: the main loop's transformations leave loads under a switch where they are.
    /// </summary>
    public static KernelValue StepBranch(KernelValue on, KernelValue off) => new SwitchValue(KernelSwitch.StepBranch, on, off);
    /// <paramref name="on"/> in the kernel compiled with <paramref name="choice"/> on, <paramref name="off"/> in the other
    /// (a kind's own switch is chosen per step by its <see cref="SwitchCondition"/>).
    /// </summary>
    public static KernelValue Switch(KernelSwitch choice, KernelValue on, KernelValue off) => new SwitchValue(choice, on, off);

    /// <summary><c>a &gt; b ? x : y</c> per element (false for NaN), as a compare and a select at vector widths.</summary>
    public static KernelValue IfGreater(KernelValue a, KernelValue b, KernelValue whenTrue, KernelValue whenFalse) =>
        new SelectValue(Comparison.GreaterThan, a, b, whenTrue, whenFalse);

    /// <summary><c>a &lt; b ? x : y</c> per element (false for NaN).</summary>
    public static KernelValue IfLess(KernelValue a, KernelValue b, KernelValue whenTrue, KernelValue whenFalse) =>
        new SelectValue(Comparison.LessThan, a, b, whenTrue, whenFalse);

    /// <summary><c>a == b ? x : y</c> per element (+0 equals −0; false for NaN).</summary>
    public static KernelValue IfEqual(KernelValue a, KernelValue b, KernelValue whenTrue, KernelValue whenFalse) =>
        new SelectValue(Comparison.Equal, a, b, whenTrue, whenFalse);

    public static KernelValue Sqrt(KernelValue x) => new UnaryValue(UnaryOperator.Sqrt, x);

    public static KernelValue Abs(KernelValue x) => new UnaryValue(UnaryOperator.Abs, x);

    /// <summary>1 for positive, −1 for negative, 0 for zero and NaN, at every width.</summary>
    public static KernelValue Sign(KernelValue x) => new UnaryValue(UnaryOperator.Sign, x);

    /// <summary>
    /// <c>a &gt; b ? a : b</c>, spelled as a comparison at every width (Vector.Max's NaN and signed-zero
    /// rules differ between .NET 8 and 9).
    /// </summary>
    public static KernelValue Max(KernelValue a, KernelValue b) => new SelectValue(Comparison.GreaterThan, a, b, a, b);

    /// <summary>An estimate of 1/x (float only): at least 12 bits, which callers refine with one Newton step.</summary>
    public static KernelValue ReciprocalEstimate(KernelValue x) => new UnaryValue(UnaryOperator.ReciprocalEstimate, x);

    /// <summary>An estimate of 1/√x (float only), as <see cref="ReciprocalEstimate"/>.</summary>
    public static KernelValue ReciprocalSqrtEstimate(KernelValue x) => new UnaryValue(UnaryOperator.ReciprocalSqrtEstimate, x);

    /// <summary>
    /// <c>a·b + c</c> (float only), rounded once where the hardware fuses multiply-adds, else as a product
    /// and a sum, the same choice at every width. Only Precision.Fast uses it: the exact kernels round
    /// each operation as PyTorch does.
    /// </summary>
    public static KernelValue MultiplyAdd(KernelValue a, KernelValue b, KernelValue c) => new MultiplyAddValue(a, b, c);

    /// <summary><c>c − a·b</c>, fused as <see cref="MultiplyAdd"/> is.</summary>
    public static KernelValue NegatedMultiplyAdd(KernelValue a, KernelValue b, KernelValue c) => new MultiplyAddValue(a, b, c, Negated: true);

    /// <summary>The description, after checking it: every local is declared before use, every buffer exists, and no buffer is loaded after it is stored.</summary>
    public KernelDescription Build()
    {
        var locals = new HashSet<string>(StringComparer.Ordinal);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (KernelStatement statement in _statements)
        {
            (string? name, KernelValue value) = statement switch
            {
                LetStatement let => (null, let.Value),
                AssignStatement assign => (assign.Name, assign.Value),
                StoreStatement store => (null, store.Value),
                _ => throw new InvalidOperationException("Unknown statement " + statement),
            };
            if (name is not null && !locals.Contains(name))
            {
                throw new InvalidOperationException("Assignment to undeclared local " + name);
            }

            foreach (KernelValue node in KernelValues.Walk(value))
            {
                if (node is LocalValue local && !locals.Contains(local.Name))
                {
                    throw new InvalidOperationException("Undeclared local " + local.Name);
                }

                if (node is LoadValue load && (stored.Contains(load.Buffer) || _buffers.All(b => b.Reference != load.Buffer)))
                {
                    throw new InvalidOperationException("Load of " + load.Buffer + " after its store, or of no buffer");
                }
            }

            if (statement is LetStatement declared && !locals.Add(declared.Name))
            {
                throw new InvalidOperationException("Local " + declared.Name + " declared twice");
            }

            if (statement is StoreStatement written && (!stored.Add(written.Buffer) || _buffers.All(b => b.Reference != written.Buffer)))
            {
                throw new InvalidOperationException("Buffer " + written.Buffer + " stored twice, or no buffer");
            }
        }

        return new KernelDescription(Element, _buffers.ToEquatableArray(), _statements.ToEquatableArray());
    }
}
