using System;
using System.Linq;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// The generated API as a user meets it: construction, argument errors that name the member and
/// change nothing, runtime hyperparameters, reset, defaults, multi-rank and frozen members.
/// </summary>
public sealed class OptimizerBehaviourTests
{
    [Fact]
    public void GradientsMirrorTheTrainableMembers()
    {
        var model = MixedModel.Create(1);
        var gradients = new MixedModel.Gradients(model);

        Assert.Equal(3, gradients.MemberCount);
        Assert.Equal(new[] { "W1", "B1", "Kernel" }, Enumerable.Range(0, 3).Select(i => gradients.GetMember(i).Name));
        Assert.Equal(new[] { 16, 32 }, new[] { gradients.W1.GetLength(0), gradients.W1.GetLength(1) });
        Assert.Equal(32, gradients.B1.Length);
        Assert.Equal(new[] { 2, 3, 5 }, new[] { gradients.Kernel.GetLength(0), gradients.Kernel.GetLength(1), gradients.Kernel.GetLength(2) });
        Assert.Equal((16 * 32) + 32 + 30, gradients.Length);
        Assert.All(gradients.W1.Cast<float>(), x => Assert.Equal(0f, x));

        MixedModel.Fill(gradients, new Random(2));
        gradients.Clear();
        Assert.All(gradients.W1.Cast<float>(), x => Assert.Equal(0f, x));
        Assert.All(gradients.Kernel.Cast<double>(), x => Assert.Equal(0d, x));
    }

    [Fact]
    public void StepUpdatesEveryTrainableMemberAsTheReferenceAndNeverTheFrozenOne()
    {
        var model = MixedModel.Create(3);
        float[] embedding = (float[])model.Embedding.Clone();
        var gradients = new MixedModel.Gradients(model);
        var optimizer = new MixedModel.Full(model);
        var config = (RmsPropAttribute)Optimizers.Configuration<MixedModel>("Full");
        var w1 = new Check(config, model.W1.Cast<float>().Select(x => (double)x).ToArray(), single: true);
        var b1 = new Check(config, model.B1.Select(x => (double)x).ToArray(), single: true);
        var kernel = new Check(config, model.Kernel.Cast<double>().ToArray(), single: false);
        var random = new Random(4);

        for (int step = 0; step < 20; step++)
        {
            MixedModel.Fill(gradients, random);
            optimizer.Step(gradients);
            w1.Step(gradients.W1.Cast<float>().Select(x => (double)x).ToArray(), optimizer);
            b1.Step(gradients.B1.Select(x => (double)x).ToArray(), optimizer);
            kernel.Step(gradients.Kernel.Cast<double>().ToArray(), optimizer);
        }

        Assert.Equal(w1.Parameters.Select(x => (float)x), model.W1.Cast<float>());
        Assert.Equal(b1.Parameters.Select(x => (float)x), model.B1);
        Assert.Equal(kernel.Parameters, model.Kernel.Cast<double>());
        Assert.Equal(embedding, model.Embedding);
        Assert.Equal(20, optimizer.StepCount);
    }

    [Fact]
    public void NullGradientThrowsNamingTheMemberAndChangesNothing()
    {
        AssertStepFailsAndChangesNothing<ArgumentNullException>(g => g.Kernel = null!, "Kernel");
    }

    [Fact]
    public void GradientOfAnotherShapeThrowsNamingTheMemberAndChangesNothing()
    {
        AssertStepFailsAndChangesNothing<ArgumentException>(g => g.Kernel = new double[2, 5, 3], "Kernel");
        AssertStepFailsAndChangesNothing<ArgumentException>(g => g.B1 = new float[31], "B1");
    }

    [Fact]
    public void ModelArrayReplacedByAnotherLengthThrowsNamingTheMemberAndChangesNothing()
    {
        var model = MixedModel.Create(5);
        var gradients = new MixedModel.Gradients(model);
        var optimizer = new MixedModel.Full(model);
        MixedModel.Fill(gradients, new Random(6));
        optimizer.Step(gradients);

        model.Kernel = new double[2, 3, 6];
        double[] before = model.Snapshot();
        var error = Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Assert.Contains("'Kernel'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Snapshot());
        Assert.Equal(1, optimizer.StepCount);

        model.Kernel = null!;
        error = Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Assert.Contains("'Kernel'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelArrayReplacedBySameLengthKeepsTraining()
    {
        var model = MixedModel.Create(7);
        var gradients = new MixedModel.Gradients(model);
        var optimizer = new MixedModel.RmsPropOptimizer(model);
        MixedModel.Fill(gradients, new Random(8));
        optimizer.Step(gradients);

        model.B1 = new float[32];
        optimizer.Step(gradients);
        Assert.All(model.B1, x => Assert.NotEqual(0f, x));
    }

    [Fact]
    public void ConstructorsRejectNullsNamingTheMember()
    {
        Assert.Throws<ArgumentNullException>(() => new MixedModel.Full(null!));
        Assert.Throws<ArgumentNullException>(() => new MixedModel.Gradients(null!));
        var model = new MixedModel { W1 = null! };
        Assert.Equal("W1", Assert.Throws<ArgumentException>(() => new MixedModel.Full(model)).ParamName);
        Assert.Equal("W1", Assert.Throws<ArgumentException>(() => new MixedModel.Gradients(model)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new MixedModel.Full(MixedModel.Create(1)).Step(null!));
    }

    [Fact]
    public void ModelListsItsTrainableMembersThroughITrainable()
    {
        var model = MixedModel.Create(1);
        ITrainable trainable = model;
        Assert.Equal(3, trainable.ParameterCount);
        Assert.Equal(new[] { "W1", "B1", "Kernel" }, Enumerable.Range(0, 3).Select(i => trainable.GetParameter(i).Name));
        Assert.Same(model.W1, trainable.GetParameter(0).Array);
        Assert.Same(model.Kernel, trainable.GetParameter(2).Array);
        Assert.Equal(TensorElement.Double, trainable.GetParameter(2).Element);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainable.GetParameter(3));
    }

    [Fact]
    public void OptimizerExposesItsStateAndConfiguration()
    {
        var model = MixedModel.Create(1);
        var optimizer = new MixedModel.Full(model);
        Assert.Same(model, optimizer.Model);
        Assert.Equal("RMSProp", optimizer.Kind);
        Assert.Equal(9, optimizer.StateCount);
        Assert.Equal(
            new[] { "W1.square_avg", "W1.grad_avg", "W1.momentum_buffer", "B1.square_avg", "B1.grad_avg", "B1.momentum_buffer", "Kernel.square_avg", "Kernel.grad_avg", "Kernel.momentum_buffer" },
            Enumerable.Range(0, 9).Select(i => optimizer.GetState(i)).Select(s => model is ITrainable t ? t.GetParameter(s.ParameterIndex).Name + "." + s.Key : ""));
        // Square averages start at InitialScale = 0.5, the other buffers at 0.
        Assert.All(optimizer.GetState(0).Buffer.AsSingleSpan().ToArray(), x => Assert.Equal(0.5f, x));
        Assert.All(optimizer.GetState(6).Buffer.AsDoubleSpan().ToArray(), x => Assert.Equal(0.5, x));
        Assert.All(optimizer.GetState(7).Buffer.AsDoubleSpan().ToArray(), x => Assert.Equal(0.0, x));
        Assert.Equal(30, optimizer.GetState(6).Buffer.Length);
        Assert.Equal(
            "Rho=0.99 Epsilon=1E-08 EpsilonPlacement=OutsideSqrt Momentum=0.9 Centered=true WeightDecayMode=L2 Maximize=false InitialScale=0.5 Precision=Exact",
            string.Join(" ", optimizer.Configuration.Select(c => c.Key + "=" + c.Value)));
        Assert.Equal(3, new MixedModel.RmsPropOptimizer(model).StateCount);
    }

    [Theory]
    [InlineData("AdamOptimizer")]
    [InlineData("AdamWOptimizer")]
    [InlineData("LionOptimizer")]
    [InlineData("NAdamOptimizer")]
    [InlineData("RAdamOptimizer")]
    [InlineData("AdamaxOptimizer")]
    [InlineData("ScheduleFreeAdamWOptimizer")]
    [InlineData("ScheduleFreeSgdOptimizer")]
    [InlineData("AdEMAMixOptimizer")]
    [InlineData("AdoptOptimizer")]
    public void MemberOverridesScaleTheLearningRateAndTurnOffWeightDecay(string name)
    {
        var random = new Random(21);
        var model = new OverridesModel();
        double[][] start = { TestData.RoundToSingle(TestData.Parameters(random, 37)), TestData.RoundToSingle(TestData.Parameters(random, 37)), TestData.RoundToSingle(TestData.Parameters(random, 37)), TestData.Parameters(random, 37) };
        model.Plain = TestData.ToSingle(start[0]);
        model.Bias = TestData.ToSingle(start[1]);
        model.Slow = TestData.ToSingle(start[2]);
        model.Both = (double[])start[3].Clone();
        var gradients = new OverridesModel.Gradients(model);
        Optimizer<OverridesModel.Gradients> optimizer = Optimizers.Create<OverridesModel, OverridesModel.Gradients>(name, model);
        Attribute config = Optimizers.Configuration<OverridesModel>(name);
        (double Scale, bool Decay, bool Single)[] members = { (1, true, true), (1, false, true), (0.1, true, true), (2, false, false) };
        IReference[] references = members.Select(m => References.Create(config, 37, m.Single)).ToArray();

        for (int step = 0; step < 10; step++)
        {
            double[][] g = members.Select(m => m.Single ? TestData.RoundToSingle(TestData.Gradients(random, 37)) : TestData.Gradients(random, 37)).ToArray();
            TestData.ToSingle(g[0]).CopyTo(gradients.Plain, 0);
            TestData.ToSingle(g[1]).CopyTo(gradients.Bias, 0);
            TestData.ToSingle(g[2]).CopyTo(gradients.Slow, 0);
            g[3].CopyTo(gradients.Both, 0);
            long stepCount = optimizer.StepCount;
            optimizer.Step(gradients);
            for (int k = 0; k < members.Length; k++)
            {
                double learningRate = members[k].Scale == 1 ? optimizer.LearningRate : optimizer.LearningRate * members[k].Scale;
                references[k].Step(start[k], g[k], learningRate, members[k].Decay ? optimizer.WeightDecay : 0, stepCount);
            }
        }

        Assert.Equal(start[0].Select(x => (float)x), model.Plain);
        Assert.Equal(start[1].Select(x => (float)x), model.Bias);
        Assert.Equal(start[2].Select(x => (float)x), model.Slow);
        Assert.Equal(start[3], model.Both);
    }

    [Fact]
    public void CoupledDecayTouchesTheGradientOnlyWhenItIsNotZero()
    {
        // PyTorch adds wd·p to the gradient only `if weight_decay != 0`. At 0 an infinite parameter stays
        // infinite and its state finite; with decay, wd·∞ makes the gradient infinite and the update NaN.
        var model = MixedModel.Create(3);
        var gradients = new MixedModel.Gradients(model);
        MixedModel.Fill(gradients, new Random(4));
        model.B1[5] = float.PositiveInfinity;
        var optimizer = new MixedModel.RmsPropOptimizer(model); // WeightDecay 0, L2 mode
        OptimizerState squareAvg = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState)
            .Single(state => state.ParameterIndex == 1 && state.Key == "square_avg");

        optimizer.Step(gradients);
        Assert.Equal(float.PositiveInfinity, model.B1[5]);
        Assert.Equal(0.1f * gradients.B1[5] * gradients.B1[5], squareAvg.Buffer.AsSingleSpan()[5]);
        Assert.All(model.B1.Where((_, i) => i != 5), p => Assert.True(float.IsFinite(p)));

        optimizer.WeightDecay = 0.01;
        optimizer.Step(gradients);
        Assert.True(float.IsNaN(model.B1[5]));
        Assert.Equal(float.PositiveInfinity, squareAvg.Buffer.AsSingleSpan()[5]);
        Assert.All(model.B1.Where((_, i) => i != 5), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void ConfigurationRecordsMemberOverrides()
    {
        var optimizer = new OverridesModel.AdamOptimizer(new OverridesModel());
        Assert.Equal(
            new[] { "NoWeightDecay.Bias=true", "LearningRateScale.Slow=0.1", "LearningRateScale.Both=2", "NoWeightDecay.Both=true" },
            optimizer.Configuration.Where(c => c.Key.Contains('.')).Select(c => c.Key + "=" + c.Value));
    }

    [Fact]
    public void TwoMembersHoldingOneArrayAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new AliasedModel.RmsPropOptimizer(new AliasedModel()));
        Assert.Contains("'Weights' and 'SameWeights'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RuntimeHyperparametersRejectInvalidValues(double value)
    {
        var optimizer = new MixedModel.Full(MixedModel.Create(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = value);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.WeightDecay = value);
        Assert.Equal(0.01, optimizer.LearningRate);
        Assert.Equal(0.01, optimizer.WeightDecay);
    }

    [Fact]
    public void ResetReturnsStateAndStepCountToTheStart()
    {
        var fresh = MixedModel.Create(9);
        var used = MixedModel.Create(9);
        var freshOptimizer = new MixedModel.Full(fresh);
        var usedOptimizer = new MixedModel.Full(used);
        var gradients = new MixedModel.Gradients(fresh);

        MixedModel.Fill(gradients, new Random(10));
        for (int i = 0; i < 5; i++)
        {
            usedOptimizer.Step(gradients);
        }

        usedOptimizer.Reset();
        Assert.Equal(0, usedOptimizer.StepCount);

        // Put the parameters back as they started; from here both optimizers must agree bit for bit.
        var start = MixedModel.Create(9);
        Array.Copy(start.W1, used.W1, start.W1.Length);
        Array.Copy(start.B1, used.B1, start.B1.Length);
        Array.Copy(start.Kernel, used.Kernel, start.Kernel.Length);

        var random = new Random(11);
        for (int i = 0; i < 5; i++)
        {
            MixedModel.Fill(gradients, random);
            freshOptimizer.Step(gradients);
            usedOptimizer.Step(gradients);
        }

        Assert.Equal(fresh.Snapshot(), used.Snapshot());
        Assert.Equal(5, usedOptimizer.StepCount);
    }

    [Fact]
    public void OnlyTheStateBuffersAConfigurationNeedsExist()
    {
        static string[] Buffers(Type type) => type
            .GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            .Where(f => f.FieldType.IsArray)
            .Select(f => f.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(new[] { "_squareAvg_B1", "_squareAvg_Kernel", "_squareAvg_W1" }, Buffers(typeof(MixedModel.RmsPropOptimizer)));
        Assert.Equal(9, Buffers(typeof(MixedModel.Full)).Length);
    }

    private static void AssertStepFailsAndChangesNothing<TException>(Action<MixedModel.Gradients> breakGradients, string member)
        where TException : ArgumentException
    {
        var model = MixedModel.Create(12);
        var twin = MixedModel.Create(12);
        var gradients = new MixedModel.Gradients(model);
        var optimizer = new MixedModel.Full(model);
        var twinOptimizer = new MixedModel.Full(twin);
        MixedModel.Fill(gradients, new Random(13));
        optimizer.Step(gradients);
        twinOptimizer.Step(gradients);

        var broken = new MixedModel.Gradients(model);
        MixedModel.Fill(broken, new Random(14));
        breakGradients(broken);
        double[] before = model.Snapshot();

        TException error = Assert.Throws<TException>(() => optimizer.Step(broken));
        Assert.Contains("'" + member + "'", error.Message, StringComparison.Ordinal);
        Assert.Equal("gradients", error.ParamName);
        Assert.Equal(before, model.Snapshot());
        Assert.Equal(1, optimizer.StepCount);

        // The state is untouched too: the next good step matches an optimizer that never saw the failure.
        optimizer.Step(gradients);
        twinOptimizer.Step(gradients);
        Assert.Equal(twin.Snapshot(), model.Snapshot());
    }

    /// <summary>The scalar reference for one flattened member.</summary>
    private sealed class Check
    {
        private readonly RmsPropReference _reference;

        public Check(RmsPropAttribute config, double[] parameters, bool single)
        {
            Parameters = parameters;
            _reference = new RmsPropReference(config, parameters.Length, single);
        }

        public double[] Parameters { get; }

        public void Step(double[] gradients, Optimizer<MixedModel.Gradients> optimizer) =>
            _reference.Step(Parameters, gradients, optimizer.LearningRate, optimizer.WeightDecay);
    }
}
