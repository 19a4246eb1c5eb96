using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gen.__Internals;

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

    /// <summary>
    /// The elements of a <typeparamref name="T"/> array of rank 1 to 3 in row-major order (empty for null);
    /// every flat view of a tensor (<see cref="TensorRef.AsSingleSpan"/>, the <c>AsSpan</c> overloads, the
    /// checkpoints' bytes) comes from here. Multi-dimensional arrays store their elements contiguously in
    /// row-major order after the bounds.
    /// </summary>
    internal static Span<T> FlatSpan<T>(Array? array)
        where T : unmanaged
    {
        if (array is null)
        {
            return default;
        }

#if NET8_0_OR_GREATER
        // GetArrayDataReference returns a reference to the first element for any rank.
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);
#else
        // netstandard2.1 has no GetArrayDataReference: the first element's reference comes from the typed
        // array, which has one only when it is not empty.
        return array switch
        {
            T[] vector => vector,
            T[,] matrix => matrix.Length == 0 ? default : MemoryMarshal.CreateSpan(ref matrix[0, 0], matrix.Length),
            T[,,] cube => cube.Length == 0 ? default : MemoryMarshal.CreateSpan(ref cube[0, 0, 0], cube.Length),
            _ => throw new ArgumentException($"An array of rank {array.Rank} and element type {array.GetType().GetElementType()} is not a tensor of {typeof(T).Name}.", nameof(array)),
        };
#endif
    }

    private static Array NotNull(Array? source, string member) =>
        source ?? throw new ArgumentException($"Model member '{member}' is null: assign its array before creating gradients or an optimizer for the model.", member);
}
