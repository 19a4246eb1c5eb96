extern alias GenAttributes;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using Gen.Generator;
using Gen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;

namespace Gen.Generator.Tests;

/// <summary>Runs the generator and the analyzer in-process on source text, as the compiler would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The attributes assembly a user's compilation references (the generator compiles its own copy in).</summary>
    public static readonly System.Reflection.Assembly AttributesAssembly = typeof(GenAttributes::Gen.RmsPropAttribute).Assembly;

    private static readonly MetadataReference[] References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(AttributesAssembly.Location)
            .Append(typeof(GradientsBase).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();

    public static CSharpCompilation Compilation(params string[] sources) => Compilation(ParseOptions, sources);

    /// <summary>A compilation of <paramref name="sources"/> parsed with <paramref name="parseOptions"/> (e.g. C# 9).</summary>
    public static CSharpCompilation Compilation(CSharpParseOptions parseOptions, params string[] sources) => CSharpCompilation.Create(
        "Consumer",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Source{i}.cs")),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>
    /// A driver as the compiler makes one; <paramref name="genKernels"/> is the project's GenKernels property as
    /// the compiler passes it (build_property.GenKernels), null for a project that does not set it.
    /// </summary>
    public static GeneratorDriver Driver(string? genKernels = null, CSharpParseOptions? parseOptions = null) => CSharpGeneratorDriver.Create(
        new[] { new OptimizerGenerator().AsSourceGenerator() },
        parseOptions: parseOptions ?? ParseOptions,
        optionsProvider: Options(genKernels),
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; fails the test if it threw.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(Compilation compilation, string? genKernels = null)
    {
        GeneratorDriver driver = Driver(genKernels, (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            throw new InvalidOperationException("The generator threw.", result.Exception);
        }

        return (result, output);
    }

    /// <summary>Generates, then returns the analyzer's diagnostics on the generated compilation.</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(params string[] sources) => AnalyzerDiagnostics(Compilation(sources), genKernels: null);

    /// <summary>Generates, then returns the analyzer's diagnostics on the generated compilation, with the GenKernels property given.</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation, string? genKernels)
    {
        (_, Compilation output) = Run(compilation, genKernels);
        return output
            .WithAnalyzers(
                ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer()),
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, Options(genKernels)))
            .GetAnalyzerDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();
    }

    /// <summary>What the compiler passes analyzers for a project with the given GenKernels property (build/Gen.props makes it visible).</summary>
    public static AnalyzerConfigOptionsProvider Options(string? genKernels) =>
        new GlobalOptionsProvider(genKernels is null ? ImmutableDictionary<string, string>.Empty : ImmutableDictionary<string, string>.Empty.Add("build_property.GenKernels", genKernels));

    /// <summary>Emits <paramref name="compilation"/>, loads it in a collectible context and returns <paramref name="typeName"/>; fails the test if it does not compile.</summary>
    public static Type EmitAndLoad(Compilation compilation, string typeName)
    {
        using var image = new MemoryStream();
        EmitResult emitted = compilation.Emit(image);
        Xunit.Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        image.Position = 0;
        return new AssemblyLoadContext(typeName, isCollectible: true).LoadFromStream(image).GetType(typeName, throwOnError: true)!;
    }

    /// <summary>Compiler errors and warnings of the compilation with the generated code.</summary>
    public static ImmutableArray<Diagnostic> CompilerDiagnostics(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>Global options only, as from a project's CompilerVisibleProperty items; no per-file options.</summary>
    private sealed class GlobalOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

        public GlobalOptionsProvider(ImmutableDictionary<string, string> values) => GlobalOptions = new Options(values);

        public override AnalyzerConfigOptions GlobalOptions { get; }

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;

        private sealed class Options : AnalyzerConfigOptions
        {
            private readonly ImmutableDictionary<string, string> _values;

            public Options(ImmutableDictionary<string, string> values) => _values = values;

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
        }
    }
}
