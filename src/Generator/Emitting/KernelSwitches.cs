using System;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// How a <see cref="KernelSwitch"/> is spelled: a generic type parameter of the kernel and its block methods, and
/// the two struct type arguments it is compiled for (<c>Gen.__Internals</c>), whose type test the JIT folds.
/// </summary>
internal static class KernelSwitches
{
    /// <summary>"TDecay", "TScale", "TClear", "TFirst".</summary>
    public static string TypeParameter(KernelSwitch choice) => choice switch
    {
        KernelSwitch.CoupledDecay => "TDecay",
        KernelSwitch.GradientScale => "TScale",
        KernelSwitch.ClearGradient => "TClear",
        KernelSwitch.FirstStep => "TFirst",
        _ => throw new ArgumentOutOfRangeException(nameof(choice)),
    };

    /// <summary>The type argument with the switch on: "global::Gen.__Internals.WithCoupledDecay".</summary>
    public static string On(KernelSwitch choice) => "global::Gen.__Internals." + choice switch
    {
        KernelSwitch.CoupledDecay => "WithCoupledDecay",
        KernelSwitch.GradientScale => "ScaledGradient",
        KernelSwitch.ClearGradient => "ClearedGradient",
        KernelSwitch.FirstStep => "FirstStep",
        _ => throw new ArgumentOutOfRangeException(nameof(choice)),
    };

    /// <summary>The type argument with the switch off: "global::Gen.__Internals.WithoutCoupledDecay".</summary>
    public static string Off(KernelSwitch choice) => "global::Gen.__Internals." + choice switch
    {
        KernelSwitch.CoupledDecay => "WithoutCoupledDecay",
        KernelSwitch.GradientScale => "UnscaledGradient",
        KernelSwitch.ClearGradient => "KeptGradient",
        KernelSwitch.FirstStep => "LaterStep",
        _ => throw new ArgumentOutOfRangeException(nameof(choice)),
    };

    /// <summary>The folded test: "typeof(TDecay) == typeof(global::Gen.__Internals.WithCoupledDecay)".</summary>
    public static string IsOn(KernelSwitch choice) => "typeof(" + TypeParameter(choice) + ") == typeof(" + On(choice) + ")";
}
