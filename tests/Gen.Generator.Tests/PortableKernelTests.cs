using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Gen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// The portable kernel target (System.Numerics.Vector&lt;T&gt; over spans): how the target is chosen, that its
/// output is C# 9 using only netstandard2.1's API and none of what Mono 6.8 or Unity lack, and that it
/// computes the same bits as the intrinsics kernels for every kind.
/// </summary>
public sealed class PortableKernelTests
{
    /// <summary>
    /// Every kind with the options that change its kernel, on one float and one double member, written in
    /// C# 9 (Unity's language version): block namespace, no newer syntax.
    /// </summary>
    private const string Family = """
        using Gen;

        namespace Demo
        {
            [RmsProp(Name = "RmsPlain")]
            [RmsProp(Name = "RmsCenteredMomentum", Centered = true, Momentum = 0.9, WeightDecay = 0.01)]
            [RmsProp(Name = "RmsInsideDecoupled", EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecay = 0.01, WeightDecayMode = WeightDecayMode.Decoupled, Maximize = true, InitialScale = 0.5)]
            [RmsProp(Name = "RmsFastCenteredMomentum", Precision = Precision.Fast, Centered = true, Momentum = 0.9)]
            [RmsProp(Name = "RmsFastInside", Precision = Precision.Fast, EpsilonPlacement = EpsilonPlacement.InsideSqrt, WeightDecay = 0.01)]
            [Sgd(Name = "SgdPlain", LearningRate = 0.1)]
            [Sgd(Name = "SgdNesterov", LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3)]
            [Sgd(Name = "SgdDampened", LearningRate = 0.05, Momentum = 0.5, Dampening = 0.3, Maximize = true)]
            [Adagrad(LearningRateDecay = 0.01, InitialAccumulatorValue = 0.1, WeightDecay = 0.01)]
            [Adam(Name = "AdamPlain")]
            [Adam(Name = "AdamAmsGrad", AmsGrad = true, WeightDecay = 1e-3, Maximize = true)]
            [AdamW(AmsGrad = true)]
            [Adadelta(WeightDecay = 0.01, Maximize = true)]
            [Lion(WeightDecay = 0.1)]
            [NAdam(WeightDecay = 0.01)]
            [RAdam(DecoupledWeightDecay = true, WeightDecay = 0.01)]
            [Adamax(WeightDecay = 0.01, Maximize = true)]
            public partial class Family
            {
                public float[] F;
                public double[] D;

                public Family(int length)
                {
                    F = new float[length];
                    D = new double[length];
                }
            }
        }
        """;

    private static readonly CSharpParseOptions CSharp9 = new(LanguageVersion.CSharp9);

    private static readonly Lazy<Assembly> Intrinsics = new(() => Load(genKernels: null));

    private static readonly Lazy<Assembly> Portable = new(() => Load(genKernels: "Portable"));

    public static TheoryData<string> Optimizers()
    {
        var data = new TheoryData<string>();
        foreach (string name in new[]
        {
            "RmsPlain", "RmsCenteredMomentum", "RmsInsideDecoupled", "RmsFastCenteredMomentum", "RmsFastInside",
            "SgdPlain", "SgdNesterov", "SgdDampened", "AdagradOptimizer", "AdamPlain", "AdamAmsGrad", "AdamWOptimizer",
            "AdadeltaOptimizer", "LionOptimizer", "NAdamOptimizer", "RAdamOptimizer", "AdamaxOptimizer",
        })
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [InlineData(null, true, "Intrinsics")]
    [InlineData("Auto", true, "Intrinsics")]
    [InlineData("auto", false, "Portable")]
    [InlineData(null, false, "Portable")]
    [InlineData("Portable", true, "Portable")]
    [InlineData(" PORTABLE ", true, "Portable")]
    [InlineData("Intrinsics", true, "Intrinsics")]
    public void TargetFollowsTheCompilationUnlessTheSettingForcesIt(string? setting, bool hasIntrinsics, string expected)
    {
        string? read = setting is null ? null : Parsing.KernelTargetSetting.Read(GeneratorHarness.Options(setting).GlobalOptions);
        (Models.KernelTarget target, Parsing.KernelTargetProblem problem) = Parsing.KernelTargetSetting.Choose(read, hasIntrinsics);
        Assert.Equal(expected, target.ToString());
        Assert.Equal(Parsing.KernelTargetProblem.None, problem);
    }

    [Fact]
    public void GEN202_UnknownKernelTarget()
    {
        Diagnostic diagnostic = Assert.Single(GeneratorHarness.AnalyzerDiagnostics(GeneratorHarness.Compilation(CSharp9, Family), genKernels: "Vector"));
        Assert.Equal("GEN202", diagnostic.Id);
        Assert.Equal(Location.None, diagnostic.Location);
        Assert.Equal("GenKernels is \"Vector\", which is not a kernel target: use one of Auto (or empty), Portable, Intrinsics. Gen chose the kernels by the compilation (Intrinsics).", diagnostic.GetMessage());

        // The generator falls back to Auto: here, the intrinsics kernels.
        Assert.Contains("Vector512", Generated(Family, "Vector").Single(s => s.HintName == "Demo.Family.RmsPlain.g.cs").Text);
    }

    [Fact]
    public async System.Threading.Tasks.Task GEN203_IntrinsicsKernelsUnavailable()
    {
        // A compilation without System.Runtime.Intrinsics, as Unity's: netstandard2.1's reference assembly.
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Consumer",
            new[] { CSharpSyntaxTree.ParseText("public class Plain { }", CSharp9) },
            new[] { MetadataReference.CreateFromFile(NetStandard21) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.False(Parsing.KernelTargetSetting.HasIntrinsics(compilation));

        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer()), new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, GeneratorHarness.Options("Intrinsics")))
            .GetAnalyzerDiagnosticsAsync();
        Assert.Equal("GEN203", Assert.Single(diagnostics).Id);
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(GeneratorHarness.Compilation(CSharp9, Family), genKernels: "Intrinsics"));
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(GeneratorHarness.Compilation(CSharp9, Family), genKernels: "Portable"));
    }

    /// <summary>Both targets' output compiles at C# 9, Unity's language version, without a warning.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("Portable")]
    public void OutputCompilesAtCSharp9WithoutDiagnostics(string? genKernels)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(CSharp9, Family), genKernels);
        Assert.Equal(18, result.GeneratedSources.Length);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    /// <summary>
    /// What the portable output calls outside Gen exists in netstandard2.1's reference assembly, and none of
    /// it is what Mono 6.8 or Unity lack: Unsafe, AggressiveOptimization by name, the one-argument
    /// Array.Clear, or a ReadOnlySpan&lt;T&gt; indexer or enumerator. The intrinsics output, checked the same
    /// way, is caught using Vector512 and Unsafe, which shows the check sees them.
    /// </summary>
    [Fact]
    public void PortableOutputUsesOnlyNetStandard21AndNothingMonoLacks()
    {
        Assert.Empty(ForeignApi(genKernels: "Portable"));
        string[] intrinsics = ForeignApi(genKernels: null);
        Assert.Contains("T:System.Runtime.Intrinsics.Vector512`1", intrinsics);
        Assert.Contains("M:System.Runtime.CompilerServices.Unsafe.Add``1(``0@,System.UIntPtr)", intrinsics);
        Assert.Contains("F:System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization", intrinsics);
        Assert.Contains("M:System.Array.Clear(System.Array)", intrinsics);
    }

    /// <summary>
    /// The same model compiled for both targets, stepped three times on the same inputs (with ±0, a NaN and
    /// a change of learning rate and weight decay between steps, which switches the coupled-decay kernel),
    /// for every length 0..3·16+1 and two long ones: parameters and every state buffer are bit-identical in
    /// Exact precision. Precision.Fast stays within its documented bound (docs/PRECISION.md): here the
    /// portable kernel is exact while the intrinsics one uses hardware estimates and fused multiply-adds.
    /// </summary>
    [Theory]
    [MemberData(nameof(Optimizers))]
    [Trait("Category", "Numerical")]
    public void PortableKernelsGiveTheIntrinsicsKernelsBits(string optimizer)
    {
        bool fast = optimizer.Contains("Fast", StringComparison.Ordinal);
        foreach (int length in Enumerable.Range(0, (3 * 16) + 2).Concat(new[] { 1031, 4099 }))
        {
            (Array[] intrinsics, string[] names) = Train(Intrinsics.Value, optimizer, length);
            (Array[] portable, _) = Train(Portable.Value, optimizer, length);
            for (int buffer = 0; buffer < names.Length; buffer++)
            {
                // Every buffer has the member's length but a scalar kept for the whole optimizer (NAdam's mu_product).
                Assert.Equal(intrinsics[buffer].Length, portable[buffer].Length);
                for (int i = 0; i < intrinsics[buffer].Length; i++)
                {
                    double expected = Convert.ToDouble(intrinsics[buffer].GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                    double actual = Convert.ToDouble(portable[buffer].GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                    string where = $"{optimizer} {names[buffer]}[{i}] of {length}: intrinsics {expected:R}, portable {actual:R}";
                    if (fast && intrinsics[buffer] is float[])
                    {
                        Assert.True(double.IsNaN(expected) ? double.IsNaN(actual) : Math.Abs(actual - expected) <= 1e-5 * Math.Max(Math.Abs(expected), 1), where);
                    }
                    else
                    {
                        Assert.True(Bits(intrinsics[buffer].GetValue(i)!) == Bits(portable[buffer].GetValue(i)!), where);
                    }
                }
            }
        }
    }

    private static long Bits(object value) => value is float f ? BitConverter.SingleToInt32Bits(f) : BitConverter.DoubleToInt64Bits((double)value);

    /// <summary>
    /// A model of <paramref name="length"/> elements per member with deterministic values, three steps of
    /// <paramref name="optimizer"/>, then the parameters and every state buffer (names alongside).
    /// </summary>
    private static (Array[] Buffers, string[] Names) Train(Assembly assembly, string optimizer, int length)
    {
        Type modelType = assembly.GetType("Demo.Family", throwOnError: true)!;
        object model = Activator.CreateInstance(modelType, length)!;
        var random = new Random(length);
        float[] f = (float[])modelType.GetField("F")!.GetValue(model)!;
        double[] d = (double[])modelType.GetField("D")!.GetValue(model)!;
        Fill(f, d, random, gradient: false);

        object gradients = Activator.CreateInstance(modelType.GetNestedType("Gradients")!, model)!;
        float[] gf = (float[])gradients.GetType().GetField("F")!.GetValue(gradients)!;
        double[] gd = (double[])gradients.GetType().GetField("D")!.GetValue(gradients)!;

        Type optimizerType = modelType.GetNestedType(optimizer, BindingFlags.Public)!;
        object instance = Activator.CreateInstance(optimizerType, model)!;
        optimizerType.GetProperty("NonFinitePolicy")!.SetValue(instance, NonFinitePolicy.Ignore);
        MethodInfo step = optimizerType.GetMethod("Step", new[] { gradients.GetType() })!;
        for (int s = 0; s < 3; s++)
        {
            Fill(gf, gd, random, gradient: true);
            if (s == 1)
            {
                // No decay this step: the kernels compiled without the L2 term.
                optimizerType.GetProperty("WeightDecay")!.SetValue(instance, 0.0);
            }
            else if (s == 2)
            {
                optimizerType.GetProperty("WeightDecay")!.SetValue(instance, 0.05);
                optimizerType.GetProperty("LearningRate")!.SetValue(instance, 0.5 * (double)optimizerType.GetProperty("LearningRate")!.GetValue(instance)!);
            }

            step.Invoke(instance, new[] { gradients });
        }

        var buffers = new List<Array> { f, d };
        var names = new List<string> { "F", "D" };
        int count = (int)optimizerType.GetProperty("StateCount")!.GetValue(instance)!;
        MethodInfo getState = optimizerType.GetMethod("GetState")!;
        for (int i = 0; i < count; i++)
        {
            var state = (OptimizerState)getState.Invoke(instance, new object[] { i })!;
            buffers.Add(state.Buffer.Array!);
            names.Add(state.Key + "." + state.Buffer.Name);
        }

        return (buffers.ToArray(), names.ToArray());
    }

    /// <summary>Values in (−2, 2) with both zeros at fixed places and, in gradients, one NaN.</summary>
    private static void Fill(float[] f, double[] d, Random random, bool gradient)
    {
        for (int i = 0; i < f.Length; i++)
        {
            double value = (random.NextDouble() * 4) - 2;
            f[i] = (float)value;
            d[i] = value;
        }

        if (f.Length > 5)
        {
            f[1] = 0;
            d[1] = 0;
            f[2] = -0f;
            d[2] = -0d;
            if (gradient)
            {
                f[f.Length - 2] = float.NaN;
                d[d.Length - 2] = double.NaN;
            }
        }
    }

    private static Assembly Load(string? genKernels)
    {
        (_, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(CSharp9, Family), genKernels);
        return GeneratorHarness.EmitAndLoad(output, "Demo.Family").Assembly;
    }

    private static IEnumerable<(string HintName, string Text)> Generated(string source, string? genKernels) =>
        GeneratorHarness.Run(GeneratorHarness.Compilation(CSharp9, source), genKernels).Result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString()));

    private static string NetStandard21 => Path.Combine(AppContext.BaseDirectory, "netstandard2.1", "netstandard.dll");

    /// <summary>
    /// The documentation IDs of the framework API the generated code uses that netstandard2.1 does not
    /// declare, plus any use of what Mono 6.8 or Unity lack even where it declares it.
    /// </summary>
    private static string[] ForeignApi(string? genKernels)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(CSharp9, Family), genKernels);
        Compilation netStandard = CSharpCompilation.Create("NetStandard21", references: new[] { MetadataReference.CreateFromFile(NetStandard21) });
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in output.SyntaxTrees.Where(t => result.GeneratedSources.Any(s => s.SyntaxTree.FilePath == t.FilePath)))
        {
            SemanticModel semantics = output.GetSemanticModel(tree);
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                ISymbol? symbol = node is TypeSyntax or ExpressionSyntax or AttributeSyntax ? semantics.GetSymbolInfo(node).Symbol : null;
                if (symbol is null || symbol is ILocalSymbol or IParameterSymbol or ITypeParameterSymbol or INamespaceSymbol or IRangeVariableSymbol
                    || symbol is IMethodSymbol { MethodKind: MethodKind.BuiltinOperator }
                    || symbol.ContainingAssembly is not { } assembly || assembly.Name is "Consumer" or "Gen.Runtime" or "Gen.Attributes")
                {
                    continue;
                }

                ISymbol definition = symbol is IMethodSymbol { ReducedFrom: { } reduced } ? reduced : symbol.OriginalDefinition;
                string id = definition is INamedTypeSymbol named && named.IsGenericType ? named.ConstructedFrom.GetDocumentationCommentId()! : definition.GetDocumentationCommentId()!;
                if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, netStandard) is null
                    || id.StartsWith("T:System.Runtime.CompilerServices.Unsafe", StringComparison.Ordinal)
                    || id.Contains("System.Runtime.CompilerServices.Unsafe.", StringComparison.Ordinal)
                    || id.StartsWith("P:System.ReadOnlySpan`1.Item", StringComparison.Ordinal)
                    || id.StartsWith("M:System.ReadOnlySpan`1.GetEnumerator", StringComparison.Ordinal)
                    || id == "M:System.Array.Clear(System.Array)")
                {
                    found.Add(id);
                }
            }

            // Indexing or enumerating a ReadOnlySpan<T> binds to its indexer or GetEnumerator, which the
            // symbol walk above may not see through var and foreach: check those nodes' receivers too.
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                ExpressionSyntax? receiver = node switch
                {
                    ElementAccessExpressionSyntax access => access.Expression,
                    ForEachStatementSyntax loop => loop.Expression,
                    _ => null,
                };
                if (receiver is not null && semantics.GetTypeInfo(receiver).Type is INamedTypeSymbol { Name: "ReadOnlySpan" })
                {
                    found.Add("ReadOnlySpan indexed or enumerated: " + node);
                }
            }
        }

        return found.ToArray();
    }
}
