using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Xunit;
using Gen.__Internals;

namespace Gen.Runtime.Tests;

/// <summary>
/// FastMath, the operations of Precision.Fast kernels: every register width gives, lane by lane, the
/// bits the scalar overload gives (a kernel's vector body and its scalar tail agree), the multiply-adds
/// are fused exactly when the hardware fuses, and the estimates are as good as documented. CI runs this
/// class again under each SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class FastMathTests
{
    private const int Count = 4096;

    [Fact]
    public void MultiplyAddIsFusedExactlyWhenTheHardwareFuses()
    {
        bool fuses = Fma.IsSupported || AdvSimd.IsSupported;
        var random = new Random(11);
        int differences = 0;
        for (int i = 0; i < Count; i++)
        {
            float a = Next(random), b = Next(random), c = Next(random);
            float expected = fuses ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;
            float negated = fuses ? MathF.FusedMultiplyAdd(-a, b, c) : c - (a * b);
            Assert.Equal(expected, FastMath.MultiplyAdd(a, b, c));
            Assert.Equal(negated, FastMath.NegatedMultiplyAdd(a, b, c));
            differences += MathF.FusedMultiplyAdd(a, b, c) != (a * b) + c ? 1 : 0;
        }

        Assert.True(differences > 0, "The inputs never tell a fused multiply-add from an unfused one.");
    }

    [Fact]
    public void EveryWidthGivesTheScalarResultLaneByLane()
    {
        var random = new Random(12);
        float[] a = new float[16], b = new float[16], c = new float[16], x = new float[16];
        for (int trial = 0; trial < Count / 16; trial++)
        {
            for (int lane = 0; lane < 16; lane++)
            {
                a[lane] = Next(random);
                b[lane] = Next(random);
                c[lane] = Next(random);
                x[lane] = MathF.Abs(Next(random)) + 1e-3f;
            }

            AssertLanes(a, b, c, x, Vector512.Create(a), Vector512.Create(b), Vector512.Create(c), Vector512.Create(x));
            AssertLanes(a, b, c, x, Vector256.Create(a), Vector256.Create(b), Vector256.Create(c), Vector256.Create(x));
            AssertLanes(a, b, c, x, Vector128.Create(a), Vector128.Create(b), Vector128.Create(c), Vector128.Create(x));
        }
    }

    [Fact]
    public void EstimatesHaveAtLeastTwelveBitsAndOneNewtonStepGivesAboutTwentyThree()
    {
        var random = new Random(13);
        double worstEstimate = 0, worstRefined = 0;
        for (int i = 0; i < Count; i++)
        {
            float x = MathF.Pow(2, (float)((random.NextDouble() * 60) - 30)) * (float)(1 + random.NextDouble());
            foreach ((float estimate, double exact, bool sqrt) in new[]
            {
                (FastMath.ReciprocalEstimate(x), 1 / (double)x, false),
                (FastMath.ReciprocalEstimate(Vector128.Create(x)).ToScalar(), 1 / (double)x, false),
                (FastMath.ReciprocalEstimate(Vector256.Create(x)).ToScalar(), 1 / (double)x, false),
                (FastMath.ReciprocalEstimate(Vector512.Create(x)).ToScalar(), 1 / (double)x, false),
                (FastMath.ReciprocalSqrtEstimate(x), 1 / Math.Sqrt(x), true),
                (FastMath.ReciprocalSqrtEstimate(Vector128.Create(x)).ToScalar(), 1 / Math.Sqrt(x), true),
                (FastMath.ReciprocalSqrtEstimate(Vector256.Create(x)).ToScalar(), 1 / Math.Sqrt(x), true),
                (FastMath.ReciprocalSqrtEstimate(Vector512.Create(x)).ToScalar(), 1 / Math.Sqrt(x), true),
            })
            {
                // The Newton steps the Fast kernels take.
                float refined = sqrt
                    ? estimate * (1.5f - (0.5f * x * estimate * estimate))
                    : estimate * (2f - (x * estimate));
                worstEstimate = Math.Max(worstEstimate, Math.Abs(estimate - exact) / exact);
                worstRefined = Math.Max(worstRefined, Math.Abs(refined - exact) / exact);
            }
        }

        Assert.True(worstEstimate <= 1.5 * Math.Pow(2, -12), $"An estimate is off by {worstEstimate:E2}, more than 12 bits allow.");
        Assert.True(worstRefined <= 4 * Math.Pow(2, -24), $"A refined estimate is off by {worstRefined:E2}.");
    }

    /// <summary>
    /// The same two bounds for every overload (scalar, Vector128/256/512 and Vector&lt;float&gt;) over the whole range the
    /// kernels can use: every power of two whose reciprocal (square root) is a normal float, its neighbours, the
    /// smallest normals and their neighbours, the largest inputs, and random inputs across the range. The bounds hold
    /// whatever the platform's estimate instructions give (Arm's are 8 bits before their step).
    /// </summary>
    [Fact]
    public void EstimatesMeetTheirBoundsOverTheWholeRangeInEveryOverload()
    {
        var random = new Random(14);
        var inputs = new List<float>();
        for (int exponent = -126; exponent <= 127; exponent++)
        {
            float power = MathF.ScaleB(1f, exponent);
            inputs.AddRange([power, MathF.BitIncrement(power), MathF.BitDecrement(power), power * 1.5f, power * 1.999f]);
        }

        inputs.AddRange([float.MaxValue, MathF.BitDecrement(float.MaxValue), 2f, 3f, 10f, 1e-8f, 1e-10f]);
        for (int i = 0; i < Count * 4; i++)
        {
            inputs.Add(MathF.ScaleB(1f + (float)random.NextDouble(), random.Next(-126, 128)));
        }

        double worstEstimate = 0, worstRefined = 0;
        string worstCase = "";
        foreach (float x in inputs)
        {
            if (!float.IsNormal(x) || x <= 0)
            {
                continue;
            }

            foreach ((string name, float estimate, bool sqrt) in Estimates(x))
            {
                double exact = sqrt ? 1 / Math.Sqrt(x) : 1 / (double)x;

                // The reciprocal of a large x is subnormal, where no estimate keeps its precision (rcpps
                // flushes it to 0) and no kernel goes: a kernel's divisor is √v + ε, far from 2¹²⁶.
                if (!sqrt && exact < MathF.ScaleB(1f, -125))
                {
                    continue;
                }

                // The Newton steps the Fast kernels take.
                float refined = sqrt
                    ? estimate * (1.5f - (0.5f * x * estimate * estimate))
                    : estimate * (2f - (x * estimate));
                double estimateError = Math.Abs(estimate - exact) / exact;
                double refinedError = Math.Abs(refined - exact) / exact;
                if (estimateError > worstEstimate || refinedError > worstRefined)
                {
                    worstCase = $"{name}({x:R})";
                }

                worstEstimate = Math.Max(worstEstimate, estimateError);
                worstRefined = Math.Max(worstRefined, refinedError);
            }
        }

        Assert.True(worstEstimate <= 1.5 * Math.Pow(2, -12), $"An estimate is off by {worstEstimate:E2}, more than 12 bits allow (worst at {worstCase}).");
        Assert.True(worstRefined <= 4 * Math.Pow(2, -24), $"A refined estimate is off by {worstRefined:E2} (worst at {worstCase}).");
    }

    private static IEnumerable<(string Name, float Estimate, bool Sqrt)> Estimates(float x)
    {
        yield return ("ReciprocalEstimate(float)", FastMath.ReciprocalEstimate(x), false);
        yield return ("ReciprocalEstimate(Vector128)", FastMath.ReciprocalEstimate(Vector128.Create(x)).ToScalar(), false);
        yield return ("ReciprocalEstimate(Vector256)", FastMath.ReciprocalEstimate(Vector256.Create(x)).ToScalar(), false);
        yield return ("ReciprocalEstimate(Vector512)", FastMath.ReciprocalEstimate(Vector512.Create(x)).ToScalar(), false);
        yield return ("ReciprocalEstimate(Vector<float>)", FastMath.ReciprocalEstimate(new Vector<float>(x))[0], false);
        yield return ("ReciprocalSqrtEstimate(float)", FastMath.ReciprocalSqrtEstimate(x), true);
        yield return ("ReciprocalSqrtEstimate(Vector128)", FastMath.ReciprocalSqrtEstimate(Vector128.Create(x)).ToScalar(), true);
        yield return ("ReciprocalSqrtEstimate(Vector256)", FastMath.ReciprocalSqrtEstimate(Vector256.Create(x)).ToScalar(), true);
        yield return ("ReciprocalSqrtEstimate(Vector512)", FastMath.ReciprocalSqrtEstimate(Vector512.Create(x)).ToScalar(), true);
        yield return ("ReciprocalSqrtEstimate(Vector<float>)", FastMath.ReciprocalSqrtEstimate(new Vector<float>(x))[0], true);
    }

    private static void AssertLanes<TVector>(float[] a, float[] b, float[] c, float[] x, TVector va, TVector vb, TVector vc, TVector vx)
    {
        (float[] multiplyAdd, float[] negated, float[] reciprocal, float[] reciprocalSqrt) = (va, vb, vc, vx) switch
        {
            (Vector512<float> a5, Vector512<float> b5, Vector512<float> c5, Vector512<float> x5) => (
                Lanes(FastMath.MultiplyAdd(a5, b5, c5)), Lanes(FastMath.NegatedMultiplyAdd(a5, b5, c5)),
                Lanes(FastMath.ReciprocalEstimate(x5)), Lanes(FastMath.ReciprocalSqrtEstimate(x5))),
            (Vector256<float> a2, Vector256<float> b2, Vector256<float> c2, Vector256<float> x2) => (
                Lanes(FastMath.MultiplyAdd(a2, b2, c2)), Lanes(FastMath.NegatedMultiplyAdd(a2, b2, c2)),
                Lanes(FastMath.ReciprocalEstimate(x2)), Lanes(FastMath.ReciprocalSqrtEstimate(x2))),
            (Vector128<float> a1, Vector128<float> b1, Vector128<float> c1, Vector128<float> x1) => (
                Lanes(FastMath.MultiplyAdd(a1, b1, c1)), Lanes(FastMath.NegatedMultiplyAdd(a1, b1, c1)),
                Lanes(FastMath.ReciprocalEstimate(x1)), Lanes(FastMath.ReciprocalSqrtEstimate(x1))),
            _ => throw new ArgumentException("Not a float vector.", nameof(va)),
        };

        for (int lane = 0; lane < multiplyAdd.Length; lane++)
        {
            Assert.Equal(FastMath.MultiplyAdd(a[lane], b[lane], c[lane]), multiplyAdd[lane]);
            Assert.Equal(FastMath.NegatedMultiplyAdd(a[lane], b[lane], c[lane]), negated[lane]);

            // The estimates differ between instruction sets (vrcp14ps has 14 bits, rcpps 12), so lanes
            // are held to the scalar estimate's accuracy, not its bits.
            AssertClose(FastMath.ReciprocalEstimate(x[lane]), reciprocal[lane]);
            AssertClose(FastMath.ReciprocalSqrtEstimate(x[lane]), reciprocalSqrt[lane]);
        }
    }

    private static void AssertClose(float expected, float actual) =>
        Assert.True(Math.Abs(actual - expected) <= 3 * Math.Pow(2, -12) * Math.Abs(expected), $"{actual} is not within 12 bits of {expected}.");

    private static float[] Lanes(Vector512<float> v)
    {
        float[] lanes = new float[Vector512<float>.Count];
        v.CopyTo(lanes);
        return lanes;
    }

    private static float[] Lanes(Vector256<float> v)
    {
        float[] lanes = new float[Vector256<float>.Count];
        v.CopyTo(lanes);
        return lanes;
    }

    private static float[] Lanes(Vector128<float> v)
    {
        float[] lanes = new float[Vector128<float>.Count];
        v.CopyTo(lanes);
        return lanes;
    }

    private static float Next(Random random) => (float)((random.NextDouble() * 2) - 1) * MathF.Pow(2, random.Next(-8, 8));
}
