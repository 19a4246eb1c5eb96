#if NET8_0_OR_GREATER
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen;

/// <content>The order-free aggregation behind <see cref="MaxMagnitude{T}"/> and the finiteness check.</content>
internal static partial class GradientKernels
{
    /// <summary>
    /// <c>TAggregate</c> over <c>TTransform(x)</c> for every element, from <c>TAggregate.IdentityValue</c>
    /// (which an empty span returns).
    /// </summary>
    /// <remarks>
    /// The aggregation is exact (a maximum), so the driver combines in whatever order loads fastest. The
    /// widest width's main loop reads the two halves of the span's whole blocks side by side, two registers
    /// from each: two streams keep more reads in flight than one (16M floats from DRAM, checked alone in a
    /// loop: 2.4–2.5 ms against 2.8–3.0). Each narrower width takes over the wider accumulator folded in
    /// halves and goes on one register at a time; the last one is folded to one element before the single
    /// elements.
    /// </remarks>
    private static T Aggregate<T, TTransform, TAggregate>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTransform : IUnaryOperator<T>
        where TAggregate : IAggregationOperator<T>
    {
        ref T x = ref MemoryMarshal.GetReference(values);
        nuint length = (nuint)values.Length;
        nuint i = 0;
        T result = TAggregate.IdentityValue;
        Vector256<T> carry256 = Vector256.Create(result);
        Vector128<T> carry128 = Vector128.Create(result);

        if (Vector512.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector512<T>.Count;
            nuint half = length / (4 * width) * (2 * width);
            Vector512<T> a0 = Vector512.Create(result), a1 = a0, a2 = a0, a3 = a0;
            for (; i < half; i += 2 * width)
            {
                a0 = TAggregate.Invoke(a0, TTransform.Invoke(Vector512.LoadUnsafe(ref x, i)));
                a1 = TAggregate.Invoke(a1, TTransform.Invoke(Vector512.LoadUnsafe(ref x, i + width)));
                a2 = TAggregate.Invoke(a2, TTransform.Invoke(Vector512.LoadUnsafe(ref x, half + i)));
                a3 = TAggregate.Invoke(a3, TTransform.Invoke(Vector512.LoadUnsafe(ref x, half + i + width)));
            }

            for (i = 2 * half; i + width <= length; i += width)
            {
                a0 = TAggregate.Invoke(a0, TTransform.Invoke(Vector512.LoadUnsafe(ref x, i)));
            }

            a0 = TAggregate.Invoke(TAggregate.Invoke(a0, a1), TAggregate.Invoke(a2, a3));
            carry256 = TAggregate.Invoke(a0.GetLower(), a0.GetUpper());
        }

        if (Vector256.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector256<T>.Count;
            Vector256<T> a0 = carry256;
            if (!Vector512.IsHardwareAccelerated)
            {
                nuint half = length / (4 * width) * (2 * width);
                Vector256<T> a1 = a0, a2 = a0, a3 = a0;
                for (; i < half; i += 2 * width)
                {
                    a0 = TAggregate.Invoke(a0, TTransform.Invoke(Vector256.LoadUnsafe(ref x, i)));
                    a1 = TAggregate.Invoke(a1, TTransform.Invoke(Vector256.LoadUnsafe(ref x, i + width)));
                    a2 = TAggregate.Invoke(a2, TTransform.Invoke(Vector256.LoadUnsafe(ref x, half + i)));
                    a3 = TAggregate.Invoke(a3, TTransform.Invoke(Vector256.LoadUnsafe(ref x, half + i + width)));
                }

                a0 = TAggregate.Invoke(TAggregate.Invoke(a0, a1), TAggregate.Invoke(a2, a3));
                i = 2 * half;
            }

            for (; i + width <= length; i += width)
            {
                a0 = TAggregate.Invoke(a0, TTransform.Invoke(Vector256.LoadUnsafe(ref x, i)));
            }

            carry128 = TAggregate.Invoke(a0.GetLower(), a0.GetUpper());
        }

        if (Vector128.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector128<T>.Count;
            Vector128<T> a0 = carry128;
            if (!Vector256.IsHardwareAccelerated)
            {
                nuint half = length / (4 * width) * (2 * width);
                Vector128<T> a1 = a0, a2 = a0, a3 = a0;
                for (; i < half; i += 2 * width)
                {
                    a0 = TAggregate.Invoke(a0, TTransform.Invoke(Vector128.LoadUnsafe(ref x, i)));
                    a1 = TAggregate.Invoke(a1, TTransform.Invoke(Vector128.LoadUnsafe(ref x, i + width)));
                    a2 = TAggregate.Invoke(a2, TTransform.Invoke(Vector128.LoadUnsafe(ref x, half + i)));
                    a3 = TAggregate.Invoke(a3, TTransform.Invoke(Vector128.LoadUnsafe(ref x, half + i + width)));
                }

                a0 = TAggregate.Invoke(TAggregate.Invoke(a0, a1), TAggregate.Invoke(a2, a3));
                i = 2 * half;
            }

            for (; i + width <= length; i += width)
            {
                a0 = TAggregate.Invoke(a0, TTransform.Invoke(Vector128.LoadUnsafe(ref x, i)));
            }

            result = HorizontalAggregate<T, TAggregate>(a0);
        }

        for (; i < length; i++)
        {
            result = TAggregate.Invoke(result, TTransform.Invoke(Unsafe.Add(ref x, i)));
        }

        return result;
    }

    /// <summary>The lanes of <paramref name="x"/> combined into one, by folding it onto itself with shuffles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T HorizontalAggregate<T, TAggregate>(Vector128<T> x)
        where T : unmanaged
        where TAggregate : IAggregationOperator<T>
    {
        if (Unsafe.SizeOf<T>() == sizeof(int))
        {
            x = TAggregate.Invoke(x, Vector128.Shuffle(x.AsInt32(), Vector128.Create(2, 3, 0, 1)).As<int, T>());
            x = TAggregate.Invoke(x, Vector128.Shuffle(x.AsInt32(), Vector128.Create(1, 0, 3, 2)).As<int, T>());
        }
        else
        {
            x = TAggregate.Invoke(x, Vector128.Shuffle(x.AsInt64(), Vector128.Create(1L, 0L)).As<long, T>());
        }

        return x.ToScalar();
    }

    /// <summary><c>|x|</c>.</summary>
    private readonly struct AbsoluteOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x) => Vector512.Abs(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x) => Vector256.Abs(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x) => Vector128.Abs(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x) => T.Abs(x);
    }

    /// <summary>
    /// The larger of two magnitudes, with the runtime's <c>Max</c> at every width (its NaN rules are not
    /// relied on: <see cref="MaxMagnitude{T}"/> is not meaningful with NaN). The identity is 0, since
    /// magnitudes are never negative.
    /// </summary>
    private readonly struct MaxOperator<T> : IAggregationOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T IdentityValue => T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x, T y) => T.Max(x, y);
    }

    /// <summary>
    /// <c>x</c> with only its exponent field kept (a bitwise and with +∞, whose bits are exactly that field):
    /// +0 or a positive power of two when <c>x</c> is finite, +∞ when it is NaN or ±∞.
    /// </summary>
    private readonly struct ExponentFieldOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x) => x & Vector512.Create(T.PositiveInfinity);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x) => x & Vector256.Create(T.PositiveInfinity);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x) => x & Vector128.Create(T.PositiveInfinity);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x) => typeof(T) == typeof(float)
            ? Unsafe.BitCast<int, T>(Unsafe.BitCast<T, int>(x) & 0x7F80_0000)
            : Unsafe.BitCast<long, T>(Unsafe.BitCast<T, long>(x) & 0x7FF0_0000_0000_0000);
    }

    /// <summary>
    /// The larger of two exponent fields (values of <see cref="ExponentFieldOperator{T}"/>), as a maximum of
    /// 32-bit integers: their sign bit is clear, so the bits order them as their values do, and a double's
    /// low half is zero, so 32-bit lanes give each double's maximum too. That is one instruction at every
    /// width (AVX2 has no 64-bit integer maximum, and a floating-point one handles NaN at a cost).
    /// </summary>
    private readonly struct ExponentFieldMaxOperator<T> : IAggregationOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T IdentityValue => T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Max(x.AsInt32(), y.AsInt32()).As<int, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Max(x.AsInt32(), y.AsInt32()).As<int, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Max(x.AsInt32(), y.AsInt32()).As<int, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x, T y) => T.Max(x, y);
    }
}
#endif
