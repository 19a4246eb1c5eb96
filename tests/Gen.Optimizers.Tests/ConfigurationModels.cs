// Model classes whose attributes enumerate the configurations under test. The tests read the
// attributes back by reflection, so the reference always runs the configuration that was generated.
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>Every RMSProp flag combination (centered × momentum × epsilon placement × decay mode × maximize) over one float buffer.</summary>
[RmsProp(Name = "C0M0I0D0X0", Rho = 0.9, WeightDecay = 0.05)]
[RmsProp(Name = "C0M0I0D0X1", Rho = 0.9, WeightDecay = 0.05, Maximize = true)]
[RmsProp(Name = "C0M0I0D1X0", Rho = 0.9, WeightDecay = 0.05, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M0I0D1X1", Rho = 0.9, WeightDecay = 0.05, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C0M0I1D0X0", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C0M0I1D0X1", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C0M0I1D1X0", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M0I1D1X1", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C0M1I0D0X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9)]
[RmsProp(Name = "C0M1I0D0X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, Maximize = true)]
[RmsProp(Name = "C0M1I0D1X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M1I0D1X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C0M1I1D0X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C0M1I1D0X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C0M1I1D1X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M1I1D1X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M0I0D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true)]
[RmsProp(Name = "C1M0I0D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Maximize = true)]
[RmsProp(Name = "C1M0I0D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M0I0D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M0I1D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C1M0I1D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C1M0I1D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M0I1D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M1I0D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9)]
[RmsProp(Name = "C1M1I0D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, Maximize = true)]
[RmsProp(Name = "C1M1I0D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M1I0D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M1I1D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C1M1I1D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C1M1I1D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M1I1D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "Defaults")]
[RmsProp(Name = "InitialScaleNoDecay", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5)]
public sealed partial class SingleModel
{
    public float[] P = System.Array.Empty<float>();
}

/// <summary>Every RMSProp flag combination (centered × momentum × epsilon placement × decay mode × maximize) over one double buffer.</summary>
[RmsProp(Name = "C0M0I0D0X0", Rho = 0.9, WeightDecay = 0.05)]
[RmsProp(Name = "C0M0I0D0X1", Rho = 0.9, WeightDecay = 0.05, Maximize = true)]
[RmsProp(Name = "C0M0I0D1X0", Rho = 0.9, WeightDecay = 0.05, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M0I0D1X1", Rho = 0.9, WeightDecay = 0.05, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C0M0I1D0X0", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C0M0I1D0X1", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C0M0I1D1X0", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M0I1D1X1", Rho = 0.9, WeightDecay = 0.05, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C0M1I0D0X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9)]
[RmsProp(Name = "C0M1I0D0X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, Maximize = true)]
[RmsProp(Name = "C0M1I0D1X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M1I0D1X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C0M1I1D0X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C0M1I1D0X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C0M1I1D1X0", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C0M1I1D1X1", Rho = 0.9, WeightDecay = 0.05, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M0I0D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true)]
[RmsProp(Name = "C1M0I0D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Maximize = true)]
[RmsProp(Name = "C1M0I0D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M0I0D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M0I1D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C1M0I1D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C1M0I1D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M0I1D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M1I0D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9)]
[RmsProp(Name = "C1M1I0D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, Maximize = true)]
[RmsProp(Name = "C1M1I0D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M1I0D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "C1M1I1D0X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
[RmsProp(Name = "C1M1I1D0X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, Maximize = true)]
[RmsProp(Name = "C1M1I1D1X0", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled)]
[RmsProp(Name = "C1M1I1D1X1", Rho = 0.9, WeightDecay = 0.05, Centered = true, Momentum = 0.9, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true)]
[RmsProp(Name = "Defaults")]
[RmsProp(Name = "InitialScaleNoDecay", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-3, InitialScale = 0.25, Momentum = 0.5)]
public sealed partial class DoubleModel
{
    public double[] P = System.Array.Empty<double>();
}
