using System;
using System.Collections.Immutable;
using Gen.Generator.Emitting;
using Gen.Generator.Models;
using Gen.Generator.Parsing;

namespace Gen.Generator;

/// <summary>
/// One optimizer attribute Gen understands: how to find it, how to read it and how to emit it.
/// Adding an optimizer means adding one entry here (see docs/ARCHITECTURE.md).
/// </summary>
internal sealed class OptimizerKind
{
    public OptimizerKind(
        string attributeMetadataName,
        string defaultName,
        string trackingName,
        Func<AttributeReader, string, OptimizerSpec?> parse,
        OptimizerEmitter emitter)
    {
        AttributeMetadataName = attributeMetadataName;
        DefaultName = defaultName;
        TrackingName = trackingName;
        Parse = parse;
        Emitter = emitter;
    }

    /// <summary>e.g. "Gen.RmsPropAttribute".</summary>
    public string AttributeMetadataName { get; }

    /// <summary>The generated type's name when the attribute sets no Name.</summary>
    public string DefaultName { get; }

    /// <summary>Name of this kind's pipeline step, for caching tests.</summary>
    public string TrackingName { get; }

    /// <summary>Reads and validates the attribute's named arguments; null when any value is invalid.</summary>
    public Func<AttributeReader, string, OptimizerSpec?> Parse { get; }

    public OptimizerEmitter Emitter { get; }
}

internal static class OptimizerKinds
{
    public static readonly OptimizerKind RmsProp = new(
        "Gen.RmsPropAttribute",
        "RmsPropOptimizer",
        TrackingNames.RmsPropModels,
        RmsPropParser.Parse,
        new RmsPropEmitter());

    public static readonly OptimizerKind Sgd = new("Gen.SgdAttribute", "SgdOptimizer", TrackingNames.SgdModels, FamilyParsers.Sgd, new SgdEmitter());

    public static readonly OptimizerKind Adagrad = new("Gen.AdagradAttribute", "AdagradOptimizer", TrackingNames.AdagradModels, FamilyParsers.Adagrad, new AdagradEmitter());

    public static readonly OptimizerKind Adam = new("Gen.AdamAttribute", "AdamOptimizer", TrackingNames.AdamModels, FamilyParsers.Adam, new AdamEmitter("Adam"));

    public static readonly OptimizerKind AdamW = new("Gen.AdamWAttribute", "AdamWOptimizer", TrackingNames.AdamWModels, FamilyParsers.AdamW, new AdamEmitter("AdamW"));

    public static readonly OptimizerKind Adadelta = new("Gen.AdadeltaAttribute", "AdadeltaOptimizer", TrackingNames.AdadeltaModels, FamilyParsers.Adadelta, new AdadeltaEmitter());

    public static readonly OptimizerKind Lion = new("Gen.LionAttribute", "LionOptimizer", TrackingNames.LionModels, FamilyParsers.Lion, new LionEmitter());

    /// <summary>Every kind, in the order that decides which kind's pipeline emits a class's Gradients.</summary>
    public static readonly ImmutableArray<OptimizerKind> All = ImmutableArray.Create(RmsProp, Sgd, Adagrad, Adam, AdamW, Adadelta, Lion);

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
    public const string Models = nameof(Models);
}
