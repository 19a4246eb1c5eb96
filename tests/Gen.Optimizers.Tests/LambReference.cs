using System;

namespace Gen.Optimizers.Tests;

/// <summary>
/// LAMB on one member, written from Optax's <c>lamb</c> (google-deepmind/optax, optax/_src/alias.py: <c>scale_by_adam</c>,
/// <c>add_decayed_weights</c>, <c>scale_by_trust_ratio</c>, <c>scale_by_learning_rate</c>) and You et al. 2019, Algorithm 2:
/// <c>m = (1-β1)·g + β1·m</c>, <c>v = (1-β2)·(g·g) + β2·v</c>, <c>u = (m/(1-β1ᵗ)) / (√(v/(1-β2ᵗ)) + ε) + wd·p</c>,
/// <c>u = u·r</c> with <c>r = ‖p‖/‖u‖</c> (1 when a norm is 0, or for an excluded member), <c>p = p + (-lr)·u</c>.
/// With <c>single</c>, every operation is rounded to float (constants and the step's scalars rounded once), as the
/// float kernels compute; otherwise everything is double.
/// </summary>
internal sealed class LambReference
{
    private readonly double _beta1, _beta2, _epsilon;
    private readonly bool _single, _runtimeNorms;
    private readonly double[] _m, _v;

    /// <param name="runtimeNorms">
    /// Whether the ratio comes from <c>TrustRatio.Of</c> (the runtime's fixed-order sums, so the reference is bit for bit
    /// the kernels'), or from plain sums in index order, in double (the algorithm, within rounding).
    /// </param>
    public LambReference(LambAttribute config, int length, bool single, bool runtimeNorms)
    {
        _beta1 = config.Beta1;
        _beta2 = config.Beta2;
        _epsilon = config.Epsilon;
        _single = single;
        _runtimeNorms = runtimeNorms;
        _m = new double[length];
        _v = new double[length];
    }

    /// <summary>One step (<paramref name="stepCount"/> steps done before it) on <paramref name="p"/>.</summary>
    public void Step(double[] p, double[] g, double learningRate, double weightDecay, bool excluded, long stepCount)
    {
        double t = stepCount + 1;
        double bias1 = R(1 - Math.Pow(_beta1, t)), bias2 = R(1 - Math.Pow(_beta2, t));
        double oneMinusBeta1 = R(1 - _beta1), beta1 = R(_beta1), oneMinusBeta2 = R(1 - _beta2), beta2 = R(_beta2), epsilon = R(_epsilon);
        double decay = R(excluded ? 0 : weightDecay), negativeRate = R(-learningRate);
        var u = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            _m[i] = R(R(oneMinusBeta1 * g[i]) + R(beta1 * _m[i]));
            _v[i] = R(R(oneMinusBeta2 * R(g[i] * g[i])) + R(beta2 * _v[i]));
            u[i] = R(R(R(_m[i] / bias1) / R(R(Math.Sqrt(R(_v[i] / bias2))) + epsilon)) + R(decay * p[i]));
        }

        double ratio = excluded ? 1 : Ratio(u, p);
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = R(p[i] + R(negativeRate * R(u[i] * ratio)));
        }
    }

    private double Ratio(double[] u, double[] p)
    {
        if (_runtimeNorms)
        {
            return _single
                ? Gen.__Internals.TrustRatio.Of(TestData.ToSingle(u), TestData.ToSingle(p), 1f, 0f)
                : Gen.__Internals.TrustRatio.Of(u, p, 1d, 0d);
        }

        double pn = R(Math.Sqrt(SumOfSquares(p))), un = R(Math.Sqrt(SumOfSquares(u)));
        return pn == 0 || un == 0 ? 1 : R(pn / un);
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

/// <summary>
/// <see cref="LambReference"/> on a member with weight decay and the trust ratio, for the kernel sweep: its ratio from the
/// runtime's norms, so a float (or double) kernel matches it bit for bit.
/// </summary>
internal sealed class LambMemberReference(LambAttribute c, int length, bool single) : IReference
{
    private readonly LambReference _reference = new(c, length, single, runtimeNorms: true);

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount) =>
        _reference.Step(parameters, gradients, learningRate, weightDecay, excluded: false, stepCount);
}
