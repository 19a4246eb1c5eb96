using System;
using System.Linq;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// GradientCheck.Run on a hand-written two-layer perceptron: a correct backward pass passes, a wrong
/// one is reported on the member it gets wrong, every parameter is restored bit for bit, and bad
/// arguments are refused before anything is touched.
/// </summary>
public sealed class GradientCheckTests
{
    private readonly ITestOutputHelper _output;

    public GradientCheckTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void CorrectDoubleGradientPasses()
    {
        (Mlp model, Mlp.Gradients gradients, Network<double> network) = DoubleSetup(1, BackwardBug.None);

        GradientCheckReport report = GradientCheck.Run(model, gradients, () => Loss(model, network));

        _output.WriteLine(report.ToString());
        Assert.True(report.Passed(1e-6), report.ToString());
        Assert.Equal(new[] { "W1", "B1", "W2", "B2" }, report.Members.Select(m => m.Name));
        Assert.All(report.Members, m => Assert.Equal(GradientCheckOptions.DefaultDoubleStepSize, m.StepSize));
        Assert.True(report.Worst!.RelativeError < 1e-6);
    }

    [Fact]
    public void CorrectFloatGradientPasses()
    {
        (MlpSingle model, MlpSingle.Gradients gradients, Network<float> network) = SingleSetup(2, BackwardBug.None);

        GradientCheckReport report = GradientCheck.Run(model, gradients, () => network.Loss(model.W1, model.B1, model.W2, model.B2));

        _output.WriteLine(report.ToString());
        Assert.True(report.Passed(1e-2, absoluteTolerance: 1e-3), report.ToString());
        Assert.All(report.Members, m => Assert.Equal(GradientCheckOptions.DefaultSingleStepSize, m.StepSize));
    }

    [Theory]
    [InlineData(BackwardBug.HiddenBiasSkipsTanhDerivative, "B1")]
    [InlineData(BackwardBug.OutputWeightsUsePreActivation, "W2")]
    public void WrongDoubleGradientIsReportedOnItsMember(BackwardBug bug, string wrong)
    {
        (Mlp model, Mlp.Gradients gradients, Network<double> network) = DoubleSetup(3, bug);

        GradientCheckReport report = GradientCheck.Run(model, gradients, () => Loss(model, network));

        _output.WriteLine(report.ToString());
        Assert.False(report.Passed(1e-6));
        Assert.Equal(wrong, report.Worst!.Member);
        Assert.True(report.Worst.RelativeError > 1e-2, report.ToString());
        foreach (GradientCheckMember member in report.Members)
        {
            Assert.Equal(member.Name != wrong, member.Passed(1e-6));
        }
    }

    [Theory]
    [InlineData(BackwardBug.HiddenBiasSkipsTanhDerivative, "B1")]
    [InlineData(BackwardBug.OutputWeightsUsePreActivation, "W2")]
    public void WrongFloatGradientIsReportedOnItsMember(BackwardBug bug, string wrong)
    {
        (MlpSingle model, MlpSingle.Gradients gradients, Network<float> network) = SingleSetup(4, bug);

        GradientCheckReport report = GradientCheck.Run(model, gradients, () => network.Loss(model.W1, model.B1, model.W2, model.B2));

        _output.WriteLine(report.ToString());
        Assert.Equal(wrong, report.Worst!.Member);
        foreach (GradientCheckMember member in report.Members)
        {
            Assert.Equal(member.Name != wrong, member.Passed(1e-2, absoluteTolerance: 1e-3));
        }
    }

    [Fact]
    public void ReportHoldsEverySampleWithItsErrors()
    {
        (Mlp model, Mlp.Gradients gradients, Network<double> network) = DoubleSetup(5, BackwardBug.None);
        gradients.W2[4, 1] += 0.5;

        GradientCheckReport report = GradientCheck.Run(model, gradients, () => Loss(model, network), new GradientCheckOptions { SamplesPerMember = 100 });

        GradientCheckMember w2 = report.Members[2];
        Assert.Equal((12, 12), (w2.Length, w2.Samples.Count));
        Assert.Equal(Enumerable.Range(0, 12), w2.Samples.Select(s => s.Index));
        GradientCheckSample worst = w2.Worst!;
        Assert.Same(worst, report.Worst);
        Assert.Equal(("W2", 9), (worst.Member, worst.Index));
        Assert.Equal(gradients.W2[4, 1], worst.Analytic);
        Assert.Equal(gradients.W2[4, 1] - 0.5, worst.Numeric, 1e-8);
        Assert.Equal(Math.Abs(worst.Analytic - worst.Numeric), worst.AbsoluteError);
        Assert.Equal(worst.AbsoluteError / Math.Max(Math.Abs(worst.Analytic), Math.Abs(worst.Numeric)), worst.RelativeError);
        Assert.Contains("W2[9]", report.ToString(), StringComparison.Ordinal);

        // An absolute tolerance above the error lets the sample pass; a relative one below does not.
        Assert.False(report.Passed(1e-3));
        Assert.True(report.Passed(1e-3, absoluteTolerance: 0.6));
        Assert.Throws<ArgumentOutOfRangeException>(() => report.Passed(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => report.Passed(1e-3, -1));
    }

    [Fact]
    public void SamplesAreDeterministicDistinctSortedAndCoverSmallMembers()
    {
        var model = new DoubleVector { P = new double[1000] };
        var gradients = new DoubleVector.Gradients(model);
        double Loss() => model.P.Select((p, i) => p * i).Sum();
        for (int i = 0; i < 1000; i++)
        {
            gradients.P[i] = i;
        }

        int[] Indices(int seed, int count) =>
            GradientCheck.Run(model, gradients, Loss, new GradientCheckOptions { Seed = seed, SamplesPerMember = count })
                .Members[0].Samples.Select(s => s.Index).ToArray();

        int[] first = Indices(7, 25);
        Assert.Equal(25, first.Length);
        Assert.Equal(first.Distinct().Order(), first);
        Assert.All(first, i => Assert.InRange(i, 0, 999));
        Assert.Equal(first, Indices(7, 25));
        Assert.NotEqual(first, Indices(8, 25));
        Assert.Equal(Enumerable.Range(0, 1000), Indices(0, 1000));
        Assert.Equal(16, Indices(0, new GradientCheckOptions().SamplesPerMember).Length);

        // A linear loss has an exact central difference.
        Assert.True(GradientCheck.Run(model, gradients, Loss).Passed(1e-9));
    }

    [Fact]
    public void EveryParameterIsRestoredBitForBitEvenWhenTheLossThrows()
    {
        (MlpSingle model, MlpSingle.Gradients gradients, Network<float> network) = SingleSetup(6, BackwardBug.None);
        model.B1[0] = -0f;
        model.B1[1] = float.Epsilon;
        model.B1[2] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_1234)); // NaN with a payload
        model.B1[3] = 3e38f;
        long[][] before = TestData.Bits((ITrainable)model);

        GradientCheckReport report = GradientCheck.Run(model, gradients, () => network.Loss(model.W1, model.B1, model.W2, model.B2));
        TestData.AssertSameBits(before, TestData.Bits((ITrainable)model), "parameters after the check");
        Assert.False(report.Members[1].Passed(1e-2, absoluteTolerance: 1e-3));
        Assert.Equal(double.PositiveInfinity, report.Members[1].Samples[2].RelativeError);

        int calls = 0;
        Assert.Throws<DivideByZeroException>(() => GradientCheck.Run(model, gradients, () => ++calls == 7 ? throw new DivideByZeroException() : 1.0));
        TestData.AssertSameBits(before, TestData.Bits((ITrainable)model), "parameters after a throwing loss");
    }

    [Fact]
    public void AnalyticValuesAreReadBeforeTheFirstLossEvaluation()
    {
        (Mlp model, Mlp.Gradients gradients, Network<double> network) = DoubleSetup(7, BackwardBug.None);

        GradientCheckReport report = GradientCheck.Run(model, gradients, () =>
        {
            gradients.Clear();
            return Loss(model, network);
        });

        Assert.True(report.Passed(1e-6), report.ToString());
    }

    [Fact]
    public void ALossThatReplacesAModelArrayIsRefused()
    {
        var model = new DoubleVector { P = new double[4] };
        var gradients = new DoubleVector.Gradients(model);
        var error = Assert.Throws<InvalidOperationException>(() => GradientCheck.Run(model, gradients, () =>
        {
            model.P = new double[4];
            return 0;
        }));
        Assert.Contains("'P'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedArgumentsAreRefusedBeforeAnyLossEvaluation()
    {
        (Mlp model, Mlp.Gradients gradients, _) = DoubleSetup(8, BackwardBug.None);
        int calls = 0;
        double Loss()
        {
            calls++;
            return 0;
        }

        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => GradientCheck.Run(null!, gradients, Loss)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentNullException>(() => GradientCheck.Run(model, null!, Loss)).ParamName);
        Assert.Equal("loss", Assert.Throws<ArgumentNullException>(() => GradientCheck.Run(model, gradients, null!)).ParamName);

        Assert.Contains("4 trainable members", Assert.Throws<ArgumentException>(() => GradientCheck.Run(model, new DoubleVector.Gradients(new DoubleVector()), Loss)).Message, StringComparison.Ordinal);

        var single = new MlpSingle.Gradients(new MlpSingle());
        Assert.Contains("'W1'", Assert.Throws<ArgumentException>(() => GradientCheck.Run(model, single, Loss)).Message, StringComparison.Ordinal);

        gradients.W2 = new double[2, 6];
        var shape = Assert.Throws<ArgumentException>(() => GradientCheck.Run(model, gradients, Loss));
        Assert.Contains("'W2'", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 6]", shape.Message, StringComparison.Ordinal);

        gradients.W2 = null!;
        Assert.Contains("'W2'", Assert.Throws<ArgumentNullException>(() => GradientCheck.Run(model, gradients, Loss)).Message, StringComparison.Ordinal);

        gradients.W2 = model.W2;
        Assert.Contains("'W2'", Assert.Throws<ArgumentException>(() => GradientCheck.Run(model, gradients, Loss)).Message, StringComparison.Ordinal);

        gradients.W2 = new double[6, 2];
        Assert.Equal("SamplesPerMember", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Run(model, gradients, Loss, new GradientCheckOptions { SamplesPerMember = 0 })).ParamName);
        foreach (double step in new[] { 0, -1e-3, 1, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("StepSize", Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Run(model, gradients, Loss, new GradientCheckOptions { StepSize = step })).ParamName);
        }

        Assert.Equal(0, calls);
    }

    private static double Loss(Mlp model, Network<double> network) => network.Loss(model.W1, model.B1, model.W2, model.B2);

    private static (Mlp Model, Mlp.Gradients Gradients, Network<double> Network) DoubleSetup(int seed, BackwardBug bug)
    {
        var random = new Random(seed);
        var model = new Mlp();
        Network<double>.Fill(model.W1, random);
        Network<double>.Fill(model.B1, random);
        Network<double>.Fill(model.W2, random);
        Network<double>.Fill(model.B2, random);
        var network = new Network<double>(seed + 1, batch: 8);
        var gradients = new Mlp.Gradients(model);
        network.Backward(model.W1, model.B1, model.W2, model.B2, gradients.W1, gradients.B1, gradients.W2, gradients.B2, bug);
        return (model, gradients, network);
    }

    private static (MlpSingle Model, MlpSingle.Gradients Gradients, Network<float> Network) SingleSetup(int seed, BackwardBug bug)
    {
        var random = new Random(seed);
        var model = new MlpSingle();
        Network<float>.Fill(model.W1, random);
        Network<float>.Fill(model.B1, random);
        Network<float>.Fill(model.W2, random);
        Network<float>.Fill(model.B2, random);
        var network = new Network<float>(seed + 1, batch: 8);
        var gradients = new MlpSingle.Gradients(model);
        network.Backward(model.W1, model.B1, model.W2, model.B2, gradients.W1, gradients.B1, gradients.W2, gradients.B2, bug);
        return (model, gradients, network);
    }
}
