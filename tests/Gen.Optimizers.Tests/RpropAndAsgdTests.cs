using System;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>A model with every member option, for Rprop's and ASGD's per-member behaviour.</summary>
[Rprop(LearningRate = 0.05, EtaMinus = 0.4, EtaPlus = 1.3, MinStepSize = 1e-4, MaxStepSize = 0.5)]
[Asgd(LearningRate = 0.05, Lambda = 0.1, Alpha = 0.6, T0 = 2, WeightDecay = 0.01)]
public sealed partial class ResilientModel
{
    public float[] Plain = new float[37];

    [NoWeightDecay]
    public float[] Bias = new float[37];

    [LearningRateScale(0.1)]
    public float[] Slow = new float[37];

    public double[,] Wide = new double[3, 5];

    [Frozen]
    public float[] Embedding = new float[4];

    public static ResilientModel Create(Random random)
    {
        var model = new ResilientModel();
        model.Plain = TestData.ToSingle(TestData.Parameters(random, 37));
        model.Bias = TestData.ToSingle(TestData.Parameters(random, 37));
        model.Slow = TestData.ToSingle(TestData.Parameters(random, 37));
        double[] wide = TestData.Parameters(random, 15);
        Buffer.BlockCopy(wide, 0, model.Wide, 0, wide.Length * sizeof(double));
        model.Embedding = TestData.ToSingle(TestData.Parameters(random, 4));
        return model;
    }

    public static void Fill(Gradients gradients, Random random)
    {
        TestData.ToSingle(TestData.Gradients(random, 37)).CopyTo(gradients.Plain, 0);
        TestData.ToSingle(TestData.Gradients(random, 37)).CopyTo(gradients.Bias, 0);
        TestData.ToSingle(TestData.Gradients(random, 37)).CopyTo(gradients.Slow, 0);
        double[] wide = TestData.Gradients(random, 15);
        Buffer.BlockCopy(wide, 0, gradients.Wide, 0, wide.Length * sizeof(double));
    }

    /// <summary>The trainable members' values, flattened, as doubles: Plain, Bias, Slow, Wide.</summary>
    public double[][] Members() => new[]
    {
        Plain.Select(x => (double)x).ToArray(),
        Bias.Select(x => (double)x).ToArray(),
        Slow.Select(x => (double)x).ToArray(),
        Wide.Cast<double>().ToArray(),
    };
}

/// <summary>
/// Rprop's and ASGD's behaviour beyond the golden trajectories: Rprop's step sizes created by the first step from that
/// step's learning rate (after construction, a rate change and Reset; per member with [LearningRateScale]), its NaN, ∞
/// and signed-zero cases against what PyTorch 1.13 computed, ASGD's per-member scalar state, its float32 step counter,
/// and CopyAveragedTo (allocation-free: the class runs in the allocation collection).
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class RpropAndAsgdTests
{
    /// <summary>(LearningRateScale, coupled decay on, float) of Plain, Bias, Slow and Wide.</summary>
    private static readonly (double Scale, bool Decay, bool Single)[] Members = { (1, true, true), (1, false, true), (0.1, true, true), (1, true, false) };

    /// <summary>
    /// Every member against its reference over 12 steps with a rate change before the first step, rate and weight-decay
    /// changes along the way, and a Reset with yet another rate: Rprop's step sizes start at the member's rate of the first
    /// step after construction or Reset (times its scale) and ignore later rates and any weight decay; ASGD's eta is the
    /// member's scaled rate, reaching the update one step late, and [NoWeightDecay] turns off WeightDecay but not Lambda.
    /// </summary>
    [Theory]
    [InlineData("RpropOptimizer")]
    [InlineData("AsgdOptimizer")]
    public void MembersFollowTheReferenceThroughRateChangesAndReset(string name)
    {
        var random = new Random(Optimizers.StableSeed(name, 31));
        ResilientModel model = ResilientModel.Create(random);
        float[] embedding = (float[])model.Embedding.Clone();
        var gradients = new ResilientModel.Gradients(model);
        Optimizer<ResilientModel.Gradients> optimizer = Optimizers.Create<ResilientModel, ResilientModel.Gradients>(name, model);
        Attribute config = Optimizers.Configuration<ResilientModel>(name);
        double[][] expected = model.Members();
        IReference[] references = Members.Select(m => References.Create(config, 37, m.Single)).ToArray();
        references[3] = References.Create(config, 15, single: false);

        optimizer.LearningRate = 0.2;
        for (int step = 0; step < 12; step++)
        {
            if (step == 3)
            {
                optimizer.LearningRate = 0.01;
                optimizer.WeightDecay = 0.5;
            }

            if (step == 7)
            {
                optimizer.Reset();
                optimizer.LearningRate = 0.3;
                references = Members.Select((m, k) => References.Create(config, expected[k].Length, m.Single)).ToArray();
            }

            ResilientModel.Fill(gradients, random);
            double[][] g = { gradients.Plain.Select(x => (double)x).ToArray(), gradients.Bias.Select(x => (double)x).ToArray(), gradients.Slow.Select(x => (double)x).ToArray(), gradients.Wide.Cast<double>().ToArray() };
            long stepCount = optimizer.StepCount;
            optimizer.Step(gradients);
            for (int k = 0; k < Members.Length; k++)
            {
                double learningRate = Members[k].Scale == 1 ? optimizer.LearningRate : optimizer.LearningRate * Members[k].Scale;
                references[k].Step(expected[k], g[k], learningRate, Members[k].Decay ? optimizer.WeightDecay : 0, stepCount);
            }

            double[][] actual = model.Members();
            for (int k = 0; k < Members.Length; k++)
            {
                Assert.True(expected[k].SequenceEqual(actual[k]), $"{name}: member {k} differs after step {step + 1}.");
            }
        }

        Assert.Equal(embedding, model.Embedding);
        if (name == "RpropOptimizer")
        {
            // The step sizes after Reset started from 0.3 (0.03 for Slow), clamped to [1e-4, 0.5].
            Assert.Equal(((RpropReference)references[2]).StepSize.Select(x => (float)x), State(optimizer, 2, "step_size"));
            Assert.Equal(((RpropReference)references[3]).StepSize, DoubleState(optimizer, 3, "step_size"));
        }
        else
        {
            for (int k = 0; k < Members.Length; k++)
            {
                var reference = (AsgdReference)references[k];
                Assert.Equal(new[] { reference.Eta }, State(optimizer, k, "eta"));
                Assert.Equal(new[] { reference.Mu }, State(optimizer, k, "mu"));
            }
        }
    }

    /// <summary>
    /// The first step's step size is that step's rate: a schedule's (here 0.05·0.5⁰ at step 0, then ignored) or the
    /// property's, clamped to the bounds (0.5 → MaxStepSize).
    /// </summary>
    [Fact]
    public void RpropStepSizesStartAtTheFirstStepsRateClamped()
    {
        var model = ResilientModel.Create(new Random(32));
        var gradients = new ResilientModel.Gradients(model);
        ResilientModel.Fill(gradients, new Random(33));
        var optimizer = new ResilientModel.RpropOptimizer(model);
        Assert.All(State(optimizer, 0, "step_size"), s => Assert.Equal(0f, s));

        optimizer.Schedule = new ExponentialSchedule(0.5);
        optimizer.BaseLearningRate = 0.02;
        optimizer.Step(gradients);
        Assert.All(State(optimizer, 0, "step_size"), s => Assert.Equal(0.02f, s));
        Assert.All(State(optimizer, 2, "step_size"), s => Assert.Equal((float)(0.02 * 0.1), s));

        optimizer.Schedule = null;
        optimizer.Reset();
        optimizer.LearningRate = 0.8;
        optimizer.Step(gradients);
        Assert.All(State(optimizer, 0, "step_size"), s => Assert.Equal(0.5f, s));
        Assert.All(DoubleState(optimizer, 3, "step_size"), s => Assert.Equal(0.5, s));
        Assert.All(State(optimizer, 2, "step_size"), s => Assert.Equal(0.08f, s));
    }

    /// <summary>
    /// NaN, ±∞ and ±0 gradients (NonFinitePolicy.Ignore lets them through), against what PyTorch 1.13's Rprop computed in
    /// float32 for the same steps (lr = 0.1, the default factors): a NaN product has the sign 0, so the factor 1; sign(NaN)
    /// is 0, so a NaN gradient leaves the parameter and is kept as prev; ∞·0 is NaN; −0 is kept as −0.
    /// </summary>
    [Fact]
    public void RpropNonFiniteAndSignedZeroGradientsAreTorchs()
    {
        var model = new TinyRpropModel { P = new[] { 1f, 1f, 1f, 1f, 1f, 1f, -0f } };
        var gradients = new TinyRpropModel.Gradients(model);
        var optimizer = new TinyRpropModel.RpropOptimizer(model) { NonFinitePolicy = NonFinitePolicy.Ignore };
        const float NaN = float.NaN, Inf = float.PositiveInfinity;
        float[][] steps =
        {
            new[] { NaN, Inf, -Inf, 0f, -0f, 1f, -0f },
            new[] { 1f, 1f, 1f, 1f, 1f, -1f, 1f },
            new[] { 1f, -1f, 1f, NaN, 1f, 1f, 2f },
        };

        // PyTorch 1.13: torch.optim.Rprop([p], lr=0.1, foreach=False), p.grad set to each row, then step().
        double[][] parameters =
        {
            new[] { 1.0, 0.8999999761581421, 1.100000023841858, 1.0, 1.0, 0.8999999761581421, -0.0 },
            new[] { 0.8999999761581421, 0.7799999713897705, 1.100000023841858, 0.8999999761581421, 0.8999999761581421, 0.8999999761581421, -0.10000000149011612 },
            new[] { 0.7799999713897705, 0.7799999713897705, 1.0500000715255737, 0.8999999761581421, 0.7799999713897705, 0.8499999642372131, -0.2199999988079071 },
        };
        double[][] prev =
        {
            new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1.0, -0.0 },
            new[] { 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0 },
            new[] { 1.0, 0.0, 1.0, double.NaN, 1.0, 1.0, 2.0 },
        };
        double[][] stepSizes =
        {
            Enumerable.Repeat(0.10000000149011612, 7).ToArray(),
            new[] { 0.10000000149011612, 0.12000000476837158, 0.05000000074505806, 0.10000000149011612, 0.10000000149011612, 0.05000000074505806, 0.10000000149011612 },
            new[] { 0.12000000476837158, 0.06000000238418579, 0.05000000074505806, 0.10000000149011612, 0.12000000476837158, 0.05000000074505806, 0.12000000476837158 },
        };

        for (int step = 0; step < steps.Length; step++)
        {
            steps[step].CopyTo(gradients.P, 0);
            optimizer.Step(gradients);
            AssertSame(parameters[step], model.P, $"parameters after step {step + 1}");
            AssertSame(prev[step], State(optimizer, 0, "prev"), $"prev after step {step + 1}");
            AssertSame(stepSizes[step], State(optimizer, 0, "step_size"), $"step_size after step {step + 1}");
        }

        static void AssertSame(double[] expected, float[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                bool same = double.IsNaN(expected[i])
                    ? float.IsNaN(actual[i])
                    : BitConverter.SingleToInt32Bits((float)expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
                Assert.True(same, $"{what}, element {i}: {actual[i]:R}, PyTorch {expected[i]:R}.");
            }
        }
    }

    /// <summary>
    /// ASGD's eta and mu are float32 scalars per member (shape []), 0 before the first step, and computed from PyTorch's
    /// float32 step counter, which stops at 2^24: a step beyond it still uses 2^24.
    /// </summary>
    [Fact]
    public void AsgdScalarStateIsFloat32AndItsStepCountStopsAt2To24()
    {
        var model = ResilientModel.Create(new Random(34));
        var gradients = new ResilientModel.Gradients(model);
        ResilientModel.Fill(gradients, new Random(35));
        var optimizer = new ResilientModel.AsgdOptimizer(model);
        OptimizerState eta = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Single(s => s.ParameterIndex == 3 && s.Key == "eta");
        Assert.Equal(TensorElement.Single, eta.Buffer.Element);
        Assert.Equal(Array.Empty<int>(), eta.Shape);
        Assert.Equal(0f, eta.Buffer.AsSingleSpan()[0]);
        Assert.Equal((3 * 37 * 4) + (15 * 8) + (4 * 2 * 4), optimizer.StateBytes);

        optimizer.Step(gradients);
        Assert.Equal((float)(0.05 / Math.Pow(1 + (0.1 * 0.05 * 1), 0.6)), eta.Buffer.AsSingleSpan()[0]);

        const long Beyond = (1L << 24) + 10;
        optimizer.StepCount = Beyond;
        optimizer.Step(gradients);
        double counted = 1 << 24;
        Assert.Equal((float)(0.05 / Math.Pow(1 + (0.1 * 0.05 * counted), 0.6)), eta.Buffer.AsSingleSpan()[0]);
        Assert.Equal((float)(1 / (counted - 2)), State(optimizer, 0, "mu")[0]);
        Assert.NotEqual((float)(1 / (Beyond + 1 - 2.0)), State(optimizer, 0, "mu")[0]);
    }

    /// <summary>
    /// CopyAveragedTo writes ax into another instance (the frozen member untouched), fails before the first step and
    /// after Reset, rejects a null model and a member of another shape without writing any member, and allocates nothing.
    /// </summary>
    [Fact]
    public void CopyAveragedToCopiesTheAverageOrNothing()
    {
        var random = new Random(36);
        ResilientModel model = ResilientModel.Create(random);
        var gradients = new ResilientModel.Gradients(model);
        var optimizer = new ResilientModel.AsgdOptimizer(model);
        ResilientModel target = ResilientModel.Create(random);
        float[] embedding = (float[])target.Embedding.Clone();

        Assert.Contains("'ax'", Assert.Throws<InvalidOperationException>(() => optimizer.CopyAveragedTo(target)).Message, StringComparison.Ordinal);
        for (int step = 0; step < 6; step++)
        {
            ResilientModel.Fill(gradients, random);
            optimizer.Step(gradients);
        }

        // T0 = 2: averaging from step 5, so the average is no longer the parameters.
        Assert.NotEqual(model.Plain, State(optimizer, 0, "ax"));
        optimizer.CopyAveragedTo(target);
        Assert.Equal(State(optimizer, 0, "ax"), target.Plain);
        Assert.Equal(State(optimizer, 1, "ax"), target.Bias);
        Assert.Equal(State(optimizer, 2, "ax"), target.Slow);
        Assert.Equal(DoubleState(optimizer, 3, "ax"), target.Wide.Cast<double>());
        Assert.Equal(embedding, target.Embedding);

        Assert.Throws<ArgumentNullException>(() => optimizer.CopyAveragedTo(null!));
        ResilientModel other = ResilientModel.Create(random);
        other.Wide = new double[5, 3];
        double[][] before = other.Members();
        ArgumentException error = Assert.Throws<ArgumentException>(() => optimizer.CopyAveragedTo(other));
        Assert.Contains("'Wide'", error.Message, StringComparison.Ordinal);
        Assert.Equal("model", error.ParamName);
        Assert.Equal(before, other.Members());
        other.Wide = new double[3, 5];
        other.Slow = null!;
        Assert.Throws<ArgumentException>(() => optimizer.CopyAveragedTo(other));

        Allocations.AssertNone("CopyAveragedTo", () => optimizer.CopyAveragedTo(target));

        // The optimizer's own model: training continues from the average.
        optimizer.CopyAveragedTo(model);
        Assert.Equal(State(optimizer, 0, "ax"), model.Plain);

        optimizer.Reset();
        Assert.Throws<InvalidOperationException>(() => optimizer.CopyAveragedTo(target));
    }

    /// <summary>A step allocates nothing: Rprop's first-step switch and ASGD's scalar state are chosen and computed in place.</summary>
    [Fact]
    public void StepsAllocateNothing()
    {
        var model = ResilientModel.Create(new Random(37));
        var gradients = new ResilientModel.Gradients(model);
        ResilientModel.Fill(gradients, new Random(38));
        foreach (Optimizer<ResilientModel.Gradients> optimizer in new Optimizer<ResilientModel.Gradients>[] { new ResilientModel.RpropOptimizer(model), new ResilientModel.AsgdOptimizer(model) })
        {
            int calls = Allocations.AssertNone(optimizer.GetType().Name, () => optimizer.Step(gradients));
            Assert.Equal(calls, optimizer.StepCount);
        }
    }

    private static float[] State<TGradients>(Optimizer<TGradients> optimizer, int member, string key)
        where TGradients : GradientsBase =>
        Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Single(s => s.ParameterIndex == member && s.Key == key).Buffer.AsSingleSpan().ToArray();

    private static double[] DoubleState<TGradients>(Optimizer<TGradients> optimizer, int member, string key)
        where TGradients : GradientsBase =>
        Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Single(s => s.ParameterIndex == member && s.Key == key).Buffer.AsDoubleSpan().ToArray();
}

/// <summary>Rprop with PyTorch's defaults but lr = 0.1, for the non-finite cases.</summary>
[Rprop(LearningRate = 0.1)]
public sealed partial class TinyRpropModel
{
    public float[] P = new float[7];
}
