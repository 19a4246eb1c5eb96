using Gen.Generator.Diagnostics;
using Gen.Generator.Models;

namespace Gen.Generator.Parsing;

/// <summary>[RmsProp] named arguments → <see cref="RmsPropSpec"/>. Defaults equal RmsPropAttribute's (PyTorch's).</summary>
internal static class RmsPropParser
{
    public static OptimizerSpec? Parse(AttributeReader reader, string name)
    {
        double learningRate = reader.Double("LearningRate", 0.01);
        double rho = reader.Double("Rho", 0.99);
        double epsilon = reader.Double("Epsilon", 1e-8);
        int placement = reader.Enum("EpsilonPlacement", "EpsilonPlacement", "OutsideSqrt", "InsideSqrt");
        double momentum = reader.Double("Momentum", 0);
        bool centered = reader.Bool("Centered", false);
        double weightDecay = reader.Double("WeightDecay", 0);
        int decayMode = reader.Enum("WeightDecayMode", "WeightDecayMode", "L2", "Decoupled");
        bool maximize = reader.Bool("Maximize", false);
        double initialScale = reader.Double("InitialScale", 0);
        int precision = reader.Enum("Precision", "Precision", "Exact", "Fast");

        reader.NonNegativeFinite("LearningRate", learningRate, DiagnosticDescriptors.LearningRateOutOfRange);
        reader.UnitInterval("Rho", rho, DiagnosticDescriptors.DecayRateOutOfRange);
        reader.PositiveFinite("Epsilon", epsilon, DiagnosticDescriptors.EpsilonOutOfRange);
        reader.UnitInterval("Momentum", momentum, DiagnosticDescriptors.MomentumOutOfRange);
        reader.NonNegativeFinite("WeightDecay", weightDecay, DiagnosticDescriptors.WeightDecayOutOfRange);
        reader.NonNegativeFinite("InitialScale", initialScale, DiagnosticDescriptors.InitialValueOutOfRange);

        return reader.HasErrors
            ? null
            : new RmsPropSpec(
                name,
                learningRate,
                weightDecay,
                rho,
                epsilon,
                (EpsilonPlacementKind)placement,
                momentum,
                centered,
                (WeightDecayModeKind)decayMode,
                maximize,
                initialScale,
                Fast: precision == 1);
    }
}
