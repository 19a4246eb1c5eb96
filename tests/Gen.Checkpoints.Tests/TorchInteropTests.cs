using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// Checkpoints shared with PyTorch 1.13, both ways, from Golden/torch_checkpoints.json and the files
/// Golden/make_torch_checkpoint.py wrote with the Python snippets of docs/CHECKPOINTS.md:
/// torch.optim's state saved in Gen's format loads into Gen, and Gen's checkpoints load into
/// torch.optim; either way Gen continues the trajectory PyTorch continued. PyTorch is never run here.
/// </summary>
/// <remarks>
/// Close, not bit-identical: the PyTorch that made the file fuses some multiply-adds (one rounding)
/// that Gen rounds twice, as RmsPropGoldenTests in Gen.Optimizers.Tests explains. Per element, with
/// a = Gen's and b = PyTorch's: float32 <c>|a − b| ≤ 1e-5·|b| + 1e-7</c>; float64
/// <c>|a − b| ≤ 1e-12·|b| + 1e-15</c>.
/// </remarks>
public sealed class TorchInteropTests
{
    private const int StepsBeforeCheckpoint = 4;

    private readonly ITestOutputHelper _output;

    public TorchInteropTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (JsonNode? c in TorchFile.Cases)
        {
            data.Add(c!["name"]!.GetValue<string>(), c["source"]!.GetValue<string>());
        }

        return data;
    }

    public static TheoryData<string> GenFixtureNames() => new(AllNames());

    [Theory]
    [MemberData(nameof(Cases))]
    public void ContinuesTheTrainingPyTorchContinuedFromTheSameCheckpoint(string name, string source)
    {
        JsonNode golden = TorchFile.Case(name, source);
        string dtype = golden["dtype"]!.GetValue<string>();
        string summary = dtype switch
        {
            "float32" => Run(new TorchNet(), m => new TorchNet.Gradients(m), golden),
            "float64" => Run(new TorchNet64(), m => new TorchNet64.Gradients(m), golden),
            _ => throw new InvalidOperationException($"{name}: unknown dtype '{dtype}'."),
        };

        _output.WriteLine(summary);
    }

    [Fact]
    public void EveryTorchNetOptimizerHasACaseInEachDirection()
    {
        string[] expected = AllNames().Order(StringComparer.Ordinal).ToArray();
        foreach (string source in new[] { "torch", "gen" })
        {
            Assert.Equal(expected, TorchFile.Cases.Where(c => c!["source"]!.GetValue<string>() == source).Select(c => c!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        }

        Assert.Equal(new[] { "ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSProp", "Rprop", "SGD" }, TorchFile.Cases.Select(c => c!["kind"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(StepsBeforeCheckpoint, TorchFile.Document["steps_before_checkpoint"]!.GetValue<int>());
    }

    /// <summary>
    /// The script ran the Python snippets of docs/CHECKPOINTS.md and recorded their hash: the snippets
    /// in the docs are the ones that produced and read these files.
    /// </summary>
    [Fact]
    public void TheDocsPythonSnippetsAreTheOnesTheScriptRan()
    {
        string docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "CHECKPOINTS.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = new List<string>();
        foreach (string name in new[] { "read_checkpoint", "write_checkpoint", "load_into_torch", "save_from_torch" })
        {
            Match match = Regex.Match(docs, "<!-- python: " + name + " -->\n```python\n(.*?)```", RegexOptions.Singleline);
            Assert.True(match.Success, $"docs/CHECKPOINTS.md has no '<!-- python: {name} -->' block.");
            blocks.Add(match.Groups[1].Value);
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", blocks))));
        Assert.True(
            hash == TorchFile.Document["docs_snippets_sha256"]!.GetValue<string>(),
            "The Python snippets in docs/CHECKPOINTS.md changed since Golden/make_torch_checkpoint.py ran them: run it again.");
    }

    /// <summary>
    /// The gen_*.safetensors files PyTorch read are what Gen writes today from the recipe in
    /// <see cref="WriteGenFixture"/>. Set GEN_UPDATE_FIXTURES=1 to rewrite them in the source tree
    /// (then run make_torch_checkpoint.py). Adam, AdamW, NAdam, RAdam, Adamax and ASGD round Math.Pow, which the C runtime
    /// computes and which may differ in the last bit between platforms, so their values are compared
    /// within 1e-6; every other file must be identical to the byte.
    /// </summary>
    [Theory]
    [MemberData(nameof(GenFixtureNames))]
    public void GenFixturesAreWhatGenWrites(string name)
    {
        (byte[] model, byte[] optimizer, string kind) = WriteGenFixture(name);
        var files = new[] { ($"gen_{name}.model.safetensors", model), ($"gen_{name}.optimizer.safetensors", optimizer) };
        if (Environment.GetEnvironmentVariable("GEN_UPDATE_FIXTURES") == "1")
        {
            foreach ((string file, byte[] bytes) in files)
            {
                File.WriteAllBytes(Path.Combine(SourceGoldenDirectory(), file), bytes);
            }
        }

        foreach ((string file, byte[] bytes) in files)
        {
            byte[] committed = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", file));
            if (kind is not ("Adam" or "AdamW" or "NAdam" or "RAdam" or "Adamax" or "ASGD"))
            {
                Assert.True(committed.AsSpan().SequenceEqual(bytes), $"{file} differs from what Gen writes now.");
                continue;
            }

            EditableCheckpoint expected = EditableCheckpoint.Parse(committed);
            EditableCheckpoint actual = EditableCheckpoint.Parse(bytes);
            Assert.Equal(expected.Metadata, actual.Metadata);
            Assert.Equal(expected.Tensors.Select(t => (t.Name, t.Dtype, string.Join(",", t.Shape))), actual.Tensors.Select(t => (t.Name, t.Dtype, string.Join(",", t.Shape))));
            foreach ((EditableTensor e, EditableTensor a) in expected.Tensors.Zip(actual.Tensors))
            {
                double[] ev = Values(e), av = Values(a);
                for (int i = 0; i < ev.Length; i++)
                {
                    Assert.True(Math.Abs(ev[i] - av[i]) <= 1e-6 * Math.Abs(ev[i]), $"{file}: {e.Name}[{i}] is {av[i]:R}, committed {ev[i]:R}.");
                }
            }
        }
    }

    /// <summary>
    /// The recipe of gen_NAME.*.safetensors: a model drawn from a seed, 4 steps with drawn gradients,
    /// then the model and the optimizer saved.
    /// </summary>
    private static (byte[] Model, byte[] Optimizer, string Kind) WriteGenFixture(string name) =>
        Optimizers.Names<TorchNet>().Contains(name)
            ? WriteGenFixture(name, new TorchNet(), m => new TorchNet.Gradients(m))
            : WriteGenFixture(name, new TorchNet64(), m => new TorchNet64.Gradients(m));

    private static (byte[] Model, byte[] Optimizer, string Kind) WriteGenFixture<TModel, TGradients>(string name, TModel model, Func<TModel, TGradients> gradientsFor)
        where TModel : ITrainable
        where TGradients : GradientsBase
    {
        int seed = StableSeed(name);
        Fill.Model(model, new Random(seed));
        Optimizer<TGradients> optimizer = Optimizers.Create<TGradients>(name, model);
        Optimizers.Train(optimizer, gradientsFor(model), new Random(seed + 1), StepsBeforeCheckpoint);
        var modelStream = new MemoryStream();
        var optimizerStream = new MemoryStream();
        Checkpoint.SaveModel(model, modelStream);
        Checkpoint.SaveOptimizer(optimizer, optimizerStream);
        return (modelStream.ToArray(), optimizerStream.ToArray(), optimizer.Kind);
    }

    private static string Run<TModel, TGradients>(TModel model, Func<TModel, TGradients> gradientsFor, JsonNode golden)
        where TModel : ITrainable
        where TGradients : GradientsBase =>
        Run(model, Optimizers.Create<TGradients>(golden["name"]!.GetValue<string>(), model), gradientsFor(model), golden);

    /// <summary>Loads the case's files, checks what was restored, then steps with every recorded gradient and compares every parameter after every step.</summary>
    private static string Run<TGradients>(ITrainable model, Optimizer<TGradients> optimizer, TGradients gradients, JsonNode golden)
        where TGradients : GradientsBase
    {
        string name = golden["name"]!.GetValue<string>() + " from " + golden["source"]!.GetValue<string>();
        Checkpoint.LoadModel(model, GoldenPath(golden["model_file"]!.GetValue<string>()));
        Checkpoint.LoadOptimizer(optimizer, GoldenPath(golden["optimizer_file"]!.GetValue<string>()));

        JsonNode hyperparameters = golden["hyperparameters"]!;
        Assert.Equal(golden["step_count"]!.GetValue<long>(), optimizer.StepCount);
        Assert.Equal(hyperparameters["lr"]!.GetValue<double>(), optimizer.LearningRate);
        Assert.Equal(hyperparameters["weight_decay"]?.GetValue<double>() ?? 0, optimizer.WeightDecay); // Rprop has none
        Assert.Equal(golden["kind"]!.GetValue<string>(), optimizer.Kind);
        Assert.Equal(
            golden["configuration"]!.AsObject().Select(p => new KeyValuePair<string, string>(p.Key, p.Value!.GetValue<string>())).OrderBy(p => p.Key, StringComparer.Ordinal),
            optimizer.Configuration.OrderBy(p => p.Key, StringComparer.Ordinal));

        bool single = golden["dtype"]!.GetValue<string>() == "float32";
        var comparison = new Comparison(name, single ? new Tolerance(1e-5, 1e-7) : new Tolerance(1e-12, 1e-15));
        int step = 0;
        foreach (JsonNode? recorded in golden["steps"]!.AsArray())
        {
            step++;
            JsonArray expectedGradients = recorded!["gradients"]!.AsArray();
            JsonArray expectedParameters = recorded["parameters"]!.AsArray();
            for (int member = 0; member < gradients.MemberCount; member++)
            {
                SetValues(gradients.GetMember(member), Doubles(expectedGradients[member]!));
            }

            optimizer.Step(gradients);
            for (int member = 0; member < model.ParameterCount; member++)
            {
                TensorRef parameter = model.GetParameter(member);
                comparison.Compare(step, parameter.Name, Values(parameter), Doubles(expectedParameters[member]!));
            }
        }

        Assert.Equal(5, step);
        Assert.True(comparison.Passed, comparison.Summary());
        return comparison.Summary();
    }

    /// <summary>Every optimizer of the interop models: one per case.</summary>
    private static IEnumerable<string> AllNames() => Optimizers.Names<TorchNet>().Concat(Optimizers.Names<TorchNet64>());

    private static string GoldenPath(string file) => Path.Combine(AppContext.BaseDirectory, "Golden", file);

    private static string SourceGoldenDirectory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    private static double[] Doubles(JsonNode node) => node.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static void SetValues(TensorRef tensor, double[] values)
    {
        Assert.Equal(tensor.Length, values.Length);
        if (tensor.Element == TensorElement.Single)
        {
            Span<float> target = tensor.AsSingleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                target[i] = (float)values[i];
            }
        }
        else
        {
            values.CopyTo(tensor.AsDoubleSpan());
        }
    }

    private static double[] Values(TensorRef tensor) => tensor.Element == TensorElement.Single
        ? tensor.AsSingleSpan().ToArray().Select(v => (double)v).ToArray()
        : tensor.AsDoubleSpan().ToArray();

    private static double[] Values(EditableTensor tensor) => tensor.Dtype == "F32"
        ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray().Select(v => (double)v).ToArray()
        : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(tensor.Data).ToArray();

    /// <summary>A seed that is the same in every process (string.GetHashCode is not).</summary>
    private static int StableSeed(string text)
    {
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }

    /// <summary>A per-element bound <c>|a − b| ≤ Relative·|b| + Absolute</c>, b being PyTorch's value.</summary>
    private readonly record struct Tolerance(double Relative, double Absolute)
    {
        public double Bound(double expected) => (Relative * Math.Abs(expected)) + Absolute;
    }

    /// <summary>Worst element-wise difference over a case, and where it occurred.</summary>
    private sealed class Comparison
    {
        private readonly string _case;
        private readonly Tolerance _tolerance;
        private int _elements;
        private int _identical;
        private int _failures;
        private double _worstRatio = -1;
        private string _worstAt = "nowhere";

        public Comparison(string name, Tolerance tolerance)
        {
            _case = name;
            _tolerance = tolerance;
        }

        public bool Passed => _failures == 0 && _elements > 0;

        public void Compare(int step, string member, double[] actual, double[] expected)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double a = actual[i], b = expected[i];
                double ratio = Math.Abs(a - b) / _tolerance.Bound(b);
                _elements++;
                _identical += a.Equals(b) ? 1 : 0;

                // NaN compares false, so a NaN anywhere is a failure.
                if (!(ratio <= 1))
                {
                    _failures++;
                }

                if (!(ratio <= _worstRatio))
                {
                    _worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                    _worstAt = string.Create(CultureInfo.InvariantCulture, $"{member}[{i}] after continued step {step}: Gen {a:R}, PyTorch {b:R}");
                }
            }
        }

        public string Summary() => string.Create(
            CultureInfo.InvariantCulture,
            $"{_case}: {_failures} of {_elements} elements outside |a − b| ≤ {_tolerance.Relative:G3}·|b| + {_tolerance.Absolute:G3}; {_identical} bit-identical; closest to the bound ({_worstRatio:F4} of it): {_worstAt}.");
    }
}

/// <summary>Golden/torch_checkpoints.json, as written by Golden/make_torch_checkpoint.py.</summary>
internal static class TorchFile
{
    private static readonly Lazy<JsonNode> Loaded = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "torch_checkpoints.json")))!);

    public static JsonNode Document => Loaded.Value;

    public static JsonArray Cases => Document["cases"]!.AsArray();

    public static JsonNode Case(string name, string source) =>
        Cases.Single(c => c!["name"]!.GetValue<string>() == name && c["source"]!.GetValue<string>() == source)!;
}
