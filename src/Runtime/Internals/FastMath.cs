using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
#endif

namespace Gen.__Internals;

/// <summary>
/// The float operations that <c>Precision.Fast</c> kernels are built from, one overload per register
/// width and one for the scalar tail. Each picks its instruction once per machine (the JIT folds the
/// <c>IsSupported</c> checks and inlines the call), so the generated kernels stay readable and every
/// width of one kernel makes the same choice: all fused where the hardware fuses, none where it does
/// not (a width the hardware lacks works on halves, so even a width no kernel would use agrees). The
/// exact kernels never call these: they round each operation as PyTorch does.
/// </summary>
/// <remarks>
/// The netstandard2.1 build (Unity) has the scalar overloads only, with no hardware choice to make:
/// netstandard2.1 has neither <c>MathF.FusedMultiplyAdd</c> nor the estimate instructions, so there the
/// multiply-adds are a product and a sum, and the estimates are the exact <c>1/x</c> and <c>1/√x</c>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class FastMath
{
    /// <summary>
    /// <c>a·b + c</c>, rounded once where the hardware has fused multiply-add (FMA3, AVX-512, Arm), else as
    /// a product and a sum (always on netstandard2.1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) =>
#if NET8_0_OR_GREATER
        Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;
#else
        (a * b) + c;
#endif

    /// <summary><c>c − a·b</c>, fused as <see cref="MultiplyAdd(float, float, float)"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float NegatedMultiplyAdd(float a, float b, float c) =>
#if NET8_0_OR_GREATER
        Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(-a, b, c) : c - (a * b);
#else
        c - (a * b);
#endif

    /// <summary>
    /// An estimate of 1/x good to at least 12 bits (the vector overloads give the details): on Arm with
    /// AdvSimd the <c>frecpe</c>/<c>frecps</c> pair; on x64 <c>float.ReciprocalEstimate</c>, which is
    /// <c>vrcp14ss</c> (14 bits) with AVX-512 and <c>rcpss</c> (12 bits) otherwise, even with intrinsics off;
    /// everywhere else the exact 1/x (and on netstandard2.1).
    /// </summary>
    /// <remarks>
    /// <c>float.ReciprocalEstimate</c> is used only where its precision is known to be enough for the
    /// kernels' one Newton step: on Arm64 it is <c>frecpe</c>'s 8 bits whether or not AdvSimd is enabled
    /// (<c>DOTNET_EnableHWIntrinsic=0</c> turns off the step instruction, not the estimate), which one step
    /// takes to 16 bits only. The architecture test is a constant in the JIT's eyes, as the
    /// <c>IsSupported</c> checks are.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReciprocalEstimate(float x) =>
#if NET8_0_OR_GREATER
        AdvSimd.IsSupported ? ArmReciprocalEstimate(Vector128.CreateScalarUnsafe(x)).ToScalar()
        : RuntimeInformation.ProcessArchitecture == Architecture.X64 ? float.ReciprocalEstimate(x)
        : 1f / x;
#else
        1f / x;
#endif

    /// <summary>
    /// An estimate of 1/√x, as <see cref="ReciprocalEstimate(float)"/> (<c>frsqrte</c>/<c>frsqrts</c>,
    /// <c>vrsqrt14ss</c> or <c>rsqrtss</c>); elsewhere, and on netstandard2.1, the exact 1/√x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReciprocalSqrtEstimate(float x) =>
#if NET8_0_OR_GREATER
        AdvSimd.IsSupported ? ArmReciprocalSqrtEstimate(Vector128.CreateScalarUnsafe(x)).ToScalar()
        : RuntimeInformation.ProcessArchitecture == Architecture.X64 ? float.ReciprocalSqrtEstimate(x)
        : 1f / MathF.Sqrt(x);
#else
        1f / MathF.Sqrt(x);
#endif
#if NET8_0_OR_GREATER

    /// <summary><c>a·b + c</c>, rounded once where the hardware has fused multiply-add (FMA3, AVX-512, Arm), else as a product and a sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c)
        : Vector512.Create(MultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()), MultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));

    /// <inheritdoc cref="MultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c)
        : Vector256.Create(MultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()), MultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));

    /// <inheritdoc cref="MultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c)
        : AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(c, a, b)
        : (a * b) + c;

    /// <summary><c>c − a·b</c>, fused as <see cref="MultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> NegatedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAddNegated(a, b, c)
        : Vector512.Create(NegatedMultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()), NegatedMultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));

    /// <inheritdoc cref="NegatedMultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> NegatedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAddNegated(a, b, c)
        : Vector256.Create(NegatedMultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()), NegatedMultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));

    /// <inheritdoc cref="NegatedMultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> NegatedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAddNegated(a, b, c)
        : AdvSimd.IsSupported ? AdvSimd.FusedMultiplySubtract(c, a, b)
        : c - (a * b);

    /// <summary>
    /// An estimate of 1/x good to at least 12 bits, which one Newton step refines to about 23: the
    /// hardware estimate with AVX-512 (<c>vrcp14ps</c>, 14 bits) and AVX/SSE (<c>rcpps</c>, 12 bits);
    /// on Arm, whose <c>frecpe</c> gives 8 bits, that estimate and its own Newton step (<c>frecps</c>);
    /// the exact 1/x where the ISA has none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReciprocalEstimate(Vector512<float> x) =>
        Avx512F.IsSupported ? Avx512F.Reciprocal14(x) : Vector512<float>.One / x;

    /// <inheritdoc cref="ReciprocalEstimate(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ReciprocalEstimate(Vector256<float> x) =>
        Avx.IsSupported ? Avx.Reciprocal(x) : Vector256<float>.One / x;

    /// <inheritdoc cref="ReciprocalEstimate(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ReciprocalEstimate(Vector128<float> x) =>
        Sse.IsSupported ? Sse.Reciprocal(x)
        : AdvSimd.IsSupported ? ArmReciprocalEstimate(x)
        : Vector128<float>.One / x;

    /// <summary>An estimate of 1/√x, as <see cref="ReciprocalEstimate(Vector512{float})"/> (<c>vrsqrt14ps</c>, <c>rsqrtps</c>, <c>frsqrte</c> and <c>frsqrts</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReciprocalSqrtEstimate(Vector512<float> x) =>
        Avx512F.IsSupported ? Avx512F.ReciprocalSqrt14(x) : Vector512<float>.One / Vector512.Sqrt(x);

    /// <inheritdoc cref="ReciprocalSqrtEstimate(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ReciprocalSqrtEstimate(Vector256<float> x) =>
        Avx.IsSupported ? Avx.ReciprocalSqrt(x) : Vector256<float>.One / Vector256.Sqrt(x);

    /// <inheritdoc cref="ReciprocalSqrtEstimate(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ReciprocalSqrtEstimate(Vector128<float> x) =>
        Sse.IsSupported ? Sse.ReciprocalSqrt(x)
        : AdvSimd.IsSupported ? ArmReciprocalSqrtEstimate(x)
        : Vector128<float>.One / Vector128.Sqrt(x);

    /// <summary><c>frecpe</c> (8 bits) and one <c>frecps</c> step, <c>e·(2 − x·e)</c>: about 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ArmReciprocalEstimate(Vector128<float> x)
    {
        Vector128<float> estimate = AdvSimd.ReciprocalEstimate(x);
        return estimate * AdvSimd.ReciprocalStep(x, estimate);
    }

    /// <summary><c>frsqrte</c> (8 bits) and one <c>frsqrts</c> step, <c>e·(3 − x·e²)/2</c>: about 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ArmReciprocalSqrtEstimate(Vector128<float> x)
    {
        Vector128<float> estimate = AdvSimd.ReciprocalSquareRootEstimate(x);
        return estimate * AdvSimd.ReciprocalSquareRootStep(x * estimate, estimate);
    }
#endif
}
