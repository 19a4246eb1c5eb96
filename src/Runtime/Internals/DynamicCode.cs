using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Gen.__Internals;

/// <summary>
/// The two 8-bit "dynamic" codes of bitsandbytes' block-wise optimizers (Dettmers et al. 2022, "8-bit
/// Optimizers via Block-wise Quantization"): 256 sorted floats in [−1, 1] each, <see cref="Signed"/>
/// (bitsandbytes' <c>"dynamic"</c> map, for signed state such as Adam's <c>exp_avg</c>) and
/// <see cref="Unsigned"/> (<c>"udynamic"</c>, for non-negative state such as <c>exp_avg_sq</c>), and the
/// exact nearest-code search <see cref="BlockwiseQuantization"/> uses. A stored byte is an index into one
/// of these tables.
/// </summary>
/// <remarks>
/// <para>
/// Definition (github.com/bitsandbytes-foundation/bitsandbytes, <c>bitsandbytes/functional.py</c>,
/// <c>create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)</c>; <c>bitsandbytes/optim/optimizer.py</c>,
/// <c>fill_qmap</c>, builds <c>"dynamic"</c> with <c>signed=True</c> and <c>"udynamic"</c> with
/// <c>signed=False</c>): for each decade <c>i = 0..6</c>, take <c>n = 2^i + 1</c> points (unsigned:
/// <c>2^(i+1) + 1</c>) of <c>torch.linspace(0.1, 1, n)</c> in float32, the means of neighbouring points
/// (<c>(a + b) / 2</c> in float32), times the Python number <c>10^(i−6)</c> (PyTorch rounds that scalar to
/// float32 and multiplies in float32); the signed code also takes the negated products. Then 0 and 1.0 are
/// added and the 256 values sorted. Signed: 127 negative values down to −0.99296874, zero at index 127,
/// 127 positive values and 1.0 at index 255 (so not symmetric: −1 is not a code). Unsigned: zero at index
/// 0, 254 positive values, 1.0 at index 255. The smallest non-zero magnitude is 5.5e−7 (signed) and
/// 3.25e−7 (unsigned).
/// </para>
/// <para>
/// PyTorch 1.13's CPU <c>linspace</c> (<c>aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp</c>) computes
/// <c>step = (end − start) / (n − 1)</c> in float32, point <c>k</c> as <c>start + step·k</c> below
/// <c>n/2</c> and <c>end − step·(n − 1 − k)</c> from there, both with one rounding (fused multiply-adds:
/// only that matches its output); its vectorized loop (8 lanes with the default AVX2 kernels, two registers
/// per iteration, the rest scalar) computes only each register's first point that way and the other lanes
/// as <c>first + j·step</c>, rounded twice. That is what <see cref="CreateTable(bool)"/> replicates, and
/// the tables equal what <c>create_dynamic_map</c> returns under torch 1.13 (tests/Gen.Runtime.Tests/Golden/
/// make_blockwise_golden.py calls it) bit for bit. A PyTorch running its AVX-512 kernels (16 lanes) would,
/// by the same model, round 2 to 24 points of the 17- to 129-point linspaces differently (an ulp each), so
/// a checkpoint should carry its code tables (bitsandbytes' state has them as <c>qmap1</c> / <c>qmap2</c>).
/// </para>
/// <para>
/// The search (csrc/kernels.cu, <c>dQuantize&lt;0&gt;</c>, used by <c>kQuantizeBlockwise</c>): a 7-step
/// binary search from pivot 127 (steps 64 … 1, going up when <c>x &gt; code[pivot]</c>) ends on an even
/// index <c>e</c> whose neighbours are the last pivots above and below; then, with midpoints computed in
/// float32 as <c>(code[a] + code[b])·0.5f</c>, it returns <c>e + 1</c> when <c>x &gt; code[e]</c> and
/// <c>x &gt; mid(e, e + 1)</c>, <c>e − 1</c> when <c>x ≤ code[e]</c> and <c>x &lt; mid(e − 1, e)</c>, else
/// <c>e</c>. For a sorted code that is exactly: the index is the number of thresholds <c>t_j</c>
/// (<c>j = 0..254</c>) with <c>x ≥ t_j</c>, where <c>t_j = mid(j, j + 1)</c> for odd <c>j</c> and the next
/// float above it for even <c>j</c>: a value exactly on a midpoint goes to the even index of the two. NaN
/// passes no threshold: index 0. <see cref="CodeSearch"/> holds the thresholds in two forms for the two
/// ways they are searched. The optimizer kernel's search (<c>kOptimizerStatic8bit2StateBlockwise</c>'s <c>quantize_2D</c>) is the
/// same search and returns the same index for both tables.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DynamicCode
{
    /// <summary>Entries in each code: one per byte value.</summary>
    public const int Length = 256;

    private static readonly CodeSearch s_signed = new(CreateTable(signed: true));
    private static readonly CodeSearch s_unsigned = new(CreateTable(signed: false));

    /// <summary>bitsandbytes' <c>create_dynamic_map(signed=True)</c> ("dynamic"), sorted ascending.</summary>
    public static ReadOnlySpan<float> Signed => s_signed.Code;

    /// <summary>bitsandbytes' <c>create_dynamic_map(signed=False)</c> ("udynamic"), sorted ascending.</summary>
    public static ReadOnlySpan<float> Unsigned => s_unsigned.Code;

    /// <summary>
    /// The index of the code nearest to <paramref name="x"/> as bitsandbytes' <c>dQuantize</c> picks it
    /// (ties to the even index; NaN → 0). <paramref name="x"/> is a value already divided by its block's
    /// absmax, so in [−1, 1]; values outside go to the end codes.
    /// </summary>
    public static int IndexOf(float x, bool signed) => For(signed).IndexOf(x);

    /// <summary>The code and its search structures.</summary>
    internal static CodeSearch For(bool signed) => signed ? s_signed : s_unsigned;

    /// <summary>
    /// Builds the code as <c>create_dynamic_map</c> does under torch 1.13's CPU float32 arithmetic (see the
    /// remarks of <see cref="DynamicCode"/>).
    /// </summary>
    internal static float[] CreateTable(bool signed)
    {
        // 10^(i-6) as Python evaluates `10 ** (i - 6)` (a double, or the int 1), rounded to float32 by the
        // tensor multiply.
        double[] decades = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
        float[] table = new float[Length];
        int count = 0;
        for (int i = 0; i < decades.Length; i++)
        {
            float scale = (float)decades[i];
            float[] points = TorchLinspace(0.1f, 1f, signed ? (1 << i) + 1 : (1 << (i + 1)) + 1);
            for (int k = 0; k + 1 < points.Length; k++)
            {
                float mean = (float)(points[k] + points[k + 1]) / 2f;
                table[count++] = scale * mean;
                if (signed)
                {
                    table[count++] = -scale * mean;
                }
            }
        }

        table[count++] = 0f;
        table[count++] = 1f;
        if (count != Length)
        {
            throw new InvalidOperationException($"The dynamic code has {count} entries, not {Length}.");
        }

        Array.Sort(table);
        return table;
    }

    /// <summary>
    /// torch 1.13's <c>torch.linspace(start, end, steps, dtype=torch.float32)</c> on the CPU with its AVX2
    /// kernels (<c>Vectorized&lt;float&gt;</c> of 8 lanes).
    /// </summary>
    internal static float[] TorchLinspace(float start, float end, int steps)
    {
        const int Lanes = 8;
        float[] points = new float[steps];
        if (steps == 1)
        {
            points[0] = start;
            return points;
        }

        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;

        // One rounding of start + step·k (or end − step·(steps − 1 − k)): the product of a float and an
        // integer below 2^24 and the sum are exact in double, so rounding that to float is the fused result.
        float Point(int k) => k < halfway
            ? (float)(start + ((double)step * k))
            : (float)(end - ((double)step * (steps - 1 - k)));

        // cpu_serial_kernel_vec: two registers per iteration while two fit, each
        // Vectorized<float>::arange(first, step), whose lanes are first + j·step rounded twice; then
        // single points.
        int index = 0;
        for (; index + (2 * Lanes) <= steps; index += 2 * Lanes)
        {
            for (int register = index; register < index + (2 * Lanes); register += Lanes)
            {
                float first = Point(register);
                points[register] = first;
                for (int j = 1; j < Lanes; j++)
                {
                    points[register + j] = first + (float)(j * step);
                }
            }
        }

        for (; index < steps; index++)
        {
            points[index] = Point(index);
        }

        return points;
    }
}
