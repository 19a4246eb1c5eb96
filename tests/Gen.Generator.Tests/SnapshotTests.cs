using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// End-to-end snapshots of the generated source for representative model classes. Each case also
/// compiles the output and requires it to be free of errors and warnings.
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void QuickStartPolicy() => VerifyGenerated(nameof(QuickStartPolicy), """
        using Gen;

        namespace Demo;

        [RmsProp(LearningRate = 1e-3, Rho = 0.9)]
        public partial class Policy
        {
            public float[,] W1 = new float[16, 32];
            public float[] B1 = new float[32];
            [Frozen] public float[] Embedding = new float[100];
            public float Temperature = 1f;
        }
        """);

    [Fact]
    public void EveryOptionMixedPrecisionNestedGenericRecord() => VerifyGenerated(nameof(EveryOptionMixedPrecisionNestedGenericRecord), """
        using Gen;

        namespace Demo.Models
        {
            public static partial class Outer
            {
                [RmsProp(Name = "Tuned", LearningRate = 0.003, Rho = 0.95, Epsilon = 1e-6,
                    EpsilonPlacement = EpsilonPlacement.InsideSqrt, Momentum = 0.9, Centered = true,
                    WeightDecay = 0.01, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true, InitialScale = 1)]
                public sealed partial record Critic<T>(double[,,] Kernel)
                    where T : class
                {
                    public float[] @event { get; set; } = new float[3];
                    private double[] _bias = new double[4];
                    public T? Tag { get; set; }
                }
            }
        }
        """);

    [Fact]
    public void TwoOptimizersShareOneGradients() => VerifyGenerated(nameof(TwoOptimizersShareOneGradients), """
        using Gen;

        [RmsProp]
        [RmsProp(Name = "CenteredMomentum", Centered = true, Momentum = 0.5)]
        partial class Tiny
        {
            public float[] Weights = new float[8];
        }
        """);

    [Fact]
    public void EveryOptimizerKindWithItsOptionsAndMemberOverrides() => VerifyGenerated(nameof(EveryOptimizerKindWithItsOptionsAndMemberOverrides), """
        using Gen;

        namespace Demo;

        [Sgd(Name = "NesterovSgd", LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4)]
        [Sgd(Name = "PlainSgd", LearningRate = 0.05, Maximize = true)]
        [Adagrad(LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1)]
        [Adam(AmsGrad = true, WeightDecay = 1e-3)]
        [AdamW]
        [Adadelta(Maximize = true)]
        [Lion(WeightDecay = 0.1)]
        public partial class Family
        {
            public float[,] W = new float[4, 8];
            [NoWeightDecay] public float[] Bias = new float[8];
            [LearningRateScale(0.1)] public double[] Embedding = new double[16];
        }
        """);

    [Fact]
    public void FastPrecisionOutsideAndInsideSqrt() => VerifyGenerated(nameof(FastPrecisionOutsideAndInsideSqrt), """
        using Gen;

        [RmsProp(Name = "FastOutside", Precision = Precision.Fast, Centered = true, Momentum = 0.9)]
        [RmsProp(Name = "FastInside", Precision = Precision.Fast, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
        public partial class FastNet
        {
            public float[] W = new float[64];
            public double[] D = new double[8];
        }
        """);

    private static void VerifyGenerated(string name, string source)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(source));

        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output).Where(d => d.Id != "GEN003"));
        Assert.NotEmpty(result.GeneratedSources);
        foreach (GeneratedSourceResult generated in result.GeneratedSources.OrderBy(s => s.HintName, System.StringComparer.Ordinal))
        {
            Snapshot.Verify(name + "." + generated.HintName.Replace(".g.cs", string.Empty), generated.SourceText.ToString());
        }
    }
}
