using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gen.Optimizers.Tests;

/// <summary>
/// One optimizer kind of the PyTorch golden tests: its JSON file, the attribute that generates it, and
/// which attribute properties hold each keyword argument Golden/make_golden.py gave the torch.optim class.
/// Together with <see cref="Fixed"/> the keywords must account for every property of the attribute but
/// Name, so a new option cannot be added to an attribute without deciding what PyTorch does with it.
/// </summary>
internal sealed class GoldenKind
{
    public static readonly GoldenKind Sgd = new(
        "sgd",
        typeof(SgdAttribute),
        new[] { K("lr", "LearningRate"), K("momentum", "Momentum"), K("dampening", "Dampening"), K("nesterov", "Nesterov"), K("weight_decay", "WeightDecay"), K("maximize", "Maximize") });

    public static readonly GoldenKind Adagrad = new(
        "adagrad",
        typeof(AdagradAttribute),
        new[] { K("lr", "LearningRate"), K("lr_decay", "LearningRateDecay"), K("weight_decay", "WeightDecay"), K("initial_accumulator_value", "InitialAccumulatorValue"), K("eps", "Epsilon"), K("maximize", "Maximize") });

    /// <summary>RMSProp's attribute has options PyTorch lacks; the golden cases keep them at what PyTorch does.</summary>
    public static readonly GoldenKind RmsProp = new(
        "rmsprop",
        typeof(RmsPropAttribute),
        new[] { K("lr", "LearningRate"), K("alpha", "Rho"), K("eps", "Epsilon"), K("momentum", "Momentum"), K("centered", "Centered"), K("weight_decay", "WeightDecay"), K("maximize", "Maximize") },
        new KeyValuePair<string, object>[]
        {
            new("EpsilonPlacement", EpsilonPlacement.OutsideSqrt),
            new("WeightDecayMode", WeightDecayMode.L2),
            new("InitialScale", 0.0),
            new("Precision", Precision.Exact),
        });

    public static readonly GoldenKind Adam = new(
        "adam",
        typeof(AdamAttribute),
        new[] { K("lr", "LearningRate"), K("betas", "Beta1", "Beta2"), K("eps", "Epsilon"), K("weight_decay", "WeightDecay"), K("amsgrad", "AmsGrad"), K("maximize", "Maximize") });

    public static readonly GoldenKind AdamW = new(
        "adamw",
        typeof(AdamWAttribute),
        new[] { K("lr", "LearningRate"), K("betas", "Beta1", "Beta2"), K("eps", "Epsilon"), K("weight_decay", "WeightDecay"), K("amsgrad", "AmsGrad"), K("maximize", "Maximize") });

    public static readonly GoldenKind Adadelta = new(
        "adadelta",
        typeof(AdadeltaAttribute),
        new[] { K("lr", "LearningRate"), K("rho", "Rho"), K("eps", "Epsilon"), K("weight_decay", "WeightDecay"), K("maximize", "Maximize") });

    /// <summary>PyTorch 1.13's NAdam has no decoupled decay (2.x's option): the golden cases keep it off.</summary>
    public static readonly GoldenKind NAdam = new(
        "nadam",
        typeof(NAdamAttribute),
        new[] { K("lr", "LearningRate"), K("betas", "Beta1", "Beta2"), K("eps", "Epsilon"), K("weight_decay", "WeightDecay"), K("momentum_decay", "MomentumDecay") },
        new KeyValuePair<string, object>[] { new("DecoupledWeightDecay", false) });

    /// <summary>PyTorch 1.13's RAdam has no decoupled decay (2.x's option): the golden cases keep it off.</summary>
    public static readonly GoldenKind RAdam = new(
        "radam",
        typeof(RAdamAttribute),
        new[] { K("lr", "LearningRate"), K("betas", "Beta1", "Beta2"), K("eps", "Epsilon"), K("weight_decay", "WeightDecay") },
        new KeyValuePair<string, object>[] { new("DecoupledWeightDecay", false) });

    public static readonly GoldenKind Adamax = new(
        "adamax",
        typeof(AdamaxAttribute),
        new[] { K("lr", "LearningRate"), K("betas", "Beta1", "Beta2"), K("eps", "Epsilon"), K("weight_decay", "WeightDecay"), K("maximize", "Maximize") });

    /// <summary>Rprop has no weight decay (its attribute no WeightDecay): the optimizer's WeightDecay stays 0.</summary>
    public static readonly GoldenKind Rprop = new(
        "rprop",
        typeof(RpropAttribute),
        new[] { K("lr", "LearningRate"), K("etas", "EtaMinus", "EtaPlus"), K("step_sizes", "MinStepSize", "MaxStepSize"), K("maximize", "Maximize") });

    public static readonly GoldenKind Asgd = new(
        "asgd",
        typeof(AsgdAttribute),
        new[] { K("lr", "LearningRate"), K("lambd", "Lambda"), K("alpha", "Alpha"), K("t0", "T0"), K("weight_decay", "WeightDecay"), K("maximize", "Maximize") });

    /// <summary>Every kind with golden data, in the order make_golden.py writes them.</summary>
    public static readonly GoldenKind[] All = { Sgd, Adagrad, RmsProp, Adam, AdamW, Adadelta, NAdam, RAdam, Adamax, Rprop, Asgd };

    /// <summary>Optimizer attributes without golden data, and why.</summary>
    public static readonly IReadOnlyDictionary<Type, string> WithoutGoldenData = new Dictionary<Type, string>
    {
        [typeof(LionAttribute)] = "torch.optim has no Lion (PyTorch 1.13 is the reference).",
        [typeof(ScheduleFreeAdamWAttribute)] = "torch.optim has no Schedule-Free AdamW: tested against a scalar reference of schedulefree's AdamWScheduleFreeReference and a second opinion in Python (BeyondTorchSecondOpinionTests).",
        [typeof(ScheduleFreeSgdAttribute)] = "torch.optim has no Schedule-Free SGD: tested against a scalar reference of schedulefree's SGDScheduleFreeReference and a second opinion in Python (BeyondTorchSecondOpinionTests).",
        [typeof(AdEMAMixAttribute)] = "torch.optim has no AdEMAMix: tested against a scalar reference of apple/ml-ademamix's AdEMAMix and a second opinion in Python (BeyondTorchSecondOpinionTests).",
        [typeof(AdoptAttribute)] = "torch.optim has no ADOPT: tested against a scalar reference of iShohei220/adopt's ADOPT and a second opinion in Python (BeyondTorchSecondOpinionTests).",
        [typeof(MuonAttribute)] = "torch.optim has Muon from 2.9 only; MuonTests checks it against a scalar reference written from the algorithm, and its AdamW part against [AdamW].",
        [typeof(LambAttribute)] = "torch.optim has no LAMB; LambTests checks it against a scalar reference written from Optax's lamb, LayerwiseGoldenTests against numpy trajectories (Golden/make_layerwise_golden.py; JAX is not installed here to run Optax).",
        [typeof(LarsAttribute)] = "torch.optim has no LARS; LarsTests checks it against a scalar reference written from Optax's lars, LayerwiseGoldenTests against numpy trajectories (Golden/make_layerwise_golden.py; JAX is not installed here to run Optax).",
        [typeof(AdafactorAttribute)] = "torch.optim has Adafactor from 2.5 on, not in the 1.13 here; AdafactorTests checks it against a scalar reference written from 2.5's single-tensor algorithm, AdafactorGoldenTests against that algorithm run in torch 1.13 tensor operations (Golden/make_adafactor_golden.py).",
    };

    private readonly Lazy<GoldenFile> _data;

    private GoldenKind(string file, Type attribute, (string Keyword, string[] Properties)[] keywords, KeyValuePair<string, object>[]? fixedProperties = null)
    {
        File = file;
        Attribute = attribute;
        Keywords = keywords;
        // torch.optim keeps its state in the parameters' dtype: every golden case stores it as the members.
        Fixed = (fixedProperties ?? Array.Empty<KeyValuePair<string, object>>())
            .Append(new("StatePrecision", StatePrecision.Float32))
            .Append(new("StochasticRounding", false))
            .ToArray();
        _data = new Lazy<GoldenFile>(() => GoldenFile.Load(file));
    }

    /// <summary>The file's name without extension under Golden/, e.g. <c>adam</c>.</summary>
    public string File { get; }

    /// <summary>The attribute class whose Name-d instances on GoldenSingle / GoldenDouble are this kind's cases.</summary>
    public Type Attribute { get; }

    /// <summary>Each torch keyword argument and the attribute properties holding it (two for <c>betas</c>).</summary>
    public IReadOnlyList<(string Keyword, string[] Properties)> Keywords { get; }

    /// <summary>Attribute properties PyTorch has no keyword for, and the value that does what PyTorch does.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Fixed { get; }

    /// <summary>Golden/&lt;File&gt;.json.</summary>
    public GoldenFile Data => _data.Value;

    public static GoldenKind Named(string file) =>
        All.SingleOrDefault(k => k.File == file) ?? throw new ArgumentException($"No golden kind '{file}'.", nameof(file));

    public override string ToString() => File;

    private static (string Keyword, string[] Properties) K(string keyword, params string[] properties) => (keyword, properties);
}

/// <summary>Golden/&lt;kind&gt;.json, as written by Golden/make_golden.py.</summary>
internal sealed class GoldenFile
{
    public string Description { get; init; } = string.Empty;

    /// <summary>The torch.optim class that made the trajectories, e.g. <c>torch.optim.Adam</c>.</summary>
    public string Optimizer { get; init; } = string.Empty;

    /// <summary>What the generated optimizers of this kind report as <see cref="Optimizer{TGradients}.Kind"/>.</summary>
    public string Kind { get; init; } = string.Empty;

    public string TorchVersion { get; init; } = string.Empty;

    /// <summary>The instruction set PyTorch's CPU kernels used; the last bits of the results depend on it.</summary>
    public string CpuCapability { get; init; } = string.Empty;

    public int Steps { get; init; }

    public GoldenCase[] Cases { get; init; } = Array.Empty<GoldenCase>();

    public GoldenCase Case(string name) =>
        Cases.SingleOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"No case '{name}' in {Optimizer}'s golden file.");

    public static GoldenFile Load(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", file + ".json");
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        return JsonSerializer.Deserialize<GoldenFile>(File.ReadAllText(path), options)
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}

/// <summary>One golden case: a configuration, its initial parameters, 30 steps and the final state.</summary>
internal sealed class GoldenCase
{
    public const string Float32 = "float32";
    public const string Float64 = "float64";

    public string Name { get; init; } = string.Empty;

    public string Dtype { get; init; } = string.Empty;

    public int Seed { get; init; }

    /// <summary>
    /// Every keyword argument given to the torch.optim class (its defaults included) as JSON: a number,
    /// a bool, or a list of numbers (Adam's <c>betas</c>).
    /// </summary>
    public Dictionary<string, JsonElement> Hyperparameters { get; init; } = new();

    public GoldenTensor[] Parameters { get; init; } = Array.Empty<GoldenTensor>();

    public GoldenStep[] Steps { get; init; } = Array.Empty<GoldenStep>();

    /// <summary>PyTorch's <c>opt.state[p]</c> after the last step, one per parameter.</summary>
    public GoldenState[] FinalState { get; init; } = Array.Empty<GoldenState>();

    public double Hyperparameter(string keyword) =>
        Hyperparameters.TryGetValue(keyword, out JsonElement value)
            ? value.GetDouble()
            : throw new InvalidOperationException($"{Name}: no hyperparameter '{keyword}'.");

    public override string ToString() => Name;
}

/// <summary>A parameter tensor: its name (the model member), shape and initial values, row-major.</summary>
internal sealed class GoldenTensor
{
    public string Name { get; init; } = string.Empty;

    public int[] Shape { get; init; } = Array.Empty<int>();

    public double[] Initial { get; init; } = Array.Empty<double>();
}

/// <summary>One step: the gradient given to every parameter, and every parameter after <c>opt.step()</c>.</summary>
internal sealed class GoldenStep
{
    public double[][] Gradients { get; init; } = Array.Empty<double[]>();

    public double[][] Parameters { get; init; } = Array.Empty<double[]>();
}

/// <summary>
/// One parameter's <c>opt.state[p]</c>: the step count when the optimizer keeps one (SGD does not),
/// every state tensor by its state_dict key (none for SGD without momentum, whose momentum_buffer is None),
/// and the 0-dim ones apart.
/// </summary>
internal sealed class GoldenState
{
    public int? Step { get; init; }

    public Dictionary<string, double[]> Buffers { get; init; } = new();

    /// <summary>The other 0-dim state tensors by key (NAdam's <c>mu_product</c>, ASGD's <c>eta</c> and <c>mu</c>: float32 for every parameter dtype); empty for most kinds.</summary>
    public Dictionary<string, double> Scalars { get; init; } = new();
}
