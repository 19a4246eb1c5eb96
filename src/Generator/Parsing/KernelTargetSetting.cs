using System;
using Gen.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Gen.Generator.Parsing;

/// <summary>
/// Decides the <see cref="KernelTarget"/> of a compilation from what it references and the MSBuild
/// property <c>GenKernels</c>, which the package makes visible to the compiler
/// (<c>&lt;CompilerVisibleProperty Include="GenKernels" /&gt;</c> in build/Gen.props). The generator and the
/// analyzer both ask here, so the kernels emitted and the diagnostics reported cannot disagree.
/// </summary>
internal static class KernelTargetSetting
{
    /// <summary>The analyzer config key of the MSBuild property.</summary>
    public const string OptionKey = "build_property.GenKernels";

    /// <summary>The values GenKernels accepts, as the diagnostics list them.</summary>
    public const string AcceptedValues = "Auto (or empty), Portable, Intrinsics";

    /// <summary>
    /// Metadata name of the type whose presence selects <see cref="KernelTarget.Intrinsics"/>: the
    /// intrinsics kernels use Vector512 and LoadUnsafe, which came with .NET 8. Unity's profiles
    /// (netstandard2.1, .NET Framework 4.x) have neither.
    /// </summary>
    public const string IntrinsicsMarkerType = "System.Runtime.Intrinsics.Vector512`1";

    /// <summary>The GenKernels value written in the project, trimmed; null when absent or empty.</summary>
    public static string? Read(AnalyzerConfigOptions globalOptions) =>
        globalOptions.TryGetValue(OptionKey, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>True when the compilation can compile the intrinsics kernels.</summary>
    public static bool HasIntrinsics(Compilation compilation) => compilation.GetTypeByMetadataName(IntrinsicsMarkerType) is not null;

    /// <summary>
    /// The target for <paramref name="setting"/> (case-insensitive) on a compilation that has the
    /// intrinsics or not, and what is wrong with the setting, if anything. An unknown value falls back
    /// to Auto; Intrinsics without them falls back to Portable: the output always compiles, and the
    /// analyzer says why it is not what was asked for.
    /// </summary>
    public static (KernelTarget Target, KernelTargetProblem Problem) Choose(string? setting, bool hasIntrinsics)
    {
        KernelTarget automatic = hasIntrinsics ? KernelTarget.Intrinsics : KernelTarget.Portable;
        if (setting is null || Is(setting, "Auto"))
        {
            return (automatic, KernelTargetProblem.None);
        }

        if (Is(setting, nameof(KernelTarget.Portable)))
        {
            return (KernelTarget.Portable, KernelTargetProblem.None);
        }

        if (Is(setting, nameof(KernelTarget.Intrinsics)))
        {
            return hasIntrinsics ? (KernelTarget.Intrinsics, KernelTargetProblem.None) : (KernelTarget.Portable, KernelTargetProblem.IntrinsicsUnavailable);
        }

        return (automatic, KernelTargetProblem.UnknownSetting);
    }

    private static bool Is(string setting, string value) => string.Equals(setting, value, StringComparison.OrdinalIgnoreCase);
}

/// <summary>What <see cref="KernelTargetSetting.Choose"/> found wrong with a GenKernels value.</summary>
internal enum KernelTargetProblem
{
    None,

    /// <summary>Not Auto, Portable or Intrinsics (GEN202).</summary>
    UnknownSetting,

    /// <summary>Intrinsics asked for, but the compilation has no System.Runtime.Intrinsics.Vector512 (GEN203).</summary>
    IntrinsicsUnavailable,
}
