using System;
using Gen;

namespace Gen.Mono.Runner;

/// <summary>
/// Deterministic values made with integer arithmetic only (SplitMix64), so both runtimes start from the same
/// bits without calling a math library: each value is a 24-bit integer times 2^-23, exact in float and double,
/// in [-1, 1).
/// </summary>
internal static class Synthetic
{
    public static void Fill(GradientsBase gradients, int seed)
    {
        ulong state = Seed(seed);
        for (int m = 0; m < gradients.MemberCount; m++)
        {
            Fill(gradients.GetMember(m), ref state);
        }
    }

    public static void Fill(ITrainable model, int seed)
    {
        ulong state = Seed(seed);
        for (int p = 0; p < model.ParameterCount; p++)
        {
            Fill(model.GetParameter(p), ref state);
        }
    }

    private static ulong Seed(int seed) => unchecked((ulong)seed * 0x9E3779B97F4A7C15UL);

    private static void Fill(TensorRef tensor, ref ulong state)
    {
        if (tensor.Element == TensorElement.Single)
        {
            Span<float> values = tensor.AsSingleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)Next(ref state);
            }
        }
        else
        {
            Span<double> values = tensor.AsDoubleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Next(ref state);
            }
        }
    }

    private static double Next(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            long integer = (long)(z >> 40) - (1L << 23);   // 24 bits: [-2^23, 2^23)
            return integer * (1.0 / (1 << 23));
        }
    }
}
