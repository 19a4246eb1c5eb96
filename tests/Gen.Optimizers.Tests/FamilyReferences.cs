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
        MuonAttribute muon => new MuonAdamWPartReference(muon, length, single),
        LambAttribute lamb => new LambMemberReference(lamb, length, single),
        LarsAttribute lars => new LarsMemberReference(lars, length, single),
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
