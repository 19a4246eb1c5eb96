using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// [Adafactor] against its scalar reference (<see cref="AdafactorReference"/>, written from PyTorch 2.5's single-tensor
/// algorithm): every member of <see cref="AdafactorNet"/> (matrices, a matrix whose rows are longer than a chunk, a
/// rank-3 member, a one-column matrix, vectors) over 25 steps with a learning-rate and weight-decay change half way, for
/// the defaults and every option set; bit for bit against the float-rounded reference that takes the runtime's sums,
/// within 1e-5 of the float64 algorithm with plain sums. CI runs this class again under every SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)] // ParallelStepsAreBitIdenticalToSerialOnes needs the step workers to itself
public sealed class AdafactorTests(ITestOutputHelper output)
{
    private const int Steps = 25;

    private static readonly (string Name, bool NoDecay, double RateScale)[] Members =
    {
        ("W", false, 1), ("Wide", false, 1), ("V", false, 1), ("Zero", false, 1), ("Bias", true, 1), ("Kernel", false, 0.5), ("Column", false, 1), ("Empty", false, 1),
    };

    [Theory]
    [InlineData("Defaults")]
    [InlineData("Everything")]
    public void MatchesTheFloatReferenceBitForBitAndTheDoubleAlgorithmClosely(string name)
    {
        var config = (AdafactorAttribute)Optimizers.Configuration<AdafactorNet>(name);
        var random = new Random(Optimizers.StableSeed(name, 37));
        var model = new AdafactorNet();
        var gradients = new AdafactorNet.Gradients(model);
        Optimizer<AdafactorNet.Gradients> optimizer = Optimizers.Create<AdafactorNet, AdafactorNet.Gradients>(name, model);

        var exact = new Dictionary<string, double[]>();
        var wide = new Dictionary<string, double[]>();
        var exactReferences = new Dictionary<string, AdafactorReference>();
        var wideReferences = new Dictionary<string, AdafactorReference>();
        foreach ((string member, _, _) in Members)
        {
            Array array = Array(model, member);
            double[] start = member == "Zero" ? new double[array.Length] : TestData.RoundToSingle(TestData.Parameters(random, array.Length));
            Set(array, start);
            exact[member] = (double[])start.Clone();
            wide[member] = (double[])start.Clone();
            exactReferences[member] = Reference(config, array, single: true, runtimeSums: true);
            wideReferences[member] = Reference(config, array, single: false, runtimeSums: false);
        }

        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            if (step == Steps / 2)
            {
                optimizer.LearningRate *= 0.5;
                optimizer.WeightDecay = optimizer.WeightDecay * 2 + 0.01;
            }

            long stepCount = optimizer.StepCount;
            var g = new Dictionary<string, double[]>();
            foreach ((string member, _, _) in Members)
            {
                g[member] = TestData.RoundToSingle(TestData.Gradients(random, Array(model, member).Length));
                Set(Array(gradients, member), g[member]);
            }

            optimizer.Step(gradients);
            foreach ((string member, bool noDecay, double scale) in Members)
            {
                exactReferences[member].Step(exact[member], g[member], optimizer.LearningRate * scale, optimizer.WeightDecay, noDecay, stepCount);
                wideReferences[member].Step(wide[member], g[member], optimizer.LearningRate * scale, optimizer.WeightDecay, noDecay, stepCount);
                float[] actual = Flat(Array(model, member));
                for (int i = 0; i < actual.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits((float)exact[member][i]))
                    {
                        Assert.Fail($"{name}, {member}, step {step + 1}, element {i}: generated {actual[i]:R}, float reference {(float)exact[member][i]:R}.");
                    }

                    worst = Math.Max(worst, Math.Abs(actual[i] - wide[member][i]) / Math.Max(1, Math.Abs(wide[member][i])));
                }
            }
        }

        // The state too: PyTorch's names, each buffer the reference's.
        for (int s = 0; s < optimizer.StateCount; s++)
        {
            OptimizerState state = optimizer.GetState(s);
            AdafactorReference reference = exactReferences[optimizer.Model.GetParameter(state.ParameterIndex).Name];
            double[] expected = state.Key switch { "row_var" => reference.RowVariance, "col_var" => reference.ColumnVariance, _ => reference.Variance };
            Assert.Equal(expected.Select(x => (float)x), state.Buffer.AsSingleSpan().ToArray());
        }

        output.WriteLine($"{name}: largest distance from the float64 algorithm after {Steps} steps: {worst:E2} (relative to max(|p|, 1)).");
        Assert.True(worst <= 1e-5, $"{name}: the float result is {worst:E2} from the float64 algorithm.");
        Assert.True(worst > 0, "The float and double trajectories cannot agree exactly.");
    }

    [Fact]
    public void DoubleMembersMatchTheDoubleReference()
    {
        var config = (AdafactorAttribute)Optimizers.Configuration<AdafactorDoubleNet>("Adafactor");
        var random = new Random(17);
        var model = new AdafactorDoubleNet();
        var optimizer = new AdafactorDoubleNet.Adafactor(model);
        var gradients = new AdafactorDoubleNet.Gradients(model);
        (string Name, bool NoDecay)[] members = { ("D", false), ("E", false), ("B", true) };
        var exact = new Dictionary<string, double[]>();
        var plain = new Dictionary<string, double[]>();
        var exactReferences = new Dictionary<string, AdafactorReference>();
        var plainReferences = new Dictionary<string, AdafactorReference>();
        foreach ((string member, _) in members)
        {
            Array array = Array(model, member);
            double[] start = TestData.Parameters(random, array.Length);
            Buffer.BlockCopy(start, 0, array, 0, array.Length * sizeof(double));
            exact[member] = (double[])start.Clone();
            plain[member] = (double[])start.Clone();
            exactReferences[member] = Reference(config, array, single: false, runtimeSums: true);
            plainReferences[member] = Reference(config, array, single: false, runtimeSums: false);
        }

        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            long stepCount = optimizer.StepCount;
            var g = new Dictionary<string, double[]>();
            foreach ((string member, _) in members)
            {
                g[member] = TestData.Gradients(random, Array(model, member).Length);
                Buffer.BlockCopy(g[member], 0, Array(gradients, member), 0, g[member].Length * sizeof(double));
            }

            optimizer.Step(gradients);
            foreach ((string member, bool noDecay) in members)
            {
                exactReferences[member].Step(exact[member], g[member], optimizer.LearningRate, optimizer.WeightDecay, noDecay, stepCount);
                plainReferences[member].Step(plain[member], g[member], optimizer.LearningRate, optimizer.WeightDecay, noDecay, stepCount);
                double[] actual = new double[exact[member].Length];
                Buffer.BlockCopy(Array(model, member), 0, actual, 0, actual.Length * sizeof(double));
                Assert.Equal(exact[member].Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
                worst = Math.Max(worst, actual.Zip(plain[member], (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max());
            }
        }

        Assert.All(model.Table.Cast<double>(), x => Assert.Equal(0, x));
        Assert.Equal(5, optimizer.StateCount);   // D: variance; E and B: row_var, col_var; the frozen Table: none
        output.WriteLine($"double: largest distance from the index-order sums after {Steps} steps: {worst:E2}.");
        Assert.True(worst <= 1e-12, $"The double result is {worst:E2} from the double algorithm.");
    }

    /// <summary>PyTorch's state names and shapes: row_var [..., R, 1], col_var [..., 1, C], variance as the member.</summary>
    [Fact]
    public void StateHasPyTorchsNamesAndShapes()
    {
        var optimizer = new AdafactorNet.Defaults(new AdafactorNet());
        var states = Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i))
            .Select(s => (Member: optimizer.Model.GetParameter(s.ParameterIndex).Name, s.Key, Shape: s.Shape is null ? "member" : string.Join(",", s.Shape), s.Buffer.Length))
            .ToArray();
        Assert.Equal(
            new[]
            {
                ("W", "row_var", "24,1", 24), ("W", "col_var", "1,40", 40),
                ("Wide", "row_var", "3,1", 3), ("Wide", "col_var", "1,1100", 1100),
                ("V", "variance", "member", 37), ("Zero", "variance", "member", 13), ("Bias", "variance", "member", 11),
                ("Kernel", "row_var", "2,3,1", 6), ("Kernel", "col_var", "2,1,5", 10),
                ("Column", "row_var", "9,1", 9), ("Column", "col_var", "1,1", 1),
                ("Empty", "variance", "member", 0),
            },
            states);
        Assert.Equal(4L * (24 + 40 + 3 + 1100 + 37 + 13 + 11 + 6 + 10 + 9 + 1), optimizer.StateBytes);
        Assert.Equal("Adafactor", optimizer.Kind);
        Assert.Equal(double.NaN, AdafactorNet.Defaults.Epsilon1);
        Assert.Contains(new KeyValuePair<string, string>("Epsilon1", "NaN"), optimizer.Configuration);
    }

    [Fact]
    public void ParallelStepsAreBitIdenticalToSerialOnes()
    {
        var random = new Random(3);
        var serial = new AdafactorNet();
        foreach ((string member, _, _) in Members)
        {
            Set(Array(serial, member), TestData.Parameters(random, Array(serial, member).Length));
        }

        AdafactorNet parallel = Copy(serial);
        var serialOptimizer = new AdafactorNet.Everything(serial);
        var parallelOptimizer = new AdafactorNet.Everything(parallel) { MaxDegreeOfParallelism = 4, ParallelThreshold = 256 };
        long slices = Gen.StepWorkers.WorkerSlices;
        var gradients = new AdafactorNet.Gradients(serial);
        for (int step = 0; step < 5; step++)
        {
            foreach ((string member, _, _) in Members)
            {
                Set(Array(gradients, member), TestData.Gradients(random, Array(serial, member).Length));
            }

            serialOptimizer.Step(gradients);
            parallelOptimizer.Step(gradients);
        }

        foreach ((string member, _, _) in Members)
        {
            Assert.True(Flat(Array(serial, member)).AsSpan().SequenceEqual(Flat(Array(parallel, member))), $"{member}: a parallel step differs from a serial one.");
        }

        Assert.True(Gen.StepWorkers.WorkerCount == 0 || Gen.StepWorkers.WorkerSlices > slices, "The steps did not run on the workers.");
    }

    [Fact]
    public void TheFusedClipAndClearAreTheSeparateCallsBitForBit()
    {
        var random = new Random(8);
        var separate = new AdafactorNet();
        foreach ((string member, _, _) in Members)
        {
            Set(Array(separate, member), TestData.Parameters(random, Array(separate, member).Length));
        }

        AdafactorNet fused = Copy(separate);
        var separateOptimizer = new AdafactorNet.Everything(separate);
        var fusedOptimizer = new AdafactorNet.Everything(fused) { GlobalNormClip = 1.0 };
        var separateGradients = new AdafactorNet.Gradients(separate);
        var fusedGradients = new AdafactorNet.Gradients(fused);
        for (int step = 0; step < 4; step++)
        {
            foreach ((string member, _, _) in Members)
            {
                double[] g = TestData.Gradients(random, Array(separate, member).Length);
                Set(Array(separateGradients, member), g);
                Set(Array(fusedGradients, member), g);
            }

            separateGradients.ClipByGlobalNorm(1.0);
            separateOptimizer.Step(separateGradients);
            separateGradients.Clear();
            fusedOptimizer.Step(fusedGradients, clearGradients: true);
        }

        foreach ((string member, _, _) in Members)
        {
            Assert.True(Flat(Array(separate, member)).AsSpan().SequenceEqual(Flat(Array(fused, member))), $"{member} differs.");
            Assert.All(Flat(Array(fusedGradients, member)), x => Assert.Equal(0, BitConverter.SingleToInt32Bits(x)));
        }
    }

    /// <summary>A member replaced by an array of the same length and another shape would change its rows: refused before any write.</summary>
    [Fact]
    public void AReshapedMemberIsRefusedBeforeAnyWrite()
    {
        var model = new AdafactorNet();
        var optimizer = new AdafactorNet.Defaults(model);
        var gradients = new AdafactorNet.Gradients(model);
        model.V[0] = 1;
        gradients.V[0] = 1;
        model.W = new float[40, 24];
        gradients.W = new float[40, 24];
        var error = Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Assert.Contains("'W'", error.Message);
        Assert.Equal(1f, model.V[0]);
        Assert.Equal(0, optimizer.StepCount);
    }

    private static AdafactorReference Reference(AdafactorAttribute config, Array array, bool single, bool runtimeSums)
    {
        int rank = array.Rank;
        if (rank == 1)
        {
            return new AdafactorReference(config, 1, 0, array.Length, single, runtimeSums);
        }

        int batches = 1;
        for (int d = 0; d < rank - 2; d++)
        {
            batches *= array.GetLength(d);
        }

        return new AdafactorReference(config, batches, array.GetLength(rank - 2), array.GetLength(rank - 1), single, runtimeSums);
    }

    private static Array Array(AdafactorNet model, string member) => member switch
    {
        "W" => model.W,
        "Wide" => model.Wide,
        "V" => model.V,
        "Zero" => model.Zero,
        "Bias" => model.Bias,
        "Kernel" => model.Kernel,
        "Column" => model.Column,
        _ => model.Empty,
    };

    private static Array Array(AdafactorNet.Gradients gradients, string member) => member switch
    {
        "W" => gradients.W,
        "Wide" => gradients.Wide,
        "V" => gradients.V,
        "Zero" => gradients.Zero,
        "Bias" => gradients.Bias,
        "Kernel" => gradients.Kernel,
        "Column" => gradients.Column,
        _ => gradients.Empty,
    };

    private static Array Array(AdafactorDoubleNet model, string member) => member switch
    {
        "D" => model.D,
        "E" => model.E,
        _ => model.B,
    };

    private static Array Array(AdafactorDoubleNet.Gradients gradients, string member) => member switch
    {
        "D" => gradients.D,
        "E" => gradients.E,
        _ => gradients.B,
    };

    private static AdafactorNet Copy(AdafactorNet model) => new()
    {
        W = (float[,])model.W.Clone(),
        Wide = (float[,])model.Wide.Clone(),
        V = (float[])model.V.Clone(),
        Zero = (float[])model.Zero.Clone(),
        Bias = (float[])model.Bias.Clone(),
        Kernel = (float[,,])model.Kernel.Clone(),
        Column = (float[,])model.Column.Clone(),
        Empty = (float[])model.Empty.Clone(),
    };

    private static float[] Flat(Array array)
    {
        float[] values = new float[array.Length];
        Buffer.BlockCopy(array, 0, values, 0, values.Length * sizeof(float));
        return values;
    }

    private static void Set(Array array, double[] values) =>
        Buffer.BlockCopy(TestData.ToSingle(values), 0, array, 0, values.Length * sizeof(float));
}

/// <summary>An [Adafactor] step allocates nothing, serial or parallel: its chunks are on the stack.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class AdafactorAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StepsAllocateNothing(int threads)
    {
        var model = new AdafactorNet();
        var gradients = new AdafactorNet.Gradients(model);
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(new Random(4), 960)), 0, model.W, 0, 960 * sizeof(float));
        Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(new Random(5), 960)), 0, gradients.W, 0, 960 * sizeof(float));
        var optimizer = new AdafactorNet.Everything(model) { MaxDegreeOfParallelism = threads, ParallelThreshold = 256, GlobalNormClip = 10 };
        int calls = Allocations.AssertNone("Adafactor Step on " + threads + " thread(s)", () => optimizer.Step(gradients), threads > 1 ? Gen.StepWorkers.WorkerAllocatedBytes : null);
        Assert.Equal(calls, optimizer.StepCount);
    }
}
