using System.Collections.Immutable;
using Gen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Gen.Generator.Diagnostics;

/// <summary>
/// Reports every Gen diagnostic for classes that carry an optimizer attribute. It runs the same
/// <see cref="ModelParser"/> as the generator, which stays silent and only skips what is invalid, and
/// checks the GenKernels setting with the generator's own <see cref="KernelTargetSetting"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.All);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        context.RegisterCompilationAction(AnalyzeKernelTarget);
    }

    private static void AnalyzeKernelTarget(CompilationAnalysisContext context)
    {
        string? setting = KernelTargetSetting.Read(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
        bool hasIntrinsics = KernelTargetSetting.HasIntrinsics(context.Compilation);
        switch (KernelTargetSetting.Choose(setting, hasIntrinsics))
        {
            case (var target, KernelTargetProblem.UnknownSetting):
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnknownKernelTarget, Location.None, setting, KernelTargetSetting.AcceptedValues, target));
                break;
            case (_, KernelTargetProblem.IntrinsicsUnavailable):
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.IntrinsicsKernelsUnavailable, Location.None));
                break;
        }
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var sink = new DiagnosticSink();
        ModelParser.Parse((INamedTypeSymbol)context.Symbol, sink, context.CancellationToken);
        foreach (Diagnostic diagnostic in sink.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic);
        }
    }
}
