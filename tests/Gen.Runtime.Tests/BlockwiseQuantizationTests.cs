using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gen.__Internals;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// bitsandbytes' 8-bit block-wise quantization (<see cref="BlockwiseQuantization"/>, <see cref="DynamicCode"/>):
/// the code tables and known blocks against Golden/blockwise.json (made by Golden/make_blockwise_golden.py
/// from torch 1.13 and bitsandbytes' definitions; bitsandbytes itself is never run), the search against a
/// line-by-line port of CUDA's <c>dQuantize</c> at every place its answer changes, and the scalar and
/// <see cref="System.Numerics.Vector{T}"/> paths against the public methods, whichever path those take
/// under the SIMD settings CI runs this class with. BlockwiseQuantizationWidthTests does the same for the
/// 512-, 256- and 128-bit paths by name.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class BlockwiseQuantizationTests
{
    public static TheoryData<string, string> GoldenCases
    {
        get
        {
            var cases = new TheoryData<string, string>();
            foreach (BlockwiseCase golden in BlockwiseFile.Instance.Cases)
            {
                cases.Add(golden.Table, golden.Name);
            }

            return cases;
        }
    }

    public static TheoryData<bool> Signs => new() { true, false };

    [Fact]
    public void TablesEqualTorchBitForBit()
    {
        BlockwiseFile golden = BlockwiseFile.Instance;
        Assert.Equal(256, golden.BlockSize);
        Assert.Equal(BlockwiseQuantization.BlockSize, golden.BlockSize);
        Assert.Equal(golden.Dynamic, Bits(DynamicCode.Signed.ToArray()));
        Assert.Equal(golden.Udynamic, Bits(DynamicCode.Unsigned.ToArray()));
    }

    [Fact]
    public void TablesHaveTheDocumentedShape()
    {
        float[] signed = DynamicCode.Signed.ToArray();
        float[] unsigned = DynamicCode.Unsigned.ToArray();
        Assert.Equal(0f, signed[127]);
        Assert.Equal(1f, signed[255]);
        Assert.Equal(-0.99296874f, signed[0]);
        Assert.Equal(5.5000004e-7f, signed[128]);
        Assert.Equal(0f, unsigned[0]);
        Assert.Equal(3.2500003e-7f, unsigned[1]);
        Assert.Equal(1f, unsigned[255]);
        for (int i = 1; i < 127; i++)
        {
            // The negative values are the positive ones negated (the same float product, negated).
            Assert.Equal(-signed[127 + i], signed[127 - i]);
        }
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void GoldenBlocksQuantizeAndDequantizeExactly(string table, string name)
    {
        BlockwiseCase golden = BlockwiseFile.Instance.Case(table, name);
        bool signed = golden.Table == "dynamic";
        float[] values = Floats(golden.Values);
        byte[] codes = new byte[values.Length];

        float absmax = BlockwiseQuantization.QuantizeBlock(values, codes, signed);
        Assert.Equal(golden.Absmax, Bits(absmax));
        Assert.Equal(golden.Codes, codes.Select(c => (int)c).ToArray());

        float[] dequantized = new float[values.Length];
        BlockwiseQuantization.DequantizeBlock(codes, absmax, dequantized, signed);
        Assert.Equal(golden.Dequantized, Bits(dequantized));

        // The scalar path and the netstandard2.1 build's Vector<T> absmax give the same.
        Assert.Equal(golden.Absmax, Bits(BlockwiseQuantization.AbsMaxScalar(values)));
        Assert.Equal(golden.Absmax, Bits(BlockwiseQuantization.AbsMaxVector(values)));
        byte[] scalar = new byte[values.Length];
        BlockwiseQuantization.SearchScalar(values, 1f / absmax, scalar, DynamicCode.For(signed), 0);
        Assert.Equal(codes, scalar);
    }

    [Fact]
    public void GoldenFileCoversTheEdgeCases()
    {
        BlockwiseFile file = BlockwiseFile.Instance;
        foreach (string table in new[] { "dynamic", "udynamic" })
        {
            BlockwiseCase[] cases = file.Cases.Where(c => c.Table == table).ToArray();
            Assert.Contains(cases, c => c.Values.Length < 256);
            Assert.Contains(cases, c => c.Values.All(v => (v & int.MaxValue) == 0) && c.Absmax == 0);
            Assert.Contains(cases, c => Floats(c.Values).Any(v => v == 1e30f));
            Assert.All(cases, c => Assert.Equal(c.Values.Length, c.Codes.Length));
        }

        // Values on midpoints: both tie directions occur.
        Assert.Contains(file.Cases, c => c.Name == "even_midpoints");
        Assert.Contains(file.Cases, c => c.Name == "odd_midpoints");
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void SearchEqualsDQuantizeWhereverItsAnswerChanges(bool signed)
    {
        // Both searches are monotone step functions of x, so agreeing on both sides of every threshold
        // (each midpoint ± 2 ulps) and at every code value proves them equal for every float.
        float[] code = DynamicCode.For(signed).Code;
        var points = new List<float> { 0f, -0f, 1f, -1f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN,
            float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f, 2f, -2f };
        for (int j = 0; j < 256; j++)
        {
            AddNeighbours(points, code[j]);
            if (j < 255)
            {
                AddNeighbours(points, (code[j] + code[j + 1]) * 0.5f);
            }
        }

        foreach (float x in points)
        {
            Assert.True(DynamicCode.IndexOf(x, signed) == Reference.DQuantize(code, x), $"x = {x:R} ({Bits(x):X8})");
        }

        for (int j = 0; j < 256; j++)
        {
            Assert.Equal(j, DynamicCode.IndexOf(code[j], signed));
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void SearchEqualsDQuantizeOnRandomValues(bool signed)
    {
        float[] code = DynamicCode.For(signed).Code;
        var random = new Random(signed ? 81 : 82);
        for (int i = 0; i < 10_000_000; i++)
        {
            float x = i % 2 == 0
                ? (float)((random.NextDouble() * 2) - 1)
                : BitConverter.Int32BitsToSingle(random.Next() | (random.Next(2) << 31));
            if (DynamicCode.IndexOf(x, signed) != Reference.DQuantize(code, x))
            {
                Assert.Fail($"x = {x:R} ({Bits(x):X8}): {DynamicCode.IndexOf(x, signed)}, dQuantize {Reference.DQuantize(code, x)}.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void EveryPathGivesTheReferenceForEveryLength(bool signed)
    {
        CodeSearch search = DynamicCode.For(signed);
        var random = new Random(signed ? 83 : 84);
        for (int length = 0; length <= 256; length++)
        {
            float[] values = Block(random, length, signed);
            byte[] expected = Reference.QuantizeBlock(search.Code, values, out float expectedAbsmax);

            byte[] codes = new byte[length];
            Assert.Equal(Bits(expectedAbsmax), Bits(BlockwiseQuantization.QuantizeBlock(values, codes, signed)));
            Assert.Equal(expected, codes);

            Assert.Equal(Bits(expectedAbsmax), Bits(BlockwiseQuantization.AbsMaxScalar(values)));
            Assert.Equal(Bits(expectedAbsmax), Bits(BlockwiseQuantization.AbsMaxVector(values)));
            byte[] scalar = new byte[length];
            BlockwiseQuantization.SearchScalar(values, 1f / expectedAbsmax, scalar, search, 0);
            Assert.Equal(expected, scalar);

            float[] dequantized = new float[length];
            BlockwiseQuantization.DequantizeBlock(codes, expectedAbsmax, dequantized, signed);
            float[] lookedUp = new float[length];
            BlockwiseQuantization.LookUpScalar(codes, expectedAbsmax, lookedUp, search.Code, 0);
            Assert.Equal(Bits(lookedUp), Bits(dequantized));
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(Bits(search.Code[codes[i]] * expectedAbsmax), Bits(dequantized[i]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void RoundTripErrorIsAtMostHalfTheLocalGap(bool signed)
    {
        float[] code = DynamicCode.For(signed).Code;
        var random = new Random(signed ? 85 : 86);
        for (int trial = 0; trial < 200; trial++)
        {
            float[] values = Block(random, 256, signed, specials: false);
            byte[] codes = new byte[256];
            float absmax = BlockwiseQuantization.QuantizeBlock(values, codes, signed);
            float[] back = new float[256];
            BlockwiseQuantization.DequantizeBlock(codes, absmax, back, signed);
            for (int i = 0; i < 256; i++)
            {
                int q = codes[i];
                double gap = Math.Max(q > 0 ? code[q] - code[q - 1] : 0, q < 255 ? code[q + 1] - code[q] : 0);
                double error = Math.Abs(values[i] - (double)back[i]);
                double bound = ((0.5 * gap) + 1e-6) * absmax;
                Assert.True(error <= bound, $"trial {trial}, [{i}] = {values[i]:R}: code {q}, back {back[i]:R}, error {error:E3} > {bound:E3}.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void EdgeCasesFollowCuda(bool signed)
    {
        int zeroCode = signed ? 127 : 0;
        byte[] codes = new byte[5];

        // All zero (and all −0): absmax 0, every element 0·(1/0) = NaN → index 0.
        Assert.Equal(0f, BlockwiseQuantization.QuantizeBlock(new float[5], codes, signed));
        Assert.All(codes, c => Assert.Equal(0, c));
        Assert.Equal(0, Bits(BlockwiseQuantization.QuantizeBlock(Enumerable.Repeat(-0f, 5).ToArray(), codes, signed)));
        Assert.All(codes, c => Assert.Equal(0, c));
        float[] back = new float[5];
        BlockwiseQuantization.DequantizeBlock(codes, 0f, back, signed);
        Assert.All(back, v => Assert.Equal(0f, v));

        // NaN is skipped by absmax and quantizes to 0; so is a block of NaN (absmax 0 here).
        float[] withNaN = { 0.5f, float.NaN, -0.25f, 0f, 0.125f };
        Assert.Equal(0.5f, BlockwiseQuantization.QuantizeBlock(signed ? withNaN : withNaN.Select(Math.Abs).ToArray(), codes, signed));
        Assert.Equal(0, codes[1]);
        Assert.Equal(255, codes[0]);
        Assert.Equal(zeroCode, codes[3]);
        Assert.Equal(0f, BlockwiseQuantization.QuantizeBlock(Enumerable.Repeat(float.NaN, 5).ToArray(), codes, signed));
        Assert.All(codes, c => Assert.Equal(0, c));

        // +∞ makes absmax ∞: finite elements become ±0 (the zero code), ∞ itself NaN (index 0).
        float[] withInfinity = { 3f, float.PositiveInfinity, 1e30f, 0f, 7f };
        Assert.Equal(float.PositiveInfinity, BlockwiseQuantization.QuantizeBlock(withInfinity, codes, signed));
        Assert.Equal(new byte[] { (byte)zeroCode, 0, (byte)zeroCode, (byte)zeroCode, (byte)zeroCode }, codes);

        // An empty block.
        Assert.Equal(0f, BlockwiseQuantization.QuantizeBlock(ReadOnlySpan<float>.Empty, Span<byte>.Empty, signed));

        // ±1 and ±absmax reach the end codes.
        float[] ends = signed ? new[] { 2f, -2f, 1f, -1f, 0f } : new[] { 2f, 2f, 0.5f, 0f, 1f };
        BlockwiseQuantization.QuantizeBlock(ends, codes, signed);
        Assert.Equal(255, codes[0]);
        Assert.Equal(signed ? 0 : 255, codes[1]);
    }

    [Fact]
    public void LengthsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.QuantizeBlock(new float[257], new byte[257], true));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.QuantizeBlock(new float[10], new byte[9], true));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.DequantizeBlock(new byte[257], 1f, new float[257], true));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.DequantizeBlock(new byte[10], 1f, new float[11], true));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.Quantize(new float[300], new byte[300], new float[1], true));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.Quantize(new float[300], new byte[299], new float[2], true));
        Assert.Throws<ArgumentException>(() => BlockwiseQuantization.Dequantize(new byte[300], new float[3], new float[300], true));
        Assert.Equal(0, BlockwiseQuantization.BlockCount(0));
        Assert.Equal(1, BlockwiseQuantization.BlockCount(1));
        Assert.Equal(1, BlockwiseQuantization.BlockCount(256));
        Assert.Equal(2, BlockwiseQuantization.BlockCount(257));
        Assert.Equal(8_388_608, BlockwiseQuantization.BlockCount(int.MaxValue));
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void WholeBuffersAreTheirBlocks(bool signed)
    {
        var random = new Random(signed ? 87 : 88);
        foreach (int length in new[] { 0, 1, 255, 256, 257, 1000, 4096 + 17 })
        {
            float[] values = Block(random, length, signed);
            byte[] codes = new byte[length];
            float[] absmax = new float[BlockwiseQuantization.BlockCount(length)];
            BlockwiseQuantization.Quantize(values, codes, absmax, signed);
            float[] back = new float[length];
            BlockwiseQuantization.Dequantize(codes, absmax, back, signed);
            for (int block = 0; block < absmax.Length; block++)
            {
                int start = block * 256, count = Math.Min(256, length - start);
                byte[] blockCodes = new byte[count];
                float blockMax = BlockwiseQuantization.QuantizeBlock(values.AsSpan(start, count), blockCodes, signed);
                Assert.Equal(Bits(blockMax), Bits(absmax[block]));
                Assert.Equal(blockCodes, codes.AsSpan(start, count).ToArray());
                float[] blockBack = new float[count];
                BlockwiseQuantization.DequantizeBlock(blockCodes, blockMax, blockBack, signed);
                Assert.Equal(Bits(blockBack), Bits(back.AsSpan(start, count).ToArray()));
            }
        }
    }

    /// <summary>
    /// A block of normal values at a random scale, sometimes with planted specials (midpoints times the
    /// absmax, tiny values, −0, NaN, a huge value); absolute values for the unsigned code.
    /// </summary>
    internal static float[] Block(Random random, int length, bool signed, bool specials = true)
    {
        float[] values = new float[length];
        float scale = (float)Math.Pow(10, (random.NextDouble() * 12) - 8);
        for (int i = 0; i < length; i++)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            double normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            values[i] = (float)(normal * scale * (random.Next(4) == 0 ? 1e-4 : 1));
        }

        if (specials && length > 4)
        {
            float[] code = DynamicCode.For(signed).Code;
            for (int k = 0; k < length / 8; k++)
            {
                int j = random.Next(255);
                values[random.Next(length)] = (code[j] + code[j + 1]) * 0.5f;
            }

            switch (random.Next(5))
            {
                case 0: values[random.Next(length)] = float.NaN; break;
                case 1: values[random.Next(length)] = -0f; break;
                case 2: values[random.Next(length)] = 1e30f; break;
                case 3: values[random.Next(length)] = 1f; break;
            }
        }

        if (!signed)
        {
            for (int i = 0; i < length; i++)
            {
                values[i] = Math.Abs(values[i]);
            }
        }

        return values;
    }

    internal static int Bits(float x) => BitConverter.SingleToInt32Bits(x);

    internal static int[] Bits(float[] x) => x.Select(Bits).ToArray();

    private static float[] Floats(int[] bits) => bits.Select(BitConverter.Int32BitsToSingle).ToArray();

    private static void AddNeighbours(List<float> points, float x)
    {
        int bits = Bits(x);
        for (int d = -2; d <= 2; d++)
        {
            points.Add(BitConverter.Int32BitsToSingle(bits + d));
        }
    }

    /// <summary>bitsandbytes' CUDA quantizer, line by line (csrc/kernels.cu: kQuantizeBlockwise, dQuantize&lt;0&gt;).</summary>
    internal static class Reference
    {
        public static int DQuantize(float[] code, float x)
        {
            int pivot = 127, upperPivot = 255, lowerPivot = 0;
            float lower = -1f, upper = 1f;
            float val = code[pivot];
            for (int i = 64; i > 0; i >>= 1)
            {
                if (x > val)
                {
                    lowerPivot = pivot;
                    lower = val;
                    pivot += i;
                }
                else
                {
                    upperPivot = pivot;
                    upper = val;
                    pivot -= i;
                }

                val = code[pivot];
            }

            if (upperPivot == 255)
            {
                upper = code[upperPivot];
            }

            if (lowerPivot == 0)
            {
                lower = code[lowerPivot];
            }

            if (x > val)
            {
                float midpoint = (upper + val) * 0.5f;
                return x > midpoint ? upperPivot : pivot;
            }
            else
            {
                float midpoint = (lower + val) * 0.5f;
                return x < midpoint ? lowerPivot : pivot;
            }
        }

        /// <summary>absmax by fmaxf from 0 (CUDA starts from −FLT_MAX: they differ only for an all-NaN block), then x·(1/absmax).</summary>
        public static byte[] QuantizeBlock(float[] code, float[] values, out float absmax)
        {
            absmax = 0f;
            foreach (float v in values)
            {
                if (!float.IsNaN(v))
                {
                    absmax = Math.Max(absmax, Math.Abs(v));
                }
            }

            float inverse = 1f / absmax;
            byte[] codes = new byte[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                codes[i] = (byte)DQuantize(code, values[i] * inverse);
            }

            return codes;
        }
    }
}

internal sealed record BlockwiseFile(
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("block_size")] int BlockSize,
    [property: JsonPropertyName("dynamic")] int[] Dynamic,
    [property: JsonPropertyName("udynamic")] int[] Udynamic,
    [property: JsonPropertyName("cases")] BlockwiseCase[] Cases)
{
    private static readonly Lazy<BlockwiseFile> s_instance = new(Load);

    public static BlockwiseFile Instance => s_instance.Value;

    public BlockwiseCase Case(string table, string name) =>
        Cases.Single(c => c.Table == table && c.Name == name);

    private static BlockwiseFile Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "blockwise.json");
        return JsonSerializer.Deserialize<BlockwiseFile>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}

/// <summary>One block, every float as its bit pattern (<see cref="BitConverter.SingleToInt32Bits(float)"/>).</summary>
internal sealed record BlockwiseCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("values")] int[] Values,
    [property: JsonPropertyName("absmax")] int Absmax,
    [property: JsonPropertyName("codes")] int[] Codes,
    [property: JsonPropertyName("dequantized")] int[] Dequantized);
