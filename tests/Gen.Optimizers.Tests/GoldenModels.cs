// Model classes of the PyTorch golden tests: one optimizer attribute per case of Golden/<kind>.json,
// named as the case. The hyperparameters here must equal the ones Golden/make_golden.py gave the
// torch.optim class (GoldenKind maps each keyword to its attribute properties); the tests check
// that, and that every JSON case has its attribute and every attribute its JSON case.
// Attributes left at their defaults mean PyTorch's defaults too (the script checks its defaults
// against torch's signatures, and a default case here checks the attribute's defaults against them).
using Gen;

namespace Gen.Optimizers.Tests;

/// <summary>
/// The float32 cases of Golden/*.json: a 37-element vector and a 3×5 matrix, already of the golden
/// shapes (the harness writes the initial values through <see cref="ITrainable"/>).
/// </summary>
[Sgd(Name = "SgdPlain32", LearningRate = 0.01)]
[Sgd(Name = "SgdMomentum32", LearningRate = 0.01, Momentum = 0.9)]
[Sgd(Name = "SgdDampening32", LearningRate = 0.01, Momentum = 0.9, Dampening = 0.3)]
[Sgd(Name = "SgdNesterov32", LearningRate = 0.01, Momentum = 0.9, Nesterov = true)]
[Sgd(Name = "SgdWeightDecay32", LearningRate = 0.01, WeightDecay = 0.01)]
[Sgd(Name = "SgdMaximize32", LearningRate = 0.01, Maximize = true)]
[Sgd(Name = "SgdEverything32", LearningRate = 0.01, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01, Maximize = true)]
[Sgd(Name = "SgdEverythingDampened32", LearningRate = 0.01, Momentum = 0.9, Dampening = 0.3, WeightDecay = 0.01, Maximize = true)]
[Adagrad(Name = "AdagradDefault32")]
[Adagrad(Name = "AdagradLrDecay32", LearningRateDecay = 0.01)]
[Adagrad(Name = "AdagradInitialAccumulator32", InitialAccumulatorValue = 0.1)]
[Adagrad(Name = "AdagradWeightDecay32", WeightDecay = 0.01)]
[Adagrad(Name = "AdagradMaximize32", Maximize = true)]
[Adagrad(Name = "AdagradEverything32", Epsilon = 1e-6, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, WeightDecay = 0.01, Maximize = true)]
[RmsProp(Name = "RmsPropDefault32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8)]
[RmsProp(Name = "RmsPropLowAlpha32", LearningRate = 0.01, Rho = 0.9, Epsilon = 1e-8)]
[RmsProp(Name = "RmsPropCentered32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Centered = true)]
[RmsProp(Name = "RmsPropMomentum32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Momentum = 0.9)]
[RmsProp(Name = "RmsPropCenteredMomentum32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Centered = true, Momentum = 0.9)]
[RmsProp(Name = "RmsPropWeightDecay32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, WeightDecay = 0.1)]
[RmsProp(Name = "RmsPropMaximize32", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Maximize = true)]
[RmsProp(Name = "RmsPropEverything32", LearningRate = 1e-3, Rho = 0.9, Epsilon = 1e-8, Centered = true, Momentum = 0.9, WeightDecay = 0.1, Maximize = true)]
[Adam(Name = "AdamDefault32")]
[Adam(Name = "AdamBetas32", Beta1 = 0.8, Beta2 = 0.99)]
[Adam(Name = "AdamAmsGrad32", AmsGrad = true)]
[Adam(Name = "AdamWeightDecay32", WeightDecay = 0.01)]
[Adam(Name = "AdamMaximize32", Maximize = true)]
[Adam(Name = "AdamEverything32", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, AmsGrad = true, WeightDecay = 0.01, Maximize = true)]
[AdamW(Name = "AdamWDefault32")]
[AdamW(Name = "AdamWAmsGrad32", AmsGrad = true)]
[AdamW(Name = "AdamWWeightDecay32", WeightDecay = 0.1)]
[AdamW(Name = "AdamWMaximize32", Maximize = true)]
[AdamW(Name = "AdamWEverything32", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.1, Maximize = true)]
[Adadelta(Name = "AdadeltaDefault32")]
[Adadelta(Name = "AdadeltaRhoLr32", Rho = 0.95, LearningRate = 0.5)]
[Adadelta(Name = "AdadeltaWeightDecay32", WeightDecay = 0.01)]
[Adadelta(Name = "AdadeltaMaximize32", Maximize = true)]
[Adadelta(Name = "AdadeltaEverything32", LearningRate = 0.5, Rho = 0.95, WeightDecay = 0.01, Maximize = true)]
[NAdam(Name = "NAdamDefault32")]
[NAdam(Name = "NAdamMomentumDecay32", MomentumDecay = 0.01)]
[NAdam(Name = "NAdamWeightDecay32", WeightDecay = 0.01)]
[NAdam(Name = "NAdamEverything32", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01, MomentumDecay = 0.01)]
[RAdam(Name = "RAdamDefault32")]
[RAdam(Name = "RAdamWeightDecay32", WeightDecay = 0.01)]
[RAdam(Name = "RAdamEverything32", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01)]
[Adamax(Name = "AdamaxDefault32")]
[Adamax(Name = "AdamaxWeightDecay32", WeightDecay = 0.01)]
[Adamax(Name = "AdamaxMaximize32", Maximize = true)]
[Adamax(Name = "AdamaxEverything32", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01, Maximize = true)]
[Rprop(Name = "RpropDefault32")]
[Rprop(Name = "RpropEtas32", EtaMinus = 0.3, EtaPlus = 1.5)]
[Rprop(Name = "RpropStepSizes32", LearningRate = 0.1, MinStepSize = 0.02, MaxStepSize = 0.08)]
[Rprop(Name = "RpropMaximize32", Maximize = true)]
[Rprop(Name = "RpropEverything32", LearningRate = 0.05, EtaMinus = 0.4, EtaPlus = 1.3, MinStepSize = 1e-3, MaxStepSize = 0.06, Maximize = true)]
#pragma warning disable GEN210 // On purpose: EtaMinus is 1 as a float, and PyTorch then never moves the parameters.
[Rprop(Name = "RpropEtaMinusOneAsFloat32", EtaMinus = 0.99999999)]
#pragma warning restore GEN210
[Asgd(Name = "AsgdDefault32")]
[Asgd(Name = "AsgdAveraging32", T0 = 4, Lambda = 0.01, Alpha = 0.5)]
[Asgd(Name = "AsgdWeightDecay32", WeightDecay = 0.01)]
[Asgd(Name = "AsgdMaximize32", Maximize = true)]
[Asgd(Name = "AsgdEverything32", LearningRate = 0.05, Lambda = 0.5, Alpha = 0.9, T0 = 10, WeightDecay = 0.01, Maximize = true)]
public sealed partial class GoldenSingle
{
    public float[] A = new float[37];

    public float[,] B = new float[3, 5];
}

/// <summary>The float64 cases of Golden/*.json: a 37-element vector and a 3×5 matrix.</summary>
[Sgd(Name = "SgdMomentum64", LearningRate = 0.01, Momentum = 0.9)]
[Sgd(Name = "SgdEverything64", LearningRate = 0.01, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01, Maximize = true)]
[Sgd(Name = "SgdEverythingDampened64", LearningRate = 0.01, Momentum = 0.9, Dampening = 0.3, WeightDecay = 0.01, Maximize = true)]
[Adagrad(Name = "AdagradDefault64")]
[Adagrad(Name = "AdagradEverything64", Epsilon = 1e-6, LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, WeightDecay = 0.01, Maximize = true)]
[RmsProp(Name = "RmsPropDefault64", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8)]
[RmsProp(Name = "RmsPropCenteredMomentumWeightDecay64", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Centered = true, Momentum = 0.9, WeightDecay = 0.1)]
[RmsProp(Name = "RmsPropMaximize64", LearningRate = 0.01, Rho = 0.99, Epsilon = 1e-8, Maximize = true)]
[RmsProp(Name = "RmsPropEverything64", LearningRate = 1e-3, Rho = 0.9, Epsilon = 1e-8, Centered = true, Momentum = 0.9, WeightDecay = 0.1, Maximize = true)]
[Adam(Name = "AdamDefault64")]
[Adam(Name = "AdamEverything64", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, AmsGrad = true, WeightDecay = 0.01, Maximize = true)]
[AdamW(Name = "AdamWDefault64")]
[AdamW(Name = "AdamWEverything64", LearningRate = 0.01, AmsGrad = true, WeightDecay = 0.1, Maximize = true)]
[Adadelta(Name = "AdadeltaDefault64")]
[Adadelta(Name = "AdadeltaEverything64", LearningRate = 0.5, Rho = 0.95, WeightDecay = 0.01, Maximize = true)]
[NAdam(Name = "NAdamDefault64")]
[NAdam(Name = "NAdamEverything64", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01, MomentumDecay = 0.01)]
[RAdam(Name = "RAdamDefault64")]
[RAdam(Name = "RAdamEverything64", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01)]
[Adamax(Name = "AdamaxDefault64")]
[Adamax(Name = "AdamaxEverything64", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.01, Maximize = true)]
[Rprop(Name = "RpropDefault64")]
[Rprop(Name = "RpropEverything64", LearningRate = 0.05, EtaMinus = 0.4, EtaPlus = 1.3, MinStepSize = 1e-3, MaxStepSize = 0.06, Maximize = true)]
[Asgd(Name = "AsgdDefault64")]
[Asgd(Name = "AsgdEverything64", LearningRate = 0.05, Lambda = 0.5, Alpha = 0.9, T0 = 10, WeightDecay = 0.01, Maximize = true)]
public sealed partial class GoldenDouble
{
    public double[] A = new double[37];

    public double[,] B = new double[3, 5];
}
