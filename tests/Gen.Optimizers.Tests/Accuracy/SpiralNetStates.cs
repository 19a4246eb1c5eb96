// The QuickStart's SpiralNet (samples/QuickStart/SpiralNet.cs, linked) with more optimizers: Adam, AdamW and RMSProp
// (the sample's hyperparameters) with each reduced state precision. A partial declaration of the same class:
// every attribute on it generates one more optimizer sharing SpiralNet.Gradients.
using Gen;

// Float16 state for squared gradients is measured on purpose: docs/PRECISION.md reports what GEN204 warns of.
#pragma warning disable GEN204

namespace QuickStart;

[Adam(Name = "AdamBFloat16", LearningRate = 1e-2, StatePrecision = StatePrecision.BFloat16)]
[Adam(Name = "AdamBFloat16Stochastic", LearningRate = 1e-2, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[Adam(Name = "AdamFloat16", LearningRate = 1e-2, StatePrecision = StatePrecision.Float16)]
[AdamW(Name = "AdamWBFloat16", LearningRate = 1e-2, StatePrecision = StatePrecision.BFloat16)]
[AdamW(Name = "AdamWBFloat16Stochastic", LearningRate = 1e-2, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[AdamW(Name = "AdamWFloat16", LearningRate = 1e-2, StatePrecision = StatePrecision.Float16)]
[RmsProp(Name = "RmsPropBFloat16", LearningRate = 1e-2, Rho = 0.9, StatePrecision = StatePrecision.BFloat16)]
[RmsProp(Name = "RmsPropBFloat16Stochastic", LearningRate = 1e-2, Rho = 0.9, StatePrecision = StatePrecision.BFloat16, StochasticRounding = true)]
[RmsProp(Name = "RmsPropFloat16", LearningRate = 1e-2, Rho = 0.9, StatePrecision = StatePrecision.Float16)]
public sealed partial class SpiralNet
{
}
