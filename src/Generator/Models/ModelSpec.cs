using Gen.Generator.Helpers;

namespace Gen.Generator.Models;

/// <summary>
/// Element type of a trainable member (Single, Double), and of a kernel buffer in memory or in arithmetic:
/// state may also be stored as the bits of a bfloat16 or an IEEE binary16 in a <c>ushort</c>, widened to
/// float on load and narrowed on store (<c>Gen.__Internals.BFloat16Storage</c> / <c>Float16Storage</c>).
/// </summary>
internal enum ElementKind
{
    Single,
    Double,
    BFloat16,
    Float16,
}

internal static class ElementKinds
{
    /// <summary>"float", "double", or "ushort" for the 16-bit formats (their bits).</summary>
    public static string Keyword(this ElementKind element) => element switch
    {
        ElementKind.Single => "float",
        ElementKind.Double => "double",
        _ => "ushort",
    };

    /// <summary>True for the formats stored as 16 bits and computed in float.</summary>
    public static bool Is16Bit(this ElementKind element) => element is ElementKind.BFloat16 or ElementKind.Float16;

    /// <summary>
    /// A compile-time constant of this type, rounded from double once: "0.9f", "0.9d"; for the 16-bit formats
    /// its bits, rounded to float then to the format to nearest even as the runtime's stores do: "(ushort)0x3F80".
    /// </summary>
    public static string Literal(this ElementKind element, double value) => element switch
    {
        ElementKind.Single => Literals.Single(value),
        ElementKind.Double => Literals.Double(value),
        _ => "(ushort)0x" + HalfBits.FromSingle(element, (float)value).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>One trainable member of the model class.</summary>
/// <param name="Name">The member name as declared (used in messages and checkpoint keys).</param>
/// <param name="Identifier">The name as a C# identifier, escaped with '@' where it is a keyword.</param>
/// <param name="Element">float or double.</param>
/// <param name="Rank">1, 2 or 3.</param>
/// <param name="LearningRateScale">[LearningRateScale]: the factor on the learning rate for this member (1 when absent).</param>
/// <param name="NoWeightDecay">[NoWeightDecay]: weight decay is off for this member.</param>
/// <param name="ExcludeFromMuon">[ExcludeFromMuon]: a matrix member that [Muon] updates with its AdamW part.</param>
internal sealed record ParameterSpec(string Name, string Identifier, ElementKind Element, int Rank, double LearningRateScale = 1, bool NoWeightDecay = false, bool ExcludeFromMuon = false)
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
