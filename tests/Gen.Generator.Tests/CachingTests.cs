using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// The incremental pipeline re-emits only when a model's spec changes: an unrelated edit leaves
/// every tracked step (the kernel target too) Cached or Unchanged, a hyperparameter edit or a new
/// GenKernels value makes the model step Modified, and no step output holds a symbol, syntax node or
/// compilation (which would defeat caching).
/// </summary>
public sealed class CachingTests
{
    private const string Model = """
        using Gen;
        namespace Demo;
        [RmsProp(Rho = 0.9)]
        public partial class Policy
        {
            public float[,] W1 = new float[4, 8];
            public double[] B1 = new double[8];
            public void Forward() { }
        }
        """;

    private const string Unrelated = "namespace Demo; public static class Helpers { public static int Twice(int x) => 2 * x; }";

    private static readonly string[] TrackedSteps = { TrackingNames.RmsPropModels, TrackingNames.Models, TrackingNames.KernelTarget, TrackingNames.TargetedModels };

    [Fact]
    public void UnrelatedEditReusesEveryStep()
    {
        AssertSecondRun(
            Model,
            Unrelated + " public static class More { }",
            reasons => Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString())));
    }

    [Fact]
    public void EditInsideTheModelThatKeepsItsSpecIsUnchanged()
    {
        AssertSecondRun(
            Model.Replace("public void Forward() { }", "public void Forward() { int unused = 1; _ = unused; }"),
            Unrelated,
            reasons => Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString())));
    }

    [Fact]
    public void HyperparameterEditIsModified()
    {
        AssertSecondRun(
            Model.Replace("Rho = 0.9", "Rho = 0.8"),
            Unrelated,
            reasons => Assert.Contains(IncrementalStepRunReason.Modified, reasons),
            new[] { TrackingNames.RmsPropModels, TrackingNames.Models, TrackingNames.TargetedModels });
    }

    [Fact]
    public void NewKernelTargetIsModifiedAndTheModelsAreNot()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Model, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(compilation);
        GeneratorRunResult result = driver
            .WithUpdatedAnalyzerConfigOptions(GeneratorHarness.Options("Portable"))
            .RunGenerators(compilation)
            .GetRunResult().Results.Single();

        IncrementalStepRunReason[] Reasons(string step) => result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.All(Reasons(TrackingNames.RmsPropModels), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(TrackingNames.KernelTarget));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(TrackingNames.TargetedModels));
        Assert.Contains("global::System.Numerics.Vector<float>", result.GeneratedSources.Single(s => s.HintName == "Demo.Policy.RmsPropOptimizer.g.cs").SourceText.ToString());
    }

    [Fact]
    public void StepOutputsHoldNoCompilerObjects()
    {
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Model, Unrelated));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        foreach (string step in TrackedSteps)
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, _) in run.Outputs)
                {
                    AssertNoCompilerObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    /// <summary>Runs the generator on (model, unrelated), then on the edited sources, and checks the second run's step reasons.</summary>
    private static void AssertSecondRun(string editedModel, string editedUnrelated, Action<IncrementalStepRunReason[]> check, string[]? steps = null)
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Model, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);

        CSharpCompilation second = first;
        SyntaxTree[] trees = first.SyntaxTrees.ToArray();
        if (editedModel != Model)
        {
            second = second.ReplaceSyntaxTree(trees[0], CSharpSyntaxTree.ParseText(editedModel, GeneratorHarness.ParseOptions, trees[0].FilePath));
        }

        if (editedUnrelated != Unrelated)
        {
            second = second.ReplaceSyntaxTree(trees[1], CSharpSyntaxTree.ParseText(editedUnrelated, GeneratorHarness.ParseOptions, trees[1].FilePath));
        }

        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();
        foreach (string step in steps ?? TrackedSteps)
        {
            IncrementalStepRunReason[] reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
            Assert.NotEmpty(reasons);
            check(reasons);
        }
    }

    private static void AssertNoCompilerObjects(object? value, string step, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or Compilation or Location or AttributeData or SemanticModel,
            $"Step {step} outputs a {value.GetType()}, which would defeat caching.");
        if (value is IEnumerable items)
        {
            foreach (object? item in items)
            {
                AssertNoCompilerObjects(item, step, seen);
            }
        }

        for (Type? type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertNoCompilerObjects(field.GetValue(value), step, seen);
            }
        }
    }
}
