using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Kinds;
using Gen.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gen.Generator.Parsing;

/// <summary>One optimizer attribute on a model class, after validation.</summary>
/// <param name="Layout">Null when a value is invalid or the name is unusable: nothing is generated for it.</param>
internal sealed record ParsedOptimizer(OptimizerKind Kind, AttributeData Attribute, OptimizerLayout? Layout);

/// <summary>A model class as the analyzer and the generator see it.</summary>
/// <param name="IsValid">False when the class itself cannot be generated into (not partial, no trainable member, ...).</param>
internal sealed record ParsedModel(
    bool IsValid,
    HierarchySpec Hierarchy,
    EquatableArray<ParameterSpec> Parameters,
    IReadOnlyList<ParsedOptimizer> Optimizers);

/// <summary>
/// Turns an annotated class symbol into specs and diagnostics. The analyzer and the generator run
/// this same code, so what is reported and what is generated can never disagree.
/// </summary>
internal static class ModelParser
{
    private static readonly string FrozenAttributeName = typeof(FrozenAttribute).FullName!;
    private static readonly string NoWeightDecayAttributeName = typeof(NoWeightDecayAttribute).FullName!;
    private static readonly string LearningRateScaleAttributeName = typeof(LearningRateScaleAttribute).FullName!;
    private static readonly string ExcludeFromMuonAttributeName = typeof(ExcludeFromMuonAttribute).FullName!;
    private const string GradientsTypeName = "Gradients";

    /// <summary>
    /// Member names of the generated Gradients type and its base, GradientsBase. A trainable member
    /// with one of these names would clash with them (checked against the runtime by a test).
    /// </summary>
    internal static readonly ImmutableSortedSet<string> GradientsReservedNames = ImmutableSortedSet.Create(
        System.StringComparer.Ordinal,
        GradientsTypeName,
        "MemberCount",
        "GetMember",
        "Length",
        "Clear",
        "Scale",
        "Add",
        "L2Norm",
        "ClipByGlobalNorm",
        "ClipByValue",
        "AllFinite",
        "TryFindNonFinite",
        "EnsureAllPresent",
        "IndexOfNonFinite",
        "Equals",
        "GetHashCode",
        "GetType",
        "ToString",
        "MemberwiseClone",
        "Finalize");

    /// <summary>Parses <paramref name="type"/>; null when it carries no optimizer attribute or is not a class.</summary>
    public static ParsedModel? Parse(INamedTypeSymbol type, DiagnosticSink? sink, CancellationToken cancellationToken)
    {
        var attributes = new List<(OptimizerKind Kind, AttributeData Attribute)>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass
                && OptimizerKinds.Find(attributeClass.ToDisplayString()) is { } kind)
            {
                attributes.Add((kind, attribute));
            }
        }

        if (attributes.Count == 0 || type.TypeKind != TypeKind.Class)
        {
            return null;
        }

        bool isValid = CheckPartial(type, sink, cancellationToken);
        HierarchySpec hierarchy = Hierarchy(type);
        bool hasMuon = attributes.Any(a => a.Kind is MuonKind);
        EquatableArray<ParameterSpec> parameters = Parameters(type, sink, cancellationToken, hasMuon, ref isValid);
        ParameterSpec[] members = parameters.ToArray();
        if (type.Name == GradientsTypeName)
        {
            isValid = false;
            sink?.Report(
                DiagnosticDescriptors.GeneratedNameClash,
                type.Locations.FirstOrDefault(),
                type.Name,
                GradientsTypeName,
                "a class cannot contain a nested type of its own name; rename the class");
        }
        else if (ClashingMember(type, GradientsTypeName) is { } clash)
        {
            isValid = false;
            sink?.Report(DiagnosticDescriptors.GeneratedNameClash, clash.Locations.FirstOrDefault(), type.Name, GradientsTypeName, "rename the member");
        }

        var optimizers = new List<ParsedOptimizer>();
        var names = new HashSet<string>();
        foreach ((OptimizerKind kind, AttributeData attribute) in attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reader = new AttributeReader(attribute, sink, cancellationToken);
            OptimizerSpec spec = kind.Parse(reader);
            if (spec.State.Precision != StatePrecision.Float32 && parameters.FirstOrDefault(p => p.Element == ElementKind.Double) is { } wide)
            {
                reader.Fail(DiagnosticDescriptors.ReducedStateOnDoubleMember, nameof(AdamAttribute.StatePrecision), spec.State.Precision, wide.Name);
            }

            kind.CheckMembers(spec, members, reader);
            OptimizerLayout? layout = reader.HasErrors ? null : kind.Describe(spec, members);
            if (!CheckName(type, kind, reader, spec.Name, names, layout))
            {
                layout = null;
            }

            optimizers.Add(new ParsedOptimizer(kind, attribute, layout));
        }

        return new ParsedModel(isValid, hierarchy, parameters, optimizers);
    }

    private static bool CheckName(INamedTypeSymbol type, OptimizerKind kind, AttributeReader reader, string? name, HashSet<string> names, OptimizerLayout? layout)
    {
        string? problem =
            name is null || !SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
                ? "it is not a C# identifier"
            : name == GradientsTypeName ? "Gradients is the generated gradient container"
            : name == type.Name ? "a nested type cannot have the name of the class that contains it"
            : layout is not null && layout.MemberNames.Contains(name) ? "the generated optimizer has a member of that name, and a type cannot contain a member of its own name"
            : null;
        if (problem is not null)
        {
            reader.Fail(DiagnosticDescriptors.InvalidOptimizerName, "Name", name ?? "null", problem + "; use an identifier such as \"" + kind.DefaultName + "\"");
            return false;
        }

        if (!names.Add(name!))
        {
            reader.Fail(DiagnosticDescriptors.DuplicateOptimizerName, "Name", type.Name, name);
            return false;
        }

        if (ClashingMember(type, name!) is not null)
        {
            reader.Fail(DiagnosticDescriptors.GeneratedNameClash, "Name", type.Name, name, "rename the member, or set Name on the optimizer attribute");
            return false;
        }

        return true;
    }

    /// <summary>
    /// A member the user declared with a name Gen generates. A partial class of that name is not a
    /// clash: it is how a user adds members to a generated type (and how Gen's own output appears
    /// to an analyzer).
    /// </summary>
    private static ISymbol? ClashingMember(INamedTypeSymbol type, string name) =>
        type.GetMembers(name).FirstOrDefault(member =>
            !(member is INamedTypeSymbol { TypeKind: TypeKind.Class, Arity: 0 } nested
              && nested.DeclaringSyntaxReferences.All(r => r.GetSyntax() is ClassDeclarationSyntax c
                  && c.Modifiers.Any(SyntaxKind.PartialKeyword))));

    private static bool CheckPartial(INamedTypeSymbol type, DiagnosticSink? sink, CancellationToken cancellationToken)
    {
        bool isValid = true;
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            foreach (SyntaxReference reference in current.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    isValid = false;
                    sink?.Report(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), current.Name, type.Name);
                    break;
                }
            }
        }

        return isValid;
    }

    private static EquatableArray<ParameterSpec> Parameters(
        INamedTypeSymbol type, DiagnosticSink? sink, CancellationToken cancellationToken, bool hasMuon, ref bool isValid)
    {
        var parameters = new List<ParameterSpec>();
        foreach (ISymbol member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not (IFieldSymbol or IPropertySymbol) || member.IsImplicitlyDeclared)
            {
                continue;
            }

            ITypeSymbol? memberType = member switch
            {
                IFieldSymbol { IsStatic: false, IsConst: false, AssociatedSymbol: null } field => field.Type,
                IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: not null, ExplicitInterfaceImplementations.IsEmpty: true } property => property.Type,
                _ => null,
            };
            bool frozen = HasAttribute(member, FrozenAttributeName);
            bool supported = memberType is IArrayTypeSymbol { Rank: >= 1 and <= 3 } candidate
                && candidate.ElementType.SpecialType is SpecialType.System_Single or SpecialType.System_Double;
            (double scale, bool noWeightDecay, bool excludeFromMuon) = ParameterOptions(member, sink, cancellationToken, ref isValid, out string? option);

            if (memberType is null || frozen || !supported)
            {
                if (option is not null)
                {
                    string reason = frozen ? "it is [Frozen]" : memberType is null ? "it is static, constant or unreadable" : "its type is not float[], double[], float[,], double[,], float[,,] or double[,,]";
                    sink?.Report(DiagnosticDescriptors.OptionOnUntrainedMember, member.Locations.FirstOrDefault(), option, member.Name, reason);
                }

                if (memberType is not null && !frozen && LooksTrainable(memberType))
                {
                    sink?.Report(
                        DiagnosticDescriptors.UnsupportedMemberType,
                        member.Locations.FirstOrDefault(),
                        member.Name,
                        memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
                }

                continue;
            }

            var array = (IArrayTypeSymbol)memberType;
            string identifier = SyntaxFacts.GetKeywordKind(member.Name) != SyntaxKind.None ? "@" + member.Name : member.Name;
            var element = array.ElementType.SpecialType == SpecialType.System_Single ? ElementKind.Single : ElementKind.Double;
            parameters.Add(new ParameterSpec(member.Name, identifier, element, array.Rank, scale, noWeightDecay, excludeFromMuon));
            if (excludeFromMuon && (array.Rank != 2 || !hasMuon))
            {
                sink?.Report(
                    DiagnosticDescriptors.ExcludeFromMuonWithoutEffect,
                    member.Locations.FirstOrDefault(),
                    member.Name,
                    !hasMuon ? "the class has no [Muon] optimizer" : "[Muon] updates only matrices (rank 2) with Muon, and this member has rank " + array.Rank + ", so it takes the AdamW part anyway");
            }

            if (GradientsReservedNames.Contains(member.Name))
            {
                isValid = false;
                sink?.Report(DiagnosticDescriptors.ReservedParameterName, member.Locations.FirstOrDefault(), member.Name);
            }
        }

        if (parameters.Count == 0)
        {
            isValid = false;
            sink?.Report(DiagnosticDescriptors.NoTrainableMember, type.Locations.FirstOrDefault(), type.Name);
        }

        return parameters.ToEquatableArray();
    }

    /// <summary>
    /// Reads [LearningRateScale], [NoWeightDecay] and [ExcludeFromMuon] on a member. <paramref name="option"/> names the
    /// first one present (for the "no effect" hint), or is null.
    /// </summary>
    private static (double Scale, bool NoWeightDecay, bool ExcludeFromMuon) ParameterOptions(
        ISymbol member, DiagnosticSink? sink, CancellationToken cancellationToken, ref bool isValid, out string? option)
    {
        bool noWeightDecay = HasAttribute(member, NoWeightDecayAttributeName);
        bool excludeFromMuon = HasAttribute(member, ExcludeFromMuonAttributeName);
        AttributeData? scaleAttribute = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == LearningRateScaleAttributeName);
        option = scaleAttribute is not null ? "LearningRateScale" : noWeightDecay ? "NoWeightDecay" : excludeFromMuon ? "ExcludeFromMuon" : null;

        double scale = 1;
        if (scaleAttribute is { ConstructorArguments.Length: 1 } && scaleAttribute.ConstructorArguments[0].Kind != TypedConstantKind.Error)
        {
            scale = AttributeReader.Instantiate<LearningRateScaleAttribute>(scaleAttribute).Scale;
            if (!(scale >= 0 && !double.IsInfinity(scale)))
            {
                isValid = false;
                sink?.Report(
                    DiagnosticDescriptors.LearningRateScaleOutOfRange,
                    scaleAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation(),
                    AttributeReader.Format(scale),
                    member.Name);
            }
        }

        return (scale, noWeightDecay, excludeFromMuon);
    }

    private static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    /// <summary>
    /// True for types that hold floating-point numbers but are not a supported parameter type:
    /// a scalar (float, double, Half), an array of another rank or element (float[][], Half[]),
    /// or a generic type over such numbers (List&lt;float&gt;, Memory&lt;double&gt;).
    /// </summary>
    private static bool LooksTrainable(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => IsFloatingPoint(array.ElementType) || LooksTrainable(array.ElementType),
        INamedTypeSymbol { IsGenericType: true } generic => generic.TypeArguments.Any(t => IsFloatingPoint(t) || t is IArrayTypeSymbol),
        _ => IsFloatingPoint(type),
    };

    private static bool IsFloatingPoint(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal
        || type.ToDisplayString() == "System.Half";

    private static HierarchySpec Hierarchy(INamedTypeSymbol type)
    {
        var types = new List<TypeDeclarationSpec>();
        var hint = new StringBuilder();
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            string name = current.TypeParameters.Length == 0
                ? current.Name
                : current.Name + "<" + string.Join(", ", current.TypeParameters.Select(t => t.Name)) + ">";
            types.Insert(0, new TypeDeclarationSpec(Keyword(current), name));
            hint.Insert(0, (current.ContainingType is null ? string.Empty : ".") + current.MetadataName);
        }

        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;
        if (ns is not null)
        {
            hint.Insert(0, ns + ".");
        }

        return new HierarchySpec(
            ns,
            types.ToEquatableArray(),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            hint.ToString());
    }

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
