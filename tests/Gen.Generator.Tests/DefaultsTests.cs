using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Gen.Generator.Kinds;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// A hyperparameter's default lives in its attribute class, and only there: the generator reads it
/// from a real instance. For every kind, this checks the places that show it agree with that class —
/// the generated optimizer's constants, the attribute's XML docs ("Default x.") and README's table —
/// and that the class agrees with the reference implementation Gen follows.
/// </summary>
public sealed class DefaultsTests
{
    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (OptimizerKind kind in OptimizerKinds.All)
        {
            data.Add(kind.AttributeName);
        }

        return data;
    }

    /// <summary>PyTorch 1.13's constructor defaults (Lion: the paper's; DecoupledWeightDecay: PyTorch 2.x's; the kinds beyond torch.optim: their reference implementations'), as Gen's names; NaN where PyTorch requires the value.</summary>
    private static readonly Dictionary<string, Dictionary<string, object>> Reference = new()
    {
        ["RmsProp"] = new() { ["LearningRate"] = 1e-2, ["Rho"] = 0.99, ["Epsilon"] = 1e-8, ["Momentum"] = 0.0, ["Centered"] = false, ["WeightDecay"] = 0.0, ["Maximize"] = false },
        ["Sgd"] = new() { ["LearningRate"] = double.NaN, ["Momentum"] = 0.0, ["Dampening"] = 0.0, ["Nesterov"] = false, ["WeightDecay"] = 0.0, ["Maximize"] = false },
        ["Adagrad"] = new() { ["LearningRate"] = 1e-2, ["LearningRateDecay"] = 0.0, ["WeightDecay"] = 0.0, ["InitialAccumulatorValue"] = 0.0, ["Epsilon"] = 1e-10, ["Maximize"] = false },
        ["Adam"] = new() { ["LearningRate"] = 1e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-8, ["WeightDecay"] = 0.0, ["AmsGrad"] = false, ["Maximize"] = false },
        ["AdamW"] = new() { ["LearningRate"] = 1e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-8, ["WeightDecay"] = 1e-2, ["AmsGrad"] = false, ["Maximize"] = false },
        ["Adadelta"] = new() { ["LearningRate"] = 1.0, ["Rho"] = 0.9, ["Epsilon"] = 1e-6, ["WeightDecay"] = 0.0, ["Maximize"] = false },
        ["Lion"] = new() { ["LearningRate"] = 1e-4, ["Beta1"] = 0.9, ["Beta2"] = 0.99, ["WeightDecay"] = 0.0 },
        ["NAdam"] = new() { ["LearningRate"] = 2e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-8, ["WeightDecay"] = 0.0, ["MomentumDecay"] = 4e-3, ["DecoupledWeightDecay"] = false },
        ["RAdam"] = new() { ["LearningRate"] = 1e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-8, ["WeightDecay"] = 0.0, ["DecoupledWeightDecay"] = false },
        ["Adamax"] = new() { ["LearningRate"] = 2e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-8, ["WeightDecay"] = 0.0, ["Maximize"] = false },
        ["Rprop"] = new() { ["LearningRate"] = 1e-2, ["EtaMinus"] = 0.5, ["EtaPlus"] = 1.2, ["MinStepSize"] = 1e-6, ["MaxStepSize"] = 50.0, ["Maximize"] = false },
        ["Asgd"] = new() { ["LearningRate"] = 1e-2, ["Lambda"] = 1e-4, ["Alpha"] = 0.75, ["T0"] = 1e6, ["WeightDecay"] = 0.0, ["Maximize"] = false },
        // schedulefree's AdamWScheduleFreeReference and SGDScheduleFreeReference (betas, momentum, warmup_steps, r, weight_lr_power, decay_at_z, inner_momentum).
        ["ScheduleFreeAdamW"] = new() { ["LearningRate"] = 0.0025, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-8, ["WeightDecay"] = 0.0, ["WarmupSteps"] = 0, ["R"] = 0.0, ["WeightLrPower"] = 2.0, ["DecayAtZ"] = false, ["InnerMomentum"] = 0.0 },
        ["ScheduleFreeSgd"] = new() { ["LearningRate"] = 1.0, ["Momentum"] = 0.9, ["WeightDecay"] = 0.0, ["WarmupSteps"] = 0, ["R"] = 0.0, ["WeightLrPower"] = 2.0 },
        // apple/ml-ademamix's AdEMAMix (betas, alpha, alpha_warmup and beta3_warmup None: 0).
        ["AdEMAMix"] = new() { ["LearningRate"] = 1e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Beta3"] = 0.9999, ["Alpha"] = 2.0, ["AlphaWarmup"] = 0, ["Beta3Warmup"] = 0, ["Epsilon"] = 1e-8, ["WeightDecay"] = 0.0 },
        // iShohei220/adopt's ADOPT (clip_lambda = step**0.25, decouple, maximize).
        ["Adopt"] = new() { ["LearningRate"] = 1e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.9999, ["Epsilon"] = 1e-6, ["Clipping"] = true, ["ClipExponent"] = 0.25, ["WeightDecay"] = 0.0, ["Decouple"] = false, ["Maximize"] = false },
        // PyTorch 2.9's torch.optim.Muon (ns_coefficients, ns_steps, eps; its adjust_lr_fn=None is "original", the enum's 0), and for the AdamW
        // part PyTorch's AdamW (Keras's and Optax's Muon share the betas; their learning rate is the optimizer's, scale 1).
        ["Muon"] = new()
        {
            ["LearningRate"] = 1e-3, ["WeightDecay"] = 0.1, ["Momentum"] = 0.95, ["Nesterov"] = true, ["NewtonSchulzA"] = 3.4445, ["NewtonSchulzB"] = -4.7750,
            ["NewtonSchulzC"] = 2.0315, ["NewtonSchulzSteps"] = 5, ["Epsilon"] = 1e-7,
            ["AdamWLearningRateScale"] = 1.0, ["AdamWBeta1"] = 0.9, ["AdamWBeta2"] = 0.999, ["AdamWEpsilon"] = 1e-8, ["AdamWWeightDecay"] = 1e-2,
        },
        // Optax's lamb (b1, b2, eps, weight_decay); Optax has no default rate: 1e-3 is NVIDIA Apex's FusedLAMB and TensorFlow Addons' LAMB.
        ["Lamb"] = new() { ["LearningRate"] = 1e-3, ["Beta1"] = 0.9, ["Beta2"] = 0.999, ["Epsilon"] = 1e-6, ["WeightDecay"] = 0.0 },
        // Optax's lars (weight_decay, trust_coefficient, eps, momentum, nesterov); Optax has no default rate: 0.01 is TensorFlow Model Garden's LARS.
        ["Lars"] = new() { ["LearningRate"] = 0.01, ["WeightDecay"] = 0.0, ["TrustCoefficient"] = 0.001, ["Epsilon"] = 0.0, ["Momentum"] = 0.9, ["Nesterov"] = false },
        // PyTorch 2.5's torch.optim.Adafactor (lr, beta2_decay, eps=(None, 1e-3), d, weight_decay, maximize); eps1's None is NaN.
        ["Adafactor"] = new() { ["LearningRate"] = 1e-2, ["Beta2Decay"] = -0.8, ["Epsilon1"] = double.NaN, ["Epsilon2"] = 1e-3, ["ClipThreshold"] = 1.0, ["WeightDecay"] = 0.0, ["Maximize"] = false },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AttributeDefaultsAreTheReferenceImplementations(string kind)
    {
        Dictionary<string, object?> defaults = Defaults(Find(kind));
        Assert.All(Reference[kind], expected => Assert.Equal(expected.Value, defaults[expected.Key]));
    }

    /// <summary>
    /// The generator compiles the attribute sources in rather than loading Gen.Attributes.dll (an analyzer's
    /// dependencies are not loaded): the class it instantiates and the one users reference come from the
    /// same files, and this proves they agree: same properties, same defaults, same enum members.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheGeneratorsAttributeIsTheShippedOne(string kind)
    {
        OptimizerKind optimizerKind = Find(kind);
        Assert.NotSame(GeneratorHarness.AttributesAssembly, optimizerKind.AttributeType.Assembly);
        Type shipped = GeneratorHarness.AttributesAssembly.GetType(optimizerKind.AttributeType.FullName!, throwOnError: true)!;
        Dictionary<string, object?> compiledIn = Defaults(optimizerKind.AttributeType);
        Dictionary<string, object?> reference = Defaults(shipped);
        Assert.Equal(reference.Keys.Order(), compiledIn.Keys.Order());
        foreach ((string property, object? value) in reference)
        {
            Assert.Equal(Format(value), Format(compiledIn[property]));
        }

        foreach (Type shippedEnum in GeneratorHarness.AttributesAssembly.GetExportedTypes().Where(t => t.IsEnum))
        {
            Type own = optimizerKind.AttributeType.Assembly.GetType(shippedEnum.FullName!, throwOnError: true)!;
            Assert.Equal(
                Enum.GetNames(shippedEnum).Select(name => (name, Convert.ToInt64(Enum.Parse(shippedEnum, name), CultureInfo.InvariantCulture))),
                Enum.GetNames(own).Select(name => (name, Convert.ToInt64(Enum.Parse(own, name), CultureInfo.InvariantCulture))));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GeneratedConstantsAreTheAttributeDefaults(string kind)
    {
        OptimizerKind optimizerKind = Find(kind);
        Dictionary<string, object?> defaults = Defaults(optimizerKind);

        // A required value (NaN) must be written; any valid value will do, and it is not compared.
        string[] required = defaults.Where(d => IsRequired(kind, d.Key, d.Value)).Select(d => d.Key).ToArray();
        string arguments = string.Join(", ", required.Select(name => name + " = 0.5"));
        (_, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(
            $"[Gen.{kind}({arguments})] public partial class Model {{ public float[] W = new float[4]; }}"));
        Type optimizer = GeneratorHarness.EmitAndLoad(output, "Model+" + optimizerKind.DefaultName);

        Assert.Equal(defaults["Name"], optimizer.Name);
        foreach ((string property, object? value) in defaults.Where(d => d.Key != "Name" && !required.Contains(d.Key)))
        {
            string constant = property is "LearningRate" or "WeightDecay" ? "Default" + property : property;
            FieldInfo? field = optimizer.GetField(constant, BindingFlags.Public | BindingFlags.Static);
            Assert.True(field is { IsLiteral: true }, $"{optimizer.Name} has no constant {constant} for {property}.");
            Assert.Equal(value, field!.GetRawConstantValue() is { } raw && value is Enum ? Enum.ToObject(value.GetType(), raw) : field.GetRawConstantValue());
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AttributeDocsStateEachDefault(string kind)
    {
        OptimizerKind optimizerKind = Find(kind);
        XDocument docs = XDocument.Load(Path.ChangeExtension(GeneratorHarness.AttributesAssembly.Location, ".xml"));
        foreach ((string property, object? value) in Defaults(optimizerKind))
        {
            string member = "P:" + optimizerKind.AttributeType.FullName + "." + property;
            XElement summary = docs.Descendants("member").Single(m => (string?)m.Attribute("name") == member).Element("summary")!;
            string text = string.Concat(summary.Nodes().Select(node => node switch
            {
                XElement { Name.LocalName: "see" } see => ((string)see.Attribute("cref")!).Split('.').Last(),
                XElement element => element.Value,
                _ => node.ToString(),
            }));

            if (IsRequired(kind, property, value))
            {
                Assert.Contains("Required", text, StringComparison.Ordinal);
                continue;
            }

            Match stated = Regex.Match(text, @"Default (\S+?)\.?(?:\s|$)");
            Assert.True(stated.Success, $"The docs of {kind}.{property} do not state its default: \"{text.Trim()}\"");
            Assert.Equal(Format(value), Format(Parse(stated.Groups[1].Value, value)));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ReadmeTableStatesEveryDefaultThatIsNotZero(string kind)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        string row = readme.Split('\n').Single(line => line.StartsWith("| `[" + kind + "]`", StringComparison.Ordinal));
        string column = row.Split('|', StringSplitOptions.RemoveEmptyEntries).Last();
        var stated = Regex.Matches(column, @"`(\w+) = ([^`]+)`").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Dictionary<string, object?> defaults = Defaults(Find(kind));

        foreach ((string property, string text) in stated)
        {
            Assert.True(defaults.ContainsKey(property), $"README states {kind}.{property}, which the attribute does not have.");
            Assert.Equal(Format(defaults[property]), Format(Parse(text, defaults[property])));
        }

        foreach ((string property, object? value) in defaults)
        {
            if (IsRequired(kind, property, value))
            {
                Assert.Contains("`" + property + "` required", column, StringComparison.Ordinal);
            }
            else if (value is double number && number != 0)
            {
                Assert.True(stated.ContainsKey(property), $"README's row for [{kind}] does not state {property} = {Format(value)}.");
            }
        }
    }

    /// <summary>
    /// Defaults that are NaN by design rather than required: they stand for PyTorch's <c>None</c> (Adafactor's eps1, the
    /// member's machine epsilon), and the docs, the constants and README state NaN like any other default.
    /// </summary>
    private static readonly HashSet<(string Kind, string Property)> NoneDefaults = new() { ("Adafactor", "Epsilon1") };

    /// <summary>Whether a NaN default means "required" (SGD's learning rate, as PyTorch 1.13 has none).</summary>
    private static bool IsRequired(string kind, string property, object? value) => value is double.NaN && !NoneDefaults.Contains((kind, property));

    private static string RepositoryRoot([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "..", "..");

    private static OptimizerKind Find(string kind) => OptimizerKinds.All.Single(k => k.AttributeName == kind);

    /// <summary>Every settable property of the attribute with its default, from a fresh instance.</summary>
    private static Dictionary<string, object?> Defaults(OptimizerKind kind) => Defaults(kind.AttributeType);

    private static Dictionary<string, object?> Defaults(Type attributeType)
    {
        object instance = Activator.CreateInstance(attributeType)!;
        return attributeType.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, p => p.GetValue(instance));
    }

    private static object? Parse(string text, object? like) => like switch
    {
        double => double.Parse(text, CultureInfo.InvariantCulture),
        bool => bool.Parse(text),
        Enum e => Enum.Parse(e.GetType(), text),
        _ => text,
    };

    private static string Format(object? value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        null => "null",
        _ => value.ToString()!,
    };
}
