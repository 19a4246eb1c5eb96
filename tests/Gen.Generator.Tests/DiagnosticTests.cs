using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Gen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>
/// One test per diagnostic ID: the exact set of Gen diagnostics a declaration gets (any diagnostic
/// nobody asserted fails the test), each with the source text it points at.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Members = "public float[] W = new float[4];";

    [Fact]
    public void GEN001_ClassNotPartial() => Expect(
        $"[Gen.RmsProp] public class Model {{ {Members} }}",
        ("GEN001", "Model"));

    [Fact]
    public void GEN001_ContainingTypeNotPartial() => Expect(
        $"public class Outer {{ [Gen.RmsProp] public partial class Model {{ {Members} }} }}",
        ("GEN001", "Outer"));

    [Fact]
    public void GEN002_NoTrainableMember() => Expect(
        "[Gen.RmsProp] public partial class Model { [Gen.Frozen] public float[] W = new float[4]; public static float[] S = new float[1]; public const int N = 3; }",
        ("GEN002", "Model"));

    [Fact]
    public void GEN003_UnsupportedMemberTypes() => Expect(
        $$"""
        using System.Collections.Generic;
        [Gen.RmsProp]
        public partial class Model
        {
            {{Members}}
            public List<float> List = new();
            public float Scalar;
            public System.Half[] Halves = new System.Half[2];
            public float[][] Jagged = new float[1][];
            public double[,,,] Rank4 = new double[1, 1, 1, 1];
            [Gen.Frozen] public List<float> Silenced = new();
            public int[] Indices = new int[2];
            public string Name = "";
        }
        """,
        ("GEN003", "List"),
        ("GEN003", "Scalar"),
        ("GEN003", "Halves"),
        ("GEN003", "Jagged"),
        ("GEN003", "Rank4"));

    [Fact]
    public void GEN003_MessageNamesTheSupportedTypes()
    {
        Diagnostic diagnostic = GeneratorHarness.AnalyzerDiagnostics($"[Gen.RmsProp] public partial class Model {{ {Members} public float Scalar; }}").Single();
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("float[], double[], float[,], double[,], float[,,] and double[,,]", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void GEN004_DuplicateOptimizerName() => Expect(
        $"[Gen.RmsProp(Rho = 0.9)] [Gen.RmsProp(Name = \"RmsPropOptimizer\")] public partial class Model {{ {Members} }}",
        ("GEN004", "Name = \"RmsPropOptimizer\""));

    [Fact]
    public void GEN005_GeneratedOptimizerNameClashesWithMember() => Expect(
        $"[Gen.RmsProp] public partial class Model {{ {Members} public int RmsPropOptimizer; }}",
        ("GEN005", "Gen.RmsProp"));

    [Fact]
    public void GEN005_GradientsClashesWithMember() => Expect(
        $"[Gen.RmsProp] public partial class Model {{ {Members} public void Gradients() {{ }} }}",
        ("GEN005", "Gradients"));

    [Fact]
    public void GEN005_PartialGradientsDeclaredByTheUserIsNoClash() => Expect(
        $"[Gen.RmsProp] public partial class Model {{ {Members} public sealed partial class Gradients {{ public int Extra => 1; }} }}");

    [Fact]
    public void GEN006_ParameterNameReservedByGradients() => Expect(
        "[Gen.RmsProp] public partial class Model { public float[] Length = new float[4]; public double[] W = new double[2]; }",
        ("GEN006", "Length"));

    [Fact]
    public void GEN007_InvalidOptimizerNames() => Expect(
        $$"""
        [Gen.RmsProp(Name = "not valid")]
        [Gen.RmsProp(Name = "class")]
        [Gen.RmsProp(Name = "Gradients")]
        [Gen.RmsProp(Name = "Model")]
        [Gen.RmsProp(Name = null)]
        [Gen.Sgd(Name = "Nesterov", LearningRate = 0.1)]
        [Gen.RmsProp(Name = "Step")]
        public partial class Model { {{Members}} }
        """,
        ("GEN007", "Name = \"not valid\""),
        ("GEN007", "Name = \"class\""),
        ("GEN007", "Name = \"Gradients\""),
        ("GEN007", "Name = \"Model\""),
        ("GEN007", "Name = null"),
        ("GEN007", "Name = \"Nesterov\""),
        ("GEN007", "Name = \"Step\""));

    [Theory]
    [InlineData("LearningRate = -0.1")]
    [InlineData("LearningRate = double.NaN")]
    [InlineData("LearningRate = double.PositiveInfinity")]
    public void GEN101_LearningRate(string argument) => ExpectArgument(argument, "GEN101");

    [Theory]
    [InlineData("Rho = 1")]
    [InlineData("Rho = -0.5")]
    [InlineData("Rho = double.NaN")]
    public void GEN102_Rho(string argument) => ExpectArgument(argument, "GEN102");

    [Theory]
    [InlineData("Epsilon = 0")]
    [InlineData("Epsilon = -1e-8")]
    [InlineData("Epsilon = double.PositiveInfinity")]
    public void GEN103_Epsilon(string argument) => ExpectArgument(argument, "GEN103");

    [Theory]
    [InlineData("Momentum = 1")]
    [InlineData("Momentum = -0.9")]
    public void GEN104_Momentum(string argument) => ExpectArgument(argument, "GEN104");

    [Theory]
    [InlineData("WeightDecay = -1e-4")]
    [InlineData("WeightDecay = double.NaN")]
    public void GEN105_WeightDecay(string argument) => ExpectArgument(argument, "GEN105");

    [Theory]
    [InlineData("InitialScale = -1")]
    [InlineData("InitialScale = double.PositiveInfinity")]
    public void GEN106_InitialScale(string argument) => ExpectArgument(argument, "GEN106");

    [Theory]
    [InlineData("EpsilonPlacement = (Gen.EpsilonPlacement)7")]
    [InlineData("WeightDecayMode = (Gen.WeightDecayMode)(-1)")]
    public void GEN107_UndefinedEnumValue(string argument) => ExpectArgument(argument, "GEN107");

    [Fact]
    public void GEN108_SgdRequiresALearningRate() => Expect(
        $"[Gen.Sgd(Momentum = 0.9)] public partial class Model {{ {Members} }}",
        ("GEN108", "Gen.Sgd(Momentum = 0.9)"));

    [Theory]
    [InlineData("LearningRate = 0.1, Nesterov = true")]
    [InlineData("LearningRate = 0.1, Momentum = 0.9, Dampening = 0.1, Nesterov = true")]
    public void GEN109_NesterovNeedsMomentumAndNoDampening(string arguments) => Expect(
        $"[Gen.Sgd({arguments})] public partial class Model {{ {Members} }}",
        ("GEN109", "Nesterov = true"));

    [Theory]
    [InlineData("Dampening = 1.5")]
    [InlineData("Dampening = -0.1")]
    public void GEN110_Dampening(string argument) => Expect(
        $"[Gen.Sgd(LearningRate = 0.1, Momentum = 0.9, {argument})] public partial class Model {{ {Members} }}",
        ("GEN110", argument));

    [Fact]
    public void GEN111_LearningRateDecay() => Expect(
        $"[Gen.Adagrad(LearningRateDecay = -0.01)] public partial class Model {{ {Members} }}",
        ("GEN111", "LearningRateDecay = -0.01"));

    [Theory]
    [InlineData("-0.1")]
    [InlineData("double.NaN")]
    public void GEN112_LearningRateScale(string scale) => Expect(
        $"[Gen.Adam] public partial class Model {{ [Gen.LearningRateScale({scale})] public float[] W = new float[4]; }}",
        ("GEN112", $"Gen.LearningRateScale({scale})"));

    [Theory]
    [InlineData("Gen.Adam", "BFloat16")]
    [InlineData("Gen.Lion", "Float16")]
    [InlineData("Gen.RmsProp", "BFloat16")]
    [InlineData("Gen.AdamW", "Int8Blockwise")]
    public void GEN113_ReducedStateOnDoubleMember(string attribute, string precision) => Expect(
        $"[{attribute}(StatePrecision = Gen.StatePrecision.{precision})] public partial class Model {{ public float[] W = new float[4]; public double[] D = new double[4]; }}",
        ("GEN113", $"StatePrecision = Gen.StatePrecision.{precision}"));

    [Theory]
    [InlineData("StochasticRounding = true")]
    [InlineData("StochasticRounding = true, StatePrecision = Gen.StatePrecision.Float32")]
    [InlineData("StochasticRounding = true, StatePrecision = Gen.StatePrecision.Int8Blockwise")]
    public void GEN114_StochasticRoundingWithoutNarrowState(string arguments) => Expect(
        $"[Gen.AdamW({arguments})] public partial class Model {{ {Members} }}",
        ("GEN114", "StochasticRounding = true"));

    [Theory]
    [InlineData("-0.004")]
    [InlineData("double.PositiveInfinity")]
    [InlineData("double.NaN")]
    public void GEN115_MomentumDecayOutOfRange(string value) => Expect(
        $"[Gen.NAdam(MomentumDecay = {value})] public partial class Model {{ {Members} }}",
        ("GEN115", $"MomentumDecay = {value}"));

    [Theory]
    [InlineData("Gen.Adam")]
    [InlineData("Gen.RmsProp")]
    [InlineData("Gen.Adagrad")]
    [InlineData("Gen.NAdam")]
    [InlineData("Gen.RAdam")]
    [InlineData("Gen.Lamb")]
    public void GEN204_Float16SecondMoment(string attribute) => Expect(
        $"[{attribute}(StatePrecision = Gen.StatePrecision.Float16)] public partial class Model {{ {Members} }}",
        ("GEN204", "StatePrecision = Gen.StatePrecision.Float16"));

    [Theory]
    [InlineData("EtaMinus = 0")]
    [InlineData("EtaMinus = 1")]
    [InlineData("EtaMinus = -0.5")]
    [InlineData("EtaMinus = double.NaN")]
    [InlineData("EtaPlus = 1")]
    [InlineData("EtaPlus = 0.9")]
    [InlineData("EtaPlus = double.PositiveInfinity")]
    public void GEN120_RpropStepSizeFactors(string argument) => Expect(
        $"[Gen.Rprop({argument})] public partial class Model {{ {Members} }}",
        ("GEN120", argument));

    [Theory]
    [InlineData("MinStepSize = 0")]
    [InlineData("MinStepSize = -1e-6")]
    [InlineData("MinStepSize = 1e-50")]
    [InlineData("MaxStepSize = 1e-7")]
    [InlineData("MaxStepSize = 1e39")]
    [InlineData("MaxStepSize = double.PositiveInfinity")]
    public void GEN121_RpropStepSizeBounds(string argument) => Expect(
        $"[Gen.Rprop({argument})] public partial class Model {{ {Members} }}",
        ("GEN121", argument));

    [Fact]
    public void GEN121_MinimumAboveMaximumIsReportedAtTheMaximum() => Expect(
        $"[Gen.Rprop(MinStepSize = 2, MaxStepSize = 1)] public partial class Model {{ {Members} }}",
        ("GEN121", "MaxStepSize = 1"));

    [Fact]
    public void RpropBoundsMayBeEqual() => Expect(
        $"[Gen.Rprop(MinStepSize = 0.5, MaxStepSize = 0.5, EtaMinus = 1e-3, EtaPlus = 1e3)] public partial class Model {{ {Members} }}");

    [Theory]
    [InlineData("Lambda = -1e-4")]
    [InlineData("Lambda = double.PositiveInfinity")]
    [InlineData("Lambda = 100")]
    [InlineData("Alpha = -0.75")]
    [InlineData("Alpha = double.NaN")]
    [InlineData("T0 = -1")]
    [InlineData("T0 = double.PositiveInfinity")]
    public void GEN122_AsgdHyperparameters(string argument) => Expect(
        $"[Gen.Asgd({argument})] public partial class Model {{ {Members} }}",
        ("GEN122", argument));

    [Fact]
    public void GEN122_MessageSaysWhyLambdaTimesTheRateMustStayBelowOne()
    {
        Diagnostic diagnostic = GeneratorHarness.AnalyzerDiagnostics($"[Gen.Asgd(Lambda = 10, LearningRate = 0.1)] public partial class Model {{ {Members} }}").Single();
        Assert.Equal("GEN122", diagnostic.Id);
        Assert.Contains("Lambda·LearningRate must be below 1", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void AsgdZeroesAreValid() => Expect(
        $"[Gen.Asgd(Lambda = 0, Alpha = 0, T0 = 0, LearningRate = 0)] public partial class Model {{ {Members} }}");

    [Theory]
    [InlineData("EtaMinus = 0.99999999")]
    [InlineData("EtaPlus = 1.00000001")]
    public void GEN210_RpropFactorThatIsOneAsAFloat(string argument) => Expect(
        $"[Gen.Rprop({argument})] public partial class Model {{ {Members} }}",
        ("GEN210", argument));

    [Theory]
    [InlineData("Gen.Rprop(StatePrecision = Gen.StatePrecision.Float16)")]
    [InlineData("Gen.Asgd(StatePrecision = Gen.StatePrecision.Float16)")]
    [InlineData("Gen.Sgd(LearningRate = 0.1, Momentum = 0.9, StatePrecision = Gen.StatePrecision.Float16)")]
    [InlineData("Gen.Lion(StatePrecision = Gen.StatePrecision.Float16)")]
    [InlineData("Gen.Adam(StatePrecision = Gen.StatePrecision.BFloat16)")]
    [InlineData("Gen.Adamax(StatePrecision = Gen.StatePrecision.Float16)")]
    public void MomentaInFloat16AndBFloat16StateDrawNoWarning(string attribute) => Expect(
        $"[{attribute}] public partial class Model {{ {Members} }}");

    [Fact]
    public void StatePrecisionMustBeDefined() => Expect(
        $"[Gen.Sgd(LearningRate = 0.1, StatePrecision = (Gen.StatePrecision)7)] public partial class Model {{ {Members} }}",
        ("GEN107", "StatePrecision = (Gen.StatePrecision)7"));

    [Fact]
    public void GEN201_OptionOnUntrainedMember() => Expect(
        $$"""
        [Gen.Adam(WeightDecay = 0.01)]
        public partial class Model
        {
            {{Members}}
            [Gen.Frozen, Gen.NoWeightDecay] public float[] Frozen = new float[2];
            [Gen.LearningRateScale(0.5)] public int[] Indices = new int[2];
            [Gen.NoWeightDecay] public float Scalar;
        }
        """,
        ("GEN201", "Frozen"),
        ("GEN201", "Indices"),
        ("GEN201", "Scalar"),
        ("GEN003", "Scalar"));

    [Theory]
    [InlineData("Adam", "Beta1 = 1", "GEN102")]
    [InlineData("AdamW", "Beta2 = -0.1", "GEN102")]
    [InlineData("Lion", "Beta1 = 1.5", "GEN102")]
    [InlineData("Adadelta", "Rho = 1", "GEN102")]
    [InlineData("Adam", "Epsilon = 0", "GEN103")]
    [InlineData("Adagrad", "Epsilon = -1e-10", "GEN103")]
    [InlineData("Adadelta", "Epsilon = 0", "GEN103")]
    [InlineData("Sgd", "LearningRate = 0.1, Momentum = 1", "GEN104")]
    [InlineData("Lion", "WeightDecay = -1", "GEN105")]
    [InlineData("Adagrad", "WeightDecay = double.NaN", "GEN105")]
    [InlineData("Adagrad", "InitialAccumulatorValue = -1", "GEN106")]
    [InlineData("Adam", "LearningRate = -1e-3", "GEN101")]
    [InlineData("Sgd", "LearningRate = double.NaN", "GEN101")]
    [InlineData("NAdam", "LearningRate = -1", "GEN101")]
    [InlineData("NAdam", "Beta1 = 1", "GEN102")]
    [InlineData("NAdam", "Beta2 = 1.5", "GEN102")]
    [InlineData("NAdam", "Epsilon = 0", "GEN103")]
    [InlineData("NAdam", "DecoupledWeightDecay = true, WeightDecay = -0.1", "GEN105")]
    [InlineData("RAdam", "LearningRate = double.PositiveInfinity", "GEN101")]
    [InlineData("RAdam", "Beta1 = -0.1", "GEN102")]
    [InlineData("RAdam", "Beta2 = 1", "GEN102")]
    [InlineData("RAdam", "Epsilon = double.NaN", "GEN103")]
    [InlineData("RAdam", "WeightDecay = -1", "GEN105")]
    [InlineData("Adamax", "LearningRate = double.NaN", "GEN101")]
    [InlineData("Adamax", "Beta1 = 1", "GEN102")]
    [InlineData("Adamax", "Beta2 = -1", "GEN102")]
    [InlineData("Adamax", "Epsilon = -1e-8", "GEN103")]
    [InlineData("Adamax", "Maximize = true, WeightDecay = double.PositiveInfinity", "GEN105")]
    [InlineData("Rprop", "LearningRate = -0.01", "GEN101")]
    [InlineData("Asgd", "LearningRate = double.PositiveInfinity", "GEN101")]
    [InlineData("Asgd", "WeightDecay = -1e-4", "GEN105")]
    [InlineData("Rprop", "StochasticRounding = true", "GEN114")]
    [InlineData("ScheduleFreeAdamW", "LearningRate = -1", "GEN101")]
    [InlineData("ScheduleFreeAdamW", "Beta2 = 1", "GEN102")]
    [InlineData("ScheduleFreeAdamW", "InnerMomentum = -0.5", "GEN102")]
    [InlineData("ScheduleFreeAdamW", "Epsilon = 0", "GEN103")]
    [InlineData("ScheduleFreeSgd", "WeightDecay = -1", "GEN105")]
    [InlineData("AdEMAMix", "Beta3 = 1", "GEN102")]
    [InlineData("AdEMAMix", "Beta1 = -0.1", "GEN102")]
    [InlineData("AdEMAMix", "Epsilon = double.NaN", "GEN103")]
    [InlineData("AdEMAMix", "WeightDecay = -0.1", "GEN105")]
    [InlineData("Adopt", "Beta2 = 1", "GEN102")]
    [InlineData("Adopt", "Epsilon = 0", "GEN103")]
    [InlineData("Adopt", "LearningRate = double.PositiveInfinity", "GEN101")]
    public void FamilyHyperparametersAreCheckedWithTheSharedRules(string optimizer, string arguments, string id)
    {
        string failing = arguments.Split(", ")[^1];
        Expect($"[Gen.{optimizer}({arguments})] public partial class Model {{ {Members} }}", (id, failing));
    }

    [Theory]
    [InlineData("ScheduleFreeAdamW", "WarmupSteps = -1")]
    [InlineData("ScheduleFreeSgd", "WarmupSteps = -10")]
    [InlineData("AdEMAMix", "AlphaWarmup = -1")]
    [InlineData("AdEMAMix", "Beta3Warmup = -5")]
    public void GEN140_Warmup(string optimizer, string argument) => Expect(
        $"[Gen.{optimizer}({argument})] public partial class Model {{ {Members} }}",
        ("GEN140", argument));

    [Theory]
    [InlineData("ScheduleFreeAdamW", "Beta1 = 0")]
    [InlineData("ScheduleFreeAdamW", "Beta1 = 1")]
    [InlineData("ScheduleFreeSgd", "Momentum = 0")]
    [InlineData("ScheduleFreeSgd", "Momentum = double.NaN")]
    public void GEN141_Interpolation(string optimizer, string argument) => Expect(
        $"[Gen.{optimizer}({argument})] public partial class Model {{ {Members} }}",
        ("GEN141", argument));

    [Theory]
    [InlineData("ScheduleFreeAdamW", "R = -1")]
    [InlineData("ScheduleFreeSgd", "WeightLrPower = double.PositiveInfinity")]
    [InlineData("ScheduleFreeSgd", "R = double.NaN")]
    public void GEN142_AveragingPower(string optimizer, string argument) => Expect(
        $"[Gen.{optimizer}({argument})] public partial class Model {{ {Members} }}",
        ("GEN142", argument));

    [Theory]
    [InlineData("Alpha = -1")]
    [InlineData("Alpha = double.PositiveInfinity")]
    public void GEN143_MixingCoefficient(string argument) => Expect(
        $"[Gen.AdEMAMix({argument})] public partial class Model {{ {Members} }}",
        ("GEN143", argument));

    [Theory]
    [InlineData("ClipExponent = -0.25")]
    [InlineData("ClipExponent = double.NaN")]
    public void GEN144_ClipExponent(string argument) => Expect(
        $"[Gen.Adopt({argument})] public partial class Model {{ {Members} }}",
        ("GEN144", argument));

    [Theory]
    [InlineData("ScheduleFreeAdamW", "BFloat16")]
    [InlineData("ScheduleFreeAdamW", "Float16")]
    [InlineData("ScheduleFreeSgd", "Int8Blockwise")]
    public void GEN145_ReducedStateForParameterIterates(string optimizer, string precision) => Expect(
        $"[Gen.{optimizer}(StatePrecision = Gen.StatePrecision.{precision})] public partial class Model {{ {Members} }}",
        ("GEN145", $"StatePrecision = Gen.StatePrecision.{precision}"));

    [Theory]
    [InlineData("Gen.AdEMAMix(StatePrecision = Gen.StatePrecision.BFloat16, StochasticRounding = true)")]
    [InlineData("Gen.Adopt(StatePrecision = Gen.StatePrecision.Int8Blockwise)")]
    [InlineData("Gen.ScheduleFreeAdamW(WarmupSteps = 100, R = 1, WeightLrPower = 0, DecayAtZ = true, InnerMomentum = 0.9)")]
    [InlineData("Gen.ScheduleFreeSgd(Momentum = 0.95, WarmupSteps = 5)")]
    [InlineData("Gen.AdEMAMix(Beta1 = 0, Alpha = 0, AlphaWarmup = 10, Beta3Warmup = 10)")]
    [InlineData("Gen.Adopt(Clipping = false, ClipExponent = 0, Decouple = true, Maximize = true)")]
    public void ValidBeyondTorchConfigurationsDrawNoDiagnostic(string attribute) => Expect(
        $"[{attribute}] public partial class Model {{ {Members} }}");

    [Fact]
    public void GEN130_DoubleMatrixForMuon() => Expect(
        "[Gen.Muon] public partial class Model { public double[,] W = new double[4, 4]; public double[] B = new double[4]; [Gen.ExcludeFromMuon] public double[,] E = new double[8, 4]; }",
        ("GEN130", "Gen.Muon"));

    [Theory]
    [InlineData("NewtonSchulzSteps = 100")]
    [InlineData("NewtonSchulzSteps = -1")]
    public void GEN131_IterationCountOutOfRange(string argument) => Expect(
        $"[Gen.Muon({argument})] public partial class Model {{ {Members} }}",
        ("GEN131", argument));

    [Theory]
    [InlineData("NewtonSchulzA = double.NaN")]
    [InlineData("NewtonSchulzB = double.NegativeInfinity")]
    [InlineData("NewtonSchulzC = double.PositiveInfinity")]
    public void GEN132_NonFiniteHyperparameter(string argument) => Expect(
        $"[Gen.Muon({argument})] public partial class Model {{ {Members} }}",
        ("GEN132", argument));

    [Fact]
    public void GEN211_ExcludeFromMuonWithoutEffect()
    {
        Expect(
            "[Gen.Muon] public partial class Model { [Gen.ExcludeFromMuon] public float[] B = new float[4]; [Gen.ExcludeFromMuon] public float[,,] K = new float[2, 2, 2]; [Gen.ExcludeFromMuon] public float[,] Head = new float[4, 2]; }",
            ("GEN211", "B"),
            ("GEN211", "K"));
        Expect(
            "[Gen.AdamW] public partial class Model { [Gen.ExcludeFromMuon] public float[,] W = new float[4, 2]; }",
            ("GEN211", "W"));
        Expect(
            "[Gen.Muon] public partial class Model { public float[] W = new float[4]; [Gen.Frozen, Gen.ExcludeFromMuon] public float[,] F = new float[2, 2]; }",
            ("GEN201", "F"));
    }

    [Theory]
    [InlineData("LearningRate = -1", "GEN101")]
    [InlineData("AdamWLearningRateScale = double.PositiveInfinity", "GEN101")]
    [InlineData("AdamWBeta1 = 1", "GEN102")]
    [InlineData("AdamWBeta2 = -0.5", "GEN102")]
    [InlineData("Epsilon = 0", "GEN103")]
    [InlineData("AdamWEpsilon = -1e-8", "GEN103")]
    [InlineData("Momentum = 1", "GEN104")]
    [InlineData("Momentum = -0.1", "GEN104")]
    [InlineData("WeightDecay = -0.1", "GEN105")]
    [InlineData("AdamWWeightDecay = double.NaN", "GEN105")]
    [InlineData("LearningRateAdjustment = (Gen.MuonLearningRateAdjustment)7", "GEN107")]
    public void MuonHyperparametersAreCheckedWithTheSharedRules(string argument, string id) =>
        Expect($"[Gen.Muon({argument})] public partial class Model {{ {Members} }}", (id, argument));

    [Theory]
    [InlineData("LearningRate = -1", "GEN101")]
    [InlineData("LearningRate = double.NaN", "GEN101")]
    [InlineData("Beta1 = 1", "GEN102")]
    [InlineData("Beta2 = -0.5", "GEN102")]
    [InlineData("Epsilon = 0", "GEN103")]
    [InlineData("Epsilon = double.PositiveInfinity", "GEN103")]
    [InlineData("WeightDecay = -0.1", "GEN105")]
    [InlineData("StatePrecision = (Gen.StatePrecision)9", "GEN107")]
    [InlineData("StochasticRounding = true", "GEN114")]
    public void LambHyperparametersAreCheckedWithTheSharedRules(string argument, string id) =>
        Expect($"[Gen.Lamb({argument})] public partial class Model {{ {Members} }}", (id, argument));

    [Theory]
    [InlineData("TrustCoefficient = 0")]
    [InlineData("TrustCoefficient = double.NaN")]
    [InlineData("TrustCoefficient = double.PositiveInfinity")]
    public void GEN150_TrustCoefficientOutOfRange(string argument) => Expect(
        $"[Gen.Lars({argument})] public partial class Model {{ {Members} }}",
        ("GEN150", argument));

    [Theory]
    [InlineData("Epsilon = -1e-8")]
    [InlineData("Epsilon = double.PositiveInfinity")]
    public void GEN151_TrustRatioEpsilonOutOfRange(string argument) => Expect(
        $"[Gen.Lars({argument})] public partial class Model {{ {Members} }}",
        ("GEN151", argument));

    [Theory]
    [InlineData("LearningRate = -0.01", "GEN101")]
    [InlineData("WeightDecay = double.NaN", "GEN105")]
    [InlineData("Momentum = 1", "GEN104")]
    [InlineData("Momentum = -0.5", "GEN104")]
    [InlineData("StatePrecision = (Gen.StatePrecision)9", "GEN107")]
    public void LarsHyperparametersAreCheckedWithTheSharedRules(string argument, string id) =>
        Expect($"[Gen.Lars({argument})] public partial class Model {{ {Members} }}", (id, argument));

    [Theory]
    [InlineData("Beta2Decay = 0.8")]
    [InlineData("Beta2Decay = double.NaN")]
    [InlineData("Beta2Decay = double.NegativeInfinity")]
    public void GEN152_DecayExponentOutOfRange(string argument) => Expect(
        $"[Gen.Adafactor({argument})] public partial class Model {{ {Members} }}",
        ("GEN152", argument));

    [Theory]
    [InlineData("Epsilon1 = -1e-30")]
    [InlineData("Epsilon1 = double.PositiveInfinity")]
    [InlineData("Epsilon2 = -1e-3")]
    [InlineData("Epsilon2 = double.NaN")]
    public void GEN153_FloorOutOfRange(string argument) => Expect(
        $"[Gen.Adafactor({argument})] public partial class Model {{ {Members} }}",
        ("GEN153", argument));

    [Theory]
    [InlineData("ClipThreshold = 0.5")]
    [InlineData("ClipThreshold = double.NaN")]
    [InlineData("ClipThreshold = double.PositiveInfinity")]
    public void GEN154_ClipThresholdOutOfRange(string argument) => Expect(
        $"[Gen.Adafactor({argument})] public partial class Model {{ {Members} }}",
        ("GEN154", argument));

    [Theory]
    [InlineData("StatePrecision = Gen.StatePrecision.BFloat16")]
    [InlineData("StatePrecision = Gen.StatePrecision.Float16")]
    [InlineData("StatePrecision = Gen.StatePrecision.Int8Blockwise")]
    public void GEN155_ReducedStateForFactoredMoments(string argument) => Expect(
        $"[Gen.Adafactor({argument})] public partial class Model {{ {Members} }}",
        ("GEN155", argument));

    [Theory]
    [InlineData("LearningRate = -0.01", "GEN101")]
    [InlineData("WeightDecay = double.NaN", "GEN105")]
    [InlineData("StochasticRounding = true", "GEN114")]
    [InlineData("StatePrecision = (Gen.StatePrecision)9", "GEN107")]
    public void AdafactorHyperparametersAreCheckedWithTheSharedRules(string argument, string id) =>
        Expect($"[Gen.Adafactor({argument})] public partial class Model {{ {Members} }}", (id, argument));

    /// <summary>Epsilon1's NaN is PyTorch's None (the machine epsilon), and 0 and the limits of the other ranges are valid.</summary>
    [Theory]
    [InlineData("Epsilon1 = double.NaN")]
    [InlineData("Epsilon1 = 0, Epsilon2 = 0, Beta2Decay = 0, ClipThreshold = 1, LearningRate = 0")]
    public void AdafactorAcceptsItsRangesLimits(string argument) =>
        Expect($"[Gen.Adafactor({argument})] public partial class Model {{ {Members} }}");

    [Fact]
    public void NamesAreUniqueAcrossOptimizerKinds() => Expect(
        $"[Gen.Adam(Name = \"Opt\")] [Gen.Lion(Name = \"Opt\")] public partial class Model {{ {Members} }}",
        ("GEN004", "Name = \"Opt\""));

    [Fact]
    public void HyperparameterMessagesSayWhatToChange()
    {
        Diagnostic diagnostic = GeneratorHarness.AnalyzerDiagnostics($"[Gen.RmsProp(Rho = 1.5)] public partial class Model {{ {Members} }}").Single();
        Assert.Equal("Rho is 1.5: it is the weight of the running average's old value and must be in [0, 1)", diagnostic.GetMessage());
    }

    [Fact]
    public void InvalidOptimizerIsNotGeneratedButTheRestIs()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Compilation(
            $"[Gen.RmsProp(Name = \"Good\")] [Gen.RmsProp(Name = \"Bad\", Rho = 2)] public partial class Model {{ {Members} }}"));
        Assert.Equal(new[] { "Model.Good.g.cs", "Model.Gradients.g.cs" }, result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, System.StringComparer.Ordinal));
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Fact]
    public void InvalidClassGeneratesNothing()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compilation($"[Gen.RmsProp] public class Model {{ {Members} }}"));
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void EveryDiagnosticIsErrorOrWarningWithHelpLinkAndDocsPage()
    {
        string docs = Path.Combine(RepositoryRoot(), "docs", "diagnostics");
        Assert.Equal(
            DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(id => id, System.StringComparer.Ordinal),
            DiagnosticDescriptors.All.Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal));
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            Assert.Matches("^GEN[0-2][0-9][0-9]$", descriptor.Id);
            Assert.Equal("docs/diagnostics/" + descriptor.Id + ".md", descriptor.HelpLinkUri);
            string page = Path.Combine(docs, descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page at {page}.");
            Assert.StartsWith("# " + descriptor.Id + ": " + descriptor.Title, File.ReadAllText(page), System.StringComparison.Ordinal);
        }

        Assert.Equal(
            DiagnosticDescriptors.All.Select(d => d.Id + ".md").OrderBy(n => n, System.StringComparer.Ordinal),
            Directory.GetFiles(docs, "GEN*.md").Select(Path.GetFileName).OrderBy(n => n, System.StringComparer.Ordinal));
    }

    private static void ExpectArgument(string argument, string id) => Expect(
        $"[Gen.RmsProp({argument})] public partial class Model {{ {Members} }}",
        (id, argument));

    /// <summary>Asserts the exact Gen diagnostics (ID and the source text each points at), in source order.</summary>
    private static void Expect(string source, params (string Id, string Text)[] expected)
    {
        ImmutableArray<Diagnostic> diagnostics = GeneratorHarness.AnalyzerDiagnostics(source);
        var actual = diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => (d.Id, Text: d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)))
            .ToArray();
        Assert.Equal(expected, actual);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage()));
        }
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
