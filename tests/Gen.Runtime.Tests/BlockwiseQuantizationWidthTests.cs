using System;
using System.Runtime.Intrinsics.X86;
using Gen.__Internals;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// The .NET 8 build's 512-, 256- and 128-bit quantization paths, called by name, give the scalar path's
/// bytes (and so dQuantize's: BlockwiseQuantizationTests proves the scalar path against it) for every
/// block length and for values on every threshold; the 512-bit dequantization gives the scalar one's
/// bits. A path the machine lacks is skipped. Not in Gen.Portable.Tests: the netstandard2.1 build has none
/// of these paths.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class BlockwiseQuantizationWidthTests
{
    private delegate void SearchPath(ReadOnlySpan<float> values, float inverse, Span<byte> codes, CodeSearch search);

    public static TheoryData<bool> Signs => new() { true, false };

    [Theory]
    [MemberData(nameof(Signs))]
    public void EveryWidthGivesTheScalarBytesForEveryLength(bool signed)
    {
        CodeSearch search = DynamicCode.For(signed);
        var random = new Random(signed ? 91 : 92);
        for (int trial = 0; trial < 4; trial++)
        {
            for (int length = 0; length <= 256; length++)
            {
                float[] values = BlockwiseQuantizationTests.Block(random, length, signed);
                float inverse = 1f / BlockwiseQuantization.AbsMaxScalar(values);
                AssertPathsAgree(values, inverse, search, $"length {length}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void EveryWidthGivesTheScalarBytesOnEveryThreshold(bool signed)
    {
        // Every threshold and its neighbours (±2 ulps), every code value, and the specials, with absmax 1.
        CodeSearch search = DynamicCode.For(signed);
        float[] values = new float[(256 * 10) + 16];
        int n = 0;
        for (int j = 0; j < 256; j++)
        {
            foreach (float x in new[] { search.Code[j], j < 255 ? search.Thresholds[j] : 1f })
            {
                for (int d = -2; d <= 2; d++)
                {
                    values[n++] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) + d);
                }
            }
        }

        foreach (float x in new[] { 0f, -0f, 1f, -1f, float.NaN, -float.NaN, float.Epsilon, -float.Epsilon, 1.0000001f, -1.0000001f, 1e-30f, -1e-30f, 2e-8f, -2e-8f, 0.5f, -0.5f })
        {
            values[n++] = x;
        }

        for (int start = 0; start < values.Length; start += 256)
        {
            ReadOnlySpan<float> block = values.AsSpan(start, Math.Min(256, values.Length - start));
            AssertPathsAgree(block, 1f, search, $"block at {start}");
        }
    }

    [Theory]
    [MemberData(nameof(Signs))]
    public void WideDequantizationGivesTheScalarBits(bool signed)
    {
        if (!Avx512F.IsSupported)
        {
            return;
        }

        float[] code = DynamicCode.For(signed).Code;
        var random = new Random(signed ? 93 : 94);
        foreach (float absmax in new[] { 0f, 1f, 3.5f, 1e-20f, float.PositiveInfinity })
        {
            for (int length = 0; length <= 256; length += 7)
            {
                byte[] codes = new byte[length];
                random.NextBytes(codes);
                float[] expected = new float[length], actual = new float[length];
                BlockwiseQuantization.LookUpScalar(codes, absmax, expected, code, 0);
                BlockwiseQuantization.LookUp512(codes, absmax, actual, code);
                Assert.Equal(BlockwiseQuantizationTests.Bits(expected), BlockwiseQuantizationTests.Bits(actual));
            }
        }

        // Every byte value once.
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            all[i] = (byte)i;
        }

        float[] lookedUp = new float[256];
        BlockwiseQuantization.LookUp512(all, 1f, lookedUp, code);
        Assert.Equal(BlockwiseQuantizationTests.Bits(code), BlockwiseQuantizationTests.Bits(lookedUp));
    }

    private static void AssertPathsAgree(ReadOnlySpan<float> values, float inverse, CodeSearch search, string where)
    {
        byte[] expected = new byte[values.Length];
        BlockwiseQuantization.SearchScalar(values, inverse, expected, search, 0);
        Check(BlockwiseQuantization.Search512, Avx512F.IsSupported, "512", values, inverse, search, expected, where);
        Check(BlockwiseQuantization.Search256, Avx2.IsSupported, "256", values, inverse, search, expected, where);
        Check(BlockwiseQuantization.Search128, Avx2.IsSupported, "128", values, inverse, search, expected, where);
    }

    private static void Check(SearchPath path, bool supported, string name, ReadOnlySpan<float> values, float inverse, CodeSearch search, byte[] expected, string where)
    {
        if (!supported)
        {
            return;
        }

        byte[] actual = new byte[values.Length];
        path(values, inverse, actual, search);
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] != expected[i])
            {
                Assert.Fail($"{name}-bit path, {where}, [{i}] = {values[i]:R}·{inverse:R}: {actual[i]}, scalar {expected[i]}.");
            }
        }
    }
}
