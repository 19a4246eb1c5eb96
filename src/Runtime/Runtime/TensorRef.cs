using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gen.Runtime;

/// <summary>The element type of a parameter, gradient or state buffer.</summary>
public enum TensorElement : byte
{
    /// <summary><see cref="float"/>.</summary>
    Single = 0,

    /// <summary><see cref="double"/>.</summary>
    Double = 1,
}

/// <summary>
/// A named view of one array of a model, a gradient container or an optimizer state:
/// <c>float[]</c>, <c>double[]</c>, <c>float[,]</c>, <c>double[,]</c>, <c>float[,,]</c> or <c>double[,,]</c>.
/// The constructors are typed so that <see cref="Element"/> always matches the array.
/// </summary>
public readonly struct TensorRef
{
    private TensorRef(string name, Array? array, TensorElement element)
    {
        Name = name;
        Array = array;
        Element = element;
    }

    /// <summary>Wraps a <c>float[]</c>.</summary>
    public TensorRef(string name, float[]? array) : this(name, array, TensorElement.Single) { }

    /// <summary>Wraps a <c>float[,]</c>.</summary>
    public TensorRef(string name, float[,]? array) : this(name, array, TensorElement.Single) { }

    /// <summary>Wraps a <c>float[,,]</c>.</summary>
    public TensorRef(string name, float[,,]? array) : this(name, array, TensorElement.Single) { }

    /// <summary>Wraps a <c>double[]</c>.</summary>
    public TensorRef(string name, double[]? array) : this(name, array, TensorElement.Double) { }

    /// <summary>Wraps a <c>double[,]</c>.</summary>
    public TensorRef(string name, double[,]? array) : this(name, array, TensorElement.Double) { }

    /// <summary>Wraps a <c>double[,,]</c>.</summary>
    public TensorRef(string name, double[,,]? array) : this(name, array, TensorElement.Double) { }

    /// <summary>The member name, as declared in the model class.</summary>
    public string Name { get; }

    /// <summary>The array, or null when the member holds none.</summary>
    public Array? Array { get; }

    /// <summary>The element type of <see cref="Array"/>.</summary>
    public TensorElement Element { get; }

    /// <summary>Number of elements, 0 when <see cref="Array"/> is null.</summary>
    public int Length => Array?.Length ?? 0;

    /// <summary>The elements in row-major order. Throws when the element type is not <see cref="float"/>.</summary>
    public Span<float> AsSingleSpan() => Element == TensorElement.Single
        ? Tensors.FlatSpan<float>(Array)
        : throw new InvalidOperationException($"'{Name}' holds double elements, not float.");

    /// <summary>The elements in row-major order. Throws when the element type is not <see cref="double"/>.</summary>
    public Span<double> AsDoubleSpan() => Element == TensorElement.Double
        ? Tensors.FlatSpan<double>(Array)
        : throw new InvalidOperationException($"'{Name}' holds float elements, not double.");
}

/// <summary>Span, shape and allocation helpers for the array types Gen trains. Called by generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Tensors
{
    /// <summary>The elements of a rank-1..3 array in row-major order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<float> AsSpan(float[] array) => array;

    /// <inheritdoc cref="AsSpan(float[])"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<float> AsSpan(float[,] array) => FlatSpan<float>(array);

    /// <inheritdoc cref="AsSpan(float[])"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<float> AsSpan(float[,,] array) => FlatSpan<float>(array);

    /// <inheritdoc cref="AsSpan(float[])"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<double> AsSpan(double[] array) => array;

    /// <inheritdoc cref="AsSpan(float[])"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<double> AsSpan(double[,] array) => FlatSpan<double>(array);

    /// <inheritdoc cref="AsSpan(float[])"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<double> AsSpan(double[,,] array) => FlatSpan<double>(array);

    /// <summary>A zeroed array with the shape of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is null; the message names <paramref name="member"/>.</exception>
    public static float[] ZerosLike(float[]? source, string member) => new float[NotNull(source, member).Length];

    /// <inheritdoc cref="ZerosLike(float[], string)"/>
    public static float[,] ZerosLike(float[,]? source, string member) =>
        new float[NotNull(source, member).GetLength(0), source!.GetLength(1)];

    /// <inheritdoc cref="ZerosLike(float[], string)"/>
    public static float[,,] ZerosLike(float[,,]? source, string member) =>
        new float[NotNull(source, member).GetLength(0), source!.GetLength(1), source.GetLength(2)];

    /// <inheritdoc cref="ZerosLike(float[], string)"/>
    public static double[] ZerosLike(double[]? source, string member) => new double[NotNull(source, member).Length];

    /// <inheritdoc cref="ZerosLike(float[], string)"/>
    public static double[,] ZerosLike(double[,]? source, string member) =>
        new double[NotNull(source, member).GetLength(0), source!.GetLength(1)];

    /// <inheritdoc cref="ZerosLike(float[], string)"/>
    public static double[,,] ZerosLike(double[,,]? source, string member) =>
        new double[NotNull(source, member).GetLength(0), source!.GetLength(1), source.GetLength(2)];

    /// <summary>The shape of an array as text, e.g. <c>[16, 32]</c>.</summary>
    public static string FormatShape(Array array)
    {
        var text = new System.Text.StringBuilder("[");
        for (int d = 0; d < array.Rank; d++)
        {
            if (d > 0)
            {
                text.Append(", ");
            }

            text.Append(array.GetLength(d));
        }

        return text.Append(']').ToString();
    }

    /// <summary>True when both arrays have the same rank and the same length in every dimension.</summary>
    public static bool SameShape(Array a, Array b)
    {
        if (a.Rank != b.Rank)
        {
            return false;
        }

        for (int d = 0; d < a.Rank; d++)
        {
            if (a.GetLength(d) != b.GetLength(d))
            {
                return false;
            }
        }

        return true;
    }

    internal static Span<T> FlatSpan<T>(Array? array)
        where T : unmanaged
    {
        if (array is null)
        {
            return default;
        }

        // Multi-dimensional arrays store their elements contiguously in row-major order after the
        // bounds; GetArrayDataReference returns a reference to the first element for any rank.
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);
    }

    private static Array NotNull(Array? source, string member) =>
        source ?? throw new ArgumentException($"Model member '{member}' is null: assign its array before creating gradients or an optimizer for the model.", member);
}
