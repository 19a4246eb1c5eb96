using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Helpers;

namespace Gen.Generator.Models;

/// <summary>
/// An optimizer's per-element update as data: the buffers it reads and writes, and the statements
/// that compute named values from loads, step scalars and constants and store them. Each kind
/// describes its rule once (<see cref="KernelBuilder"/>); unrolling, staging and loads-first ordering
/// are transformations of this description (<c>Emitting/KernelTransforms</c>), and writing text for
/// one register width (<c>Emitting/KernelFlavor</c>) is the last step.
/// </summary>
/// <param name="Element">The element type of the model members this kernel updates.</param>
/// <param name="Buffers">
/// The buffers the statements read or write, in kernel argument order: parameter, gradient, the state buffers, then
/// scratch buffers.
/// </param>
/// <param name="Statements">The update of the elements at one offset, in order.</param>
/// <param name="Method">
/// The stem of the kernel's method names: "Update" gives <c>UpdateBuffer</c>, <c>UpdateBlock512</c>, <c>UpdateElement</c> and
/// <c>UpdateBlocks</c>. An optimizer with several kernels per element type (one per pass or per part) names each.
/// </param>
internal sealed record KernelDescription(
    ElementKind Element,
    EquatableArray<KernelBuffer> Buffers,
    EquatableArray<KernelStatement> Statements,
    string Method = KernelDescription.DefaultMethod)
{
    /// <summary>The method stem of a kind's single kernel.</summary>
    public const string DefaultMethod = "Update";

    /// <summary>The method that runs the kernel over whole spans: "UpdateBuffer".</summary>
    public string BufferMethod => Method + "Buffer";

    /// <summary>The method that runs it block by block over 8-bit block-wise state: "UpdateBlocks".</summary>
    public string BlocksMethod => Method + "Blocks";

    /// <summary>Every method the kernel is written as, for name checks.</summary>
    public IEnumerable<string> MethodNames => new[] { BufferMethod, BlocksMethod, Method + "Block512", Method + "Block256", Method + "Block128", Method + "BlockVector", Method + "Element" };

    /// <summary>The switches the statements use, in declaration order: one generic type parameter each.</summary>
    public IEnumerable<KernelSwitch> Switches =>
        Statements.SelectMany(KernelValues.Of).SelectMany(KernelValues.Walk).OfType<SwitchValue>().Select(s => s.Switch)
            .Concat(Statements.OfType<StoreStatement>().Where(s => s.Only.HasValue).Select(s => s.Only!.Value))
            .Distinct()
            .OrderBy(s => s);

    /// <summary>True when a state buffer is stored in fewer bits than its arithmetic and rounded stochastically.</summary>
    public bool RoundsStochastically => Buffers.Any(b => b.Rounding == StoreRounding.Stochastic);

    /// <summary>True when the state buffers are kept as 8-bit block-wise codes between steps (<see cref="KernelBuffer.Blockwise"/>).</summary>
    public bool IsBlockwise => Buffers.Any(b => b.Blockwise != BlockwiseCode.None);
}

/// <summary>What a kernel buffer holds.</summary>
internal enum BufferRole
{
    Parameter,
    Gradient,
    State,

    /// <summary>
    /// A per-step temporary shared by the passes of one member's update (Muon's update matrix, written by one pass,
    /// transformed by a matrix routine and read by the next): not state, never saved, sized for the largest member.
    /// </summary>
    Scratch,
}

/// <summary>
/// One buffer of a kernel. Storage is part of the description: a buffer declares the element type it
/// has in memory and the one its arithmetic uses, so a widening load and a narrowing store are spelled
/// in one place (<c>KernelFlavor.Load</c> / <c>Store</c>) for every kind.
/// </summary>
/// <param name="Reference">Name of the buffer's ref local in the kernel, e.g. "v".</param>
/// <param name="Span">Name of the kernel's span parameter, e.g. "squareAvg".</param>
/// <param name="Memory">The element type stored in the array.</param>
/// <param name="Arithmetic">The element type loads produce and stores take.</param>
/// <param name="Rounding">How a store narrows to <paramref name="Memory"/> when it has fewer bits than <paramref name="Arithmetic"/>.</param>
/// <param name="Blockwise">
/// For 8-bit block-wise state (<c>StatePrecision.Int8Blockwise</c>), the code its blocks are quantized with between
/// steps. The kernel itself is the float32 one: <c>UpdateBlocks</c> dequantizes a block of each such buffer into a float
/// temporary (<paramref name="Memory"/>), runs the kernel on it and quantizes it back; members too small to quantize keep
/// <paramref name="Memory"/> arrays.
/// </param>
internal sealed record KernelBuffer(
    string Reference,
    string Span,
    BufferRole Role,
    ElementKind Memory,
    ElementKind Arithmetic,
    StoreRounding Rounding = StoreRounding.NearestEven,
    BlockwiseCode Blockwise = BlockwiseCode.None);

/// <summary>Which of bitsandbytes' 8-bit codes a block-wise quantized state buffer uses.</summary>
internal enum BlockwiseCode
{
    /// <summary>Not quantized.</summary>
    None,

    /// <summary>The signed "dynamic" code, for buffers that change sign (momenta).</summary>
    Signed,

    /// <summary>The unsigned "udynamic" code, for non-negative buffers (second moments, sums of squares).</summary>
    Unsigned,
}

/// <summary>How a narrowing store rounds.</summary>
internal enum StoreRounding
{
    /// <summary>To nearest, ties to even.</summary>
    NearestEven,

    /// <summary>
    /// Up or down at random with probability proportional to the distance, from a counter-based generator
    /// keyed by the optimizer's seed, the step, the member and the element's index.
    /// </summary>
    Stochastic,
}

/// <summary>One statement of a kernel.</summary>
internal abstract record KernelStatement;

/// <summary><c>var Name = Value;</c></summary>
internal sealed record LetStatement(string Name, KernelValue Value) : KernelStatement;

/// <summary><c>Name = Value;</c> for a local declared earlier.</summary>
internal sealed record AssignStatement(string Name, KernelValue Value) : KernelStatement;

/// <summary>Stores <paramref name="Value"/> into <paramref name="Buffer"/> at the register's offset.</summary>
/// <param name="Buffer">The buffer's <see cref="KernelBuffer.Reference"/>.</param>
/// <param name="Register">Which register of an unrolled iteration: 0 for offset i, k for i + k·width.</param>
/// <param name="Only">When set, the store happens only in the kernel compiled with this switch on (clearing the gradient).</param>
internal sealed record StoreStatement(string Buffer, KernelValue Value, int Register = 0, KernelSwitch? Only = null) : KernelStatement;

/// <summary>
/// A value in a kernel: an expression tree over the operations the kernels use. C# operators on values
/// build the tree with C#'s own precedence, so a rule written as <c>v * rho + (1 - rho) * g * g</c>
/// means what the same text means in the generated code.
/// </summary>
internal abstract record KernelValue
{
    /// <summary>A compile-time constant, rounded to the element type once.</summary>
    public static implicit operator KernelValue(double value) => new ConstantValue(value);

    public static KernelValue operator +(KernelValue left, KernelValue right) => new BinaryValue(BinaryOperator.Add, left, right);

    public static KernelValue operator -(KernelValue left, KernelValue right) => new BinaryValue(BinaryOperator.Subtract, left, right);

    public static KernelValue operator *(KernelValue left, KernelValue right) => new BinaryValue(BinaryOperator.Multiply, left, right);

    public static KernelValue operator /(KernelValue left, KernelValue right) => new BinaryValue(BinaryOperator.Divide, left, right);

    public static KernelValue operator -(KernelValue operand) => new UnaryValue(UnaryOperator.Negate, operand);
}

/// <summary>The element of <paramref name="Buffer"/> at the register's offset.</summary>
internal sealed record LoadValue(string Buffer, int Register = 0) : KernelValue;

/// <summary>A local declared by a <see cref="LetStatement"/>.</summary>
internal sealed record LocalValue(string Name) : KernelValue;

/// <summary>A per-step scalar passed to the kernel (<see cref="StepScalar"/>), broadcast at vector widths.</summary>
internal sealed record ScalarValue(string Name) : KernelValue;

/// <summary>A compile-time constant, rounded from double to the element type once.</summary>
internal sealed record ConstantValue(double Value) : KernelValue;

internal enum UnaryOperator
{
    Negate,
    Sqrt,
    Abs,

    /// <summary>1 for positive, −1 for negative, 0 for zero and NaN.</summary>
    Sign,

    /// <summary>The hardware estimate of 1/x (float, <c>Gen.__Internals.FastMath</c>), refined by the caller.</summary>
    ReciprocalEstimate,

    /// <summary>The hardware estimate of 1/√x (float, <c>Gen.__Internals.FastMath</c>), refined by the caller.</summary>
    ReciprocalSqrtEstimate,
}

internal sealed record UnaryValue(UnaryOperator Operator, KernelValue Operand) : KernelValue;

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

internal sealed record BinaryValue(BinaryOperator Operator, KernelValue Left, KernelValue Right) : KernelValue;

/// <summary>
/// <c>a·b + c</c>, or <c>c − a·b</c> when <paramref name="Negated"/> (float, Precision.Fast only): rounded
/// once where the hardware fuses multiply-adds, the same choice at every width on one machine.
/// </summary>
internal sealed record MultiplyAddValue(KernelValue A, KernelValue B, KernelValue C, bool Negated = false) : KernelValue;

internal enum Comparison
{
    GreaterThan,
    LessThan,

    /// <summary>Equal as numbers: +0 equals −0, NaN equals nothing.</summary>
    Equal,
}

/// <summary>
/// <c>Left Comparison Right ? WhenTrue : WhenFalse</c>, per element: spelled as a compare and a
/// conditional select at vector widths, so NaN and signed zeros behave the same on every path.
/// </summary>
internal sealed record SelectValue(Comparison Comparison, KernelValue Left, KernelValue Right, KernelValue WhenTrue, KernelValue WhenFalse) : KernelValue;

/// <summary>
/// A choice made per step by compiling the kernel twice: generic over a struct type argument, whose type
/// test the JIT folds, so the kernel compiled with the switch off does not pay for the term.
/// </summary>
internal enum KernelSwitch
{
    /// <summary>Coupled (L2) weight decay <c>g + wd·p</c>, off for steps whose decay is 0.</summary>
    CoupledDecay,

    /// <summary>The gradient times the step's clipping scale (<c>GlobalNormClip</c>), off when no clipping is needed.</summary>
    GradientScale,

    /// <summary>Zeroes the gradient after reading it (<c>Step(gradients, clearGradients: true)</c>).</summary>
    ClearGradient,

    /// <summary>
    /// A kind's rule in two forms, chosen per member and step rather than per element, by the kind's
    /// <see cref="SwitchCondition"/>: RAdam's rectified update once the variance of the adaptive rate is tractable (plain
    /// momentum before), Rprop's first step (the step sizes PyTorch creates then, from the learning rate, instead of the
    /// buffer), ASGD's running average once its weight μ is not 1 (a copy of the parameters before), Schedule-Free's first
    /// step (z, x and y cloned from the parameter) and ADOPT's (which only initializes v). A kind has at most one.
    /// </summary>
    StepBranch,
}

/// <summary>
/// How a kernel switch other than the runtime's own (clipping, clearing) is chosen for a member each step: off where
/// <paramref name="OffWhen"/> holds, on otherwise. The condition is a C# expression over the optimizer's members
/// (StepCount) and the member's step scalars, written <c>{name}</c>: coupled decay's <c>"{wd} == 0"</c> (added for every
/// kind with the L2 term), RAdam's <c>"{rect} == 0"</c>, ASGD's <c>"{mu} == 1d"</c>. The kernel is compiled for both
/// values and each call is picked with one branch, never per element: <c>if (OffWhen) { off } else { on }</c>.
/// </summary>
internal sealed record SwitchCondition(KernelSwitch Switch, string OffWhen);

/// <summary>
/// <paramref name="On"/> in the kernel compiled with <paramref name="Switch"/> on, <paramref name="Off"/> in the
/// one compiled with it off (the type test folds away).
/// </summary>
internal sealed record SwitchValue(KernelSwitch Switch, KernelValue On, KernelValue Off) : KernelValue;

/// <summary>Traversals of <see cref="KernelValue"/> trees, children in the order the code spells them.</summary>
internal static class KernelValues
{
    /// <summary>The value a statement computes (a let's, an assignment's or a store's).</summary>
    public static IEnumerable<KernelValue> Of(KernelStatement statement) => statement switch
    {
        LetStatement let => new[] { let.Value },
        AssignStatement assign => new[] { assign.Value },
        StoreStatement store => new[] { store.Value },
        _ => System.Array.Empty<KernelValue>(),
    };

    /// <summary>Every node of <paramref name="value"/>, each before its children, left to right.</summary>
    public static IEnumerable<KernelValue> Walk(KernelValue value)
    {
        yield return value;
        foreach (KernelValue child in Children(value))
        {
            foreach (KernelValue node in Walk(child))
            {
                yield return node;
            }
        }
    }

    /// <summary>
    /// <paramref name="value"/> with each node that <paramref name="replace"/> maps to a new value
    /// replaced (and not descended into); other nodes are rebuilt from their rewritten children. C#
    /// evaluates initializers in order, so the children are visited left to right, the order the code
    /// spells them: a replacement that counts sees the nodes in that order.
    /// </summary>
    public static KernelValue Rewrite(KernelValue value, System.Func<KernelValue, KernelValue?> replace) =>
        replace(value) ?? value switch
        {
            UnaryValue unary => unary with { Operand = Rewrite(unary.Operand, replace) },
            BinaryValue binary => binary with { Left = Rewrite(binary.Left, replace), Right = Rewrite(binary.Right, replace) },
            MultiplyAddValue fused => fused with { A = Rewrite(fused.A, replace), B = Rewrite(fused.B, replace), C = Rewrite(fused.C, replace) },
            SelectValue select => select with
            {
                Left = Rewrite(select.Left, replace),
                Right = Rewrite(select.Right, replace),
                WhenTrue = Rewrite(select.WhenTrue, replace),
                WhenFalse = Rewrite(select.WhenFalse, replace),
            },
            SwitchValue choice => choice with { On = Rewrite(choice.On, replace), Off = Rewrite(choice.Off, replace) },
            _ => value,
        };

    private static IEnumerable<KernelValue> Children(KernelValue value) => value switch
    {
        UnaryValue unary => new[] { unary.Operand },
        BinaryValue binary => new[] { binary.Left, binary.Right },
        MultiplyAddValue fused => new[] { fused.A, fused.B, fused.C },
        SelectValue select => new[] { select.Left, select.Right, select.WhenTrue, select.WhenFalse },
        SwitchValue choice => new[] { choice.On, choice.Off },
        _ => System.Array.Empty<KernelValue>(),
    };
}
