using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;

namespace Gen.__Internals;

/// <summary>
/// One state buffer of one member kept as bitsandbytes' 8-bit block-wise state (<c>StatePrecision.Int8Blockwise</c>):
/// one byte per element, an index into <see cref="DynamicCode"/>'s signed or unsigned table, and one float absmax per
/// block of <see cref="BlockSize"/> elements (<see cref="BlockwiseQuantization"/>). A generated optimizer's
/// <c>UpdateBlocks</c> reads a block into a float temporary (<see cref="Load"/>), runs the float32 kernel on it and
/// writes it back (<see cref="Store"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class BlockwiseState
{
    /// <summary>Elements per block: one absmax each (bitsandbytes' optimizers use 256).</summary>
    public const int BlockSize = BlockwiseQuantization.BlockSize;

    /// <summary>
    /// The fewest elements a member needs for 8-bit state: smaller members keep float32 state, as bitsandbytes'
    /// <c>min_8bit_size = 4096</c> (<c>bitsandbytes/optim/optimizer.py</c>).
    /// </summary>
    public const int MinLength = 4096;

    // Copies of the code tables for GetState: a user writing through a TensorRef must not change the quantizer's own.
    private static readonly float[] s_signedTable = DynamicCode.Signed.ToArray();
    private static readonly float[] s_unsignedTable = DynamicCode.Unsigned.ToArray();

    private readonly float _initialValue;

    /// <summary>A buffer of <paramref name="length"/> elements, each <paramref name="initialValue"/> (see <see cref="Reset"/>).</summary>
    /// <param name="length">The member's element count.</param>
    /// <param name="signed">Whether to use the signed code (for buffers that change sign) or the unsigned one.</param>
    /// <param name="initialValue">The value after construction and <see cref="Reset"/>.</param>
    public BlockwiseState(int length, bool signed, float initialValue)
    {
        Codes = new byte[length];
        Absmax = new float[BlockwiseQuantization.BlockCount(length)];
        Signed = signed;
        _initialValue = initialValue;
        Reset();
    }

    /// <summary>Whether <paramref name="length"/> elements get 8-bit state: at least <see cref="MinLength"/>.</summary>
    public static bool Quantizes(int length) => length >= MinLength;

    /// <summary>One code index per element.</summary>
    public byte[] Codes { get; }

    /// <summary>One absmax per block.</summary>
    public float[] Absmax { get; }

    /// <summary>Whether the codes index <see cref="DynamicCode.Signed"/> (else <see cref="DynamicCode.Unsigned"/>).</summary>
    public bool Signed { get; }

    /// <summary>The member's element count.</summary>
    public int Length => Codes.Length;

    /// <summary>
    /// The code table the codes index, as exposed for checkpoints (bitsandbytes' <c>qmap</c>): a copy shared by every
    /// optimizer, equal to the quantizer's bit for bit.
    /// </summary>
    public float[] Table => Signed ? s_signedTable : s_unsignedTable;

    /// <summary>
    /// Sets every element to the initial value: a nonzero value as <see cref="BlockwiseQuantization.QuantizeBlock"/>
    /// quantizes a block of it (absmax its magnitude, every code the index of ±1 after the reciprocal multiply); zero
    /// as the code's own 0 entry with absmax 0, which dequantizes to +0 exactly as float32 state starts (the quantizer's
    /// index 0 for an all-zero block dequantizes to −0 in the signed code, which a first step would carry into a
    /// momentum of −0 where the gradient is −0).
    /// </summary>
    public void Reset()
    {
        Span<float> block = stackalloc float[BlockSize];
        block.Fill(_initialValue);
        Span<byte> codes = stackalloc byte[BlockSize];
        float absmax = 0;
        if (_initialValue == 0)
        {
            codes.Fill((byte)DynamicCode.IndexOf(0f, Signed));
        }
        else
        {
            absmax = BlockwiseQuantization.QuantizeBlock(block, codes, Signed);
        }

        // Every element of a constant block gets the same code, whatever the block's length.
        Codes.AsSpan().Fill(codes[0]);
        Absmax.AsSpan().Fill(absmax);
    }

    /// <summary>
    /// The block that slice <paramref name="start"/> of the member begins with. Slices start at block boundaries (the
    /// step workers split members at multiples of 256 elements).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is not a multiple of <see cref="BlockSize"/>.</exception>
    public static int FirstBlock(int start) => start % BlockSize == 0
        ? start / BlockSize
        : throw new ArgumentOutOfRangeException(nameof(start), start, $"A slice of 8-bit block-wise state must start at a multiple of {BlockSize} elements.");

    /// <summary>Dequantizes block <paramref name="block"/> into the start of <paramref name="temporary"/> and returns that part (the block's length).</summary>
    public Span<float> Load(int block, Span<float> temporary)
    {
        int start = block * BlockSize;
        int length = Math.Min(BlockSize, Codes.Length - start);
        Span<float> values = temporary.Slice(0, length);
        BlockwiseQuantization.DequantizeBlock(Codes.AsSpan(start, length), Absmax[block], values, Signed);
        return values;
    }

    /// <summary>Dequantizes every element into <paramref name="destination"/>, which has <see cref="Length"/> elements.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another length.</exception>
    public void Dequantize(Span<float> destination)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException($"The destination has {destination.Length} elements, this state {Length}.", nameof(destination));
        }

        for (int block = 0; block * BlockSize < Length; block++)
        {
            Load(block, destination.Slice(block * BlockSize));
        }
    }

    /// <summary>Quantizes <paramref name="values"/> into block <paramref name="block"/>: its codes and its absmax.</summary>
    public void Store(int block, Span<float> values) =>
        Absmax[block] = BlockwiseQuantization.QuantizeBlock(values, Codes.AsSpan(block * BlockSize, values.Length), Signed);

    /// <summary>
    /// Adds this buffer's checkpoint tensors, bitsandbytes' names with <paramref name="number"/> (1-based, the buffer's
    /// place in the optimizer's buffers): <c>state{k}</c> (U8, the member's shape), <c>absmax{k}</c> (F32, one per
    /// block) and <c>qmap{k}</c> (F32, the 256-entry code, constant). <paramref name="key"/> is PyTorch's name of the
    /// buffer (<c>exp_avg</c>), which a converting checkpoint load maps to and from.
    /// </summary>
    public void AddStates(List<OptimizerState> states, int parameterIndex, string member, int number, string key)
    {
        string k = number.ToString(CultureInfo.InvariantCulture);
        states.Add(new OptimizerState(parameterIndex, "state" + k, new TensorRef(member, Codes), shape: null, isConstant: false, floatKey: key));
        states.Add(new OptimizerState(parameterIndex, "absmax" + k, new TensorRef(member, Absmax), new[] { Absmax.Length }, isConstant: false));
        states.Add(new OptimizerState(parameterIndex, "qmap" + k, new TensorRef(member, Table), new[] { DynamicCode.Length }, isConstant: true));
    }
}
