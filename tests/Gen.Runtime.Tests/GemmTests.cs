using System;
using Gen.__Internals;
using Gen.Tests;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// <see cref="Gemm.Multiply"/> computes exactly its documented sequence of operations (so every vector width gives the
/// same bits: CI runs these tests under every SIMD setting and on ARM64), is close to the exact product, and rejects
/// bad arguments before writing anything.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class GemmTests
{
    // Edges of every path's tile (8 × 32, 6 × 16, 4 × 8, 4 × 4) and of the blocks (96 rows, 256 deep).
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 5, 7 }, { 4, 4, 4 }, { 6, 16, 9 }, { 8, 32, 17 }, { 9, 33, 2 }, { 13, 31, 64 },
        { 17, 47, 255 }, { 24, 64, 256 }, { 7, 70, 257 }, { 97, 40, 33 }, { 100, 100, 300 }, { 33, 129, 513 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryLayoutAndScaleGivesTheDocumentedOperationsBitForBit(int m, int n, int k)
    {
        var random = new Random((m * 1000) + (n * 10) + k);
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                foreach ((float alpha, float beta) in new[] { (1f, 0f), (-0.75f, 1f), (2.5f, -0.3f) })
                {
                    float[] a = Random(random, m * k), b = Random(random, k * n), c = Random(random, m * n);
                    float[] expected = (float[])c.Clone();
                    Reference(m, n, k, alpha, a, transposeA, b, transposeB, beta, expected);

                    Gemm.Multiply(m, n, k, alpha, a, transposeA, b, transposeB, beta, c, new GemmWorkspace(n));

                    for (int i = 0; i < c.Length; i++)
                    {
                        Assert.True(
                            BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(c[i]),
                            $"{m}×{n}×{k}, transposeA {transposeA}, transposeB {transposeB}, α {alpha}, β {beta}: element {i} is {c[i]:R}, expected {expected[i]:R}");
                    }
                }
            }
        }
    }

    /// <summary>Against the product in double: within the bound of k float roundings of the terms' magnitudes.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheProductIsWithinRoundingOfTheExactOne(int m, int n, int k)
    {
        var random = new Random(k);
        float[] a = Random(random, m * k), b = Random(random, k * n), c = new float[m * n];
        Gemm.Multiply(m, n, k, 1f, a, false, b, false, 0f, c, new GemmWorkspace(n));
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double exact = 0, magnitude = 0;
                for (int d = 0; d < k; d++)
                {
                    exact += (double)a[(i * k) + d] * b[(d * n) + j];
                    magnitude += Math.Abs((double)a[(i * k) + d] * b[(d * n) + j]);
                }

                double bound = (k + 1) * Math.Pow(2, -24) * magnitude;
                Assert.True(Math.Abs(c[(i * n) + j] - exact) <= bound, $"{m}×{n}×{k}: C[{i},{j}] = {c[(i * n) + j]:R}, exact {exact:R}, bound {bound:R}");
            }
        }
    }

    [Fact]
    public void ZeroBetaWritesCWithoutReadingIt()
    {
        float[] a = { 1, 2, 3, 4 }, b = { 5, 6, 7, 8 };
        float[] c = { float.NaN, float.PositiveInfinity, float.NaN, float.NaN };
        Gemm.Multiply(2, 2, 2, 1f, a, false, b, false, 0f, c, new GemmWorkspace(2));
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c);
    }

    [Fact]
    public void AnEmptyDepthScalesC()
    {
        float[] c = { 1, -2, 3, 4, 5, 6 };
        Gemm.Multiply(2, 3, 0, 1f, Array.Empty<float>(), false, Array.Empty<float>(), false, 0.5f, c, new GemmWorkspace(3));
        Assert.Equal(new float[] { 0.5f, -1, 1.5f, 2, 2.5f, 3 }, c);
        Gemm.Multiply(2, 3, 0, 1f, Array.Empty<float>(), false, Array.Empty<float>(), false, 0f, c, new GemmWorkspace(3));
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void BadArgumentsThrowBeforeAnythingIsWritten()
    {
        float[] a = new float[6], b = new float[6], c = { 1, 2, 3, 4 };
        var workspace = new GemmWorkspace(2);
        Assert.Throws<ArgumentOutOfRangeException>("m", () => Gemm.Multiply(-1, 2, 3, 1, a, false, b, false, 0, c, workspace));
        Assert.Throws<ArgumentException>("a", () => Gemm.Multiply(2, 2, 2, 1, a, false, b.AsSpan(0, 4), false, 0, c, workspace));
        Assert.Throws<ArgumentException>("b", () => Gemm.Multiply(2, 2, 3, 1, a, false, b.AsSpan(0, 5), false, 0, c, workspace));
        Assert.Throws<ArgumentException>("c", () => Gemm.Multiply(2, 2, 3, 1, a, false, b, false, 0, c.AsSpan(0, 3), workspace));
        Assert.Throws<ArgumentNullException>("workspace", () => Gemm.Multiply(2, 2, 3, 1, a, false, b, false, 0, c, null!));
        Assert.Throws<ArgumentException>("workspace", () => Gemm.Multiply(2, 3, 2, 1, a.AsSpan(0, 4), false, b, false, 0, new float[6], workspace));
        Assert.Throws<ArgumentException>("c", () => Gemm.Multiply(2, 2, 2, 1, a.AsSpan(0, 4), false, b.AsSpan(0, 4), false, 0, a.AsSpan(2, 4), workspace));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        Assert.Throws<ArgumentOutOfRangeException>("maxColumns", () => new GemmWorkspace(-1));
    }

    /// <summary>
    /// The documented operations, one element at a time: per depth block of <see cref="Gemm.DepthBlock"/>, the products
    /// summed in order of k with multiply-adds from zero, then <c>β·C + α·acc</c> (or <c>α·acc</c> when β = 0) after the
    /// first block and <c>α·acc + C</c> after later ones.
    /// </summary>
    private static void Reference(int m, int n, int k, float alpha, float[] a, bool transposeA, float[] b, bool transposeB, float beta, float[] c)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int start = 0; start < k; start += Gemm.DepthBlock)
                {
                    float acc = 0;
                    for (int d = start; d < Math.Min(k, start + Gemm.DepthBlock); d++)
                    {
                        float x = transposeA ? a[(d * m) + i] : a[(i * k) + d];
                        float y = transposeB ? b[(j * k) + d] : b[(d * n) + j];
                        acc = FastMath.MultiplyAdd(x, y, acc);
                    }

                    ref float target = ref c[(i * n) + j];
                    target = start > 0 ? FastMath.MultiplyAdd(alpha, acc, target)
                        : beta == 0 ? alpha * acc
                        : FastMath.MultiplyAdd(beta, target, alpha * acc);
                }
            }
        }
    }

    private static float[] Random(Random random, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
