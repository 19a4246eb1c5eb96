using System.Linq;
using System.Text;
using System.Threading;
using Gen.Generator.Emitting;
using Gen.Generator.Helpers;
using Gen.Generator.Kinds;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Gen.Generator;

/// <summary>
/// Emits, for every class carrying an optimizer attribute, its Gradients type and one optimizer type
/// per attribute. One pipeline per optimizer kind; each turns the class into an equatable
/// <see cref="ModelSpec"/>, so unrelated edits are cached. Invalid declarations produce no output
/// here: <see cref="Diagnostics.ModelAnalyzer"/> reports why.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class OptimizerGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // One kernel target per compilation, from what it references and the GenKernels property. Both
        // inputs change with every edit, but their result is one enum: an unrelated edit leaves it, and
        // every model combined with it, Cached.
        IncrementalValueProvider<KernelTarget> target = context.CompilationProvider
            .Select(static (compilation, _) => KernelTargetSetting.HasIntrinsics(compilation))
            .Combine(context.AnalyzerConfigOptionsProvider.Select(static (options, _) => KernelTargetSetting.Read(options.GlobalOptions)))
            .Select(static (pair, _) => KernelTargetSetting.Choose(pair.Right, hasIntrinsics: pair.Left).Target)
            .WithTrackingName(TrackingNames.KernelTarget);

        foreach (OptimizerKind kind in OptimizerKinds.All)
        {
            IncrementalValuesProvider<ModelSpec> models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    kind.AttributeMetadataName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    (attributeContext, cancellationToken) => Transform(attributeContext, kind, cancellationToken))
                .WithTrackingName(kind.TrackingName)
                .Where(static model => model is not null)
                .Select(static (model, _) => model!)
                .WithTrackingName(TrackingNames.Models)
                .Combine(target)
                .Select(static (pair, _) => pair.Left with { Target = pair.Right })
                .WithTrackingName(TrackingNames.TargetedModels);

            context.RegisterSourceOutput(models, static (production, model) => Execute(production, model));
        }
    }

    private static ModelSpec? Transform(GeneratorAttributeSyntaxContext context, OptimizerKind kind, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        // The generator must never throw into the compiler: a bug here costs the output, not the build.
        try
        {
            ParsedModel? parsed = ModelParser.Parse(type, sink: null, cancellationToken);
            if (parsed is not { IsValid: true } || !IsFirstDeclarationWith(kind, parsed, context.TargetNode, cancellationToken))
            {
                return null;
            }

            OptimizerKind firstKind = OptimizerKinds.All.First(k => parsed.Optimizers.Any(o => o.Kind == k));
            return new ModelSpec(
                parsed.Hierarchy,
                parsed.Parameters,
                EmitsGradients: firstKind == kind,
                parsed.Optimizers.Where(o => o.Kind == kind && o.Layout is not null).Select(o => o.Layout!).ToEquatableArray());
        }
        catch (System.OperationCanceledException)
        {
            throw;
        }
        catch (System.Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// A partial class can carry attributes on several declarations, and the provider visits each;
    /// only the declaration holding the kind's first attribute produces the output.
    /// </summary>
    private static bool IsFirstDeclarationWith(OptimizerKind kind, ParsedModel parsed, SyntaxNode target, CancellationToken cancellationToken)
    {
        ParsedOptimizer first = parsed.Optimizers.First(o => o.Kind == kind);
        SyntaxNode? attribute = first.Attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        return attribute?.FirstAncestorOrSelf<TypeDeclarationSyntax>() == target;
    }

    private static void Execute(SourceProductionContext context, ModelSpec model)
    {
        string hint = model.Hierarchy.HintName;
        if (model.EmitsGradients)
        {
            context.AddSource(hint + ".Gradients.g.cs", SourceText.From(GradientsEmitter.Emit(model), Encoding.UTF8));
        }

        foreach (OptimizerLayout optimizer in model.Optimizers)
        {
            context.AddSource(hint + "." + optimizer.TypeName + ".g.cs", SourceText.From(OptimizerEmitter.Emit(model, optimizer), Encoding.UTF8));
        }
    }
}
