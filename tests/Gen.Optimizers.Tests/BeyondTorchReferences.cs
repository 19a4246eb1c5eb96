using System;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Schedule-Free's step scalars (Defazio et al. 2024; schedulefree's <c>adamw_schedulefree_reference.py</c> and
/// <c>sgd_schedulefree_reference.py</c>), in double as the reference's Python floats: the warm-up, the running maximum of
/// the learning rate and the weighted average's coefficient, kept per parameter group.
/// </summary>
internal sealed class ScheduleFreeAveraging(int warmupSteps, double r, double weightLrPower)
{
    public double LrMax { get; private set; } = -1;

    public double WeightSum { get; private set; }

    /// <summary>Step k (0-based): the scheduled learning rate and the averaging coefficient ckp1.</summary>
    public (double LearningRate, double Ckp1) Advance(long k, double learningRate)
    {
        double sched = k < warmupSteps ? (k + 1) / (double)warmupSteps : 1.0;
        double lr = learningRate * sched;
        LrMax = LrMax > lr ? LrMax : lr; // Python's max(lr, lr_max)
        double weight = Math.Pow(k + 1, r) * Math.Pow(LrMax, weightLrPower);
        WeightSum += weight;
        return (lr, WeightSum == 0 ? 0 : weight / WeightSum); // ZeroDivisionError → 0
    }
}

/// <summary>
/// <c>AdamWScheduleFreeReference.step</c>, operation by operation: z, x and y cloned from the parameter at the first step;
/// <c>z.sub_(y or z, alpha=lr*decay)</c> when decay ≠ 0; <c>v.mul_(β2).addcmul_(g, g, value=1-β2)</c>;
/// <c>v.div(bc2).sqrt_().add_(eps)</c>; the inner momentum <c>m.mul_(μ).add_(g, alpha=1-μ)</c> and <c>m.div(bc1)</c>;
/// <c>z.addcdiv_(u, d, value=-lr)</c>; <c>x.mul_(1-ckp1).add_(z, alpha=ckp1)</c>; <c>y = x.mul(β1).add_(z, alpha=1-β1)</c>.
/// </summary>
internal sealed class ScheduleFreeAdamWReference(ScheduleFreeAdamWAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly ScheduleFreeAveraging _averaging = new(c.WarmupSteps, c.R, c.WeightLrPower);
    private readonly double[] _z = new double[length];
    private readonly double[] _v = new double[length];
    private readonly double[] _x = new double[length];
    private readonly double[] _y = new double[length];
    private readonly double[] _m = new double[length];

    public double[] X => _x;

    public ScheduleFreeAveraging Averaging => _averaging;

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        (double lr, double ckp1) = _averaging.Advance(stepCount, learningRate);
        double bc2 = r(1 - Math.Pow(c.Beta2, stepCount + 1)), bc1 = r(1 - Math.Pow(c.InnerMomentum, stepCount + 1));
        double negLrWd = r(-(lr * weightDecay)), negLr = r(-lr), oneMinusCkp1 = r(1 - ckp1), ckp1R = r(ckp1);
        if (stepCount == 0)
        {
            parameters.CopyTo(_z, 0);
            parameters.CopyTo(_x, 0);
            parameters.CopyTo(_y, 0);
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            double g = gradients[i];
            if (weightDecay != 0)
            {
                _z[i] = r(_z[i] + r(negLrWd * (c.DecayAtZ ? _z[i] : _y[i])));
            }

            _v[i] = r(r(_v[i] * r(c.Beta2)) + r(r(r(1 - c.Beta2) * g) * g));
            double d = r(r(Math.Sqrt(r(_v[i] / bc2))) + r(c.Epsilon));
            double u = g;
            if (c.InnerMomentum != 0)
            {
                _m[i] = r(r(_m[i] * r(c.InnerMomentum)) + r(r(1 - c.InnerMomentum) * g));
                u = r(_m[i] / bc1);
            }

            _z[i] = r(_z[i] + r(r(negLr * u) / d));
            _x[i] = r(r(_x[i] * oneMinusCkp1) + r(ckp1R * _z[i]));
            _y[i] = r(r(_x[i] * r(c.Beta1)) + r(r(1 - c.Beta1) * _z[i]));
            parameters[i] = _y[i];
        }
    }
}

/// <summary>
/// <c>SGDScheduleFreeReference.step</c>: <c>g.add_(y, alpha=wd)</c> when wd ≠ 0, <c>z.sub_(g, alpha=lr)</c>, then the
/// average and the interpolation as the AdamW reference.
/// </summary>
internal sealed class ScheduleFreeSgdReference(ScheduleFreeSgdAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly ScheduleFreeAveraging _averaging = new(c.WarmupSteps, c.R, c.WeightLrPower);
    private readonly double[] _z = new double[length];
    private readonly double[] _x = new double[length];
    private readonly double[] _y = new double[length];

    public double[] X => _x;

    public ScheduleFreeAveraging Averaging => _averaging;

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        (double lr, double ckp1) = _averaging.Advance(stepCount, learningRate);
        double negLr = r(-lr), wd = r(weightDecay), oneMinusCkp1 = r(1 - ckp1), ckp1R = r(ckp1);
        if (stepCount == 0)
        {
            parameters.CopyTo(_z, 0);
            parameters.CopyTo(_x, 0);
            parameters.CopyTo(_y, 0);
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            double g = weightDecay != 0 ? r(gradients[i] + r(wd * _y[i])) : gradients[i];
            _z[i] = r(_z[i] + r(negLr * g));
            _x[i] = r(r(_x[i] * oneMinusCkp1) + r(ckp1R * _z[i]));
            _y[i] = r(r(_x[i] * r(c.Momentum)) + r(r(1 - c.Momentum) * _z[i]));
            parameters[i] = _y[i];
        }
    }
}

/// <summary>
/// apple/ml-ademamix's <c>AdEMAMix.step</c>: <c>m1.mul_(β1).add_(g, alpha=1-β1)</c> (or m1 = g when β1 = 0),
/// <c>m2.mul_(β3).add_(g, alpha=1-β3)</c>, <c>v.mul_(β2).addcmul_(g, g, value=1-β2)</c>,
/// <c>(v.sqrt() / math.sqrt(bc2)).add_(eps)</c>, <c>(m1.div(bc1) + α*m2) / d</c>, <c>u.add_(p, alpha=λ)</c>,
/// <c>p.add_(-lr * u)</c>, with the warm-up schedulers written out here from the paper's formulas.
/// </summary>
internal sealed class AdEMAMixReference(AdEMAMixAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m1 = new double[length];
    private readonly double[] _m2 = new double[length];
    private readonly double[] _v = new double[length];

    /// <summary>α rises linearly from 0 over the warm-up: <c>(1 − t/T)·0 + (t/T)·α</c>.</summary>
    public static double Alpha(long t, int warmup, double alpha) => t < warmup ? ((1.0 - (t / (double)warmup)) * 0.0) + (t / (double)warmup * alpha) : alpha;

    /// <summary>β3's half-life <c>ln 0.5 / ln(β + 1e-8) − 1</c> moves linearly from β1's to β3's.</summary>
    public static double Beta3(long t, int warmup, double beta1, double beta3)
    {
        if (t >= warmup)
        {
            return beta3;
        }

        static double HalfLife(double beta) => (Math.Log(0.5) / Math.Log(beta + 1e-8)) - 1;
        double a = t / (double)warmup;
        double mixed = ((1.0 - a) * HalfLife(beta1)) + (a * HalfLife(beta3));
        return Math.Pow(0.5, 1 / (mixed + 1));
    }

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        long t = stepCount + 1;
        double bc1 = r(1 - Math.Pow(c.Beta1, t)), bc2Sqrt = r(Math.Sqrt(1 - Math.Pow(c.Beta2, t)));
        double alpha = Alpha(t, c.AlphaWarmup, c.Alpha), beta3 = Beta3(t, c.Beta3Warmup, c.Beta1, c.Beta3);
        double negLr = r(-learningRate), lambda = r(weightDecay);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = gradients[i], p = parameters[i];
            double fast = g;
            if (c.Beta1 != 0)
            {
                _m1[i] = fast = r(r(_m1[i] * r(c.Beta1)) + r(r(1 - c.Beta1) * g));
            }

            _m2[i] = r(r(_m2[i] * r(beta3)) + r(r(1 - beta3) * g));
            _v[i] = r(r(_v[i] * r(c.Beta2)) + r(r(r(1 - c.Beta2) * g) * g));
            double d = r(r(r(Math.Sqrt(_v[i])) / bc2Sqrt) + r(c.Epsilon));
            double u = r(r(r(fast / bc1) + r(r(alpha) * _m2[i])) / d);
            u = r(u + r(lambda * p));
            parameters[i] = r(p + r(negLr * u));
        }
    }
}

/// <summary>
/// iShohei220/adopt's <c>_single_tensor_adopt</c>: maximize and the coupled decay on the gradient; at step 0 only
/// <c>v.addcmul_(g, g)</c>; then the decoupled decay <c>p.add_(p, alpha=-lr*wd)</c>, <c>g / clamp(√v, min=ε)</c>,
/// <c>clamp_(-c, c)</c> with <c>c = step**exponent</c>, <c>m.lerp_(n, 1-β1)</c> (PyTorch's two forms),
/// <c>p.add_(m, alpha=-lr)</c> and <c>v.mul_(β2).addcmul_(g, g, value=1-β2)</c>.
/// </summary>
internal sealed class AdoptReference(AdoptAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m = new double[length];
    private readonly double[] _v = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double wd = r(weightDecay), negLrWd = r(-learningRate * weightDecay), negLr = r(-learningRate), eps = r(c.Epsilon);
        double clip = r(Math.Pow(stepCount, c.ClipExponent));
        double w = r(1 - c.Beta1);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = c.Maximize ? -gradients[i] : gradients[i];
            double p = parameters[i];
            if (!c.Decouple && weightDecay != 0)
            {
                g = r(g + r(wd * p));
            }

            if (stepCount == 0)
            {
                _v[i] = r(_v[i] + r(g * g));
                continue;
            }

            if (c.Decouple && weightDecay != 0)
            {
                p = r(p + r(negLrWd * p));
            }

            double root = r(Math.Sqrt(_v[i]));
            double n = r(g / (root < eps ? eps : root));
            if (c.Clipping)
            {
                n = n < -clip ? -clip : n;
                n = n > clip ? clip : n;
            }

            _m[i] = Math.Abs(w) < 0.5 ? r(_m[i] + r(w * r(n - _m[i]))) : r(n - r(r(n - _m[i]) * r(1 - w)));
            parameters[i] = r(p + r(negLr * _m[i]));
            _v[i] = r(r(_v[i] * r(c.Beta2)) + r(r(r(1 - c.Beta2) * g) * g));
        }
    }
}
