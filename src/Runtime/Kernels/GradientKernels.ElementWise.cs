#if NET8_0_OR_GREATER
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen;

/// <content>The in-place element-wise drivers and their operations (multiply, divide, clamp, add).</content>
internal static partial class GradientKernels
{
    /// <summary><c>x ← TOperator(x, operand)</c> for every element.</summary>
    private static void InvokeSpanScalarInPlace<T, TOperator>(Span<T> values, T operand)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : IBinaryOperator<T>
    {
        ref T x = ref MemoryMarshal.GetReference(values);
        nuint length = (nuint)values.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<T> y = Vector512.Create(operand);
            nuint width = (nuint)Vector512<T>.Count;
            for (; i + (4 * width) <= length; i += 4 * width)
            {
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i), y), ref x, i);
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i + width), y), ref x, i + width);
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i + (2 * width)), y), ref x, i + (2 * width));
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i + (3 * width)), y), ref x, i + (3 * width));
            }

            for (; i + width <= length; i += width)
            {
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i), y), ref x, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<T> y = Vector256.Create(operand);
            nuint width = (nuint)Vector256<T>.Count;
            if (!Vector512.IsHardwareAccelerated)
            {
                for (; i + (4 * width) <= length; i += 4 * width)
                {
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i), y), ref x, i);
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i + width), y), ref x, i + width);
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i + (2 * width)), y), ref x, i + (2 * width));
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i + (3 * width)), y), ref x, i + (3 * width));
                }
            }

            for (; i + width <= length; i += width)
            {
                Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i), y), ref x, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<T> y = Vector128.Create(operand);
            nuint width = (nuint)Vector128<T>.Count;
            if (!Vector256.IsHardwareAccelerated)
            {
                for (; i + (4 * width) <= length; i += 4 * width)
                {
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i), y), ref x, i);
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i + width), y), ref x, i + width);
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i + (2 * width)), y), ref x, i + (2 * width));
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i + (3 * width)), y), ref x, i + (3 * width));
                }
            }

            for (; i + width <= length; i += width)
            {
                Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i), y), ref x, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref x, i) = TOperator.Invoke(Unsafe.Add(ref x, i), operand);
        }
    }

    /// <summary>
    /// <c>x ← TOperator(x, y)</c> for every element of <paramref name="values"/> and the element of
    /// <paramref name="operands"/> at the same index. The caller checks that the lengths are equal.
    /// </summary>
    private static void InvokeSpanSpanInPlace<T, TOperator>(Span<T> values, ReadOnlySpan<T> operands)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : IBinaryOperator<T>
    {
        ref T x = ref MemoryMarshal.GetReference(values);
        ref T y = ref MemoryMarshal.GetReference(operands);
        nuint length = (nuint)values.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector512<T>.Count;
            for (; i + (4 * width) <= length; i += 4 * width)
            {
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i)), ref x, i);
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i + width), Vector512.LoadUnsafe(ref y, i + width)), ref x, i + width);
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i + (2 * width)), Vector512.LoadUnsafe(ref y, i + (2 * width))), ref x, i + (2 * width));
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i + (3 * width)), Vector512.LoadUnsafe(ref y, i + (3 * width))), ref x, i + (3 * width));
            }

            for (; i + width <= length; i += width)
            {
                Vector512.StoreUnsafe(TOperator.Invoke(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i)), ref x, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector256<T>.Count;
            if (!Vector512.IsHardwareAccelerated)
            {
                for (; i + (4 * width) <= length; i += 4 * width)
                {
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i)), ref x, i);
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i + width), Vector256.LoadUnsafe(ref y, i + width)), ref x, i + width);
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i + (2 * width)), Vector256.LoadUnsafe(ref y, i + (2 * width))), ref x, i + (2 * width));
                    Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i + (3 * width)), Vector256.LoadUnsafe(ref y, i + (3 * width))), ref x, i + (3 * width));
                }
            }

            for (; i + width <= length; i += width)
            {
                Vector256.StoreUnsafe(TOperator.Invoke(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i)), ref x, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            nuint width = (nuint)Vector128<T>.Count;
            if (!Vector256.IsHardwareAccelerated)
            {
                for (; i + (4 * width) <= length; i += 4 * width)
                {
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i)), ref x, i);
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i + width), Vector128.LoadUnsafe(ref y, i + width)), ref x, i + width);
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i + (2 * width)), Vector128.LoadUnsafe(ref y, i + (2 * width))), ref x, i + (2 * width));
                    Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i + (3 * width)), Vector128.LoadUnsafe(ref y, i + (3 * width))), ref x, i + (3 * width));
                }
            }

            for (; i + width <= length; i += width)
            {
                Vector128.StoreUnsafe(TOperator.Invoke(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i)), ref x, i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref x, i) = TOperator.Invoke(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
        }
    }

    /// <summary><c>x + y</c>.</summary>
    private readonly struct AddOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x, T y) => x + y;
    }

    /// <summary><c>x·y</c>.</summary>
    private readonly struct MultiplyOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x, T y) => x * y;
    }

    /// <summary><c>x / y</c>.</summary>
    private readonly struct DivideOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x / y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x / y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x / y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x, T y) => x / y;
    }

    /// <summary>
    /// <c>x</c> clamped to [−y, y] with two compare-and-selects rather than Min/Max, whose NaN and
    /// signed-zero rules differ between .NET 8 and later: a comparison with NaN is false, so NaN passes through.
    /// </summary>
    private readonly struct ClampMagnitudeOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, y), y, Vector512.ConditionalSelect(Vector512.LessThan(x, -y), -y, x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, y), y, Vector256.ConditionalSelect(Vector256.LessThan(x, -y), -y, x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) =>
            Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), y, Vector128.ConditionalSelect(Vector128.LessThan(x, -y), -y, x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke(T x, T y) => x > y ? y : x < -y ? -y : x;
    }
}
#endif
