using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Gen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;

namespace Gen.Unity.Tests;

/// <summary>
/// Compiles C# the way Unity 6 compiles a project's scripts, as far as the generator can tell: C# 9, the
/// netstandard2.1 reference assemblies (Unity's ".NET Standard 2.1" API compatibility level), Gen.Runtime's
/// netstandard2.1 build and Gen.Attributes as precompiled plugins, nullable off (Unity's default), and the
/// generator and analyzer found in Gen.Generator.dll the way the compiler finds them, by this test's Roslyn 4.3.1.
/// </summary>
internal static class UnityCompiler
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp9);

    /// <summary>netstandard.dll and its facades, from the NETStandard.Library.Ref 2.1.0 package.</summary>
    public static readonly ImmutableArray<MetadataReference> NetStandard = Directory
        .GetFiles(Metadata("NetStandardReferences"), "*.dll")
        .OrderBy(path => path, StringComparer.Ordinal)
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToImmutableArray();

    /// <summary>Gen.Runtime and Gen.Attributes built for netstandard2.1, copied beside the tests.</summary>
    public static readonly ImmutableArray<MetadataReference> Gen = ImmutableArray.Create<MetadataReference>(
        MetadataReference.CreateFromFile(GenFile("Gen.Runtime.dll")),
        MetadataReference.CreateFromFile(GenFile("Gen.Attributes.dll")));

    private static readonly AnalyzerFileReference GeneratorFile =
        new(typeof(OptimizerGenerator).Assembly.Location, new DefaultContextLoader());

    /// <summary>Every source generator in Gen.Generator.dll, as the compiler discovers them.</summary>
    public static ImmutableArray<ISourceGenerator> Generators => GeneratorFile.GetGenerators(LanguageNames.CSharp);

    /// <summary>Every analyzer in Gen.Generator.dll, as the compiler discovers them.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers => GeneratorFile.GetAnalyzers(LanguageNames.CSharp);

    public static string GenFile(string name) => Path.Combine(AppContext.BaseDirectory, "unity", name);

    public static string Metadata(string key) => typeof(UnityCompiler).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == key).Value!;

    public static CSharpCompilation Compilation(string assemblyName, IEnumerable<string> sources, IEnumerable<MetadataReference>? references = null) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"{assemblyName}/Source{i}.cs")),
            NetStandard.Concat(Gen).Concat(references ?? Enumerable.Empty<MetadataReference>()),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));

    /// <summary>Runs the generators (parsing at the compilation's language version), then the compiler and the analyzers on the result, then emits.</summary>
    public static Result Build(CSharpCompilation compilation)
    {
        var parseOptions = (CSharpParseOptions)compilation.SyntaxTrees.First().Options;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(Generators, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult run = driver.GetRunResult();

        // With no exception handler, an analyzer that throws is reported as AD0001, like the compiler does.
        ImmutableArray<Diagnostic> diagnostics = output
            .WithAnalyzers(Analyzers)
            .GetAllDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();

        using var image = new MemoryStream();
        EmitResult emitted = output.Emit(image);
        return new Result(
            run.Results.SelectMany(r => r.GeneratedSources).ToImmutableArray(),
            run.Results.Select(r => r.Exception).Where(e => e is not null).Select(e => e!).ToImmutableArray(),
            generatorDiagnostics.Concat(diagnostics).Concat(emitted.Diagnostics).Distinct().ToImmutableArray(),
            emitted.Success,
            image.ToArray());
    }

    public sealed record Result(
        ImmutableArray<GeneratedSourceResult> Generated,
        ImmutableArray<Exception> Exceptions,
        ImmutableArray<Diagnostic> Diagnostics,
        bool Emitted,
        byte[] Image)
    {
        public string Describe() => string.Join(Environment.NewLine, Diagnostics.Select(d => d.ToString()).Concat(Exceptions.Select(e => e.ToString())));
    }

    /// <summary>Loads analyzer assemblies into the default context, where the test already loaded Gen.Generator.</summary>
    private sealed class DefaultContextLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
