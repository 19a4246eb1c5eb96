using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Gen.Benchmarks;

/// <summary>
/// What the generator benchmark cannot time but the report needs, from one run with tracked steps:
/// the very first run in this process (the compiler's code not yet jitted), that the 100 classes give
/// the expected files and code that compiles, and, from the tracked steps, whether an unrelated edit
/// re-ran or re-emitted anything, and (as a control) that editing one class's hyperparameter does.
/// </summary>
public static class GeneratorCheck
{
    /// <summary>
    /// The generator's own tracked steps (Gen.Generator's internal TrackingNames). The other tracked
    /// steps are Roslyn's inside ForAttributeWithMetadataName; some of them (the compilation itself)
    /// are Modified by any edit, by design. If the generator renames a step, the check fails rather
    /// than pass on nothing.
    /// </summary>
    private static readonly string[] GeneratorSteps = { "RmsPropModels", "Models" };

    public sealed record Report(
        int Classes,
        int ParametersPerClass,
        double FirstRunInProcessMs,
        int GeneratedFiles,
        int GeneratorDiagnostics,
        int CompileErrors,
        bool GeneratorThrew,
        Dictionary<string, Dictionary<string, int>> UnrelatedEditStepReasons,
        Dictionary<string, Dictionary<string, int>> UnrelatedEditOutputReasons,
        bool UnrelatedEditReemittedNothing,
        Dictionary<string, Dictionary<string, int>> HyperparameterEditOutputReasons,
        bool HyperparameterEditReemittedOneClass);

    public static Report Run(bool compileOutput)
    {
        GeneratorCorpus corpus = GeneratorCorpus.Create();
        CSharpCompilation first = corpus.Compilation();

        var clock = Stopwatch.StartNew();
        GeneratorDriver driver = corpus.NewDriver(track: true).RunGenerators(first);
        double firstRunMs = clock.Elapsed.TotalMilliseconds;

        GeneratorRunResult cold = driver.GetRunResult().Results.Single();
        int compileErrors = compileOutput
            ? first.AddSyntaxTrees(cold.GeneratedSources.Select(s => s.SyntaxTree)).GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error)
            : -1;

        GeneratorRunResult edit = driver.RunGenerators(corpus.WithUnrelatedEdit(first)).GetRunResult().Results.Single();
        var editSteps = Reasons(edit.TrackedSteps);
        var editOutputs = Reasons(edit.TrackedOutputSteps);
        bool nothingReemitted = GeneratorSteps.All(editSteps.ContainsKey)
            && !editSteps.Where(s => GeneratorSteps.Contains(s.Key)).Concat(editOutputs).SelectMany(s => s.Value.Keys).Any(IsWork)
            && editOutputs.Count > 0;

        GeneratorRunResult control = driver.RunGenerators(corpus.WithModelEdited(first, 7, rho: 0.8)).GetRunResult().Results.Single();
        var controlOutputs = Reasons(control.TrackedOutputSteps);
        bool oneClassReemitted = controlOutputs.Values.Sum(r => r.GetValueOrDefault(nameof(IncrementalStepRunReason.Modified))) == 1;

        return new Report(
            GeneratorCorpus.ClassCount,
            GeneratorCorpus.ParametersPerClass,
            Math.Round(firstRunMs, 1),
            cold.GeneratedSources.Length,
            cold.Diagnostics.Length,
            compileErrors,
            cold.Exception is not null,
            editSteps,
            editOutputs,
            nothingReemitted,
            controlOutputs,
            oneClassReemitted);
    }

    private static bool IsWork(string reason) =>
        reason is nameof(IncrementalStepRunReason.New) or nameof(IncrementalStepRunReason.Modified);

    /// <summary>For each tracked step, how many of its outputs had each run reason.</summary>
    private static Dictionary<string, Dictionary<string, int>> Reasons(IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep>> steps) =>
        steps.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(
            s => s.Key,
            s => s.Value.SelectMany(run => run.Outputs).GroupBy(o => o.Reason.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));
}
