using System;

namespace Gen.Optimizers.Tests;

/// <summary>
/// A plain scalar RMSProp written in double, operation for operation as PyTorch 1.13's
/// <c>_single_tensor_rmsprop</c>. With <c>single: true</c> every intermediate is rounded to float,
/// which reproduces float arithmetic exactly (+, −, ×, ÷ and √ computed in double and rounded once
/// give the correctly rounded float result), so generated float kernels must match it bit for bit.
/// </summary>
internal sealed class RmsPropReference : IReference
{
    private readonly RmsPropAttribute _config;
    private readonly Func<double, double> _round;

    public RmsPropReference(RmsPropAttribute config, int length, bool single)
    {
        _config = config;
        _round = single ? x => (float)x : x => x;
        SquareAvg = new double[length];
        Array.Fill(SquareAvg, _round(config.InitialScale));
        GradAvg = new double[length];
        MomentumBuffer = new double[length];
    }

    public double[] SquareAvg { get; }

    public double[] GradAvg { get; }

    public double[] MomentumBuffer { get; }

    /// <summary>One step over every element of <paramref name="parameters"/>, in place.</summary>
    public void Step(double[] parameters, double[] gradients, double learningRate, double weightDecay, long stepCount = 0)
    {
        Func<double, double> r = _round;
        RmsPropAttribute c = _config;
        double rho = r(c.Rho), oneMinusRho = r(1 - c.Rho), eps = r(c.Epsilon), mu = r(c.Momentum);
        double negLr = r(-learningRate), wd = r(weightDecay), decay = r(1 - (learningRate * weightDecay));
        for (int i = 0; i < parameters.Length; i++)
        {
            double grad = gradients[i];
            double param = parameters[i];
            if (c.Maximize)
            {
                grad = -grad;
            }

            if (c.WeightDecayMode == WeightDecayMode.L2)
            {
                grad = wd == 0 ? grad : r(grad + r(wd * param)); // PyTorch: `if weight_decay != 0`
            }
            else
            {
                param = r(param * decay);
            }

            double v = r(r(SquareAvg[i] * rho) + r(r(oneMinusRho * grad) * grad));
            SquareAvg[i] = v;
            double variance = v;
            if (c.Centered)
            {
                double m = r(r(GradAvg[i] * rho) + r(oneMinusRho * grad));
                GradAvg[i] = m;
                variance = r(v - r(m * m));
            }

            double denominator = c.EpsilonPlacement == EpsilonPlacement.OutsideSqrt
                ? r(r(Math.Sqrt(variance)) + eps)
                : r(Math.Sqrt(r(variance + eps)));

            if (c.Momentum > 0)
            {
                double b = r(r(MomentumBuffer[i] * mu) + r(grad / denominator));
                MomentumBuffer[i] = b;
                parameters[i] = r(param + r(negLr * b));
            }
            else
            {
                parameters[i] = r(param + r(r(negLr * grad) / denominator));
            }
        }
    }
}
