namespace Gen.Optimizers.Tests;

/// <summary>Precision.Fast next to the same configurations computed exactly.</summary>
[RmsProp(Name = "FastPlain", Precision = Precision.Fast, Rho = 0.9)]
[RmsProp(Name = "ExactPlain", Rho = 0.9)]
[RmsProp(Name = "FastCenteredMomentum", Precision = Precision.Fast, Rho = 0.9, Centered = true, Momentum = 0.9)]
[RmsProp(Name = "ExactCenteredMomentum", Rho = 0.9, Centered = true, Momentum = 0.9)]
[RmsProp(Name = "FastCentered", Precision = Precision.Fast, Rho = 0.9, Centered = true)]
[RmsProp(Name = "ExactCentered", Rho = 0.9, Centered = true)]
[RmsProp(Name = "FastInside", Precision = Precision.Fast, Rho = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "ExactInside", Rho = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "FastInsideCentered", Precision = Precision.Fast, Rho = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Centered = true)]
[RmsProp(Name = "ExactInsideCentered", Rho = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Centered = true)]
public sealed partial class FastModel
{
    public float[] P = System.Array.Empty<float>();

    public double[] D = System.Array.Empty<double>();
}
