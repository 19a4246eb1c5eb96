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
    private const string QuickStart = """
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
            """;

    private const string EveryKind = """
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
            """;

    private const string FastPrecision = """
            using Gen;

            [RmsProp(Name = "FastOutside", Precision = Precision.Fast, Centered = true, Momentum = 0.9)]
            [RmsProp(Name = "FastInside", Precision = Precision.Fast, EpsilonPlacement = EpsilonPlacement.InsideSqrt)]
            public partial class FastNet
            {
                public float[] W = new float[64];
                public double[] D = new double[8];
            }
            """;

    [Fact]
    public void QuickStartPolicy() => VerifyGenerated(nameof(QuickStartPolicy), QuickStart);

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
    public void EveryOptimizerKindWithItsOptionsAndMemberOverrides() => VerifyGenerated(nameof(EveryOptimizerKindWithItsOptionsAndMemberOverrides), EveryKind);

    [Fact]
    public void FastPrecisionOutsideAndInsideSqrt() => VerifyGenerated(nameof(FastPrecisionOutsideAndInsideSqrt), FastPrecision);

    /// <summary>
    /// The portable target (GenKernels=Portable, what a compilation without System.Runtime.Intrinsics gets):
    /// only the optimizers differ, so only they are snapshotted; the Gradients type is the intrinsics one.
    /// QuickStart's float RMSProp, every kind with its options (float and double members), and Precision.Fast.
    /// </summary>
    [Theory]
    [InlineData(nameof(QuickStartPolicy), QuickStart)]
    [InlineData(nameof(EveryOptimizerKindWithItsOptionsAndMemberOverrides), EveryKind)]
    [InlineData(nameof(FastPrecisionOutsideAndInsideSqrt), FastPrecision)]
    public void Portable(string name, string source)
    {
        GeneratorRunResult intrinsics = GeneratorHarness.Run(GeneratorHarness.Compilation(source)).Result;
        GeneratorRunResult portable = VerifyGenerated("Portable." + name, source, genKernels: "Portable", skip: hint => hint.EndsWith(".Gradients.g.cs", System.StringComparison.Ordinal));
        Assert.Equal(
            intrinsics.GeneratedSources.Where(s => s.HintName.EndsWith(".Gradients.g.cs", System.StringComparison.Ordinal)).Select(s => s.SourceText.ToString()),
            portable.GeneratedSources.Where(s => s.HintName.EndsWith(".Gradients.g.cs", System.StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
    }

    private static GeneratorRunResult VerifyGenerated(string name, string source, string? genKernels = null, System.Func<string, bool>? skip = null)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(source), genKernels);

        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output).Where(d => d.Id != "GEN003"));
        Assert.NotEmpty(result.GeneratedSources);
        foreach (GeneratedSourceResult generated in result.GeneratedSources.OrderBy(s => s.HintName, System.StringComparer.Ordinal).Where(s => skip?.Invoke(s.HintName) != true))
        {
            Snapshot.Verify(name + "." + generated.HintName.Replace(".g.cs", string.Empty), generated.SourceText.ToString());
        }

        return result;
    }
}
