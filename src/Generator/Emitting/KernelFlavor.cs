using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// How one element-wise update is spelled for one register width: Vector512/256/128 of the element
/// type, or the scalar element itself. Optimizer emitters write their formula once against this, so
/// the vector bodies and the scalar tail compute exactly the same operations in the same order.
/// </summary>
internal sealed class KernelFlavor
{
    private KernelFlavor(ElementKind element, int bits, string offset = "i")
    {
        Element = element;
        Bits = bits;
        Offset = offset;
    }

    /// <summary>The element offset that loads and stores use: "i", or "i + 2 * width" in an unrolled loop.</summary>
    public string Offset { get; }

    /// <summary>The element type.</summary>
    public ElementKind Element { get; }

    /// <summary>512, 256 or 128; 0 for scalar.</summary>
    public int Bits { get; }

    public bool IsScalar => Bits == 0;

    /// <summary>"float" or "double".</summary>
    public string ElementType => Element == ElementKind.Single ? "float" : "double";

    /// <summary>"global::System.Runtime.Intrinsics.Vector512", the static class of this width.</summary>
    public string VectorClass => "global::System.Runtime.Intrinsics.Vector" + Bits;

    /// <summary>The type of one value: "float" or "global::System.Runtime.Intrinsics.Vector512&lt;float&gt;".</summary>
    public string Type => IsScalar ? ElementType : VectorClass + "<" + ElementType + ">";

    /// <summary>Name of the method that updates one register's worth of elements.</summary>
    public string BlockMethod => IsScalar ? "UpdateElement" : "UpdateBlock" + Bits;

    public static KernelFlavor Scalar(ElementKind element) => new(element, 0);

    public static KernelFlavor Vector(ElementKind element, int bits) => new(element, bits);

    /// <summary>This flavor with loads and stores at <paramref name="offset"/>.</summary>
    public KernelFlavor At(string offset) => new(Element, Bits, offset);

    /// <summary>Loads the value at offset i of the buffer referenced by <paramref name="reference"/>.</summary>
    public string Load(string reference) => IsScalar
        ? SourceWriter.Unsafe + ".Add(ref " + reference + ", " + Offset + ")"
        : VectorClass + ".LoadUnsafe(ref " + reference + ", " + Offset + ")";

    /// <summary>A statement storing <paramref name="value"/> at offset i of <paramref name="reference"/>.</summary>
    public string Store(string reference, string value) => IsScalar
        ? SourceWriter.Unsafe + ".Add(ref " + reference + ", " + Offset + ") = " + value + ";"
        : VectorClass + ".StoreUnsafe(" + value + ", ref " + reference + ", " + Offset + ");";

    /// <summary>A compile-time constant, rounded to the element type, broadcast for vectors.</summary>
    public string Constant(double value)
    {
        string literal = Element == ElementKind.Single ? Literals.Single(value) : Literals.Double(value);
        return IsScalar ? literal : VectorClass + ".Create(" + literal + ")";
    }

    /// <summary>A run-time scalar broadcast to this width, e.g. "Vector512.Create(negLr)".</summary>
    public string Broadcast(string scalar) => IsScalar ? scalar : VectorClass + ".Create(" + scalar + ")";

    /// <summary>
    /// <c>a &gt; b ? a : b</c>, spelled the same way at every width (Vector.Max's NaN and signed-zero
    /// rules differ between .NET 8 and 9, so the comparison is explicit).
    /// </summary>
    public string Max(string a, string b) => IsScalar
        ? "(" + a + " > " + b + " ? " + a + " : " + b + ")"
        : VectorClass + ".ConditionalSelect(" + VectorClass + ".GreaterThan(" + a + ", " + b + "), " + a + ", " + b + ")";

    /// <summary>The sign: 1 for positive, −1 for negative, 0 for zero and NaN, at every width.</summary>
    public string Sign(string value)
    {
        string one = Constant(1);
        if (IsScalar)
        {
            return "((" + value + " > 0 ? " + one + " : 0) - (" + value + " < 0 ? " + one + " : 0))";
        }

        string zero = Type + ".Zero";
        return "((" + VectorClass + ".GreaterThan(" + value + ", " + zero + ") & " + one + ") - (" + VectorClass + ".LessThan(" + value + ", " + zero + ") & " + one + "))";
    }

    /// <summary>
    /// An estimate of 1/√x (float only, <c>Gen.__Internals.FastMath</c>): at least 12 bits, which callers
    /// refine with one Newton-Raphson step.
    /// </summary>
    public string ReciprocalSqrtEstimate(string x) => FastMath("ReciprocalSqrtEstimate", x);

    /// <summary>An estimate of 1/x (float only), as <see cref="ReciprocalSqrtEstimate"/>.</summary>
    public string ReciprocalEstimate(string x) => FastMath("ReciprocalEstimate", x);

    /// <summary>
    /// <c>a·b + c</c> (float only), rounded once where the hardware fuses multiply-adds, else as a
    /// product and a sum; <c>Gen.__Internals.FastMath</c> makes the same choice at every width on one
    /// machine. Only Precision.Fast uses it: the exact kernels round each operation as PyTorch does.
    /// </summary>
    public string MultiplyAdd(string a, string b, string c) => FastMath("MultiplyAdd", a, b, c);

    /// <summary><c>c − a·b</c>, fused as <see cref="MultiplyAdd"/> is.</summary>
    public string NegatedMultiplyAdd(string a, string b, string c) => FastMath("NegatedMultiplyAdd", a, b, c);

    /// <summary>A call to the <c>Gen.__Internals.FastMath</c> overload of this width (arguments of the flavor's type).</summary>
    private static string FastMath(string method, params string[] arguments) =>
        "global::Gen.__Internals.FastMath." + method + "(" + string.Join(", ", arguments) + ")";

    /// <summary>The correctly rounded square root.</summary>
    public string Sqrt(string value) => IsScalar
        ? (Element == ElementKind.Single ? "global::System.MathF.Sqrt(" : "global::System.Math.Sqrt(") + value + ")"
        : VectorClass + ".Sqrt(" + value + ")";
}
