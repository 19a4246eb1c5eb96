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
    /// The hardware estimate of 1/√x (float only): about 14 bits with AVX-512, 12 with SSE/AVX/NEON,
    /// the exact 1/√x where the ISA has none. Callers refine it with a Newton-Raphson step.
    /// </summary>
    public string ReciprocalSqrtEstimate(string x) => Estimate(x, sqrt: true);

    /// <summary>The hardware estimate of 1/x (float only), as <see cref="ReciprocalSqrtEstimate"/>.</summary>
    public string ReciprocalEstimate(string x) => Estimate(x, sqrt: false);

    private string Estimate(string x, bool sqrt)
    {
        const string X86 = "global::System.Runtime.Intrinsics.X86.";
        string exact = sqrt ? Constant(1) + " / " + Sqrt(x) : Constant(1) + " / " + x;
        return Bits switch
        {
            0 => "float." + (sqrt ? "ReciprocalSqrtEstimate(" : "ReciprocalEstimate(") + x + ")",
            512 => "(" + X86 + "Avx512F.IsSupported ? " + X86 + "Avx512F." + (sqrt ? "ReciprocalSqrt14(" : "Reciprocal14(") + x + ") : " + exact + ")",
            256 => "(" + X86 + "Avx.IsSupported ? " + X86 + "Avx." + (sqrt ? "ReciprocalSqrt(" : "Reciprocal(") + x + ") : " + exact + ")",
            _ => "(" + X86 + "Sse.IsSupported ? " + X86 + "Sse." + (sqrt ? "ReciprocalSqrt(" : "Reciprocal(") + x + ") : global::System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? global::System.Runtime.Intrinsics.Arm.AdvSimd." + (sqrt ? "ReciprocalSquareRootEstimate(" : "ReciprocalEstimate(") + x + ") : " + exact + ")",
        };
    }

    /// <summary>The correctly rounded square root.</summary>
    public string Sqrt(string value) => IsScalar
        ? (Element == ElementKind.Single ? "global::System.MathF.Sqrt(" : "global::System.Math.Sqrt(") + value + ")"
        : VectorClass + ".Sqrt(" + value + ")";
}
