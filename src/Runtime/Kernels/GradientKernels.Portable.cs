#if !NET8_0_OR_GREATER
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gen.__Internals;

namespace Gen;

/// <content>
/// The netstandard2.1 build's kernels (Unity's Mono and IL2CPP), which have neither <c>Vector128/256/512</c>
/// nor generic math: the same methods with the same arguments as the .NET 8 build, and the same results bit
/// for bit. They use <see cref="Vector{T}"/> where it is hardware-accelerated (its width is the machine's:
/// 4 floats on Mono, 8 or 16 on .NET) and single elements otherwise. The element-wise operations are one IEEE
/// operation per element on either path. <see cref="SumOfSquares(ReadOnlySpan{float})"/> keeps the class's
/// order exactly: each register of a 32-element block holds lanes <c>k·w</c> to <c>k·w + w − 1</c> of the 32,
/// whatever its width <c>w</c> (which divides 32), so lane <c>j</c> receives elements <c>j</c>, <c>j + 32</c>,
/// ... in index order on every path. Generic methods take <see cref="float"/> or <see cref="double"/>
/// (the .NET 8 build's <c>IFloatingPointIeee754</c> constraint has no netstandard2.1 counterpart) and
/// reinterpret their spans as that type; read-only spans are read through <see cref="ReadOnlySpans"/>.
/// </content>
internal static partial class GradientKernels
{
    /// <summary><c>x ← x·factor</c> for every element.</summary>
    public static void Multiply<T>(Span<T> values, T factor)
        where T : unmanaged
    {
        if (IsSingle<T>())
        {
            InvokeSpanScalarInPlace<float, MultiplyOperator>(MemoryMarshal.Cast<T, float>(values), As<T, float>(factor));
        }
        else
        {
            InvokeSpanScalarInPlace<double, MultiplyOperator>(MemoryMarshal.Cast<T, double>(values), As<T, double>(factor));
        }
    }

    /// <summary><c>x ← x / divisor</c> for every element (one correctly rounded division each).</summary>
    public static void Divide<T>(Span<T> values, T divisor)
        where T : unmanaged
    {
        if (IsSingle<T>())
        {
            InvokeSpanScalarInPlace<float, DivideOperator>(MemoryMarshal.Cast<T, float>(values), As<T, float>(divisor));
        }
        else
        {
            InvokeSpanScalarInPlace<double, DivideOperator>(MemoryMarshal.Cast<T, double>(values), As<T, double>(divisor));
        }
    }

    /// <summary>
    /// <c>x ← limit if x &gt; limit, −limit if x &lt; −limit, else x</c> for every element: NaN stays NaN
    /// (both comparisons are false for it).
    /// </summary>
    public static void ClampMagnitude<T>(Span<T> values, T limit)
        where T : unmanaged
    {
        if (IsSingle<T>())
        {
            InvokeSpanScalarInPlace<float, ClampMagnitudeOperator>(MemoryMarshal.Cast<T, float>(values), As<T, float>(limit));
        }
        else
        {
            InvokeSpanScalarInPlace<double, ClampMagnitudeOperator>(MemoryMarshal.Cast<T, double>(values), As<T, double>(limit));
        }
    }

    /// <summary><c>x ← x + y</c> for every element.</summary>
    public static void Add<T>(Span<T> values, ReadOnlySpan<T> addend)
        where T : unmanaged
    {
        if (addend.Length != values.Length)
        {
            Guard.ThrowBufferLengthMismatch();
        }

        Span<T> operands = ReadOnlySpans.ForReading(addend);
        if (IsSingle<T>())
        {
            InvokeSpanSpanInPlace<float, AddOperator>(MemoryMarshal.Cast<T, float>(values), MemoryMarshal.Cast<T, float>(operands));
        }
        else
        {
            InvokeSpanSpanInPlace<double, AddOperator>(MemoryMarshal.Cast<T, double>(values), MemoryMarshal.Cast<T, double>(operands));
        }
    }

    /// <summary>
    /// <c>Σ x²</c> over the elements, each widened to double (exactly; the square of a float is then
    /// exact too), in the width-independent order described on the class.
    /// </summary>
    public static double SumOfSquares(ReadOnlySpan<float> values)
    {
        Span<float> x = ReadOnlySpans.ForReading(values);
        Span<double> lanes = stackalloc double[SumLanes];
        lanes.Clear();
        int i = 0;
        if (Vector.IsHardwareAccelerated && SumLanes % Vector<float>.Count == 0)
        {
            // Whole blocks of 32: float register k widens to double registers 2k and 2k + 1 of the lanes.
            Span<Vector<double>> lane = MemoryMarshal.Cast<double, Vector<double>>(lanes);
            Span<Vector<float>> blocks = MemoryMarshal.Cast<float, Vector<float>>(x.Slice(0, x.Length - (x.Length % SumLanes)));
            int perBlock = SumLanes / Vector<float>.Count;
            for (int b = 0; b < blocks.Length; b += perBlock)
            {
                for (int k = 0; k < perBlock; k++)
                {
                    Vector.Widen(blocks[b + k], out Vector<double> low, out Vector<double> high);
                    lane[2 * k] += low * low;
                    lane[(2 * k) + 1] += high * high;
                }
            }

            i = blocks.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            double w = x[i];
            lanes[i % SumLanes] += w * w;
        }

        return FoldLanes(lanes);
    }

    /// <inheritdoc cref="SumOfSquares(ReadOnlySpan{float})"/>
    public static double SumOfSquares(ReadOnlySpan<double> values)
    {
        Span<double> x = ReadOnlySpans.ForReading(values);
        Span<double> lanes = stackalloc double[SumLanes];
        lanes.Clear();
        int i = 0;
        if (Vector.IsHardwareAccelerated && SumLanes % Vector<double>.Count == 0)
        {
            // Whole blocks of 32: register k holds lanes k·w to k·w + w − 1.
            Span<Vector<double>> lane = MemoryMarshal.Cast<double, Vector<double>>(lanes);
            Span<Vector<double>> blocks = MemoryMarshal.Cast<double, Vector<double>>(x.Slice(0, x.Length - (x.Length % SumLanes)));
            int perBlock = SumLanes / Vector<double>.Count;
            for (int b = 0; b < blocks.Length; b += perBlock)
            {
                for (int k = 0; k < perBlock; k++)
                {
                    Vector<double> v = blocks[b + k];
                    lane[k] += v * v;
                }
            }

            i = blocks.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            double w = x[i];
            lanes[i % SumLanes] += w * w;
        }

        return FoldLanes(lanes);
    }

    /// <summary>
    /// <c>Σ (x·scale)²</c> in the same order as <see cref="SumOfSquares(ReadOnlySpan{float})"/>, element by
    /// element: the rare second pass of <see cref="GradientsBase.L2Norm"/> when the plain sum overflowed
    /// or may have underflowed, with <paramref name="scale"/> a power of two. Scalar code, so the same
    /// on every machine.
    /// </summary>
    public static double ScaledSumOfSquares<T>(ReadOnlySpan<T> values, double scale)
        where T : unmanaged
    {
        Span<T> elements = ReadOnlySpans.ForReading(values);
        Span<double> lanes = stackalloc double[SumLanes];
        lanes.Clear();
        if (IsSingle<T>())
        {
            Span<float> x = MemoryMarshal.Cast<T, float>(elements);
            for (int i = 0; i < x.Length; i++)
            {
                double w = x[i] * scale;
                lanes[i % SumLanes] += w * w;
            }
        }
        else
        {
            Span<double> x = MemoryMarshal.Cast<T, double>(elements);
            for (int i = 0; i < x.Length; i++)
            {
                double w = x[i] * scale;
                lanes[i % SumLanes] += w * w;
            }
        }

        return FoldLanes(lanes);
    }

    /// <summary>The largest <c>|x|</c>, as a double; 0 for an empty span. Not meaningful when an element is NaN.</summary>
    public static double MaxMagnitude<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        _ = IsSingle<T>();   // float or double, else NotSupportedException, whatever the length
        return LargestMagnitude(ReadOnlySpans.ForReading(values));
    }

    /// <summary>
    /// Index of the first NaN or infinite element (all exponent bits set), or −1 when every element is
    /// finite. A first pass over whole registers keeps the largest exponent field (as 32-bit integers, as
    /// the .NET 8 build does: a field's sign bit is clear and a double's low half is then zero), which is
    /// the infinite one exactly when some element is NaN or ±∞; only then does the search from the first
    /// element run. Without acceleration the search is the only pass.
    /// </summary>
    public static int IndexOfNonFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        Span<T> elements = ReadOnlySpans.ForReading(values);
        bool single = IsSingle<T>();
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<int>> registers = MemoryMarshal.Cast<T, Vector<int>>(elements);
            Vector<int> field = single
                ? new Vector<int>(0x7F80_0000)
                : Vector.AsVectorInt32(new Vector<long>(0x7FF0_0000_0000_0000));
            Vector<int> largest = Vector<int>.Zero;
            for (int k = 0; k < registers.Length; k++)
            {
                largest = Vector.Max(largest, registers[k] & field);
            }

            bool found = single
                ? Vector.EqualsAny(largest, field)
                : Vector.EqualsAny(Vector.AsVectorInt64(largest), Vector.AsVectorInt64(field));
            if (!found)
            {
                i = registers.Length * Vector<T>.Count;
            }
        }

        if (single)
        {
            Span<int> bits = MemoryMarshal.Cast<T, int>(elements);
            for (; i < bits.Length; i++)
            {
                if ((bits[i] & 0x7F80_0000) == 0x7F80_0000)
                {
                    return i;
                }
            }
        }
        else
        {
            Span<long> bits = MemoryMarshal.Cast<T, long>(elements);
            for (; i < bits.Length; i++)
            {
                if ((bits[i] & 0x7FF0_0000_0000_0000) == 0x7FF0_0000_0000_0000)
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>True for <see cref="float"/>, false for <see cref="double"/>; throws for any other type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSingle<T>()
    {
        if (typeof(T) == typeof(float))
        {
            return true;
        }

        return typeof(T) == typeof(double)
            ? false
            : throw new NotSupportedException($"The gradient kernels take float or double elements, not {typeof(T).Name}.");
    }

    /// <summary>The bits of <paramref name="value"/> as a <typeparamref name="TTo"/> of the same size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTo As<TFrom, TTo>(TFrom value)
        where TFrom : unmanaged
        where TTo : unmanaged =>
        MemoryMarshal.Cast<TFrom, TTo>(MemoryMarshal.CreateSpan(ref value, 1))[0];

    /// <summary>
    /// The largest <c>|x|</c> of float or double elements, as a double (widening is exact and keeps the order,
    /// so the maximum of the widened values is the widened maximum).
    /// </summary>
    private static double LargestMagnitude<T>(Span<T> x)
        where T : unmanaged
    {
        double result = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<T>> registers = MemoryMarshal.Cast<T, Vector<T>>(x);
            Vector<T> largest = Vector<T>.Zero;
            for (int k = 0; k < registers.Length; k++)
            {
                largest = Vector.Max(largest, Vector.Abs(registers[k]));
            }

            for (int lane = 0; lane < Vector<T>.Count; lane++)
            {
                result = Math.Max(result, ToDouble(largest[lane]));
            }

            i = registers.Length * Vector<T>.Count;
        }

        for (; i < x.Length; i++)
        {
            result = Math.Max(result, Math.Abs(ToDouble(x[i])));
        }

        return result;
    }

    /// <summary>A float or double element as a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ToDouble<T>(T value)
        where T : unmanaged =>
        IsSingle<T>() ? As<T, float>(value) : As<T, double>(value);

    /// <summary><c>x ← TOperator(x, operand)</c> for every element: whole registers, then single elements.</summary>
    private static void InvokeSpanScalarInPlace<T, TOperator>(Span<T> values, T operand)
        where T : unmanaged
        where TOperator : struct, IBinaryOperator<T>
    {
        TOperator operation = default;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<T>> registers = MemoryMarshal.Cast<T, Vector<T>>(values);
            var y = new Vector<T>(operand);
            for (int k = 0; k < registers.Length; k++)
            {
                registers[k] = operation.Invoke(registers[k], y);
            }

            i = registers.Length * Vector<T>.Count;
        }

        for (; i < values.Length; i++)
        {
            values[i] = operation.Invoke(values[i], operand);
        }
    }

    /// <summary>
    /// <c>x ← TOperator(x, y)</c> for every element of <paramref name="values"/> and the element of
    /// <paramref name="operands"/> at the same index. The caller checks that the lengths are equal.
    /// </summary>
    private static void InvokeSpanSpanInPlace<T, TOperator>(Span<T> values, Span<T> operands)
        where T : unmanaged
        where TOperator : struct, IBinaryOperator<T>
    {
        TOperator operation = default;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<T>> registers = MemoryMarshal.Cast<T, Vector<T>>(values);
            Span<Vector<T>> operandRegisters = MemoryMarshal.Cast<T, Vector<T>>(operands);
            for (int k = 0; k < registers.Length; k++)
            {
                registers[k] = operation.Invoke(registers[k], operandRegisters[k]);
            }

            i = registers.Length * Vector<T>.Count;
        }

        for (; i < values.Length; i++)
        {
            values[i] = operation.Invoke(values[i], operands[i]);
        }
    }

    /// <summary>An element-wise operation on two operands, for a register and for one element.</summary>
    private interface IBinaryOperator<T>
        where T : unmanaged
    {
        Vector<T> Invoke(Vector<T> x, Vector<T> y);

        T Invoke(T x, T y);
    }

    /// <summary><c>x + y</c>.</summary>
    private readonly struct AddOperator : IBinaryOperator<float>, IBinaryOperator<double>
    {
        public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x + y;

        public float Invoke(float x, float y) => x + y;

        public Vector<double> Invoke(Vector<double> x, Vector<double> y) => x + y;

        public double Invoke(double x, double y) => x + y;
    }

    /// <summary><c>x·y</c>.</summary>
    private readonly struct MultiplyOperator : IBinaryOperator<float>, IBinaryOperator<double>
    {
        public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x * y;

        public float Invoke(float x, float y) => x * y;

        public Vector<double> Invoke(Vector<double> x, Vector<double> y) => x * y;

        public double Invoke(double x, double y) => x * y;
    }

    /// <summary><c>x / y</c>.</summary>
    private readonly struct DivideOperator : IBinaryOperator<float>, IBinaryOperator<double>
    {
        public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x / y;

        public float Invoke(float x, float y) => x / y;

        public Vector<double> Invoke(Vector<double> x, Vector<double> y) => x / y;

        public double Invoke(double x, double y) => x / y;
    }

    /// <summary><c>x</c> clamped to [−y, y] with two compare-and-selects, as in the .NET 8 build: NaN passes through.</summary>
    private readonly struct ClampMagnitudeOperator : IBinaryOperator<float>, IBinaryOperator<double>
    {
        public Vector<float> Invoke(Vector<float> x, Vector<float> y) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, y), y, Vector.ConditionalSelect(Vector.LessThan(x, -y), -y, x));

        public float Invoke(float x, float y) => x > y ? y : x < -y ? -y : x;

        public Vector<double> Invoke(Vector<double> x, Vector<double> y) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, y), y, Vector.ConditionalSelect(Vector.LessThan(x, -y), -y, x));

        public double Invoke(double x, double y) => x > y ? y : x < -y ? -y : x;
    }
}
#endif
