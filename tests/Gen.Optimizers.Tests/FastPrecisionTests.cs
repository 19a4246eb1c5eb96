using System;
using System.Linq;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Precision.Fast against the exact kernel on every SIMD path (CI reruns the Numerical category
/// under each width): the relative error of one update, the drift of a trajectory, and double
/// members staying exact. The bounds here are the ones docs/PRECISION.md states.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class FastPrecisionTests(ITestOutputHelper output)
{
    /// <summary>Worst relative error of one update Δp (normalized by |Δp_exact|), documented in docs/PRECISION.md.</summary>
    private const double UpdateBound = 1e-6;

    /// <remarks>
    /// Fast changes only the normalized gradient g/d. Without momentum the update is −lr·g/d, so its
    /// relative error is the bound's subject; with momentum the same g/d enters the buffer, but the
    /// update −lr·(μ·b + g/d) can nearly cancel, so that configuration is checked by its trajectory.
    /// </remarks>
    [Theory]
    [InlineData("Plain")]
    [InlineData("Centered")]
    [InlineData("Inside")]
    [InlineData("InsideCentered")]
    public void OneUpdateIsWithinTheDocumentedRelativeErrorOfTheExactUpdate(string configuration)
    {
        const int Length = 20_003; // every width's main loop, remainders and scalar tail
        var random = new Random(Optimizers.StableSeed(configuration, 7));
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            float[] start = TestData.ToSingle(TestData.Parameters(random, Length));
            float[] g = TestData.ToSingle(TestData.Gradients(random, Length));
            float[] warmUp = TestData.ToSingle(TestData.Gradients(random, Length));
            var fast = new FastModel { P = (float[])start.Clone() };
            var exact = new FastModel { P = (float[])start.Clone() };
            Optimizer<FastModel.Gradients> fastOptimizer = Optimizers.Create<FastModel, FastModel.Gradients>("Fast" + configuration, fast);
            Optimizer<FastModel.Gradients> exactOptimizer = Optimizers.Create<FastModel, FastModel.Gradients>("Exact" + configuration, exact);
            var gradients = new FastModel.Gradients(fast);

            // A first exact-equivalent step gives the state buffers realistic values; then compare one update from equal states.
            warmUp.CopyTo(gradients.P, 0);
            exactOptimizer.Step(gradients);
            Array.Copy(exact.P, fast.P, Length);
            fastOptimizer.Step(gradients);
            Array.Copy(exact.P, fast.P, Length);
            CopyState(exactOptimizer, fastOptimizer);

            float[] before = (float[])exact.P.Clone();
            g.CopyTo(gradients.P, 0);
            exactOptimizer.Step(gradients);
            fastOptimizer.Step(gradients);
            for (int i = 0; i < Length; i++)
            {
                double exactUpdate = (double)exact.P[i] - before[i];
                double fastUpdate = (double)fast.P[i] - before[i];
                if (exactUpdate != 0)
                {
                    // Both updates are differences of floats near p: allow the rounding of p itself.
                    double ulp = Math.Abs(MathF.BitIncrement(Math.Abs(before[i])) - Math.Abs(before[i]));
                    worst = Math.Max(worst, Math.Max(0, Math.Abs(fastUpdate - exactUpdate) - (2 * ulp)) / Math.Abs(exactUpdate));
                }
            }
        }

        output.WriteLine($"{configuration}: worst relative error of one update {worst:E2}");
        Assert.True(worst <= UpdateBound, $"{configuration}: Precision.Fast update differs from the exact one by {worst:E2} (bound {UpdateBound:E0}).");
    }

    [Theory]
    [InlineData("Plain")]
    [InlineData("CenteredMomentum")]
    [InlineData("Inside")]
    [InlineData("InsideCentered")]
    public void TrajectoryStaysCloseToTheExactOneAndDoubleMembersStayExact(string configuration)
    {
        var random = new Random(Optimizers.StableSeed(configuration, 8));
        float[] start = TestData.ToSingle(TestData.Parameters(random, 1003));
        double[] startDouble = TestData.Parameters(random, 257);
        var fast = new FastModel { P = (float[])start.Clone(), D = (double[])startDouble.Clone() };
        var exact = new FastModel { P = (float[])start.Clone(), D = (double[])startDouble.Clone() };
        Optimizer<FastModel.Gradients> fastOptimizer = Optimizers.Create<FastModel, FastModel.Gradients>("Fast" + configuration, fast);
        Optimizer<FastModel.Gradients> exactOptimizer = Optimizers.Create<FastModel, FastModel.Gradients>("Exact" + configuration, exact);
        var gradients = new FastModel.Gradients(fast);

        for (int step = 0; step < 100; step++)
        {
            TestData.ToSingle(TestData.Gradients(random, 1003)).CopyTo(gradients.P, 0);
            TestData.Gradients(random, 257).CopyTo(gradients.D, 0);
            fastOptimizer.Step(gradients);
            exactOptimizer.Step(gradients);
        }

        double drift = fast.P.Zip(exact.P, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max();
        output.WriteLine($"{configuration}: worst drift after 100 steps {drift:E2}");
        Assert.True(drift <= 1e-4, $"{configuration}: after 100 steps Precision.Fast is {drift:E2} away from the exact trajectory.");
        Assert.Equal(exact.D, fast.D);
    }

    [Fact]
    public void ZeroSquareAverageGivesAFiniteUpdate()
    {
        var model = new FastModel { P = new float[100] };
        var gradients = new FastModel.Gradients(model);
        Optimizer<FastModel.Gradients> optimizer = Optimizers.Create<FastModel, FastModel.Gradients>("FastPlain", model);
        optimizer.Step(gradients); // g = 0 everywhere: v stays 0, the update is 0 * (1 / eps)
        Assert.All(model.P, p => Assert.Equal(0f, p));
    }

    private static void CopyState(Optimizer<FastModel.Gradients> from, Optimizer<FastModel.Gradients> to)
    {
        for (int i = 0; i < from.StateCount; i++)
        {
            if (from.GetState(i).Buffer.Element == TensorElement.Single)
            {
                from.GetState(i).Buffer.AsSingleSpan().CopyTo(to.GetState(i).Buffer.AsSingleSpan());
            }
            else
            {
                from.GetState(i).Buffer.AsDoubleSpan().CopyTo(to.GetState(i).Buffer.AsDoubleSpan());
            }
        }
    }
}
