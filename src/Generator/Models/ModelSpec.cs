using Gen.Generator.Helpers;

namespace Gen.Generator.Models;

/// <summary>Element type of a trainable member, and of a kernel buffer in memory or in arithmetic.</summary>
internal enum ElementKind
{
    Single,
    Double,
}

internal static class ElementKinds
{
    /// <summary>"float" or "double".</summary>
    public static string Keyword(this ElementKind element) => element == ElementKind.Single ? "float" : "double";

    /// <summary>A compile-time constant of this type, rounded from double once: "0.9f", "0.9d".</summary>
    public static string Literal(this ElementKind element, double value) =>
        element == ElementKind.Single ? Literals.Single(value) : Literals.Double(value);
}

/// <summary>One trainable member of the model class.</summary>
/// <param name="Name">The member name as declared (used in messages and checkpoint keys).</param>
/// <param name="Identifier">The name as a C# identifier, escaped with '@' where it is a keyword.</param>
/// <param name="Element">float or double.</param>
/// <param name="Rank">1, 2 or 3.</param>
/// <param name="LearningRateScale">[LearningRateScale]: the factor on the learning rate for this member (1 when absent).</param>
/// <param name="NoWeightDecay">[NoWeightDecay]: weight decay is off for this member.</param>
internal sealed record ParameterSpec(string Name, string Identifier, ElementKind Element, int Rank, double LearningRateScale = 1, bool NoWeightDecay = false)
{
    /// <summary>True when the member's learning rate or weight decay differs from the optimizer's.</summary>
    public bool HasOverrides => LearningRateScale != 1 || NoWeightDecay;

    /// <summary>"float" or "double".</summary>
    public string ElementType => Element.Keyword();

    /// <summary>The array type, e.g. "float[,]".</summary>
    public string ArrayType => ElementType + "[" + new string(',', Rank - 1) + "]";
}

/// <summary>One type declaration on the path from the namespace to the annotated class.</summary>
/// <param name="Keyword">"class", "record", "struct", "record struct" or "interface".</param>
/// <param name="Name">The name with its type parameter list, e.g. "Policy&lt;T&gt;".</param>
internal sealed record TypeDeclarationSpec(string Keyword, string Name);

/// <summary>Where the generated code goes.</summary>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="Types">Containing types, outermost first; the last is the annotated class.</param>
/// <param name="FullyQualifiedName">"global::Demo.Policy&lt;T&gt;".</param>
/// <param name="HintName">File-name-safe metadata name, e.g. "Demo.Outer.Policy`1".</param>
internal sealed record HierarchySpec(
    string? Namespace,
    EquatableArray<TypeDeclarationSpec> Types,
    string FullyQualifiedName,
    string HintName)
{
    /// <summary>The annotated class's name with type parameters.</summary>
    public string TypeName => Types[Types.Count - 1].Name;
}

/// <summary>
/// Everything one optimizer kind's pipeline needs to emit for one annotated class: the class's
/// trainable members and the layouts of its valid optimizer attributes of that kind.
/// </summary>
/// <param name="EmitsGradients">True for exactly one kind present on the class, so the shared Gradients type is emitted once.</param>
/// <param name="Target">The compilation's kernel target, set after the transform from the compilation-wide choice.</param>
internal sealed record ModelSpec(
    HierarchySpec Hierarchy,
    EquatableArray<ParameterSpec> Parameters,
    bool EmitsGradients,
    EquatableArray<OptimizerLayout> Optimizers,
    KernelTarget Target = KernelTarget.Intrinsics);
