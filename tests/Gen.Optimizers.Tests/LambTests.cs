using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// [Lamb] against its scalar reference (<see cref="LambReference"/>, written from Optax's <c>lamb</c>): every member of
/// <see cref="LambNet"/> over 25 steps with a learning-rate and weight-decay change half way, for the defaults and every
/// option set; bit for bit against the float-rounded reference (whose trust ratio uses the runtime's norms), within 1e-5
/// of the float64 algorithm. CI runs this class again under every SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)] // ParallelStepsAreBitIdenticalToSerialOnes needs the step workers to itself
public sealed class LambTests(ITestOutputHelper output)
{
    private const int Steps = 25;

    private static readonly (string Name, bool Excluded, double RateScale)[] Members =
    {
        ("W", false, 1), ("V", false, 1), ("Zero", false, 1), ("Bias", true, 1), ("Kernel", false, 0.5), ("Empty", false, 1),
    };

    [Theory]
    [InlineData("Defaults")]
    [InlineData("Everything")]
    public void MatchesTheFloatReferenceBitForBitAndTheDoubleAlgorithmClosely(string name)
    {
        var config = (LambAttribute)Optimizers.Configuration<LambNet>(name);
        var random = new Random(Optimizers.StableSeed(name, 31));
        var model = new LambNet();
        var gradients = new LambNet.Gradients(model);
        Optimizer<LambNet.Gradients> optimizer = Optimizers.Create<LambNet, LambNet.Gradients>(name, model);

        var exact = new Dictionary<string, double[]>();
        var wide = new Dictionary<string, double[]>();
        var exactReferences = new Dictionary<string, LambReference>();
        var wideReferences = new Dictionary<string, LambReference>();
        foreach ((string member, _, _) in Members)
        {
            int length = Array(model, member).Length;
            double[] start = member == "Zero" ? new double[length] : TestData.RoundToSingle(TestData.Parameters(random, length));
            Set(Array(model, member), start);
            exact[member] = (double[])start.Clone();
            wide[member] = (double[])start.Clone();
            exactReferences[member] = new LambReference(config, length, single: true, runtimeNorms: true);
            wideReferences[member] = new LambReference(config, length, single: false, runtimeNorms: false);
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
                exactReferences[member].Step(exact[member], g[member], optimizer.LearningRate * scale, optimizer.WeightDecay, excluded, stepCount);
                wideReferences[member].Step(wide[member], g[member], optimizer.LearningRate * scale, optimizer.WeightDecay, excluded, stepCount);
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
        var config = (LambAttribute)Optimizers.Configuration<LambDoubleNet>("Lamb");
        var random = new Random(13);
        var model = new LambDoubleNet();
        var optimizer = new LambDoubleNet.Lamb(model);
        var gradients = new LambDoubleNet.Gradients(model);
        (string Name, bool Excluded)[] members = { ("D", false), ("E", false), ("B", true) };
        var exact = new Dictionary<string, double[]>();
        var plain = new Dictionary<string, double[]>();
        var exactReferences = new Dictionary<string, LambReference>();
        var plainReferences = new Dictionary<string, LambReference>();
        foreach ((string member, _) in members)
        {
            int length = Array(model, member).Length;
            double[] start = TestData.Parameters(random, length);
            Buffer.BlockCopy(start, 0, Array(model, member), 0, length * sizeof(double));
            exact[member] = (double[])start.Clone();
            plain[member] = (double[])start.Clone();
            exactReferences[member] = new LambReference(config, length, single: false, runtimeNorms: true);
            plainReferences[member] = new LambReference(config, length, single: false, runtimeNorms: false);
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
                exactReferences[member].Step(exact[member], g[member], optimizer.LearningRate, optimizer.WeightDecay, excluded, stepCount);
                plainReferences[member].Step(plain[member], g[member], optimizer.LearningRate, optimizer.WeightDecay, excluded, stepCount);
                double[] actual = new double[exact[member].Length];
                Buffer.BlockCopy(Array(model, member), 0, actual, 0, actual.Length * sizeof(double));
                Assert.Equal(exact[member].Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
                worst = Math.Max(worst, actual.Zip(plain[member], (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max());
            }
        }

        output.WriteLine($"double: largest distance from the index-order norms after {Steps} steps: {worst:E2}.");
        Assert.True(worst <= 1e-12, $"The double result is {worst:E2} from the double algorithm.");
    }

    /// <summary>The ratio: ‖p‖/‖u‖ within rounding of plain sums, 1 when either norm is 0, the coefficient and ε applied as Optax does.</summary>
    [Fact]
    public void TheTrustRatioIsOptaxs()
    {
        var random = new Random(2);
        double[] p = TestData.Parameters(random, 1000), u = TestData.Gradients(random, 1000);
        double expected = Math.Sqrt(p.Sum(x => x * x)) / Math.Sqrt(u.Sum(x => x * x));
        Assert.Equal(expected, Gen.__Internals.TrustRatio.Of(u, p, 1d, 0d), 14);
        Assert.Equal(0.001 * Math.Sqrt(p.Sum(x => x * x)) / (Math.Sqrt(u.Sum(x => x * x)) + 0.5), Gen.__Internals.TrustRatio.Of(u, p, 0.001, 0.5), 15);
        Assert.Equal(1d, Gen.__Internals.TrustRatio.Of(u, new double[1000], 0.001, 0d));
        Assert.Equal(1d, Gen.__Internals.TrustRatio.Of(new double[1000], p, 0.001, 0d));
        Assert.Equal(1f, Gen.__Internals.TrustRatio.Of(new float[0], new float[0], 1f, 0f));
        float[] pf = TestData.ToSingle(p), uf = TestData.ToSingle(u);
        float ratio = Gen.__Internals.TrustRatio.Of(uf, pf, 1f, 0f);
        Assert.Equal((float)Math.Sqrt(pf.Sum(x => (double)x * x)) / (float)Math.Sqrt(uf.Sum(x => (double)x * x)), ratio, 6);
        float[] scaled = (float[])uf.Clone();
        Gen.__Internals.TrustRatio.Scale(scaled, pf, 1f, 0f);
        Assert.Equal(uf.Select(x => x * ratio), scaled);
    }

    [Fact]
    public void StateUsesTheReferenceNames()
    {
        var optimizer = new LambNet.Defaults(new LambNet());
        var states = Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i)).Select(s => (Member: optimizer.Model.GetParameter(s.ParameterIndex).Name, s.Key)).ToArray();
        Assert.Equal(Members.SelectMany(m => new[] { (m.Name, "exp_avg"), (m.Name, "exp_avg_sq") }), states);
        Assert.Equal(8L * (960 + 37 + 13 + 11 + 30), optimizer.StateBytes);
        Assert.Equal("LAMB", optimizer.Kind);
    }

    [Fact]
    public void ParallelStepsAreBitIdenticalToSerialOnes()
    {
        var random = new Random(3);
        var serial = new LambNet();
        foreach ((string member, _, _) in Members)
        {
            Set(Array(serial, member), TestData.Parameters(random, Array(serial, member).Length));
        }

        LambNet parallel = Copy(serial);
        var serialOptimizer = new LambNet.Everything(serial);
        var parallelOptimizer = new LambNet.Everything(parallel) { MaxDegreeOfParallelism = 4, ParallelThreshold = 256 };
        long slices = Gen.StepWorkers.WorkerSlices;
        var gradients = new LambNet.Gradients(serial);
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
        var separate = new LambNet();
        foreach ((string member, _, _) in Members)
        {
            Set(Array(separate, member), TestData.Parameters(random, Array(separate, member).Length));
        }

        LambNet fused = Copy(separate);
        var separateOptimizer = new LambNet.Everything(separate);
        var fusedOptimizer = new LambNet.Everything(fused) { GlobalNormClip = 1.0 };
        var separateGradients = new LambNet.Gradients(separate);
        var fusedGradients = new LambNet.Gradients(fused);
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
        var random = new Random(21);
        var reference = new LambLeanNet();
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(random, reference.W.Length)), 0, reference.W, 0, reference.W.Length * sizeof(float));
        reference.B = TestData.ToSingle(TestData.Parameters(random, reference.B.Length));
        var bf16Model = new LambLeanNet { W = (float[,])reference.W.Clone(), B = (float[])reference.B.Clone() };
        var int8Model = new LambLeanNet { W = (float[,])reference.W.Clone(), B = (float[])reference.B.Clone() };
        var bf16Twin = new LambLeanNet { W = (float[,])reference.W.Clone(), B = (float[])reference.B.Clone() };
        var int8Twin = new LambLeanNet { W = (float[,])reference.W.Clone(), B = (float[])reference.B.Clone() };
        var bf16 = new LambLeanNet.BF16(bf16Model);
        var int8 = new LambLeanNet.I8(int8Model);
        var bf16Reference = new LambLeanNet.F32(bf16Twin);
        var int8Reference = new LambLeanNet.F32(int8Twin);
        Assert.Equal(new[] { "state1", "absmax1", "qmap1", "state2", "absmax2", "qmap2", "exp_avg", "exp_avg_sq" }, Enumerable.Range(0, int8.StateCount).Select(i => int8.GetState(i).Key));
        var gradients = new LambLeanNet.Gradients(reference);
        int length = reference.W.Length;
        for (int step = 0; step < 5; step++)
        {
            Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(random, length)), 0, gradients.W, 0, length * sizeof(float));
            TestData.ToSingle(TestData.Gradients(random, gradients.B.Length)).CopyTo(gradients.B, 0);

            // bfloat16: the float32 optimizer starts from the widened state.
            for (int b = 0; b < bf16.StateCount; b++)
            {
                Span<ushort> bits = bf16.GetState(b).Buffer.AsBitsSpan();
                Span<float> state = bf16Reference.GetState(b).Buffer.AsSingleSpan();
                for (int i = 0; i < bits.Length; i++)
                {
                    state[i] = Gen.__Internals.BFloat16Storage.ToSingle(bits[i]);
                }
            }

            // 8-bit: the float32 optimizer starts from the dequantized state of W (B keeps float32 state).
            var dequantized = new float[length];
            Gen.__Internals.BlockwiseQuantization.Dequantize(int8.GetState(0).Buffer.AsByteSpan(), int8.GetState(1).Buffer.AsSingleSpan(), dequantized, signed: true);
            dequantized.CopyTo(int8Reference.GetState(0).Buffer.AsSingleSpan());
            Gen.__Internals.BlockwiseQuantization.Dequantize(int8.GetState(3).Buffer.AsByteSpan(), int8.GetState(4).Buffer.AsSingleSpan(), dequantized, signed: false);
            dequantized.CopyTo(int8Reference.GetState(1).Buffer.AsSingleSpan());
            int8.GetState(6).Buffer.AsSingleSpan().CopyTo(int8Reference.GetState(2).Buffer.AsSingleSpan());
            int8.GetState(7).Buffer.AsSingleSpan().CopyTo(int8Reference.GetState(3).Buffer.AsSingleSpan());

            bf16.Step(gradients);
            bf16Reference.Step(gradients);
            int8.Step(gradients);
            int8Reference.Step(gradients);
            Assert.True(Flat(bf16Twin.W).AsSpan().SequenceEqual(Flat(bf16Model.W)), $"bfloat16: W differs at step {step}.");
            Assert.True(bf16Twin.B.AsSpan().SequenceEqual(bf16Model.B), $"bfloat16: B differs at step {step}.");
            Assert.True(Flat(int8Twin.W).AsSpan().SequenceEqual(Flat(int8Model.W)), $"8-bit: W differs at step {step}.");
            Assert.True(int8Twin.B.AsSpan().SequenceEqual(int8Model.B), $"8-bit: B differs at step {step}.");
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
            Assert.True(codes.AsSpan().SequenceEqual(int8.GetState(0).Buffer.AsByteSpan()), $"8-bit exp_avg codes differ at step {step}.");
            Assert.True(absmax.AsSpan().SequenceEqual(int8.GetState(1).Buffer.AsSingleSpan()), $"8-bit exp_avg absmax differs at step {step}.");
        }
    }

    private static Array Array(LambNet model, string member) => member switch
    {
        "W" => model.W,
        "V" => model.V,
        "Zero" => model.Zero,
        "Bias" => model.Bias,
        "Kernel" => model.Kernel,
        _ => model.Empty,
    };

    private static Array Array(LambNet.Gradients gradients, string member) => member switch
    {
        "W" => gradients.W,
        "V" => gradients.V,
        "Zero" => gradients.Zero,
        "Bias" => gradients.Bias,
        "Kernel" => gradients.Kernel,
        _ => gradients.Empty,
    };

    private static Array Array(LambDoubleNet model, string member) => member switch
    {
        "D" => model.D,
        "E" => model.E,
        _ => model.B,
    };

    private static Array Array(LambDoubleNet.Gradients gradients, string member) => member switch
    {
        "D" => gradients.D,
        "E" => gradients.E,
        _ => gradients.B,
    };

    private static LambNet Copy(LambNet model) => new()
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

/// <summary>A [Lamb] step allocates nothing, serial or parallel: its scratch buffer is made at construction.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class LambAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StepsAllocateNothing(int threads)
    {
        var model = new LambNet();
        var gradients = new LambNet.Gradients(model);
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(new Random(4), 960)), 0, model.W, 0, 960 * sizeof(float));
        Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(new Random(5), 960)), 0, gradients.W, 0, 960 * sizeof(float));
        var optimizer = new LambNet.Everything(model) { MaxDegreeOfParallelism = threads, ParallelThreshold = 256, GlobalNormClip = 10 };
        int calls = Allocations.AssertNone("LAMB Step on " + threads + " thread(s)", () => optimizer.Step(gradients), threads > 1 ? Gen.StepWorkers.WorkerAllocatedBytes : null);
        Assert.Equal(calls, optimizer.StepCount);
    }
}
