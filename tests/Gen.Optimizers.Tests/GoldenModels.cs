// Model classes of the PyTorch golden tests: one [RmsProp] attribute per case of Golden/rmsprop.json,
// named as the case. The hyperparameters here must equal the ones Golden/make_rmsprop_golden.py gave
// torch.optim.RMSprop (lr, alpha = Rho, eps, momentum, centered, weight_decay, maximize); the tests
// check that, and that every JSON case has its attribute and every attribute its JSON case.
// PyTorch adds eps outside the square root and applies weight decay as an L2 term on the gradient,
// which are the attribute's defaults, so no case sets EpsilonPlacement or WeightDecayMode.
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>The float32 cases of Golden/rmsprop.json: a 37-element vector and a 3×5 matrix.</summary>
[RmsProp(Name = "Default32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8)]
[RmsProp(Name = "LowAlpha32", LearningRate = 0.01, Rho = 0.9, Epsilon = 1e-8)]
[RmsProp(Name = "Centered32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Centered = true)]
[RmsProp(Name = "Momentum32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Momentum = 0.9)]
[RmsProp(Name = "CenteredMomentum32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Centered = true, Momentum = 0.9)]
[RmsProp(Name = "WeightDecay32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, WeightDecay = 0.1)]
[RmsProp(Name = "Maximize32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Maximize = true)]
[RmsProp(Name = "Everything32", LearningRate = 1e-3, Rho = 0.9, Epsilon = 1e-8, Centered = true, Momentum = 0.9, WeightDecay = 0.1, Maximize = true)]
public sealed partial class GoldenSingle
{
    public float[] A = System.Array.Empty<float>();

    public float[,] B = new float[3, 5];
}

/// <summary>The float64 cases of Golden/rmsprop.json: a 37-element vector and a 3×5 matrix.</summary>
[RmsProp(Name = "Default64", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8)]
[RmsProp(Name = "CenteredMomentumWeightDecay64", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Centered = true, Momentum = 0.9, WeightDecay = 0.1)]
[RmsProp(Name = "Maximize64", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Maximize = true)]
[RmsProp(Name = "Everything64", LearningRate = 1e-3, Rho = 0.9, Epsilon = 1e-8, Centered = true, Momentum = 0.9, WeightDecay = 0.1, Maximize = true)]
public sealed partial class GoldenDouble
{
    public double[] A = System.Array.Empty<double>();

    public double[,] B = new double[3, 5];
}
