using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// [Lars] against its scalar reference (<see cref="LarsReference"/>, written from Optax's <c>lars</c>): every member of
/// <see cref="LarsNet"/> over 25 steps with a learning-rate and weight-decay change half way, for the defaults and every
/// option set with and without Nesterov; bit for bit against the float-rounded reference (whose trust ratio uses the
/// runtime's norms), within 1e-5 of the float64 algorithm. CI runs this class again under every SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)] // ParallelStepsAreBitIdenticalToSerialOnes needs the step workers to itself
public sealed class LarsTests(ITestOutputHelper output)
{
    private const int Steps = 25;

    private static readonly (string Name, bool Excluded, double RateScale)[] Members =
    {
        ("W", false, 1), ("V", false, 1), ("Zero", false, 1), ("Bias", true, 1), ("Kernel", false, 0.5), ("Empty", false, 1),
    };

    [Theory]
    [InlineData("Defaults")]
    [InlineData("Everything")]
    [InlineData("Plain")]
    public void MatchesTheFloatReferenceBitForBitAndTheDoubleAlgorithmClosely(string name)
    {
        var config = (LarsAttribute)Optimizers.Configuration<LarsNet>(name);
        var random = new Random(Optimizers.StableSeed(name, 37));
        var model = new LarsNet();
        var gradients = new LarsNet.Gradients(model);
        Optimizer<LarsNet.Gradients> optimizer = Optimizers.Create<LarsNet, LarsNet.Gradients>(name, model);

        var exact = new Dictionary<string, double[]>();
        var wide = new Dictionary<string, double[]>();
        var exactReferences = new Dictionary<string, LarsReference>();
        var wideReferences = new Dictionary<string, LarsReference>();
        foreach ((string member, _, _) in Members)
        {
            int length = Array(model, member).Length;
            double[] start = member == "Zero" ? new double[length] : TestData.RoundToSingle(TestData.Parameters(random, length));
            Set(Array(model, member), start);
            exact[member] = (double[])start.Clone();
            wide[member] = (double[])start.Clone();
            exactReferences[member] = new LarsReference(config, length, single: true, runtimeNorms: true);
            wideReferences[member] = new LarsReference(config, length, single: false, runtimeNorms: false);
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
            foreach ((string member, bool excluded, double scale) in Members)
            {
                exactReferences[member].Step(exact[member], g[member], optimizer.LearningRate * scale, optimizer.WeightDecay, excluded);
                wideReferences[member].Step(wide[member], g[member], optimizer.LearningRate * scale, optimizer.WeightDecay, excluded);
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

        output.WriteLine($"{name}: largest distance from the float64 algorithm after {Steps} steps: {worst:E2} (relative to max(|p|, 1)).");
        Assert.True(worst <= 1e-5, $"{name}: the float result is {worst:E2} from the float64 algorithm.");
        Assert.True(worst > 0, "The float and double trajectories cannot agree exactly.");
    }

    [Fact]
    public void DoubleMembersMatchTheDoubleReference()
    {
        var config = (LarsAttribute)Optimizers.Configuration<LarsDoubleNet>("Lars");
        var random = new Random(17);
        var model = new LarsDoubleNet();
        var optimizer = new LarsDoubleNet.Lars(model);
        var gradients = new LarsDoubleNet.Gradients(model);
        (string Name, bool Excluded)[] members = { ("D", false), ("E", false), ("B", true) };
        var exact = new Dictionary<string, double[]>();
        var plain = new Dictionary<string, double[]>();
        var exactReferences = new Dictionary<string, LarsReference>();
        var plainReferences = new Dictionary<string, LarsReference>();
        foreach ((string member, _) in members)
        {
            int length = Array(model, member).Length;
            double[] start = TestData.Parameters(random, length);
            Buffer.BlockCopy(start, 0, Array(model, member), 0, length * sizeof(double));
            exact[member] = (double[])start.Clone();
            plain[member] = (double[])start.Clone();
            exactReferences[member] = new LarsReference(config, length, single: false, runtimeNorms: true);
            plainReferences[member] = new LarsReference(config, length, single: false, runtimeNorms: false);
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
            foreach ((string member, bool excluded) in members)
            {
                exactReferences[member].Step(exact[member], g[member], optimizer.LearningRate, optimizer.WeightDecay, excluded);
                plainReferences[member].Step(plain[member], g[member], optimizer.LearningRate, optimizer.WeightDecay, excluded);
                double[] actual = new double[exact[member].Length];
                Buffer.BlockCopy(Array(model, member), 0, actual, 0, actual.Length * sizeof(double));
                Assert.Equal(exact[member].Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
                worst = Math.Max(worst, actual.Zip(plain[member], (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max());
            }
        }

        output.WriteLine($"double: largest distance from the index-order norms after {Steps} steps: {worst:E2}.");
        Assert.True(worst <= 1e-12, $"The double result is {worst:E2} from the double algorithm.");
    }

    [Fact]
    public void StateUsesTheReferenceNames()
    {
        var optimizer = new LarsNet.Defaults(new LarsNet());
        var states = Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i)).Select(s => (Member: optimizer.Model.GetParameter(s.ParameterIndex).Name, s.Key)).ToArray();
        Assert.Equal(Members.Select(m => (m.Name, "momentum_buffer")), states);
        Assert.Equal(4L * (960 + 37 + 13 + 11 + 30), optimizer.StateBytes);
        Assert.Equal("LARS", optimizer.Kind);
    }

    [Fact]
    public void ParallelStepsAreBitIdenticalToSerialOnes()
    {
        var random = new Random(3);
        var serial = new LarsNet();
        foreach ((string member, _, _) in Members)
        {
            Set(Array(serial, member), TestData.Parameters(random, Array(serial, member).Length));
        }

        LarsNet parallel = Copy(serial);
        var serialOptimizer = new LarsNet.Everything(serial);
        var parallelOptimizer = new LarsNet.Everything(parallel) { MaxDegreeOfParallelism = 4, ParallelThreshold = 256 };
        long slices = Gen.StepWorkers.WorkerSlices;
        var gradients = new LarsNet.Gradients(serial);
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
        var separate = new LarsNet();
        foreach ((string member, _, _) in Members)
        {
            Set(Array(separate, member), TestData.Parameters(random, Array(separate, member).Length));
        }

        LarsNet fused = Copy(separate);
        var separateOptimizer = new LarsNet.Everything(separate);
        var fusedOptimizer = new LarsNet.Everything(fused) { GlobalNormClip = 1.0 };
        var separateGradients = new LarsNet.Gradients(separate);
        var fusedGradients = new LarsNet.Gradients(fused);
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

    /// <summary>A bfloat16 step is the float32-state step with its state narrowed; an 8-bit one with its state quantized.</summary>
    [Fact]
    public void LeanStateStepsAreTheFloatStepWithTheirStateNarrowedOrQuantized()
    {
        var random = new Random(23);
        var start = new LarsLeanNet();
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(random, start.W.Length)), 0, start.W, 0, start.W.Length * sizeof(float));
        start.B = TestData.ToSingle(TestData.Parameters(random, start.B.Length));
        LarsLeanNet Copy() => new() { W = (float[,])start.W.Clone(), B = (float[])start.B.Clone() };
        LarsLeanNet bf16Model = Copy(), int8Model = Copy(), bf16Twin = Copy(), int8Twin = Copy();
        var bf16 = new LarsLeanNet.BF16(bf16Model);
        var int8 = new LarsLeanNet.I8(int8Model);
        var bf16Reference = new LarsLeanNet.F32(bf16Twin);
        var int8Reference = new LarsLeanNet.F32(int8Twin);
        Assert.Equal(new[] { "state1", "absmax1", "qmap1", "momentum_buffer" }, Enumerable.Range(0, int8.StateCount).Select(i => int8.GetState(i).Key));
        var gradients = new LarsLeanNet.Gradients(start);
        int length = start.W.Length;
        for (int step = 0; step < 5; step++)
        {
            Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(random, length)), 0, gradients.W, 0, length * sizeof(float));
            TestData.ToSingle(TestData.Gradients(random, gradients.B.Length)).CopyTo(gradients.B, 0);
            for (int b = 0; b < bf16.StateCount; b++)
            {
                Span<ushort> bits = bf16.GetState(b).Buffer.AsBitsSpan();
                Span<float> state = bf16Reference.GetState(b).Buffer.AsSingleSpan();
                for (int i = 0; i < bits.Length; i++)
                {
                    state[i] = Gen.__Internals.BFloat16Storage.ToSingle(bits[i]);
                }
            }

            var dequantized = new float[length];
            Gen.__Internals.BlockwiseQuantization.Dequantize(int8.GetState(0).Buffer.AsByteSpan(), int8.GetState(1).Buffer.AsSingleSpan(), dequantized, signed: true);
            dequantized.CopyTo(int8Reference.GetState(0).Buffer.AsSingleSpan());
            int8.GetState(3).Buffer.AsSingleSpan().CopyTo(int8Reference.GetState(1).Buffer.AsSingleSpan());

            bf16.Step(gradients);
            bf16Reference.Step(gradients);
            int8.Step(gradients);
            int8Reference.Step(gradients);
            Assert.True(Flat(bf16Twin.W).AsSpan().SequenceEqual(Flat(bf16Model.W)) && bf16Twin.B.AsSpan().SequenceEqual(bf16Model.B), $"bfloat16: the parameters differ at step {step}.");
            Assert.True(Flat(int8Twin.W).AsSpan().SequenceEqual(Flat(int8Model.W)) && int8Twin.B.AsSpan().SequenceEqual(int8Model.B), $"8-bit: the parameters differ at step {step}.");
            for (int b = 0; b < bf16.StateCount; b++)
            {
                Span<float> state = bf16Reference.GetState(b).Buffer.AsSingleSpan();
                var bits = new ushort[state.Length];
                for (int i = 0; i < state.Length; i++)
                {
                    Gen.__Internals.BFloat16Storage.Store(state[i], bits, i);
                }

                Assert.True(bits.AsSpan().SequenceEqual(bf16.GetState(b).Buffer.AsBitsSpan()), $"bfloat16 state {b} differs at step {step}.");
            }

            var codes = new byte[length];
            var absmax = new float[Gen.__Internals.BlockwiseQuantization.BlockCount(length)];
            Gen.__Internals.BlockwiseQuantization.Quantize(int8Reference.GetState(0).Buffer.AsSingleSpan(), codes, absmax, signed: true);
            Assert.True(codes.AsSpan().SequenceEqual(int8.GetState(0).Buffer.AsByteSpan()), $"8-bit momentum codes differ at step {step}.");
            Assert.True(absmax.AsSpan().SequenceEqual(int8.GetState(1).Buffer.AsSingleSpan()), $"8-bit momentum absmax differs at step {step}.");
        }
    }

    private static Array Array(LarsNet model, string member) => member switch
    {
        "W" => model.W,
        "V" => model.V,
        "Zero" => model.Zero,
        "Bias" => model.Bias,
        "Kernel" => model.Kernel,
        _ => model.Empty,
    };

    private static Array Array(LarsNet.Gradients gradients, string member) => member switch
    {
        "W" => gradients.W,
        "V" => gradients.V,
        "Zero" => gradients.Zero,
        "Bias" => gradients.Bias,
        "Kernel" => gradients.Kernel,
        _ => gradients.Empty,
    };

    private static Array Array(LarsDoubleNet model, string member) => member switch
    {
        "D" => model.D,
        "E" => model.E,
        _ => model.B,
    };

    private static Array Array(LarsDoubleNet.Gradients gradients, string member) => member switch
    {
        "D" => gradients.D,
        "E" => gradients.E,
        _ => gradients.B,
    };

    private static LarsNet Copy(LarsNet model) => new()
    {
        W = (float[,])model.W.Clone(),
        V = (float[])model.V.Clone(),
        Zero = (float[])model.Zero.Clone(),
        Bias = (float[])model.Bias.Clone(),
        Kernel = (float[,,])model.Kernel.Clone(),
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

/// <summary>A [Lars] step allocates nothing, serial or parallel: its scratch buffer is made at construction.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class LarsAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StepsAllocateNothing(int threads)
    {
        var model = new LarsNet();
        var gradients = new LarsNet.Gradients(model);
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(new Random(4), 960)), 0, model.W, 0, 960 * sizeof(float));
        Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(new Random(5), 960)), 0, gradients.W, 0, 960 * sizeof(float));
        var optimizer = new LarsNet.Everything(model) { MaxDegreeOfParallelism = threads, ParallelThreshold = 256, GlobalNormClip = 10 };
        int calls = Allocations.AssertNone("LARS Step on " + threads + " thread(s)", () => optimizer.Step(gradients), threads > 1 ? Gen.StepWorkers.WorkerAllocatedBytes : null);
        Assert.Equal(calls, optimizer.StepCount);
    }
}
