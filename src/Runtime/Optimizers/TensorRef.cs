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

    /// <summary>bfloat16, held as its bits in a <see cref="ushort"/> (optimizer state with <c>StatePrecision.BFloat16</c>).</summary>
    BFloat16 = 2,

    /// <summary>IEEE binary16, held as its bits in a <see cref="ushort"/> (optimizer state with <c>StatePrecision.Float16</c>).</summary>
    Float16 = 3,

    /// <summary>
    /// A <see cref="byte"/>: the code indices of 8-bit block-wise optimizer state (<c>StatePrecision.Int8Blockwise</c>),
    /// each an index into a 256-entry code table.
    /// </summary>
    UInt8 = 4,
}

/// <summary>
/// A named view of one array of a model, a gradient container or an optimizer state:
/// <c>float[]</c>, <c>double[]</c>, <c>float[,]</c>, <c>double[,]</c>, <c>float[,,]</c> or <c>double[,,]</c>, or for
/// 16-bit optimizer state a <c>ushort[]</c> of bfloat16 or float16 bits, or for 8-bit optimizer state a <c>byte[]</c> of codes.
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

    /// <summary>Wraps a <c>ushort[]</c> holding the bits of 16-bit floats of <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not <see cref="TensorElement.BFloat16"/> or <see cref="TensorElement.Float16"/>.</exception>
    public TensorRef(string name, ushort[]? bits, TensorElement format)
        : this(name, (Array?)bits, format is TensorElement.BFloat16 or TensorElement.Float16
            ? format
            : throw new ArgumentOutOfRangeException(nameof(format), format, "A ushort[] holds BFloat16 or Float16 bits."))
    {
    }

    /// <summary>Wraps a <c>byte[]</c> of 8-bit codes (<see cref="TensorElement.UInt8"/>).</summary>
    public TensorRef(string name, byte[]? codes) : this(name, codes, TensorElement.UInt8) { }

    /// <summary>The member name, as declared in the model class.</summary>
    public string Name { get; }

    /// <summary>The array, or null when the member holds none.</summary>
    public Array? Array { get; }

    /// <summary>The element type of <see cref="Array"/>.</summary>
    public TensorElement Element { get; }

    /// <summary>Number of elements, 0 when <see cref="Array"/> is null.</summary>
    public int Length => Array?.Length ?? 0;

    /// <summary>Bytes of the elements: <see cref="Length"/> times 4, 8, 2 or 1.</summary>
    public long ByteLength => (long)Length * Element switch
    {
        TensorElement.Single => sizeof(float),
        TensorElement.Double => sizeof(double),
        TensorElement.UInt8 => sizeof(byte),
        _ => sizeof(ushort),
    };

    /// <summary>The elements in row-major order. Throws when the element type is not <see cref="float"/>.</summary>
    public Span<float> AsSingleSpan() => Element == TensorElement.Single
        ? Tensors.FlatSpan<float>(Array)
        : throw new InvalidOperationException($"'{Name}' holds {Element} elements, not float.");

    /// <summary>The elements in row-major order. Throws when the element type is not <see cref="double"/>.</summary>
    public Span<double> AsDoubleSpan() => Element == TensorElement.Double
        ? Tensors.FlatSpan<double>(Array)
        : throw new InvalidOperationException($"'{Name}' holds {Element} elements, not double.");

    /// <summary>The 16-bit elements' bits. Throws when the element type is not <see cref="TensorElement.BFloat16"/> or <see cref="TensorElement.Float16"/>.</summary>
    public Span<ushort> AsBitsSpan() => Element is TensorElement.BFloat16 or TensorElement.Float16
        ? ((ushort[])Array!).AsSpan()
        : throw new InvalidOperationException($"'{Name}' holds {Element} elements, not 16-bit ones.");

    /// <summary>The bytes. Throws when the element type is not <see cref="TensorElement.UInt8"/>.</summary>
    public Span<byte> AsByteSpan() => Element == TensorElement.UInt8
        ? ((byte[])Array!).AsSpan()
        : throw new InvalidOperationException($"'{Name}' holds {Element} elements, not bytes.");
}
