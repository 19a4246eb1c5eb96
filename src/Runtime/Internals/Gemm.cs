using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Gen.__Internals;

/// <summary>
/// Single-precision matrix products for optimizers that need them (Muon's Newton–Schulz iteration):
/// <c>C ← α·op(A)·op(B) + β·C</c> on dense row-major matrices, where <c>op</c> is the matrix or its transpose.
/// Allocation-free: the packed panels live in a <see cref="GemmWorkspace"/> made once.
/// </summary>
/// <remarks>
/// <para>
/// The classic blocked scheme (Goto and van de Geijn, "Anatomy of High-Performance Matrix Multiplication", 2008):
/// a block of <see cref="DepthBlock"/> columns of op(A) and rows of op(B) at a time; op(B)'s block packed into
/// panels of <c>NR</c> columns, op(A)'s into panels of <c>MR</c> rows, each <c>k</c>-major so the micro-kernel
/// reads both with unit stride; the micro-kernel keeps an <c>MR × NR</c> tile of C in registers (fused
/// multiply-adds into <c>MR·NR/width</c> accumulators) and adds it to C once per depth block. The tile is
/// 8 × 32 at 512 bits (16 accumulators of AVX-512's 32 registers), 6 × 16 at 256 bits (12 of AVX2's 16),
/// 4 × 8 at 128 bits, 4 × 4 scalar. Panels past the matrix's edge are zero-padded, and edge tiles go through a
/// tile on the stack.
/// </para>
/// <para>
/// Every path gives the same bits: each element of C is the same sequence of operations whatever the tile,
/// <c>acc = Σ a·b</c> over a depth block in order of <c>k</c>, each term a multiply-add
/// (<see cref="FastMath.MultiplyAdd(float, float, float)"/>: fused where the hardware has FMA, as every path then is),
/// then <c>C = β·C + α·acc</c> after the first block (as <c>α·acc</c> when β = 0: C is not read, as BLAS does)
/// and <c>C = α·acc + C</c> after each later one. So a Muon step is bit-identical at every vector width.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Gemm
{
    /// <summary>The depth of one block: how many products each accumulator sums before C is updated.</summary>
    public const int DepthBlock = 256;

    /// <summary>Rows of op(A) packed at a time (a multiple of every path's MR: 8, 6, 4).</summary>
    internal const int RowBlock = 96;

    /// <summary>Columns of op(B) packed at a time (a multiple of every path's NR: 32, 16, 8, 4).</summary>
    internal const int ColumnBlock = 2048;

    /// <summary>The widest tile any path uses, for the stack tile of edge tiles.</summary>
    private const int MaxTile = 8 * 32;

    /// <summary>
    /// <c>C ← α·op(A)·op(B) + β·C</c>. op(A) is <paramref name="m"/> × <paramref name="k"/>: A is stored
    /// <c>m × k</c>, or <c>k × m</c> when <paramref name="transposeA"/>; op(B) is <paramref name="k"/> ×
    /// <paramref name="n"/>: B is stored <c>k × n</c>, or <c>n × k</c> when <paramref name="transposeB"/>;
    /// C is <c>m × n</c>. All row-major and dense. With β = 0, C is written without being read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span's length is not its matrix's size, C overlaps A or B, or the workspace is too small.</exception>
    public static void Multiply(
        int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, bool transposeA,
        ReadOnlySpan<float> b, bool transposeB,
        float beta, Span<float> c, GemmWorkspace workspace)
    {
        Check(m, n, k, a, b, c, workspace);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            // No products: C = β·C (α·0 added), with β = 0 writing zeros.
            Scale(c.Slice(0, m * n), beta);
            return;
        }

        Tile tile = Tile.ForHardware;
        Span<float> packedA = workspace.PackedA;
        Span<float> packedB = workspace.PackedB;
        Span<float> edge = stackalloc float[MaxTile];
        for (int column = 0; column < n; column += ColumnBlock)
        {
            int columns = Math.Min(ColumnBlock, n - column);
            for (int depth = 0; depth < k; depth += DepthBlock)
            {
                int depths = Math.Min(DepthBlock, k - depth);
                PackB(b, transposeB, k, n, depth, depths, column, columns, tile.Columns, packedB);
                for (int row = 0; row < m; row += RowBlock)
                {
                    int rows = Math.Min(RowBlock, m - row);
                    PackA(a, transposeA, m, k, row, rows, depth, depths, tile.Rows, packedA);
                    Block(tile, depths, rows, columns, packedA, packedB, c.Slice((row * n) + column), n, alpha, beta, first: depth == 0, edge);
                }
            }
        }
    }

    private static void Check(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, GemmWorkspace workspace)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k), "Matrix dimensions must not be negative.");
        }

        if ((long)a.Length != (long)m * k)
        {
            throw new ArgumentException($"A holds {a.Length} elements; op(A) is {m} × {k}.", nameof(a));
        }

        if ((long)b.Length != (long)k * n)
        {
            throw new ArgumentException($"B holds {b.Length} elements; op(B) is {k} × {n}.", nameof(b));
        }

        if ((long)c.Length != (long)m * n)
        {
            throw new ArgumentException($"C holds {c.Length} elements; it is {m} × {n}.", nameof(c));
        }

        if (workspace is null)
        {
            throw new ArgumentNullException(nameof(workspace));
        }

        if (n > workspace.MaxColumns)
        {
            throw new ArgumentException($"The workspace serves products of up to {workspace.MaxColumns} columns, not {n}.", nameof(workspace));
        }

        if (c.Overlaps(a) || c.Overlaps(b))
        {
            throw new ArgumentException("C must not overlap A or B: it is written while they are read.", nameof(c));
        }
    }

    private static void Scale(Span<float> c, float beta)
    {
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = beta == 0 ? 0f : beta * c[i];
        }
    }

    /// <summary>
    /// Packs op(B)[depth.., column..] (<paramref name="depths"/> × <paramref name="columns"/>) into panels of
    /// <paramref name="nr"/> columns, each <c>depths × nr</c>, k-major; columns past the edge are zero.
    /// </summary>
    private static void PackB(ReadOnlySpan<float> b, bool transposeB, int k, int n, int depth, int depths, int column, int columns, int nr, Span<float> packed)
    {
        for (int panel = 0; panel < columns; panel += nr)
        {
            int width = Math.Min(nr, columns - panel);
            Span<float> target = packed.Slice(panel * depths, depths * nr);
            if (!transposeB)
            {
                // B is k × n: each depth's nr columns are contiguous.
                for (int d = 0; d < depths; d++)
                {
                    Span<float> line = target.Slice(d * nr, nr);
                    b.Slice(((depth + d) * n) + column + panel, width).CopyTo(line);
                    line.Slice(width).Clear();
                }
            }
            else
            {
                // B is n × k: op(B)[d, j] = B[j, d], contiguous along d for each column j.
                if (width < nr)
                {
                    target.Clear();
                }

                for (int j = 0; j < width; j++)
                {
                    ReadOnlySpan<float> source = b.Slice(((column + panel + j) * k) + depth, depths);
                    for (int d = 0; d < depths; d++)
                    {
                        target[(d * nr) + j] = source[d];
                    }
                }
            }
        }
    }

    /// <summary>Packs op(A)[row.., depth..] (<paramref name="rows"/> × <paramref name="depths"/>) into panels of <paramref name="mr"/> rows, each <c>depths × mr</c>.</summary>
    private static void PackA(ReadOnlySpan<float> a, bool transposeA, int m, int k, int row, int rows, int depth, int depths, int mr, Span<float> packed)
    {
        for (int panel = 0; panel < rows; panel += mr)
        {
            int height = Math.Min(mr, rows - panel);
            Span<float> target = packed.Slice(panel * depths, depths * mr);
            if (transposeA)
            {
                // A is k × m: op(A)[i, d] = A[d, i], so each depth's mr rows are contiguous.
                for (int d = 0; d < depths; d++)
                {
                    Span<float> line = target.Slice(d * mr, mr);
                    a.Slice(((depth + d) * m) + row + panel, height).CopyTo(line);
                    line.Slice(height).Clear();
                }
            }
            else
            {
                if (height < mr)
                {
                    target.Clear();
                }

                for (int i = 0; i < height; i++)
                {
                    ReadOnlySpan<float> source = a.Slice(((row + panel + i) * k) + depth, depths);
                    for (int d = 0; d < depths; d++)
                    {
                        target[(d * mr) + i] = source[d];
                    }
                }
            }
        }
    }

    /// <summary>Every tile of one packed block of op(A) against one packed block of op(B).</summary>
    private static void Block(
        Tile tile, int depths, int rows, int columns, ReadOnlySpan<float> packedA, ReadOnlySpan<float> packedB,
        Span<float> c, int ldc, float alpha, float beta, bool first, Span<float> edge)
    {
        int mr = tile.Rows, nr = tile.Columns;
        for (int j = 0; j < columns; j += nr)
        {
            ReadOnlySpan<float> panelB = packedB.Slice(j * depths, depths * nr);
            int width = Math.Min(nr, columns - j);
            for (int i = 0; i < rows; i += mr)
            {
                ReadOnlySpan<float> panelA = packedA.Slice(i * depths, depths * mr);
                int height = Math.Min(mr, rows - i);
                if (height == mr && width == nr)
                {
                    // The tile lies inside C: the kernel updates C in place (Slice checks that it fits).
                    Span<float> target = c.Slice((i * ldc) + j, ((mr - 1) * ldc) + nr);
                    tile.Run(depths, panelA, panelB, target, ldc, alpha, beta, first);
                }
                else
                {
                    // An edge tile: the whole tile into the stack tile, then its part inside C with the same formula.
                    Span<float> products = edge.Slice(0, mr * nr);
                    tile.Run(depths, panelA, panelB, products, nr, 1f, 0f, first: true);
                    for (int r = 0; r < height; r++)
                    {
                        Span<float> line = c.Slice(((i + r) * ldc) + j, width);
                        for (int q = 0; q < width; q++)
                        {
                            line[q] = Combine(products[(r * nr) + q], line[q], alpha, beta, first);
                        }
                    }
                }
            }
        }
    }

    /// <summary>What every path stores for one element: <c>β·C + α·acc</c> after the first depth block, <c>α·acc + C</c> after later ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Combine(float accumulator, float c, float alpha, float beta, bool first) =>
        !first ? FastMath.MultiplyAdd(alpha, accumulator, c)
        : beta == 0 ? alpha * accumulator
        : FastMath.MultiplyAdd(beta, c, alpha * accumulator);

    /// <summary>The micro-kernel the hardware runs best, and its tile.</summary>
    private readonly struct Tile
    {
        private readonly int _width;

        private Tile(int width, int rows, int columns)
        {
            _width = width;
            Rows = rows;
            Columns = columns;
        }

        public int Rows { get; }

        public int Columns { get; }

        public static Tile ForHardware =>
#if NET8_0_OR_GREATER
            Vector512.IsHardwareAccelerated ? new Tile(512, 8, 32)
            : Vector256.IsHardwareAccelerated ? new Tile(256, 6, 16)
            : Vector128.IsHardwareAccelerated ? new Tile(128, 4, 8)
            : new Tile(0, 4, 4);
#else
            new Tile(0, 4, 4);
#endif

        /// <summary>One tile: C's <see cref="Rows"/> × <see cref="Columns"/> block at the start of <paramref name="c"/> (row stride <paramref name="ldc"/>).</summary>
        public void Run(int depths, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int ldc, float alpha, float beta, bool first)
        {
            // The kernels read depths·MR and depths·NR floats and write (MR − 1)·ldc + NR: the callers slice exactly that.
#if NET8_0_OR_GREATER
            ref float pa = ref MemoryMarshal.GetReference(a);
            ref float pb = ref MemoryMarshal.GetReference(b);
            ref float pc = ref MemoryMarshal.GetReference(c);
            switch (_width)
            {
                case 512:
                    GemmKernels.Tile512(depths, ref pa, ref pb, ref pc, ldc, alpha, beta, first);
                    return;
                case 256:
                    GemmKernels.Tile256(depths, ref pa, ref pb, ref pc, ldc, alpha, beta, first);
                    return;
                case 128:
                    GemmKernels.Tile128(depths, ref pa, ref pb, ref pc, ldc, alpha, beta, first);
                    return;
            }
#endif
            TileScalar(depths, a, b, c, ldc, alpha, beta, first);
        }
    }

    /// <summary>The 4 × 4 tile one element at a time.</summary>
    private static void TileScalar(int depths, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int ldc, float alpha, float beta, bool first)
    {
        Span<float> acc = stackalloc float[16];
        acc.Clear();
        for (int d = 0; d < depths; d++)
        {
            for (int r = 0; r < 4; r++)
            {
                float x = a[(d * 4) + r];
                for (int q = 0; q < 4; q++)
                {
                    acc[(r * 4) + q] = FastMath.MultiplyAdd(x, b[(d * 4) + q], acc[(r * 4) + q]);
                }
            }
        }

        for (int r = 0; r < 4; r++)
        {
            for (int q = 0; q < 4; q++)
            {
                int index = (r * ldc) + q;
                c[index] = Combine(acc[(r * 4) + q], c[index], alpha, beta, first);
            }
        }
    }
}

/// <summary>
/// Workspace of <see cref="Gemm.Multiply"/>: the packed panels of op(A) and op(B). Make one per optimizer at
/// construction, sized for the widest product it will compute; a product never allocates.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class GemmWorkspace
{
    /// <summary>A workspace for products with up to <paramref name="maxColumns"/> columns of C (any rows and depth).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxColumns"/> is negative.</exception>
    public GemmWorkspace(int maxColumns)
    {
        if (maxColumns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxColumns), maxColumns, "The column count must not be negative.");
        }

        // Panels are padded to the widest tile (32 columns, 8 rows).
        MaxColumns = maxColumns;
        int columns = Math.Min(Gemm.ColumnBlock, (maxColumns + 31) / 32 * 32);
        PackedB = new float[Gemm.DepthBlock * columns];
        PackedA = new float[Gemm.DepthBlock * Gemm.RowBlock];
    }

    /// <summary>The most columns of C a product may have.</summary>
    public int MaxColumns { get; }

    internal float[] PackedA { get; }

    internal float[] PackedB { get; }
}
