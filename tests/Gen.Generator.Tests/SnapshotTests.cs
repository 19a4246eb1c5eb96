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
