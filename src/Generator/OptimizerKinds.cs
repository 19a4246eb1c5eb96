using System.Collections.Immutable;
using Gen.Generator.Kinds;

namespace Gen.Generator;

/// <summary>Every optimizer attribute Gen understands. Adding an optimizer adds one entry here (see docs/ARCHITECTURE.md).</summary>
internal static class OptimizerKinds
{
    /// <summary>Every kind, in the order that decides which kind's pipeline emits a class's Gradients.</summary>
    public static readonly ImmutableArray<OptimizerKind> All = ImmutableArray.Create<OptimizerKind>(
        new RmsPropKind(),
        new SgdKind(),
        new AdagradKind(),
        new AdamKind(),
        new AdamWKind(),
        new AdadeltaKind(),
        new LionKind(),
        new NAdamKind(),
        new RAdamKind(),
        new AdamaxKind(),
        new RpropKind(),
        new AsgdKind(),
        new ScheduleFreeAdamWKind(),
        new ScheduleFreeSgdKind(),
        new AdEMAMixKind(),
        new AdoptKind(),
        new MuonKind(),
        new LambKind(),
        new LarsKind(),
        new AdafactorKind());

    public static OptimizerKind? Find(string attributeMetadataName)
    {
        foreach (OptimizerKind kind in All)
        {
            if (kind.AttributeMetadataName == attributeMetadataName)
            {
                return kind;
            }
        }

        return null;
    }
}

/// <summary>Names of the incremental pipeline steps, checked by the caching tests.</summary>
internal static class TrackingNames
{
    public const string RmsPropModels = nameof(RmsPropModels);
    public const string SgdModels = nameof(SgdModels);
    public const string AdagradModels = nameof(AdagradModels);
    public const string AdamModels = nameof(AdamModels);
    public const string AdamWModels = nameof(AdamWModels);
    public const string AdadeltaModels = nameof(AdadeltaModels);
    public const string LionModels = nameof(LionModels);
    public const string NAdamModels = nameof(NAdamModels);
    public const string RAdamModels = nameof(RAdamModels);
    public const string AdamaxModels = nameof(AdamaxModels);
    public const string RpropModels = nameof(RpropModels);
    public const string AsgdModels = nameof(AsgdModels);
    public const string ScheduleFreeAdamWModels = nameof(ScheduleFreeAdamWModels);
    public const string ScheduleFreeSgdModels = nameof(ScheduleFreeSgdModels);
    public const string AdEMAMixModels = nameof(AdEMAMixModels);
    public const string AdoptModels = nameof(AdoptModels);
    public const string MuonModels = nameof(MuonModels);
    public const string LambModels = nameof(LambModels);
    public const string LarsModels = nameof(LarsModels);
    public const string AdafactorModels = nameof(AdafactorModels);
    public const string Models = nameof(Models);
    public const string KernelTarget = nameof(KernelTarget);
    public const string TargetedModels = nameof(TargetedModels);
}
