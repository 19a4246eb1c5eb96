using System.Linq;
using Gen.Tests;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// End-to-end snapshots of the generated source for representative model classes. Each case also
/// compiles the output and requires it to be free of errors and warnings. The models are shared with the
/// emulated Unity compile (tests/Shared/GeneratorModels.cs).
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void QuickStartPolicy() => VerifyGenerated(nameof(QuickStartPolicy), GeneratorModels.QuickStartPolicy);

    [Fact]
    public void EveryOptionMixedPrecisionNestedGenericRecord() => VerifyGenerated(nameof(EveryOptionMixedPrecisionNestedGenericRecord), GeneratorModels.EveryOptionMixedPrecisionNestedGenericRecord);

    [Fact]
    public void TwoOptimizersShareOneGradients() => VerifyGenerated(nameof(TwoOptimizersShareOneGradients), GeneratorModels.TwoOptimizersShareOneGradients);

    [Fact]
    public void EveryOptimizerKindWithItsOptionsAndMemberOverrides() => VerifyGenerated(nameof(EveryOptimizerKindWithItsOptionsAndMemberOverrides), GeneratorModels.EveryOptimizerKindWithItsOptionsAndMemberOverrides);

    [Fact]
    public void FastPrecisionOutsideAndInsideSqrt() => VerifyGenerated(nameof(FastPrecisionOutsideAndInsideSqrt), GeneratorModels.FastPrecisionOutsideAndInsideSqrt);

    [Fact]
    public void HalfPrecisionState() => VerifyGenerated(nameof(HalfPrecisionState), GeneratorModels.HalfPrecisionState);

    [Fact]
    public void BlockwiseState() => VerifyGenerated(nameof(BlockwiseState), GeneratorModels.BlockwiseState);

    [Fact]
    public void AdamVariantsWithTheirOptionsAndMemberOverrides() => VerifyGenerated(nameof(AdamVariantsWithTheirOptionsAndMemberOverrides), GeneratorModels.AdamVariantsWithTheirOptionsAndMemberOverrides);

    [Fact]
    public void NarrowStateOfRpropAndAsgd() => VerifyGenerated(nameof(NarrowStateOfRpropAndAsgd), GeneratorModels.NarrowStateOfRpropAndAsgd);

    [Fact]
    public void ScheduleFreeAdEMAMixAndAdopt() => VerifyGenerated(nameof(ScheduleFreeAdEMAMixAndAdopt), GeneratorModels.ScheduleFreeAdEMAMixAndAdopt);

    [Fact]
    public void NarrowStateOfAdEMAMixAndAdopt() => VerifyGenerated(nameof(NarrowStateOfAdEMAMixAndAdopt), GeneratorModels.NarrowStateOfAdEMAMixAndAdopt);

    [Fact]
    public void MuonMatricesWithAnAdamWPart() => VerifyGenerated(nameof(MuonMatricesWithAnAdamWPart), GeneratorModels.MuonMatricesWithAnAdamWPart);

    [Fact]
    public void MuonLeanState() => VerifyGenerated(nameof(MuonLeanState), GeneratorModels.MuonLeanState);

    [Fact]
    public void LambLayerwise() => VerifyGenerated(nameof(LambLayerwise), GeneratorModels.LambLayerwise);

    [Fact]
    public void LarsLayerwise() => VerifyGenerated(nameof(LarsLayerwise), GeneratorModels.LarsLayerwise);

    [Fact]
    public void AdafactorFactored() => VerifyGenerated(nameof(AdafactorFactored), GeneratorModels.AdafactorFactored);

    /// <summary>
    /// The portable target (GenKernels=Portable, what a compilation without System.Runtime.Intrinsics gets):
    /// only the optimizers differ, so only they are snapshotted; the Gradients type is the intrinsics one.
    /// QuickStart's float RMSProp, every kind with its options (float and double members), Precision.Fast, 16-bit and 8-bit state.
    /// </summary>
    [Theory]
    [InlineData(nameof(QuickStartPolicy), GeneratorModels.QuickStartPolicy)]
    [InlineData(nameof(EveryOptimizerKindWithItsOptionsAndMemberOverrides), GeneratorModels.EveryOptimizerKindWithItsOptionsAndMemberOverrides)]
    [InlineData(nameof(FastPrecisionOutsideAndInsideSqrt), GeneratorModels.FastPrecisionOutsideAndInsideSqrt)]
    [InlineData(nameof(HalfPrecisionState), GeneratorModels.HalfPrecisionState)]
    [InlineData(nameof(BlockwiseState), GeneratorModels.BlockwiseState)]
    [InlineData(nameof(AdamVariantsWithTheirOptionsAndMemberOverrides), GeneratorModels.AdamVariantsWithTheirOptionsAndMemberOverrides)]
    [InlineData(nameof(NarrowStateOfRpropAndAsgd), GeneratorModels.NarrowStateOfRpropAndAsgd)]
    [InlineData(nameof(ScheduleFreeAdEMAMixAndAdopt), GeneratorModels.ScheduleFreeAdEMAMixAndAdopt)]
    [InlineData(nameof(NarrowStateOfAdEMAMixAndAdopt), GeneratorModels.NarrowStateOfAdEMAMixAndAdopt)]
    [InlineData(nameof(MuonMatricesWithAnAdamWPart), GeneratorModels.MuonMatricesWithAnAdamWPart)]
    [InlineData(nameof(MuonLeanState), GeneratorModels.MuonLeanState)]
    [InlineData(nameof(LambLayerwise), GeneratorModels.LambLayerwise)]
    [InlineData(nameof(LarsLayerwise), GeneratorModels.LarsLayerwise)]
    [InlineData(nameof(AdafactorFactored), GeneratorModels.AdafactorFactored)]
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
