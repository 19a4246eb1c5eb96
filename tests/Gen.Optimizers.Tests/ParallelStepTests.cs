using System;
using System.Linq;
using System.Threading.Tasks;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// MaxDegreeOfParallelism &gt; 1 splits large members across the step workers: the result must be
/// bit-identical to a serial step for every kind, and a step must still allocate nothing on any thread.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)]
public sealed class ParallelStepTests
{
    private const int Length = 100_003; // not a multiple of the chunk alignment or of any vector width

    public static TheoryData<string> Configurations => new(Optimizers.Names<SingleModel>().Where((_, i) => i % 3 == 0));

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ParallelStepIsBitIdenticalToSerial(string name)
    {
        var random = new Random(Optimizers.StableSeed(name, 9));
        float[] start = TestData.ToSingle(TestData.Parameters(random, Length));
        var serial = new SingleModel { P = (float[])start.Clone() };
        var parallel = new SingleModel { P = (float[])start.Clone() };
        Optimizer<SingleModel.Gradients> serialOptimizer = Optimizers.Create<SingleModel, SingleModel.Gradients>(name, serial);
        Optimizer<SingleModel.Gradients> parallelOptimizer = Optimizers.Create<SingleModel, SingleModel.Gradients>(name, parallel);
        parallelOptimizer.MaxDegreeOfParallelism = 4;
        parallelOptimizer.ParallelThreshold = 1000;
        var gradients = new SingleModel.Gradients(serial);

        for (int step = 0; step < 5; step++)
        {
            TestData.ToSingle(TestData.Gradients(random, Length)).CopyTo(gradients.P, 0);
            serialOptimizer.Step(gradients);
            parallelOptimizer.Step(gradients);
        }

        Assert.True(serial.P.AsSpan().SequenceEqual(parallel.P), $"{name}: a parallel step differs from a serial one.");
        for (int i = 0; i < serialOptimizer.StateCount; i++)
        {
            Assert.True(serialOptimizer.GetState(i).Buffer.AsSingleSpan().SequenceEqual(parallelOptimizer.GetState(i).Buffer.AsSingleSpan()));
        }
    }

    [Fact]
    public void ParallelStepsAllocateNothingOnAnyThread()
    {
        var model = new SingleModel { P = new float[Length] };
        var gradients = new SingleModel.Gradients(model);
        TestData.ToSingle(TestData.Gradients(new Random(1), Length)).CopyTo(gradients.P, 0);
        var optimizer = new SingleModel.AdamA1X1(model) { MaxDegreeOfParallelism = 2, ParallelThreshold = 1000 };

        // The caller's thread and every worker thread (each records its own counter after every slice).
        long slicesBefore = Gen.StepWorkers.WorkerSlices;
        int calls = Allocations.AssertNone("parallel Step", () => optimizer.Step(gradients), Gen.StepWorkers.WorkerAllocatedBytes);

        // Each step searches the gradients for NaN (the default policy) and updates, both in parallel.
        Assert.True(Gen.StepWorkers.WorkerSlices - slicesBefore >= 2L * calls || Gen.StepWorkers.WorkerCount == 0, "The steps did not run on the workers.");
    }

    [Fact]
    public void ConcurrentOptimizersShareThePoolAndStayExact()
    {
        float[] start = TestData.ToSingle(TestData.Parameters(new Random(2), Length));
        float[] g = TestData.ToSingle(TestData.Gradients(new Random(3), Length));
        var models = Enumerable.Range(0, 4).Select(_ => new SingleModel { P = (float[])start.Clone() }).ToArray();
        var optimizers = models.Select(m => new SingleModel.C1M1I0D0X0(m) { MaxDegreeOfParallelism = 2, ParallelThreshold = 1000 }).ToArray();
        var gradients = new SingleModel.Gradients(models[0]);
        g.CopyTo(gradients.P, 0);

        Parallel.For(0, models.Length, k =>
        {
            for (int step = 0; step < 20; step++)
            {
                optimizers[k].Step(gradients);
            }
        });

        var reference = new SingleModel { P = (float[])start.Clone() };
        var serial = new SingleModel.C1M1I0D0X0(reference);
        for (int step = 0; step < 20; step++)
        {
            serial.Step(gradients);
        }

        Assert.All(models, m => Assert.True(m.P.AsSpan().SequenceEqual(reference.P)));
    }

    [Theory]
    [InlineData(new[] { 99_000 })]
    [InlineData(new[] { 7, 99_000 })]
    [InlineData(new[] { 60_000, 70_000 })]
    [InlineData(new[] { 100_002 })]
    public void ParallelNonFiniteSearchFindsTheFirstBadElementAndChangesNothing(int[] positions)
    {
        float[] start = TestData.ToSingle(TestData.Parameters(new Random(4), Length));
        var model = new SingleModel { P = (float[])start.Clone() };
        var optimizer = new SingleModel.AdamA0X0(model) { MaxDegreeOfParallelism = 2, ParallelThreshold = 1000 };
        var gradients = new SingleModel.Gradients(model);
        TestData.ToSingle(TestData.Gradients(new Random(5), Length)).CopyTo(gradients.P, 0);
        foreach (int position in positions)
        {
            gradients.P[position] = position % 2 == 0 ? float.NaN : float.NegativeInfinity;
        }

        var error = Assert.Throws<NonFiniteGradientException>(() => optimizer.Step(gradients));
        Assert.Equal("P", error.Member);
        Assert.Equal(positions.Min(), error.Index);
        Assert.True(model.P.AsSpan().SequenceEqual(start));
        Assert.Equal(0, optimizer.StepCount);

        optimizer.NonFinitePolicy = NonFinitePolicy.SkipStep;
        optimizer.Step(gradients);
        Assert.Equal(1, optimizer.SkippedSteps);
        Assert.True(model.P.AsSpan().SequenceEqual(start));
    }

    [Fact]
    public void SettingsRejectValuesBelowOne()
    {
        var optimizer = new SingleModel.Defaults(new SingleModel());
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.MaxDegreeOfParallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.ParallelThreshold = 0);
        Assert.Equal(1, optimizer.MaxDegreeOfParallelism);
    }
}

