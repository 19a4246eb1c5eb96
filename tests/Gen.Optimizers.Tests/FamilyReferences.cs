using System;

namespace Gen.Optimizers.Tests;

/// <summary>
/// A plain scalar optimizer written in double. With <c>single: true</c> every intermediate is rounded
/// to float, which reproduces float arithmetic exactly, so a generated float kernel must match it bit
/// for bit; with <c>single: false</c> it is the same update computed in double.
/// </summary>
internal interface IReference
{
    /// <summary>One step, in place. <paramref name="stepCount"/> is the optimizer's StepCount before the step.</summary>
    void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount);
}

/// <summary>Creates the reference for any optimizer attribute.</summary>
internal static class References
{
    public static IReference Create(Attribute config, int length, bool single) => config switch
    {
        RmsPropAttribute rms => new RmsPropReference(rms, length, single),
        SgdAttribute sgd => new SgdReference(sgd, length, single),
        AdagradAttribute adagrad => new AdagradReference(adagrad, length, single),
        AdamAttribute adam => new AdamReference(adam.Beta1, adam.Beta2, adam.Epsilon, adam.AmsGrad, adam.Maximize, decoupled: false, length, single),
        AdamWAttribute adamW => new AdamReference(adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.AmsGrad, adamW.Maximize, decoupled: true, length, single),
        AdadeltaAttribute adadelta => new AdadeltaReference(adadelta, length, single),
        LionAttribute lion => new LionReference(lion, length, single, paperOrder: false),
        NAdamAttribute nadam => new NAdamReference(nadam, length, single),
        RAdamAttribute radam => new RAdamReference(radam, length, single),
        AdamaxAttribute adamax => new AdamaxReference(adamax, length, single),
        RpropAttribute rprop => new RpropReference(rprop, length, single),
        AsgdAttribute asgd => new AsgdReference(asgd, length, single),
        ScheduleFreeAdamWAttribute sf => new ScheduleFreeAdamWReference(sf, length, single),
        ScheduleFreeSgdAttribute sf => new ScheduleFreeSgdReference(sf, length, single),
        AdEMAMixAttribute ademamix => new AdEMAMixReference(ademamix, length, single),
        AdoptAttribute adopt => new AdoptReference(adopt, length, single),
        MuonAttribute muon => new MuonAdamWPartReference(muon, length, single),
        LambAttribute lamb => new LambMemberReference(lamb, length, single),
        LarsAttribute lars => new LarsMemberReference(lars, length, single),
        AdafactorAttribute adafactor => new AdafactorMemberReference(adafactor, length, single),
        _ => throw new ArgumentException($"No reference for {config.GetType().Name}."),
    };

    internal static Func<double, double> Rounding(bool single) => single ? x => (float)x : x => x;
}

/// <summary>PyTorch 1.13 <c>_single_tensor_sgd</c>.</summary>
internal sealed class SgdReference(SgdAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _buffer = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double negLr = r(-learningRate), wd = r(weightDecay), mu = r(c.Momentum);
        double bufferScale = r(stepCount == 0 ? 0 : c.Momentum), gradScale = r(stepCount == 0 ? 1 : 1 - c.Dampening);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = c.Maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            if (c.Momentum > 0)
            {
                double b = r(r(_buffer[i] * bufferScale) + r(gradScale * grad));
                _buffer[i] = b;
                double update = c.Nesterov ? r(grad + r(mu * b)) : b;
                parameters[i] = r(param + r(negLr * update));
            }
            else
            {
                parameters[i] = r(param + r(negLr * grad));
            }
        }
    }
}

/// <summary>PyTorch 1.13 <c>_single_tensor_adagrad</c>.</summary>
internal sealed class AdagradReference : IReference
{
    private readonly AdagradAttribute _c;
    private readonly Func<double, double> _r;
    private readonly double[] _sum;

    public AdagradReference(AdagradAttribute c, int length, bool single)
    {
        _c = c;
        _r = References.Rounding(single);
        _sum = new double[length];
        Array.Fill(_sum, _r(c.InitialAccumulatorValue));
    }

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double negLr = r(-(learningRate / (1 + (stepCount * _c.LearningRateDecay)))), wd = r(weightDecay), eps = r(_c.Epsilon);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = _c.Maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            double sum = r(_sum[i] + r(grad * grad));
            _sum[i] = sum;
            double denominator = r(r(Math.Sqrt(sum)) + eps);
            parameters[i] = r(param + r(r(negLr * grad) / denominator));
        }
    }
}

/// <summary>PyTorch 1.13 <c>_single_tensor_adam</c> and, with <c>decoupled</c>, <c>_single_tensor_adamw</c>.</summary>
internal sealed class AdamReference(double beta1, double beta2, double epsilon, bool amsGrad, bool maximize, bool decoupled, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m = new double[length];
    private readonly double[] _v = new double[length];
    private readonly double[] _max = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        long t = stepCount + 1;
        double negStepSize = r(-(learningRate / (1 - Math.Pow(beta1, t))));
        double biasCorrection2Sqrt = r(Math.Sqrt(1 - Math.Pow(beta2, t)));
        double wd = r(weightDecay), decay = r(1 - (learningRate * weightDecay));
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            if (decoupled)
            {
                param = r(param * decay);
            }
            else
            {
                grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            }

            double m = r(r(_m[i] * r(beta1)) + r(r(1 - beta1) * grad));
            double v = r(r(_v[i] * r(beta2)) + r(r(r(1 - beta2) * grad) * grad));
            _m[i] = m;
            _v[i] = v;
            double second = v;
            if (amsGrad)
            {
                second = _max[i] > v ? _max[i] : v;
                _max[i] = second;
            }

            double denominator = r(r(r(Math.Sqrt(second)) / biasCorrection2Sqrt) + r(epsilon));
            parameters[i] = r(param + r(r(negStepSize * m) / denominator));
        }
    }
}

/// <summary>PyTorch 1.13 <c>_single_tensor_adadelta</c>.</summary>
internal sealed class AdadeltaReference(AdadeltaAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _squareAvg = new double[length];
    private readonly double[] _accDelta = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double negLr = r(-learningRate), wd = r(weightDecay), rho = r(c.Rho), oneMinusRho = r(1 - c.Rho), eps = r(c.Epsilon);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = c.Maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            double v = r(r(_squareAvg[i] * rho) + r(r(oneMinusRho * grad) * grad));
            double std = r(Math.Sqrt(r(v + eps)));
            double delta = r(r(r(Math.Sqrt(r(_accDelta[i] + eps))) / std) * grad);
            _squareAvg[i] = v;
            _accDelta[i] = r(r(_accDelta[i] * rho) + r(r(oneMinusRho * delta) * delta));
            parameters[i] = r(param + r(negLr * delta));
        }
    }
}

/// <summary>
/// Lion, Chen et al. 2023, Algorithm 2: <c>c = β1·m + (1−β1)·g; θ ← θ − η·(sign(c) + λ·θ); m ← β2·m + (1−β2)·g</c>.
/// With <c>paperOrder: false</c> it computes <c>θ·(1 − η·λ) − η·sign(c)</c> in the generated kernel's
/// order, for bit-exact comparison; with <c>paperOrder: true</c> it is the paper's formula as written.
/// </summary>
internal sealed class LionReference(LionAttribute c, int length, bool single, bool paperOrder) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double negLr = r(-learningRate), decay = r(1 - (learningRate * weightDecay));
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = c.Maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            double direction = r(r(_m[i] * r(c.Beta1)) + r(r(1 - c.Beta1) * grad));
            double sign = direction > 0 ? 1 : direction < 0 ? -1 : 0;
            parameters[i] = paperOrder
                ? param - (learningRate * (sign + (weightDecay * param)))
                : r(r(param * decay) + r(negLr * sign));
            _m[i] = r(r(_m[i] * r(c.Beta2)) + r(r(1 - c.Beta2) * grad));
        }
    }
}

/// <summary>
/// PyTorch 1.13 <c>_single_tensor_rprop</c>, element by element: the step sizes are created at the first step with the
/// learning rate (later rates are ignored), the factor is chosen from the sign of <c>g·prev</c> (a NaN product has
/// PyTorch's sign 0, so the factor 1), the step size is clamped (NaN stays NaN), the gradient is zeroed where the factor
/// equals η− (compared in the element type), and <c>p + (−sign(g))·s</c>.
/// </summary>
internal sealed class RpropReference(RpropAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _prev = new double[length];
    private readonly double[] _stepSize = new double[length];

    public double[] Prev => _prev;

    public double[] StepSize => _stepSize;

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        if (stepCount == 0)
        {
            Array.Fill(_stepSize, r(learningRate));
        }

        double etaMinus = r(c.EtaMinus), etaPlus = r(c.EtaPlus), min = r(c.MinStepSize), max = r(c.MaxStepSize);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = c.Maximize ? -gradients[i] : gradients[i];
            double product = r(grad * _prev[i]);
            double factor = product > 0 ? etaPlus : product < 0 ? etaMinus : 1;
            double stepSize = r(_stepSize[i] * factor);
            stepSize = stepSize < min ? min : stepSize;
            stepSize = stepSize > max ? max : stepSize;
            if (factor == etaMinus)
            {
                grad = 0;
            }

            double sign = grad > 0 ? 1 : grad < 0 ? -1 : 0;
            parameters[i] = r(parameters[i] + r(-sign * stepSize));
            _stepSize[i] = stepSize;
            _prev[i] = grad;
        }
    }
}

/// <summary>
/// PyTorch 1.13 <c>_single_tensor_asgd</c>: η and μ are float32 scalars (<c>torch.tensor(python_float)</c>), created at
/// the first step (η = lr, μ = 1) and set after each step from that step's rate and count, which PyTorch keeps in a
/// float32 tensor (so it stops at 2^24); the decay factor <c>1 − λ·η</c> and <c>−η</c> are computed in double and rounded
/// to the element type, as PyTorch converts a Python scalar for a float tensor.
/// </summary>
internal sealed class AsgdReference(AsgdAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _ax = new double[length];

    public double[] Ax => _ax;

    public float Eta { get; private set; }

    public float Mu { get; private set; }

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        if (stepCount == 0)
        {
            Eta = (float)learningRate;
            Mu = 1;
        }

        double decay = r(1 - (c.Lambda * Eta)), negEta = r(-(double)Eta), mu = Mu, wd = r(weightDecay);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = c.Maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            param = r(param * decay);
            param = r(param + r(negEta * grad));
            parameters[i] = param;
            _ax[i] = mu != 1 ? r(_ax[i] + r(r(param - _ax[i]) * mu)) : param;
        }

        double step = Math.Min(stepCount + 1, 16777216d);
        Eta = (float)(learningRate / Math.Pow(1 + (c.Lambda * learningRate * step), c.Alpha));
        Mu = (float)(1 / Math.Max(1, step - c.T0));
    }
}

/// <summary>
/// PyTorch 1.13 <c>_single_tensor_nadam</c>. Its <c>mu_product</c> is a float32 scalar tensor whatever the parameters'
/// dtype: each product is rounded to float, with μ rounded to float first, as a float32 tensor times a Python float is.
/// With <c>DecoupledWeightDecay</c>, PyTorch 2.x's <c>decoupled_weight_decay=True</c> (torch/optim/nadam.py): the
/// parameter is multiplied by <c>1 - lr·wd</c> before the update, and the gradient is left as it is.
/// </summary>
internal sealed class NAdamReference(NAdamAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m = new double[length];
    private readonly double[] _v = new double[length];
    private float _muProduct = 1;

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double t = stepCount + 1;
        double mu = c.Beta1 * (1 - (0.5 * Math.Pow(0.96, t * c.MomentumDecay)));
        double muNext = c.Beta1 * (1 - (0.5 * Math.Pow(0.96, (t + 1) * c.MomentumDecay)));

        // Float products computed in double (exact for two floats) and rounded once: IEEE single multiplication.
        _muProduct = (float)((double)_muProduct * (float)mu);
        float muProductNext = (float)((double)(float)((double)_muProduct * (float)mu) * (float)muNext);
        double gradStep = r(-learningRate * (1 - mu) / (1 - (double)_muProduct));
        double momentumStep = r(-learningRate * muNext / (1 - (double)muProductNext));
        double biasCorrection2 = r(1 - Math.Pow(c.Beta2, t));
        double wd = r(weightDecay), decay = r(1 - (learningRate * weightDecay)), eps = r(c.Epsilon);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = gradients[i];
            double param = parameters[i];
            if (c.DecoupledWeightDecay)
            {
                param = r(param * decay);
            }
            else
            {
                grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            }

            double m = r(r(_m[i] * r(c.Beta1)) + r(r(1 - c.Beta1) * grad));
            double v = r(r(_v[i] * r(c.Beta2)) + r(r(r(1 - c.Beta2) * grad) * grad));
            _m[i] = m;
            _v[i] = v;
            double denominator = r(r(Math.Sqrt(r(v / biasCorrection2))) + eps);
            param = r(param + r(r(gradStep * grad) / denominator));
            parameters[i] = r(param + r(r(momentumStep * m) / denominator));
        }
    }
}

/// <summary>
/// PyTorch 1.13 <c>_single_tensor_radam</c>: the rectified update once ρt &gt; 5, with the adaptive rate
/// <c>math.sqrt(bc2) / (√v + ε)</c> as Python evaluates it for a tensor (its reciprocal times the scalar), else the
/// bias-corrected momentum times lr. With <c>DecoupledWeightDecay</c>, PyTorch 2.x's <c>decoupled_weight_decay=True</c>
/// (torch/optim/radam.py): the parameter is multiplied by <c>1 - lr·wd</c> first, and the gradient is left as it is.
/// </summary>
internal sealed class RAdamReference(RAdamAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m = new double[length];
    private readonly double[] _v = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double t = stepCount + 1;
        double biasCorrection1 = 1 - Math.Pow(c.Beta1, t), biasCorrection2 = 1 - Math.Pow(c.Beta2, t);
        double rhoInf = (2 / (1 - c.Beta2)) - 1;
        double rhoT = rhoInf - (2 * t * Math.Pow(c.Beta2, t) / biasCorrection2);
        bool rectified = rhoT > 5;
        double rect = rectified ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        double wd = r(weightDecay), decay = r(1 - (learningRate * weightDecay)), eps = r(c.Epsilon), lr = r(learningRate);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = gradients[i];
            double param = parameters[i];
            if (c.DecoupledWeightDecay)
            {
                param = r(param * decay);
            }
            else
            {
                grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            }

            double m = r(r(_m[i] * r(c.Beta1)) + r(r(1 - c.Beta1) * grad));
            double v = r(r(_v[i] * r(c.Beta2)) + r(r(r(1 - c.Beta2) * grad) * grad));
            _m[i] = m;
            _v[i] = v;
            double biasCorrected = r(m / r(biasCorrection1));
            double update = r(biasCorrected * lr);
            if (rectified)
            {
                double adaptive = r(r(1 / r(r(Math.Sqrt(v)) + eps)) * r(Math.Sqrt(biasCorrection2)));
                update = r(r(update * adaptive) * r(rect));
            }

            parameters[i] = r(param - update);
        }
    }
}

/// <summary>PyTorch 1.13 <c>_single_tensor_adamax</c>: <c>u = max(β2·u, |g| + ε)</c>, then <c>p + ((-clr)·m)/u</c>.</summary>
internal sealed class AdamaxReference(AdamaxAttribute c, int length, bool single) : IReference
{
    private readonly Func<double, double> _r = References.Rounding(single);
    private readonly double[] _m = new double[length];
    private readonly double[] _u = new double[length];

    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount)
    {
        Func<double, double> r = _r;
        double negClr = r(-(learningRate / (1 - Math.Pow(c.Beta1, stepCount + 1))));
        double wd = r(weightDecay), eps = r(c.Epsilon);
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = c.Maximize ? -gradients[i] : gradients[i];
            double param = parameters[i];
            grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            double m = r(r(_m[i] * r(c.Beta1)) + r(r(1 - c.Beta1) * grad));
            double decayed = r(_u[i] * r(c.Beta2)), bound = r(Math.Abs(grad) + eps);
            double u = decayed > bound ? decayed : bound;
            _m[i] = m;
            _u[i] = u;
            parameters[i] = r(param + r(r(negClr * m) / u));
        }
    }
}
