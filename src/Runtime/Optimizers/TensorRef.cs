using System;
using Gen.__Internals;

namespace Gen;

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
