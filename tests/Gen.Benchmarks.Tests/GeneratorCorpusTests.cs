using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Gen.Benchmarks.Tests;

/// <summary>
/// The generator benchmark's 100-class corpus (<see cref="GeneratorCorpus"/>): the generator makes code for every class, and
/// that code compiles, so Cold times real work; an unrelated edit re-emits nothing, so UnrelatedEdit times the cached path; and, as
/// the control that shows the tracking sees edits at all, editing one class's Rho re-emits exactly that class. Only the
/// source outputs are inspected, not the generator's own step names, which are its internals.
/// </summary>
public sealed class GeneratorCorpusTests
{
    private static readonly GeneratorCorpus Corpus = GeneratorCorpus.Create();

    /// <remarks>
    /// The classes differ only in their names and in Centered (even i) and Momentum (i divisible by 3), so Model000 to Model003
    /// cover every form the generated code takes; compiling all 100 classes' output takes 20 s here and proves nothing more.
    /// </remarks>
    [Fact]
    public void EveryClassGetsCodeAndEveryFormCompiles()
    {
        CSharpCompilation compilation = Corpus.Compilation();
        GeneratorRunResult result = Corpus.NewDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.All(Enumerable.Range(0, GeneratorCorpus.ClassCount), i => Assert.Contains(result.GeneratedSources, s => s.HintName.Contains($"Model{i:D3}")));

        string[] forms = { "Model000", "Model001", "Model002", "Model003" };
        CSharpCompilation subset = compilation
            .RemoveSyntaxTrees(compilation.SyntaxTrees.Where(t => t.FilePath.StartsWith("Models/", System.StringComparison.Ordinal) && !forms.Any(t.FilePath.Contains)))
            .AddSyntaxTrees(result.GeneratedSources.Where(s => forms.Any(s.HintName.Contains)).Select(s => s.SyntaxTree));
        Assert.Empty(subset.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void UnrelatedEditReemitsNothing()
    {
        CSharpCompilation first = Corpus.Compilation();
        GeneratorDriver driver = Corpus.NewDriver(track: true).RunGenerators(first);
        IncrementalStepRunReason[] reasons = OutputReasons(driver.RunGenerators(Corpus.WithUnrelatedEdit(first)));

        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void HyperparameterEditReemitsExactlyThatClass()
    {
        CSharpCompilation first = Corpus.Compilation();
        GeneratorDriver driver = Corpus.NewDriver(track: true).RunGenerators(first);
        IncrementalStepRunReason[] reasons = OutputReasons(driver.RunGenerators(Corpus.WithModelEdited(first, 7, rho: 0.8)));

        Assert.Single(reasons, r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        Assert.All(reasons.Where(r => r is not (IncrementalStepRunReason.Modified or IncrementalStepRunReason.New)), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    private static IncrementalStepRunReason[] OutputReasons(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(o => o.Reason).ToArray();
}
