using System;
using System.Collections.Generic;
using System.Globalization;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Writes a <see cref="KernelDescription"/>'s statements as C# for one register width of one
/// <see cref="KernelTarget"/>: Vector512, 256 or 128 of the element type over refs (Intrinsics),
/// <c>System.Numerics.Vector&lt;T&gt;</c> over spans (Portable), or the scalar element itself in either
/// target's addressing. This is the only place that spells an operation, so every width of a kernel
/// performs the same operations in the same order and the vector bodies and the scalar tail agree bit
/// for bit. Expressions are written with the parentheses C#'s precedence needs and no others.
/// </summary>
internal sealed class KernelFlavor
{
    private KernelFlavor(KernelTarget target, ElementKind element, int bits, bool isScalar)
    {
        Target = target;
        Element = element;
        Bits = bits;
        IsScalar = isScalar;
    }

    /// <summary>The vector API, and with it how buffers are addressed: refs and nuint offsets, or spans and int indices.</summary>
    public KernelTarget Target { get; }

    /// <summary>The element type of the arithmetic.</summary>
    public ElementKind Element { get; }

    /// <summary>512, 256 or 128 for the intrinsics widths; 0 for scalar and for Vector&lt;T&gt;, whose width is the machine's.</summary>
    public int Bits { get; }

    public bool IsScalar { get; }

    /// <summary>True for <c>System.Numerics.Vector&lt;T&gt;</c>: the portable target's one vector width.</summary>
    public bool IsVectorOfT => !IsScalar && Target == KernelTarget.Portable;

    /// <summary>"float" or "double".</summary>
    public string ElementType => Element.Keyword();

    /// <summary>"global::System.Runtime.Intrinsics.Vector512" or "global::System.Numerics.Vector": the static class of this width.</summary>
    public string VectorClass => IsVectorOfT ? "global::System.Numerics.Vector" : "global::System.Runtime.Intrinsics.Vector" + Bits;

    /// <summary>The type of one value: "float" or "global::System.Runtime.Intrinsics.Vector512&lt;float&gt;".</summary>
    public string Type => IsScalar ? ElementType : VectorClass + "<" + ElementType + ">";

    /// <summary>What names this width's broadcast scalars and block method: "512", "Vector"; empty for scalar.</summary>
    public string Suffix => IsScalar ? string.Empty : IsVectorOfT ? "Vector" : Bits.ToString(CultureInfo.InvariantCulture);

    /// <summary>Name of the method that updates one register's worth of elements.</summary>
    public string BlockMethod => BlockMethodOf(KernelDescription.DefaultMethod);

    /// <summary>That method's name for a kernel whose methods are named by <paramref name="stem"/>: "UpdateBlock512", "ApplyElement".</summary>
    public string BlockMethodOf(string stem) => IsScalar ? stem + "Element" : stem + "Block" + Suffix;

    /// <summary>"global::System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated": whether this width runs (the JIT folds it).</summary>
    public string IsAccelerated => VectorClass + ".IsHardwareAccelerated";

    /// <summary>"global::System.Runtime.Intrinsics.Vector512&lt;float&gt;.Count": the elements in one register.</summary>
    public string Count => Type + ".Count";

    /// <summary>The type of offsets: nuint with refs (Intrinsics), int with spans (Portable, whose indexers take int).</summary>
    public string IndexType => Target == KernelTarget.Portable ? "int" : "nuint";

    public static KernelFlavor Scalar(ElementKind element, KernelTarget target = KernelTarget.Intrinsics) => new(target, element, 0, isScalar: true);

    public static KernelFlavor Vector(ElementKind element, int bits) => new(KernelTarget.Intrinsics, element, bits, isScalar: false);

    /// <summary>The portable target's vector flavor: <c>System.Numerics.Vector&lt;T&gt;</c>.</summary>
    public static KernelFlavor VectorOfT(ElementKind element) => new(KernelTarget.Portable, element, 0, isScalar: false);

    /// <summary>The vector flavors a kernel's cascade tries, widest first; the scalar flavor finishes it.</summary>
    public static IReadOnlyList<KernelFlavor> Cascade(ElementKind element, KernelTarget target = KernelTarget.Intrinsics) =>
        target == KernelTarget.Portable
            ? new[] { VectorOfT(element) }
            : new[] { Vector(element, 512), Vector(element, 256), Vector(element, 128) };

    /// <summary>A run-time scalar broadcast to this width, e.g. "Vector512.Create(negLr)", "new Vector&lt;float&gt;(negLr)".</summary>
    public string Broadcast(string scalar) =>
        IsScalar ? scalar
        : IsVectorOfT ? "new " + Type + "(" + scalar + ")"
        : VectorClass + ".Create(" + scalar + ")";

    /// <summary>
    /// The name a buffer has in this flavor's code: its ref or span ("v"), or for Vector&lt;T&gt; the span
    /// of whole registers over it ("vVectors").
    /// </summary>
    /// A 16-bit buffer stays a span of its elements: its storage helper reads a register's worth by register index.
    public string BufferName(KernelBuffer buffer) => IsVectorOfT && !buffer.Memory.Is16Bit() ? buffer.Reference + "Vectors" : buffer.Reference;

    /// <summary>A block method's parameter for <paramref name="buffer"/>: "ref float v", "global::System.Span&lt;float&gt; v".</summary>
    public string BufferParameter(KernelBuffer buffer) =>
        Target == KernelTarget.Intrinsics ? "ref " + buffer.Memory.Keyword() + " " + buffer.Reference
        : "global::System.Span<" + (IsVectorOfT && !buffer.Memory.Is16Bit() ? "global::System.Numerics.Vector<" + buffer.Memory.Keyword() + ">" : buffer.Memory.Keyword()) + "> " + BufferName(buffer);

    /// <summary>The runtime class that widens and narrows a 16-bit format: "global::Gen.__Internals.BFloat16Storage".</summary>
    public static string StorageClass(ElementKind memory) =>
        "global::Gen.__Internals." + (memory == ElementKind.BFloat16 ? "BFloat16Storage" : "Float16Storage");

    /// <summary>The argument passing <paramref name="buffer"/> to a block method: "ref v", "vVectors".</summary>
    public string BufferArgument(KernelBuffer buffer) => Target == KernelTarget.Intrinsics ? "ref " + buffer.Reference : BufferName(buffer);

    /// <summary>
    /// One statement of <paramref name="kernel"/> as a line of C#. Step scalars are spelled with
    /// <paramref name="scalarSuffix"/> ("negLr512" in the unrolled loop, where they are broadcast once).
    /// </summary>
    public string Write(KernelStatement statement, KernelDescription kernel, string scalarSuffix = "")
    {
        var writer = new Writer(this, kernel, scalarSuffix);
        return statement switch
        {
            LetStatement let => "var " + let.Name + " = " + writer.Top(let.Value) + ";",
            AssignStatement assign => assign.Name + " = " + writer.Top(assign.Value) + ";",
            StoreStatement { Only: { } only } store => "if (" + KernelSwitches.IsOn(only) + ") " + writer.Store(store),
            StoreStatement store => writer.Store(store),
            _ => throw new ArgumentOutOfRangeException(nameof(statement)),
        };
    }

    /// <summary>
    /// The offset of register <paramref name="register"/> of an unrolled iteration: in elements for the
    /// intrinsics ("i", "i + width", "i + 2 * width"), in registers for Vector&lt;T&gt;, whose spans hold
    /// whole registers ("i", "i + 1", "i + 2").
    /// </summary>
    private string Offset(int register) => register switch
    {
        0 => "i",
        _ when Target == KernelTarget.Portable => "i + " + register,
        1 => "i + width",
        _ => "i + " + register + " * width",
    };

    /// <summary>C# operator precedence, loosest first, as far as kernels use it.</summary>
    private enum Precedence
    {
        Conditional,
        Relational,
        Additive,
        Multiplicative,
        Unary,
        Primary,
    }

    private readonly struct Writer
    {
        private readonly KernelFlavor _flavor;
        private readonly KernelDescription _kernel;
        private readonly string _scalarSuffix;

        public Writer(KernelFlavor flavor, KernelDescription kernel, string scalarSuffix)
        {
            _flavor = flavor;
            _kernel = kernel;
            _scalarSuffix = scalarSuffix;
        }

        public string Top(KernelValue value) => Write(value, out _);

        /// <summary>
        /// A store, narrowing from the arithmetic type to the memory type: a 16-bit format through its storage
        /// class's Store (to nearest even) or StoreStochastic (with the buffer's stream: the kernel's
        /// <c>rounding</c>, offset per state buffer so that two buffers never draw the same bits), at this width.
        /// </summary>
        public string Store(StoreStatement store)
        {
            KernelBuffer buffer = Buffer(store.Buffer);
            string value = Top(store.Value);
            if (buffer.Memory != buffer.Arithmetic)
            {
                RequireNarrowing(buffer);
                bool stochastic = buffer.Rounding == StoreRounding.Stochastic;
                string method = StorageClass(buffer.Memory) + "." + (stochastic ? "StoreStochastic" : "Store") + _flavor.Suffix;
                string stream = stochastic ? ", " + Stream(buffer) : string.Empty;
                return method + "(" + value + ", " + Address(buffer, store.Register) + stream + ");";
            }

            if (_flavor.Target == KernelTarget.Portable)
            {
                return _flavor.BufferName(buffer) + "[" + _flavor.Offset(store.Register) + "] = " + value + ";";
            }

            return _flavor.IsScalar
                ? SourceWriter.Unsafe + ".Add(ref " + buffer.Reference + ", " + _flavor.Offset(store.Register) + ") = " + value + ";"
                : _flavor.VectorClass + ".StoreUnsafe(" + value + ", ref " + buffer.Reference + ", " + _flavor.Offset(store.Register) + ");";
        }

        /// <summary>A load, widening from the memory type to the arithmetic type (see <see cref="Store"/>).</summary>
        private string Load(LoadValue load)
        {
            KernelBuffer buffer = Buffer(load.Buffer);
            if (buffer.Memory != buffer.Arithmetic)
            {
                RequireNarrowing(buffer);
                return StorageClass(buffer.Memory) + ".Load" + _flavor.Suffix + "(" + Address(buffer, load.Register) + ")";
            }

            if (_flavor.Target == KernelTarget.Portable)
            {
                // Span indexers with int indices: netstandard2.1 has no Unsafe, and the spans are Span<T>
                // (never ReadOnlySpan<T>, whose indexer Mono 6.8 lacks).
                return _flavor.BufferName(buffer) + "[" + _flavor.Offset(load.Register) + "]";
            }

            return _flavor.IsScalar
                ? SourceWriter.Unsafe + ".Add(ref " + buffer.Reference + ", " + _flavor.Offset(load.Register) + ")"
                : _flavor.VectorClass + ".LoadUnsafe(ref " + buffer.Reference + ", " + _flavor.Offset(load.Register) + ")";
        }

        /// <summary>A storage helper's buffer and offset: "ref m, i + width" (elements), or "m, i + 1" (Vector&lt;T&gt;: registers).</summary>
        private string Address(KernelBuffer buffer, int register) =>
            (_flavor.Target == KernelTarget.Intrinsics ? "ref " : string.Empty) + _flavor.BufferName(buffer) + ", " + _flavor.Offset(register);

        /// <summary>
        /// The random stream of a stochastically rounded buffer: <c>rounding</c> plus a multiple of 2^32/φ per state
        /// buffer, so that the streams of a member's buffers are far apart in the counter space.
        /// </summary>
        private string Stream(KernelBuffer buffer)
        {
            int ordinal = 0;
            foreach (KernelBuffer other in _kernel.Buffers)
            {
                if (other == buffer)
                {
                    break;
                }

                ordinal += other.Role == BufferRole.State ? 1 : 0;
            }

            uint offset = unchecked(0x9E3779B9u * (uint)ordinal);
            return offset == 0 ? "rounding" : "unchecked(rounding + " + offset.ToString(CultureInfo.InvariantCulture) + "u)";
        }

        private static void RequireNarrowing(KernelBuffer buffer)
        {
            if (!buffer.Memory.Is16Bit() || buffer.Arithmetic != ElementKind.Single)
            {
                throw new InvalidOperationException("No spelling for " + buffer.Memory + " storage with " + buffer.Arithmetic + " arithmetic (buffer " + buffer.Reference + ").");
            }
        }

        private KernelBuffer Buffer(string reference)
        {
            foreach (KernelBuffer buffer in _kernel.Buffers)
            {
                if (buffer.Reference == reference)
                {
                    return buffer;
                }
            }

            throw new InvalidOperationException("No buffer " + reference);
        }

        private string Write(KernelValue value, out Precedence precedence)
        {
            switch (value)
            {
                case LoadValue load:
                    precedence = Precedence.Primary;
                    return Load(load);
                case LocalValue local:
                    precedence = Precedence.Primary;
                    return local.Name;
                case ScalarValue scalar:
                    precedence = Precedence.Primary;
                    return scalar.Name + _scalarSuffix;
                case ConstantValue constant:
                    string literal = _flavor.Element.Literal(constant.Value);
                    precedence = _flavor.IsScalar && literal.StartsWith("-", StringComparison.Ordinal) ? Precedence.Unary : Precedence.Primary;
                    return _flavor.Broadcast(literal);
                case BinaryValue binary:
                    precedence = binary.Operator is BinaryOperator.Add or BinaryOperator.Subtract ? Precedence.Additive : Precedence.Multiplicative;

                    // Left-associative: a right operand of the same precedence needs parentheses.
                    return Operand(binary.Left, precedence, rightOperand: false) + " " + Symbol(binary.Operator) + " " + Operand(binary.Right, precedence, rightOperand: true);
                case UnaryValue { Operator: UnaryOperator.Negate } negate:
                    precedence = Precedence.Unary;
                    string operand = Operand(negate.Operand, Precedence.Unary, rightOperand: false);
                    return "-" + (operand.StartsWith("-", StringComparison.Ordinal) ? "(" + operand + ")" : operand);
                case UnaryValue { Operator: UnaryOperator.Sign } sign:
                    precedence = Precedence.Primary;
                    return Sign(Operand(sign.Operand, Precedence.Relational, rightOperand: false));
                case UnaryValue unary:
                    precedence = Precedence.Primary;
                    return Call(unary.Operator, Top(unary.Operand));
                case MultiplyAddValue fused:
                    precedence = Precedence.Primary;
                    return SourceWriter.FastMath + "." + (fused.Negated ? "NegatedMultiplyAdd" : "MultiplyAdd") + "(" + Top(fused.A) + ", " + Top(fused.B) + ", " + Top(fused.C) + ")";
                case SelectValue select:
                    precedence = Precedence.Primary;
                    return Select(select);
                case SwitchValue choice:
                    precedence = Precedence.Conditional;
                    return KernelSwitches.IsOn(choice.Switch) + " ? "
                        + Operand(choice.On, Precedence.Relational, rightOperand: false) + " : "
                        + Operand(choice.Off, Precedence.Relational, rightOperand: false);
                default:
                    throw new ArgumentOutOfRangeException(nameof(value));
            }
        }

        /// <summary><paramref name="value"/> as an operand of an operator of <paramref name="context"/> precedence.</summary>
        private string Operand(KernelValue value, Precedence context, bool rightOperand)
        {
            string text = Write(value, out Precedence precedence);
            return precedence < context || (rightOperand && precedence == context) ? "(" + text + ")" : text;
        }

        private static string Symbol(BinaryOperator op) => op switch
        {
            BinaryOperator.Add => "+",
            BinaryOperator.Subtract => "-",
            BinaryOperator.Multiply => "*",
            _ => "/",
        };

        private string Call(UnaryOperator op, string x)
        {
            bool scalar = _flavor.IsScalar;
            string math = _flavor.Element == ElementKind.Single ? "global::System.MathF." : "global::System.Math.";
            return op switch
            {
                UnaryOperator.Sqrt => (scalar ? math : _flavor.VectorClass + ".") + (_flavor.IsVectorOfT ? "SquareRoot(" : "Sqrt(") + x + ")",
                UnaryOperator.Abs => (scalar ? math : _flavor.VectorClass + ".") + "Abs(" + x + ")",

                // FastMath has one overload per width (Vector<float> included) and one for the scalar.
                UnaryOperator.ReciprocalEstimate => SourceWriter.FastMath + ".ReciprocalEstimate(" + x + ")",
                UnaryOperator.ReciprocalSqrtEstimate => SourceWriter.FastMath + ".ReciprocalSqrtEstimate(" + x + ")",
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
        }

        /// <summary>1 for positive, −1 for negative, 0 for zero and NaN: two comparisons at every width.</summary>
        private string Sign(string value)
        {
            string one = Top(new ConstantValue(1));
            if (_flavor.IsScalar)
            {
                return "((" + value + " > 0 ? " + one + " : 0) - (" + value + " < 0 ? " + one + " : 0))";
            }

            string zero = _flavor.Type + ".Zero";
            return "((" + Compare("GreaterThan") + "(" + value + ", " + zero + ") & " + one + ") - (" + Compare("LessThan") + "(" + value + ", " + zero + ") & " + one + "))";
        }

        /// <summary>
        /// The comparison method, returning a mask of the element type: "Vector512.GreaterThan". For
        /// Vector&lt;T&gt; the generic overload, "Vector.GreaterThan&lt;float&gt;": the plain one returns a
        /// Vector&lt;int&gt; (Vector&lt;long&gt; for double) mask, which neither ANDs with the element type's
        /// one nor selects between its values.
        /// </summary>
        private string Compare(string comparison) =>
            _flavor.VectorClass + "." + comparison + (_flavor.IsVectorOfT ? "<" + _flavor.ElementType + ">" : string.Empty);

        /// <summary>A compare and a select: <c>(a &gt; b ? x : y)</c>, or ConditionalSelect of a vector comparison.</summary>
        private string Select(SelectValue select)
        {
            string left = Operand(select.Left, Precedence.Relational, rightOperand: false);
            string right = Operand(select.Right, Precedence.Relational, rightOperand: true);
            string whenTrue = Operand(select.WhenTrue, Precedence.Relational, rightOperand: false);
            string whenFalse = Operand(select.WhenFalse, Precedence.Relational, rightOperand: false);
            if (_flavor.IsScalar)
            {
                string symbol = select.Comparison switch
                {
                    Comparison.GreaterThan => " > ",
                    Comparison.LessThan => " < ",
                    _ => " == ",
                };
                return "(" + left + symbol + right + " ? " + whenTrue + " : " + whenFalse + ")";
            }

            // Equals, not "==": the operator compares whole registers and returns a bool.
            string compare = select.Comparison switch
            {
                Comparison.GreaterThan => "GreaterThan",
                Comparison.LessThan => "LessThan",
                _ => "Equals",
            };
            return _flavor.VectorClass + ".ConditionalSelect(" + Compare(compare) + "(" + Top(select.Left) + ", " + Top(select.Right) + "), "
                + Top(select.WhenTrue) + ", " + Top(select.WhenFalse) + ")";
        }
    }
}
