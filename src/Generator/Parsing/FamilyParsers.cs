using Gen.Generator.Diagnostics;
using Gen.Generator.Models;

namespace Gen.Generator.Parsing;

/// <summary>
/// Named arguments → specs for the optimizers beside RMSProp. Defaults equal the attributes' (PyTorch
/// 1.13's, and the Lion paper's); ranges are PyTorch's constructor checks, tightened where PyTorch
/// accepts values that cannot train (momentum or decay rates of 1 or more, epsilon of 0).
/// </summary>
internal static class FamilyParsers
{
    public static OptimizerSpec? Sgd(AttributeReader reader, string name)
    {
        double learningRate = reader.Double("LearningRate", double.NaN);
        double momentum = reader.Double("Momentum", 0);
        double dampening = reader.Double("Dampening", 0);
        bool nesterov = reader.Bool("Nesterov", false);
        double weightDecay = reader.Double("WeightDecay", 0);
        bool maximize = reader.Bool("Maximize", false);

        if (!reader.IsSet("LearningRate"))
        {
            reader.Fail(DiagnosticDescriptors.RequiredHyperparameterMissing, "LearningRate", "Sgd", "LearningRate", "0.01");
        }
        else
        {
            reader.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        }

        reader.UnitInterval("Momentum", momentum, DiagnosticDescriptors.MomentumOutOfRange);
        reader.Check(dampening >= 0 && dampening <= 1, DiagnosticDescriptors.DampeningOutOfRange, "Dampening", dampening);
        reader.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            reader.Fail(DiagnosticDescriptors.InvalidNesterov, "Nesterov", AttributeReader.Format(momentum), AttributeReader.Format(dampening));
        }

        return reader.HasErrors ? null : new SgdSpec(name, learningRate, weightDecay, momentum, dampening, nesterov, maximize);
    }

    public static OptimizerSpec? Adagrad(AttributeReader reader, string name)
    {
        double learningRate = reader.Double("LearningRate", 0.01);
        double learningRateDecay = reader.Double("LearningRateDecay", 0);
        double weightDecay = reader.Double("WeightDecay", 0);
        double initialAccumulatorValue = reader.Double("InitialAccumulatorValue", 0);
        double epsilon = reader.Double("Epsilon", 1e-10);
        bool maximize = reader.Bool("Maximize", false);

        reader.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        reader.NonNegativeFinite("LearningRateDecay", learningRateDecay, DiagnosticDescriptors.LearningRateDecayOutOfRange);
        reader.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        reader.NonNegativeFinite("InitialAccumulatorValue", initialAccumulatorValue, DiagnosticDescriptors.InitialValueOutOfRange);
        reader.PositiveFinite("Epsilon", epsilon, DiagnosticDescriptors.EpsilonOutOfRange);

        return reader.HasErrors ? null : new AdagradSpec(name, learningRate, weightDecay, learningRateDecay, initialAccumulatorValue, epsilon, maximize);
    }

    public static OptimizerSpec? Adam(AttributeReader reader, string name) => AdamFamily(reader, name, 0, WeightDecayModeKind.L2);

    public static OptimizerSpec? AdamW(AttributeReader reader, string name) => AdamFamily(reader, name, 0.01, WeightDecayModeKind.Decoupled);

    public static OptimizerSpec? Adadelta(AttributeReader reader, string name)
    {
        double learningRate = reader.Double("LearningRate", 1.0);
        double rho = reader.Double("Rho", 0.9);
        double epsilon = reader.Double("Epsilon", 1e-6);
        double weightDecay = reader.Double("WeightDecay", 0);
        bool maximize = reader.Bool("Maximize", false);

        reader.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        reader.UnitInterval("Rho", rho, DiagnosticDescriptors.DecayRateOutOfRange);
        reader.PositiveFinite("Epsilon", epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        reader.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);

        return reader.HasErrors ? null : new AdadeltaSpec(name, learningRate, weightDecay, rho, epsilon, maximize);
    }

    public static OptimizerSpec? Lion(AttributeReader reader, string name)
    {
        double learningRate = reader.Double("LearningRate", 1e-4);
        double beta1 = reader.Double("Beta1", 0.9);
        double beta2 = reader.Double("Beta2", 0.99);
        double weightDecay = reader.Double("WeightDecay", 0);
        bool maximize = reader.Bool("Maximize", false);

        reader.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        reader.UnitInterval("Beta1", beta1, DiagnosticDescriptors.DecayRateOutOfRange);
        reader.UnitInterval("Beta2", beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        reader.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);

        return reader.HasErrors ? null : new LionSpec(name, learningRate, weightDecay, beta1, beta2, maximize);
    }

    private static OptimizerSpec? AdamFamily(AttributeReader reader, string name, double defaultWeightDecay, WeightDecayModeKind mode)
    {
        double learningRate = reader.Double("LearningRate", 1e-3);
        double beta1 = reader.Double("Beta1", 0.9);
        double beta2 = reader.Double("Beta2", 0.999);
        double epsilon = reader.Double("Epsilon", 1e-8);
        double weightDecay = reader.Double("WeightDecay", defaultWeightDecay);
        bool amsGrad = reader.Bool("AmsGrad", false);
        bool maximize = reader.Bool("Maximize", false);

        reader.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        reader.UnitInterval("Beta1", beta1, DiagnosticDescriptors.DecayRateOutOfRange);
        reader.UnitInterval("Beta2", beta2, DiagnosticDescriptors.DecayRateOutOfRange);
        reader.PositiveFinite("Epsilon", epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        reader.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);

        return reader.HasErrors ? null : new AdamSpec(name, learningRate, weightDecay, beta1, beta2, epsilon, amsGrad, maximize, mode);
    }
}
