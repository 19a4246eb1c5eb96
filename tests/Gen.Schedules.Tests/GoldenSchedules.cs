using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Gen.Schedules.Tests;

/// <summary>Golden/schedules.json, as written by Golden/make_schedules_golden.py.</summary>
internal sealed class GoldenFile
{
    private static readonly Lazy<GoldenFile> Loaded = new(Load);

    private GoldenFile(string description, string torchVersion, GoldenCase[] cases)
    {
        Description = description;
        TorchVersion = torchVersion;
        Cases = cases;
    }

    public static GoldenFile Instance => Loaded.Value;

    public string Description { get; }

    public string TorchVersion { get; }

    public GoldenCase[] Cases { get; }

    public GoldenCase Case(string name) =>
        Cases.SingleOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"No case '{name}' in Golden/schedules.json.");

    private static GoldenFile Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "schedules.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = document.RootElement;
        GoldenCase[] cases = root.GetProperty("cases").EnumerateArray().Select(GoldenCase.Parse).ToArray();
        return new GoldenFile(root.GetProperty("description").GetString()!, root.GetProperty("torch_version").GetString()!, cases);
    }
}

/// <summary>One case: a schedule as PyTorch's arguments, the optimizer's initial lr, and the lr each step used.</summary>
internal sealed class GoldenCase
{
    private GoldenCase(string name, JsonElement schedule, double baseLearningRate, int steps, double[] rates, double[]? metrics)
    {
        Name = name;
        Schedule = schedule;
        BaseLearningRate = baseLearningRate;
        Steps = steps;
        Rates = rates;
        Metrics = metrics;
    }

    public string Name { get; }

    /// <summary>The "schedule" object: "kind" (PyTorch's class name) and PyTorch's keyword arguments.</summary>
    public JsonElement Schedule { get; }

    public double BaseLearningRate { get; }

    public int Steps { get; }

    /// <summary><c>optimizer.param_groups[0]["lr"]</c> before each optimizer step.</summary>
    public double[] Rates { get; }

    /// <summary>For ReduceLROnPlateau: the metric given to <c>scheduler.step</c> after each optimizer step.</summary>
    public double[]? Metrics { get; }

    public override string ToString() => Name;

    public static GoldenCase Parse(JsonElement element)
    {
        double[]? metrics = element.TryGetProperty("metrics", out JsonElement m)
            ? m.EnumerateArray().Select(ParseMetric).ToArray()
            : null;
        return new GoldenCase(
            element.GetProperty("name").GetString()!,
            element.GetProperty("schedule").Clone(),
            element.GetProperty("base_lr").GetDouble(),
            element.GetProperty("steps").GetInt32(),
            element.GetProperty("lr").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            metrics);
    }

    /// <summary>JSON has no NaN or infinity; the script writes them as Python's str(): "nan", "inf".</summary>
    private static double ParseMetric(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var other => throw new InvalidDataException($"Unknown metric '{other}'."),
        },
        _ => throw new InvalidDataException($"Unexpected metric {element}."),
    };
}

/// <summary>
/// Builds the Gen schedule a case's "schedule" object describes, mapping PyTorch's class and argument
/// names to Gen's. Every key must be read, so a setting the script passes to PyTorch cannot be
/// silently ignored here; the types built are recorded for the coverage test.
/// </summary>
internal sealed class ScheduleFactory
{
    public HashSet<Type> TypesBuilt { get; } = new();

    public LearningRateSchedule Create(GoldenCase golden) => Create(golden.Schedule, golden.BaseLearningRate);

    private LearningRateSchedule Create(JsonElement element, double baseLearningRate)
    {
        var spec = new Spec(element);
        string kind = spec.String("kind");
        LearningRateSchedule schedule = kind switch
        {
            "Constant" => new ConstantSchedule(),
            "ConstantLR" => new ConstantSchedule(spec.Double("factor"), spec.Long("total_iters")),
            "StepLR" => new StepDecaySchedule(spec.Long("step_size"), spec.Double("gamma")),
            "MultiStepLR" => new MultiStepSchedule(spec.Array("milestones").Select(e => e.GetInt64()), spec.Double("gamma")),
            "ExponentialLR" => new ExponentialSchedule(spec.Double("gamma")),
            "PolynomialLR" => new PolynomialSchedule(spec.Long("total_iters"), spec.Double("power")),
            "CosineAnnealingLR" => new CosineAnnealingSchedule(spec.Long("T_max"), spec.Double("eta_min")),
            "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestartsSchedule(spec.Long("T_0"), (int)spec.Long("T_mult"), spec.Double("eta_min")),
            "LinearLR" => new LinearSchedule(spec.Double("start_factor"), spec.Double("end_factor"), spec.Long("total_iters")),
            "LinearWarmup" => new LinearWarmupSchedule(spec.Long("warmup_steps"), spec.Double("start_factor"), Create(spec.Object("then"), baseLearningRate)),
            "SequentialLR" => new SequentialSchedule(
                spec.Array("schedulers").Select(e => Create(e, baseLearningRate)).ToArray(),
                spec.Array("milestones").Select(e => e.GetInt64())),
            "OneCycleLR" => CreateOneCycle(spec, baseLearningRate),
            "ReduceLROnPlateau" => new ReduceOnPlateauSchedule(
                spec.String("mode") switch { "min" => PlateauMode.Min, "max" => PlateauMode.Max, var s => throw Unknown("mode", s) },
                spec.Double("factor"),
                (int)spec.Long("patience"),
                spec.Double("threshold"),
                spec.String("threshold_mode") switch { "rel" => PlateauThresholdMode.Relative, "abs" => PlateauThresholdMode.Absolute, var s => throw Unknown("threshold_mode", s) },
                (int)spec.Long("cooldown"),
                spec.Double("min_lr"),
                spec.Double("eps")),
            "InverseTimeDecay" => new InverseTimeSchedule(spec.Long("decay_steps"), spec.Double("decay_rate"), spec.Bool("staircase")),
            _ => throw Unknown("kind", kind),
        };

        spec.AssertEveryKeyRead();
        TypesBuilt.Add(schedule.GetType());
        return schedule;
    }

    private static OneCycleSchedule CreateOneCycle(Spec spec, double baseLearningRate)
    {
        // Gen's base rate is PyTorch's max_lr; the script sets the optimizer's lr to it as well.
        double maxLr = spec.Double("max_lr");
        if (maxLr != baseLearningRate)
        {
            throw new InvalidDataException($"OneCycleLR max_lr {maxLr} differs from base_lr {baseLearningRate}.");
        }

        // Momentum cycling is not part of OneCycleSchedule; the cases must not depend on it.
        if (spec.Bool("cycle_momentum"))
        {
            throw new InvalidDataException("OneCycleLR cases must set cycle_momentum=False.");
        }

        return new OneCycleSchedule(
            spec.Long("total_steps"),
            spec.Double("pct_start", 0.3),
            spec.String("anneal_strategy", "cos") switch { "cos" => OneCycleAnnealing.Cosine, "linear" => OneCycleAnnealing.Linear, var s => throw Unknown("anneal_strategy", s) },
            spec.Double("div_factor", 25.0),
            spec.Double("final_div_factor", 1e4),
            spec.Bool("three_phase", false));
    }

    private static InvalidDataException Unknown(string key, string? value) => new($"Unknown {key} '{value}' in Golden/schedules.json.");

    /// <summary>A schedule object whose reads are recorded.</summary>
    private sealed class Spec
    {
        private readonly JsonElement _element;
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public Spec(JsonElement element)
        {
            _element = element;
        }

        public string String(string key) => Get(key).GetString()!;

        public string String(string key, string fallback) => Has(key) ? String(key) : fallback;

        public long Long(string key) => Get(key).GetInt64();

        public double Double(string key) => Get(key).GetDouble();

        public double Double(string key, double fallback) => Has(key) ? Double(key) : fallback;

        public bool Bool(string key) => Get(key).GetBoolean();

        public bool Bool(string key, bool fallback) => Has(key) ? Bool(key) : fallback;

        public JsonElement Object(string key) => Get(key);

        public IEnumerable<JsonElement> Array(string key) => Get(key).EnumerateArray().ToArray();

        public void AssertEveryKeyRead()
        {
            string[] unread = _element.EnumerateObject().Select(p => p.Name).Where(n => !_read.Contains(n)).ToArray();
            if (unread.Length > 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Keys not used by the C# schedule: {string.Join(", ", unread)} in {_element}."));
            }
        }

        private bool Has(string key) => _element.TryGetProperty(key, out _);

        private JsonElement Get(string key)
        {
            _read.Add(key);
            return _element.TryGetProperty(key, out JsonElement value)
                ? value
                : throw new InvalidDataException($"Missing key '{key}' in {_element}.");
        }
    }
}
