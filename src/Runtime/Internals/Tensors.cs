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
