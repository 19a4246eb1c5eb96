using System.Numerics;
using System.Runtime.CompilerServices;

namespace Gen.__Internals;

/// <summary>
/// The <c>Precision.Fast</c> operations for the portable kernels (<c>System.Numerics.Vector&lt;float&gt;</c>,
/// the target generated for compilations without <c>System.Runtime.Intrinsics</c>, such as Unity's). They use
/// only what netstandard2.1's <c>Vector</c> has, which names no fused multiply-add and no estimate, so on this
/// target Fast is exact: multiply-adds round twice (a product, then a sum) and the "estimates" are a correctly
/// rounded division and square root, which the kernel's Newton step leaves within its bound of the exact
/// quotient. Only the kernel's division-free form differs from Precision.Exact's.
/// </summary>
public static partial class FastMath
{
    /// <summary><c>a·b + c</c> as a product and a sum, each rounded: the portable target does not fuse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) => (a * b) + c;

    /// <summary><c>c − a·b</c> as a product and a difference, each rounded: the portable target does not fuse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> NegatedMultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) => c - (a * b);

    /// <summary>1/x, correctly rounded: netstandard2.1 has no reciprocal estimate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ReciprocalEstimate(Vector<float> x) => Vector<float>.One / x;

    /// <summary>1/√x as a correctly rounded square root and division: netstandard2.1 has no reciprocal square root estimate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ReciprocalSqrtEstimate(Vector<float> x) => Vector<float>.One / Vector.SquareRoot(x);
}
