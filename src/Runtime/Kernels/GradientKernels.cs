using System;
#if NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.Intrinsics;
using Gen.__Internals;
#endif

namespace Gen;

/// <summary>
/// The SIMD span kernels behind the <see cref="GradientsBase"/> operations, for <see cref="float"/> and
/// <see cref="double"/> buffers. None allocates.
/// </summary>
/// <remarks>
/// <para>
/// Each operation is a small struct implementing one of the operator interfaces below (one method per
/// vector width plus one for a single element), and a few drivers own the loops: an in-place transform
/// with a scalar or a span operand (<c>GradientKernels.ElementWise.cs</c>), the fixed-order sum
/// (<c>GradientKernels.LaneSum.cs</c>), an order-free aggregation (<c>GradientKernels.Aggregate.cs</c>)
/// and a search for the first match (<c>GradientKernels.Search.cs</c>). A driver writes the width cascade
/// once: the widest accelerated width first (the JIT folds the <c>IsHardwareAccelerated</c> checks) with
/// an unrolled ×4 main loop, then one register at a time at each narrower width, then single elements with
/// the same operation; no element is processed twice.
/// </para>
/// <para>
/// Element-wise operations are one IEEE operation per element, so every path gives the same bits. Sums
/// are different: the order of additions decides the last bits, and a sum that depended on the vector
/// width would make <see cref="GradientsBase.L2Norm"/>, and every gradient that
/// <see cref="GradientsBase.ClipByGlobalNorm"/> scales, differ between machines. So
/// <see cref="SumOfSquares(ReadOnlySpan{float})"/> fixes the order instead: 32 double lanes, element
/// <c>i</c> always added to lane <c>i mod 32</c> in index order, and the lanes folded pairwise at the
/// end. Four 512-bit registers hold the lanes, or eight 256-bit or sixteen 128-bit ones, and the scalar
/// path keeps 32 numbers, so every path performs the same additions in the same order and the result is
/// bit-identical everywhere. 32 lanes rather than 16 give the 512-bit path four independent chains of
/// additions instead of two; the 128-bit path's sixteen accumulators fit ARM64's 32 vector registers
/// (x64 without AVX2, the other user of that path, has sixteen, so it may spill). Maxima are exact, so
/// the aggregation behind <see cref="MaxMagnitude{T}"/> and the finiteness check may take any order.
/// </para>
/// <para>
/// This is the .NET 8+ implementation, on <c>Vector128/256/512</c> and generic math. The netstandard2.1
/// build (Unity) has neither; <c>GradientKernels.Portable.cs</c> gives it the same methods on
/// <see cref="System.Numerics.Vector{T}"/>, with the same results bit for bit.
/// </para>
/// </remarks>
internal static partial class GradientKernels
{
    /// <summary>Number of double accumulators of <see cref="SumOfSquares(ReadOnlySpan{double})"/>.</summary>
    internal const int SumLanes = 32;

    /// <summary>Pairwise fold of the lanes: (0+16, 1+17, ...), then (0+8, ...), ..., then 0+1.</summary>
    private static double FoldLanes(Span<double> lanes)
    {
        for (int half = SumLanes / 2; half > 0; half /= 2)
        {
            for (int j = 0; j < half; j++)
            {
                lanes[j] += lanes[j + half];
            }
        }

        return lanes[0];
    }
#if NET8_0_OR_GREATER

    /// <summary><c>x ← x·factor</c> for every element.</summary>
    public static void Multiply<T>(Span<T> values, T factor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        InvokeSpanScalarInPlace<T, MultiplyOperator<T>>(values, factor);

    /// <summary><c>x ← x / divisor</c> for every element (one correctly rounded division each).</summary>
    public static void Divide<T>(Span<T> values, T divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        InvokeSpanScalarInPlace<T, DivideOperator<T>>(values, divisor);

    /// <summary>
    /// <c>x ← limit if x &gt; limit, −limit if x &lt; −limit, else x</c> for every element: NaN stays NaN
    /// (both comparisons are false for it).
    /// </summary>
    public static void ClampMagnitude<T>(Span<T> values, T limit)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        InvokeSpanScalarInPlace<T, ClampMagnitudeOperator<T>>(values, limit);

    /// <summary><c>x ← x + y</c> for every element.</summary>
    public static void Add<T>(Span<T> values, ReadOnlySpan<T> addend)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (addend.Length != values.Length)
        {
            Guard.ThrowBufferLengthMismatch();
        }

        InvokeSpanSpanInPlace<T, AddOperator<T>>(values, addend);
    }

    /// <summary>
    /// <c>Σ x²</c> over the elements, each widened to double (exactly; the square of a float is then
    /// exact too), in the width-independent order described on the class.
    /// </summary>
    public static double SumOfSquares(ReadOnlySpan<float> values) => SumInLanes<float, SquareOperator>(values);

    /// <inheritdoc cref="SumOfSquares(ReadOnlySpan{float})"/>
    public static double SumOfSquares(ReadOnlySpan<double> values) => SumInLanes<double, SquareOperator>(values);

    /// <summary>
    /// <c>Σ (x·scale)²</c> in the same order as <see cref="SumOfSquares(ReadOnlySpan{float})"/>, element by
    /// element: the rare second pass of <see cref="GradientsBase.L2Norm"/> when the plain sum overflowed
    /// or may have underflowed, with <paramref name="scale"/> a power of two. Scalar code, so the same
    /// on every machine.
    /// </summary>
    public static double ScaledSumOfSquares<T>(ReadOnlySpan<T> values, double scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<double> lanes = stackalloc double[SumLanes];
        lanes.Clear();
        for (int i = 0; i < values.Length; i++)
        {
            double w = double.CreateTruncating(values[i]) * scale;
            lanes[i % SumLanes] += w * w;
        }

        return FoldLanes(lanes);
    }

    /// <summary>The largest <c>|x|</c>, as a double; 0 for an empty span. Not meaningful when an element is NaN.</summary>
    public static double MaxMagnitude<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        double.CreateTruncating(Aggregate<T, AbsoluteOperator<T>, MaxOperator<T>>(values));

    /// <summary>
    /// Index of the first NaN or infinite element (all exponent bits set), or −1 when every element is
    /// finite. Every guarded step makes the first pass, a branch-free check at the speed of the loads: the
    /// largest exponent field (<see cref="ExponentFieldOperator{T}"/>) is +∞ exactly when some element is
    /// NaN or ±∞. Only when it is does the search for the first such element run.
    /// </summary>
    public static int IndexOfNonFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsPositiveInfinity(Aggregate<T, ExponentFieldOperator<T>, ExponentFieldMaxOperator<T>>(values))
            ? IndexOfFirst<T, NonFiniteOperator<T>>(values)
            : -1;

    /// <summary>An operation on one operand, at every width and for one element.</summary>
    private interface IUnaryOperator<T>
        where T : unmanaged
    {
        static abstract Vector512<T> Invoke(Vector512<T> x);

        static abstract Vector256<T> Invoke(Vector256<T> x);

        static abstract Vector128<T> Invoke(Vector128<T> x);

        static abstract T Invoke(T x);
    }

    /// <summary>An element-wise operation on two operands, at every width and for one element.</summary>
    private interface IBinaryOperator<T>
        where T : unmanaged
    {
        static abstract Vector512<T> Invoke(Vector512<T> x, Vector512<T> y);

        static abstract Vector256<T> Invoke(Vector256<T> x, Vector256<T> y);

        static abstract Vector128<T> Invoke(Vector128<T> x, Vector128<T> y);

        static abstract T Invoke(T x, T y);
    }

    /// <summary>
    /// A binary operation that combines values in any order into one (associative, commutative and exact,
    /// like a maximum), with the value that leaves any input it is combined with unchanged.
    /// </summary>
    private interface IAggregationOperator<T> : IBinaryOperator<T>
        where T : unmanaged
    {
        static abstract T IdentityValue { get; }
    }

    /// <summary>A test of each element: all-ones lanes where it holds, zero lanes elsewhere; true or false for one element.</summary>
    private interface IPredicateOperator<T>
        where T : unmanaged
    {
        static abstract Vector512<T> Invoke(Vector512<T> x);

        static abstract Vector256<T> Invoke(Vector256<T> x);

        static abstract Vector128<T> Invoke(Vector128<T> x);

        static abstract bool Invoke(T x);
    }
#endif
}
