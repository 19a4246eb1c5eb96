using System;
using System.ComponentModel;

namespace Gen.__Internals;

/// <summary>
/// Muon's orthogonalization (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks"; PyTorch
/// 2.9's <c>torch.optim.Muon</c>, <c>_zeropower_via_newtonschulz</c>): a fixed number of quintic Newton–Schulz
/// iterations that take a matrix <c>G</c> to roughly <c>U·S'·Vᵀ</c>, where <c>G = U·S·Vᵀ</c> and <c>S'</c> has
/// entries near 1. With <c>X</c> the matrix (transposed if it has more rows than columns, so <c>X·Xᵀ</c> is the
/// smaller Gram matrix) divided by <c>max(‖X‖_F, ε)</c>, each iteration is <c>A = X·Xᵀ</c>, <c>B = b·A + c·A·A</c>,
/// <c>X ← a·X + B·X</c>. Allocation-free with a <see cref="NewtonSchulzWorkspace"/>; the products are
/// <see cref="Gemm"/>'s.
/// </summary>
/// <remarks>
/// PyTorch runs the iterations in bfloat16 (a GPU speed choice: its tensor cores multiply bfloat16); here they run in
/// float32, which CPUs multiply at full speed, so the result is the iteration's float32 value, closer to the exact
/// iteration than PyTorch's by about bfloat16's rounding (2^−8 relative). The norm is summed in double.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NewtonSchulz
{
    /// <summary>
    /// Writes the orthogonalized <paramref name="matrix"/> (<paramref name="rows"/> × <paramref name="columns"/>,
    /// row-major) to <paramref name="result"/> (same shape). The two may be the same span.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension or <paramref name="steps"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span's length is not rows × columns, or the workspace is for smaller matrices.</exception>
    public static void Orthogonalize(
        ReadOnlySpan<float> matrix, int rows, int columns, Span<float> result,
        float a, float b, float c, int steps, float epsilon, NewtonSchulzWorkspace workspace)
    {
        if (rows < 0 || columns < 0)
        {
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(columns), "Matrix dimensions must not be negative.");
        }

        if (steps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "The number of iterations must not be negative.");
        }

        if (workspace is null)
        {
            throw new ArgumentNullException(nameof(workspace));
        }

        long size = (long)rows * columns;
        if (matrix.Length != size || result.Length != size)
        {
            throw new ArgumentException($"A {rows} × {columns} matrix has {size} elements; the matrix has {matrix.Length} and the result {result.Length}.", matrix.Length != size ? nameof(matrix) : nameof(result));
        }

        // X is m × n with m ≤ n.
        bool transposed = rows > columns;
        int m = transposed ? columns : rows, n = transposed ? rows : columns;
        if (!workspace.Fits(m, n))
        {
            throw new ArgumentException($"The workspace serves matrices of up to {workspace.Rows} × {workspace.Columns} (after transposing to at most as many rows as columns), not {m} × {n}.", nameof(workspace));
        }

        if (size == 0)
        {
            return;
        }

        Span<float> x = workspace.X.AsSpan(0, m * n);
        Span<float> next = workspace.Next.AsSpan(0, m * n);
        Span<float> gram = workspace.Gram.AsSpan(0, m * m);
        Span<float> update = workspace.Update.AsSpan(0, m * m);
        CopyMaybeTransposed(matrix, rows, columns, transposed, x);

        double sum = 0;
        foreach (float value in x)
        {
            sum += (double)value * value;
        }

        float scale = 1f / Math.Max((float)Math.Sqrt(sum), epsilon);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= scale;
        }

        for (int step = 0; step < steps; step++)
        {
            // A = X·Xᵀ; B = b·A + c·A·A; X ← a·X + B·X.
            Gemm.Multiply(m, m, n, 1f, x, false, x, true, 0f, gram, workspace.Products);
            gram.CopyTo(update);
            Gemm.Multiply(m, m, m, c, gram, false, gram, false, b, update, workspace.Products);
            x.CopyTo(next);
            Gemm.Multiply(m, n, m, 1f, update, false, x, false, a, next, workspace.Products);
            next.CopyTo(x);
        }

        CopyMaybeTransposed(x, m, n, transposed, result);
    }

    /// <summary>Copies a <paramref name="rows"/> × <paramref name="columns"/> matrix, or its transpose.</summary>
    private static void CopyMaybeTransposed(ReadOnlySpan<float> source, int rows, int columns, bool transpose, Span<float> destination)
    {
        if (!transpose)
        {
            source.CopyTo(destination);
            return;
        }

        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> line = source.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
            {
                destination[(j * rows) + i] = line[j];
            }
        }
    }
}

/// <summary>
/// The buffers of <see cref="NewtonSchulz.Orthogonalize"/> for matrices up to a size: the iterate and its successor
/// (<c>m × n</c>), the Gram matrix and the polynomial in it (<c>m × m</c>), and the products' packing space. Make one
/// at construction for the largest member; an orthogonalization never allocates.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NewtonSchulzWorkspace
{
    /// <summary>
    /// A workspace for every matrix whose shorter side is at most <paramref name="maxShortSide"/> and longer side at most
    /// <paramref name="maxLongSide"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public NewtonSchulzWorkspace(int maxShortSide, int maxLongSide)
    {
        if (maxShortSide < 0 || maxLongSide < 0)
        {
            throw new ArgumentOutOfRangeException(maxShortSide < 0 ? nameof(maxShortSide) : nameof(maxLongSide), "Sizes must not be negative.");
        }

        Rows = maxShortSide;
        Columns = maxLongSide;
        X = new float[(long)maxShortSide * maxLongSide];
        Next = new float[X.Length];
        Gram = new float[(long)maxShortSide * maxShortSide];
        Update = new float[Gram.Length];
        Products = new GemmWorkspace(Math.Max(maxShortSide, maxLongSide));
    }

    /// <summary>The most rows of the (transposed if taller than wide) iterate: the shorter side.</summary>
    public int Rows { get; }

    /// <summary>The most columns of the iterate: the longer side.</summary>
    public int Columns { get; }

    internal float[] X { get; }

    internal float[] Next { get; }

    internal float[] Gram { get; }

    internal float[] Update { get; }

    internal GemmWorkspace Products { get; }

    /// <summary>Whether an <paramref name="m"/> × <paramref name="n"/> iterate (m ≤ n) fits.</summary>
    internal bool Fits(int m, int n) => m <= Rows && n <= Columns;

    /// <summary>
    /// Checks, before a step writes anything, that model member <paramref name="member"/>, now
    /// <paramref name="rows"/> × <paramref name="columns"/>, still fits the workspace the optimizer made for its matrices.
    /// </summary>
    /// <exception cref="InvalidOperationException">The member was replaced by a matrix of a shape the workspace does not serve.</exception>
    public void EnsureFits(int rows, int columns, string member)
    {
        if (!Fits(Math.Min(rows, columns), Math.Max(rows, columns)))
        {
            throw new InvalidOperationException(
                $"Model member '{member}' is now {rows} × {columns}, but the optimizer was created for matrices of at most {Rows} × {Columns} (shorter × longer side). Create a new optimizer after replacing a model array with one of another shape.");
        }
    }
}

/// <summary>
/// The sizes a matrix optimizer's buffers need, gathered at construction from the matrix members it updates: the most
/// elements of one member, and its longest shorter and longer sides (for <see cref="NewtonSchulzWorkspace"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct MatrixBounds
{
    /// <summary>The most elements of one matrix included.</summary>
    public int Elements { get; private set; }

    /// <summary>The longest shorter side of the matrices included.</summary>
    public int ShortSide { get; private set; }

    /// <summary>The longest longer side of the matrices included.</summary>
    public int LongSide { get; private set; }

    /// <summary>Widens the bounds to hold <paramref name="matrix"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    public void Include(Array matrix)
    {
        if (matrix is null)
        {
            throw new ArgumentNullException(nameof(matrix));
        }

        if (matrix.Rank != 2)
        {
            throw new ArgumentException($"A matrix has rank 2, not {matrix.Rank}.", nameof(matrix));
        }

        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        Elements = Math.Max(Elements, matrix.Length);
        ShortSide = Math.Max(ShortSide, Math.Min(rows, columns));
        LongSide = Math.Max(LongSide, Math.Max(rows, columns));
    }
}
