using System;

namespace Gen.Optimizers.Tests;

/// <summary>
/// LARS on one member, written from Optax's <c>lars</c> (google-deepmind/optax, optax/_src/alias.py:
/// <c>add_decayed_weights</c>, <c>scale_by_trust_ratio</c>, <c>scale_by_learning_rate</c>, <c>trace</c>) and You, Gitman
/// and Ginsburg 2017: <c>u = g + wd·p</c>; <c>u = u·r</c> with <c>r = c·‖p‖/(‖u‖ + ε)</c> (1 when a norm is 0, or for an
/// excluded member); <c>u = (-lr)·u</c>; <c>t = u + μ·t</c>; <c>p = p + t</c> (Nesterov: <c>p + (u + μ·t)</c>). With
/// <c>single</c>, every operation is rounded to float, as the float kernels compute.
/// </summary>
internal sealed class LarsReference
{
    private readonly LarsAttribute _c;
    private readonly bool _single, _runtimeNorms;
    private readonly double[] _trace;

    /// <param name="runtimeNorms">The ratio from <c>TrustRatio.Of</c> (bit for bit the kernels'), or from plain index-order sums in double.</param>
    public LarsReference(LarsAttribute config, int length, bool single, bool runtimeNorms)
    {
        _c = config;
        _single = single;
        _runtimeNorms = runtimeNorms;
        _trace = new double[length];
    }

    public void Step(double[] p, double[] g, double learningRate, double weightDecay, bool excluded)
    {
        double decay = R(excluded ? 0 : weightDecay), negativeRate = R(-learningRate), momentum = R(_c.Momentum);
        var u = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            u[i] = R(g[i] + R(decay * p[i]));
        }

        double ratio = excluded ? 1 : Ratio(u, p);
        for (int i = 0; i < p.Length; i++)
        {
            double update = R(negativeRate * R(u[i] * ratio));
            _trace[i] = R(update + R(momentum * _trace[i]));
            p[i] = R(p[i] + (_c.Nesterov ? R(update + R(momentum * _trace[i])) : _trace[i]));
        }
    }

    private double Ratio(double[] u, double[] p)
    {
        if (_runtimeNorms)
        {
            return _single
                ? Gen.__Internals.TrustRatio.Of(TestData.ToSingle(u), TestData.ToSingle(p), (float)_c.TrustCoefficient, (float)_c.Epsilon)
                : Gen.__Internals.TrustRatio.Of(u, p, _c.TrustCoefficient, _c.Epsilon);
        }

        double pn = R(Math.Sqrt(SumOfSquares(p))), un = R(Math.Sqrt(SumOfSquares(u)));
        return pn == 0 || un == 0 ? 1 : R(R(R(_c.TrustCoefficient) * pn) / R(un + R(_c.Epsilon)));
    }

    private static double SumOfSquares(double[] x)
    {
        double sum = 0;
        foreach (double value in x)
        {
            sum += value * value;
        }

        return sum;
    }

    private double R(double x) => _single ? (float)x : x;
}

/// <summary><see cref="LarsReference"/> on a member with weight decay and the trust ratio, for the kernel sweep (runtime norms: bit for bit).</summary>
internal sealed class LarsMemberReference(LarsAttribute c, int length, bool single) : IReference
{
    private readonly LarsReference _reference = new(c, length, single, runtimeNorms: true);

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount) =>
        _reference.Step(parameters, gradients, learningRate, weightDecay, excluded: false);
}
