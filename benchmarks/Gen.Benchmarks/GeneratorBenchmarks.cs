extern alias GenGenerator;

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using GenGenerator::Gen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Gen.Benchmarks;

/// <summary>
/// The generator's own cost, on a compilation of 100 annotated classes of 8 parameters each (one file
/// per class) plus one unrelated file, with Roslyn 4.14's <see cref="CSharpGeneratorDriver"/>.
/// <list type="bullet">
/// <item><b>Cold</b>: a new compilation of the parsed files and a new driver, so nothing is cached:
/// what a build without a compiler server, or the first run in an IDE session, pays (once the
/// compiler's own code is jitted).</item>
/// <item><b>UnrelatedEdit</b>: the driver that already ran, on its compilation with the unrelated file
/// replaced by an edited version (as an IDE derives the next compilation): what every keystroke
/// elsewhere costs. Deriving the edited compilation is included (microseconds). That it re-emits nothing,
/// and that the output compiles, is tested in tests/Gen.Benchmarks.Tests.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private GeneratorCorpus _corpus = null!;
    private CSharpCompilation _first = null!;
    private GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _corpus = GeneratorCorpus.Create();
        _first = _corpus.Compilation();
        _warm = _corpus.NewDriver().RunGenerators(_first);
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver Cold() => _corpus.NewDriver().RunGenerators(_corpus.Compilation());

    [Benchmark]
    public GeneratorDriver UnrelatedEdit() => _warm.RunGenerators(_corpus.WithUnrelatedEdit(_first));
}

/// <summary>The 100-class compilation the generator benchmarks run on.</summary>
public sealed class GeneratorCorpus(ImmutableArray<SyntaxTree> trees, SyntaxTree unrelated, SyntaxTree unrelatedEdited)
{
    public const int ClassCount = 100;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly MetadataReference[] References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(RmsPropAttribute).Assembly.Location)
            .Append(typeof(GradientsBase).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();

    public static GeneratorCorpus Create()
    {
        var trees = ImmutableArray.CreateBuilder<SyntaxTree>(ClassCount + 1);
        for (int i = 0; i < ClassCount; i++)
        {
            trees.Add(CSharpSyntaxTree.ParseText(ModelSource(i), ParseOptions, path: $"Models/Model{i:D3}.cs", encoding: Encoding.UTF8));
        }

        const string Unrelated = "namespace Bench; public static class Helpers { public static int Twice(int x) => 2 * x; }";
        SyntaxTree unrelated = CSharpSyntaxTree.ParseText(Unrelated, ParseOptions, path: "Helpers.cs", encoding: Encoding.UTF8);
        SyntaxTree edited = CSharpSyntaxTree.ParseText(Unrelated.Replace("}", "public static int Thrice(int x) => 3 * x; }"), ParseOptions, path: "Helpers.cs", encoding: Encoding.UTF8);
        trees.Add(unrelated);
        return new GeneratorCorpus(trees.ToImmutable(), unrelated, edited);
    }

    /// <summary>Class i: the small MLP's eight tensors, with hyperparameters that vary by class.</summary>
    public static string ModelSource(int i, double rho = 0.9) => $$"""
        using Gen;

        namespace Bench.Models;

        [RmsProp(LearningRate = 0.001, Rho = {{rho.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}, Centered = {{(i % 2 == 0 ? "true" : "false")}}, Momentum = {{(i % 3 == 0 ? "0.9" : "0")}})]
        public partial class Model{{i:D3}}
        {
            public float[,] W1 = new float[32, 64];
            public float[] B1 = new float[64];
            public float[,] W2 = new float[64, 64];
            public float[] B2 = new float[64];
            public float[,] W3 = new float[64, 32];
            public float[] B3 = new float[32];
            public float[,] W4 = new float[32, 4];
            public float[] B4 = new float[4];

            public int Width => W1.GetLength(1);
        }
        """;

    public CSharpCompilation Compilation() => CSharpCompilation.Create(
        "Consumer", trees, References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public CSharpCompilation WithUnrelatedEdit(CSharpCompilation compilation) => compilation.ReplaceSyntaxTree(unrelated, unrelatedEdited);

    /// <summary>The compilation with class <paramref name="index"/>'s Rho changed: the control that shows the generator sees edits at all.</summary>
    public CSharpCompilation WithModelEdited(CSharpCompilation compilation, int index, double rho) =>
        compilation.ReplaceSyntaxTree(trees[index], CSharpSyntaxTree.ParseText(ModelSource(index, rho), ParseOptions, trees[index].FilePath, Encoding.UTF8));

    public GeneratorDriver NewDriver(bool track = false) => CSharpGeneratorDriver.Create(
        new[] { new OptimizerGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));
}
