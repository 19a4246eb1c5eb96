using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// [Muon] against its scalar reference (<see cref="MuonReference"/>) and its AdamW part against [AdamW]: every member of
/// <see cref="MuonNet"/> over 25 steps with a learning-rate and weight-decay change half way, for the defaults, Nesterov
/// off and every option set. CI runs this class again under every SIMD setting: the generated kernels must give the
/// same bits at every width.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)] // ParallelStepsAreBitIdenticalToSerialOnes needs the step workers to itself
public sealed class MuonTests(ITestOutputHelper output)
{
    private const int Steps = 25;

    /// <summary>
    /// How far the float32 trajectory may be from the float64 algorithm, relative to max(|p|, 1): 1e-5, the bound of every
    /// other kind. The element-wise passes round like any float kernel. The orthogonalization runs in float32 (PyTorch
    /// runs it in bfloat16): its products carry k roundings each and its quintic polynomial multiplies the directions of
    /// small singular values by up to a ≈ 3.4 per iteration, so the orthogonalized update may differ from the float64 one
    /// by up to ~2e-4 relative (NewtonSchulzTests' bound); but the update enters the parameters times the adjusted rate
    /// (at most 0.02·√(37/11) here), so 25 steps stay within 1e-5. Measured: 6e-7 to 9e-7 (the test prints it).
    /// PyTorch's bfloat16 iteration is about 2^8 times further from the float64 one than Gen's.
    /// </summary>
    private const double DoubleTolerance = 1e-5;

    private static readonly (string Name, int Rows, int Columns)[] Matrices = { ("Wide", 24, 40), ("Tall", 37, 11), ("Empty", 0, 3) };

    private static readonly (string Name, bool NoWeightDecay)[] AdamWMembers = { ("Head", false), ("Bias", true), ("Kernel", false) };

    [Theory]
    [InlineData("Defaults")]
    [InlineData("Plain")]
    [InlineData("Everything")]
    public void MatchesTheFloatReferenceBitForBitAndTheDoubleAlgorithmClosely(string name)
    {
        var config = (MuonAttribute)Optimizers.Configuration<MuonNet>(name);
        var random = new Random(Optimizers.StableSeed(name, 24));
        var model = new MuonNet();
        var gradients = new MuonNet.Gradients(model);
        Optimizer<MuonNet.Gradients> optimizer = Optimizers.Create<MuonNet, MuonNet.Gradients>(name, model);

        var exact = new Dictionary<string, double[]>();
        var wide = new Dictionary<string, double[]>();
        foreach (string member in Names())
        {
            double[] start = TestData.RoundToSingle(TestData.Parameters(random, Array(model, member).Length));
            Set(Array(model, member), start);
            exact[member] = (double[])start.Clone();
            wide[member] = (double[])start.Clone();
        }

        var matrixReferences = Matrices.ToDictionary(m => m.Name, m => (Exact: new MuonReference(config, m.Rows, m.Columns, single: true), Wide: new MuonReference(config, m.Rows, m.Columns, single: false)));
        var adamReferences = AdamWMembers.ToDictionary(m => m.Name, m => (
            Exact: new AdamReference(config.AdamWBeta1, config.AdamWBeta2, config.AdamWEpsilon, amsGrad: false, maximize: false, decoupled: true, Array(model, m.Name).Length, single: true),
            Wide: new AdamReference(config.AdamWBeta1, config.AdamWBeta2, config.AdamWEpsilon, amsGrad: false, maximize: false, decoupled: true, Array(model, m.Name).Length, single: false)));

        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            if (step == Steps / 2)
            {
                optimizer.LearningRate *= 0.5;
                optimizer.WeightDecay *= 2;
            }

            var g = new Dictionary<string, double[]>();
            foreach (string member in Names())
            {
                g[member] = TestData.RoundToSingle(TestData.Gradients(random, Array(model, member).Length));
                Set(Array(gradients, member), g[member]);
            }

            long stepCount = optimizer.StepCount;
            optimizer.Step(gradients);
            foreach ((string member, _, _) in Matrices)
            {
                matrixReferences[member].Exact.Step(exact[member], g[member], optimizer.LearningRate, optimizer.WeightDecay);
                matrixReferences[member].Wide.Step(wide[member], g[member], optimizer.LearningRate, optimizer.WeightDecay);
            }

            // The AdamW part: [AdamW]'s update at LearningRate·AdamWLearningRateScale and the constant AdamWWeightDecay.
            foreach ((string member, bool noWeightDecay) in AdamWMembers)
            {
                double rate = optimizer.LearningRate * config.AdamWLearningRateScale, decay = noWeightDecay ? 0 : config.AdamWWeightDecay;
                adamReferences[member].Exact.Step(exact[member], g[member], rate, decay, stepCount);
                adamReferences[member].Wide.Step(wide[member], g[member], rate, decay, stepCount);
            }

            foreach (string member in Names())
            {
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
        Assert.True(worst <= DoubleTolerance, $"{name}: the float result is {worst:E2} from the float64 algorithm (relative to max(|p|, 1)).");
        Assert.True(worst > 0, "The float and double trajectories cannot agree exactly.");
    }

    /// <summary>Every member [Muon] gives its AdamW part comes out bit for bit as [AdamW] with the same values leaves it: float members here, double in the next test.</summary>
    [Theory]
    [InlineData("Defaults", "DefaultsTwin")]
    [InlineData("Everything", "EverythingTwin")]
    public void TheAdamWPartIsAdamWBitForBit(string muon, string adamW)
    {
        var random = new Random(Optimizers.StableSeed(muon, 5));
        var model = new MuonNet();
        foreach (string member in Names())
        {
            Set(Array(model, member), TestData.Parameters(random, Array(model, member).Length));
        }

        MuonNet twin = Copy(model);
        Optimizer<MuonNet.Gradients> optimizer = Optimizers.Create<MuonNet, MuonNet.Gradients>(muon, model);
        Optimizer<MuonNet.Gradients> reference = Optimizers.Create<MuonNet, MuonNet.Gradients>(adamW, twin);
        var gradients = new MuonNet.Gradients(model);
        for (int step = 0; step < Steps; step++)
        {
            if (step == Steps / 2)
            {
                // A schedule moves both parts; the AdamW part's weight decay is its constant, whatever WeightDecay says.
                optimizer.LearningRate *= 0.5;
                reference.LearningRate *= 0.5;
                optimizer.WeightDecay *= 3;
            }

            foreach (string member in Names())
            {
                Set(Array(gradients, member), TestData.Gradients(random, Array(model, member).Length));
            }

            optimizer.Step(gradients);
            reference.Step(gradients);
        }

        foreach ((string member, _) in AdamWMembers)
        {
            Assert.True(Flat(Array(model, member)).AsSpan().SequenceEqual(Flat(Array(twin, member))), $"{muon}: {member} differs from {adamW}'s.");
        }

        Assert.False(Flat(model.Wide).AsSpan().SequenceEqual(Flat(twin.Wide)), "Muon's matrices must differ from AdamW's.");
    }

    [Fact]
    public void DoubleMembersTakeTheAdamWPartsDoubleKernelsBitForBit()
    {
        var random = new Random(11);
        var model = new MuonMixedNet();
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(random, 96)), 0, model.W, 0, 96 * sizeof(float));
        model.D = TestData.Parameters(random, 37);
        Buffer.BlockCopy(TestData.Parameters(random, 35), 0, model.E, 0, 35 * sizeof(double));
        var twin = new MuonMixedNet { D = (double[])model.D.Clone(), E = (double[,])model.E.Clone(), W = (float[,])model.W.Clone() };
        var optimizer = new MuonMixedNet.Muon(model);
        var reference = new MuonMixedNet.AdamWTwin(twin);
        var gradients = new MuonMixedNet.Gradients(model);
        for (int step = 0; step < Steps; step++)
        {
            Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(random, 96)), 0, gradients.W, 0, 96 * sizeof(float));
            TestData.Gradients(random, 37).CopyTo(gradients.D, 0);
            Buffer.BlockCopy(TestData.Gradients(random, 35), 0, gradients.E, 0, 35 * sizeof(double));
            optimizer.Step(gradients);
            reference.Step(gradients);
        }

        Assert.Equal(twin.D.Select(BitConverter.DoubleToInt64Bits), model.D.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(twin.E.Cast<double>().Select(BitConverter.DoubleToInt64Bits), model.E.Cast<double>().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(new[] { "momentum_buffer", "exp_avg", "exp_avg_sq", "exp_avg", "exp_avg_sq" }, Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i).Key));
        Assert.Equal((96 * 4) + (37 * 16) + (35 * 16), optimizer.StateBytes);
    }

    [Fact]
    public void StateUsesPyTorchsNamesPerPart()
    {
        var optimizer = new MuonNet.Defaults(new MuonNet());
        var states = Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i)).Select(s => (Member: optimizer.Model.GetParameter(s.ParameterIndex).Name, s.Key)).ToArray();
        Assert.Equal(
            new[]
            {
                ("Wide", "momentum_buffer"), ("Tall", "momentum_buffer"), ("Empty", "momentum_buffer"),
                ("Head", "exp_avg"), ("Head", "exp_avg_sq"), ("Bias", "exp_avg"), ("Bias", "exp_avg_sq"), ("Kernel", "exp_avg"), ("Kernel", "exp_avg_sq"),
            },
            states);
        Assert.Equal(4L * (960 + 407 + 0 + (2 * (60 + 13 + 30))), optimizer.StateBytes);
    }

    [Fact]
    public void ParallelStepsAreBitIdenticalToSerialOnes()
    {
        var random = new Random(3);
        var serial = new MuonNet();
        foreach (string member in Names())
        {
            Set(Array(serial, member), TestData.Parameters(random, Array(serial, member).Length));
        }

        MuonNet parallel = Copy(serial);
        var serialOptimizer = new MuonNet.Everything(serial);
        var parallelOptimizer = new MuonNet.Everything(parallel) { MaxDegreeOfParallelism = 4, ParallelThreshold = 256 };
        long slices = Gen.StepWorkers.WorkerSlices;
        var gradients = new MuonNet.Gradients(serial);
        for (int step = 0; step < 5; step++)
        {
            foreach (string member in Names())
            {
                Set(Array(gradients, member), TestData.Gradients(random, Array(serial, member).Length));
            }

            serialOptimizer.Step(gradients);
            parallelOptimizer.Step(gradients);
        }

        foreach (string member in Names())
        {
            Assert.True(Flat(Array(serial, member)).AsSpan().SequenceEqual(Flat(Array(parallel, member))), $"{member}: a parallel step differs from a serial one.");
        }

        // The element-wise passes of the 960-element matrix went to the workers (on a machine with more than one core).
        Assert.True(Gen.StepWorkers.WorkerCount == 0 || Gen.StepWorkers.WorkerSlices > slices, "The steps did not run on the workers.");
    }

    [Fact]
    public void TheFusedClipAndClearAreTheSeparateCallsBitForBit()
    {
        var random = new Random(8);
        var separate = new MuonNet();
        foreach (string member in Names())
        {
            Set(Array(separate, member), TestData.Parameters(random, Array(separate, member).Length));
        }

        MuonNet fused = Copy(separate);
        var separateOptimizer = new MuonNet.Defaults(separate);
        var fusedOptimizer = new MuonNet.Defaults(fused) { GlobalNormClip = 1.0 };
        var separateGradients = new MuonNet.Gradients(separate);
        var fusedGradients = new MuonNet.Gradients(fused);
        for (int step = 0; step < 4; step++)
        {
            foreach (string member in Names())
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

        foreach (string member in Names())
        {
            Assert.True(Flat(Array(separate, member)).AsSpan().SequenceEqual(Flat(Array(fused, member))), $"{member} differs.");
            Assert.All(Flat(Array(fusedGradients, member)), x => Assert.Equal(0, BitConverter.SingleToInt32Bits(x)));
        }
    }

    /// <summary>
    /// A matrix replaced by one of the same length: another shape that fits the workspace steps with its own adjusted rate;
    /// one that does not fit is refused before anything is written.
    /// </summary>
    [Fact]
    public void AReshapedMatrixMustFitTheWorkspace()
    {
        var model = new MuonNet();
        var optimizer = new MuonNet.Defaults(model);
        var gradients = new MuonNet.Gradients(model);
        Set(gradients.Wide, TestData.Gradients(new Random(1), 960));
        optimizer.Step(gradients);

        model.Wide = new float[40, 24];
        gradients.Wide = new float[40, 24];
        optimizer.Step(gradients);
        Assert.Equal(2, optimizer.StepCount);

        model.Wide = new float[10, 96];
        gradients.Wide = new float[10, 96];
        float[] tall = Flat(model.Tall), state = optimizer.GetState(1).Buffer.AsSingleSpan().ToArray();
        var refused = Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Assert.Contains("'Wide' is now 10 × 96", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, optimizer.StepCount);
        Assert.Equal(tall, Flat(model.Tall));
        Assert.Equal(state, optimizer.GetState(1).Buffer.AsSingleSpan().ToArray());
    }

    private static IEnumerable<string> Names() => Matrices.Select(m => m.Name).Concat(AdamWMembers.Select(m => m.Name));

    private static Array Array(MuonNet model, string member) => member switch
    {
        "Wide" => model.Wide,
        "Tall" => model.Tall,
        "Empty" => model.Empty,
        "Head" => model.Head,
        "Bias" => model.Bias,
        _ => model.Kernel,
    };

    private static Array Array(MuonNet.Gradients gradients, string member) => member switch
    {
        "Wide" => gradients.Wide,
        "Tall" => gradients.Tall,
        "Empty" => gradients.Empty,
        "Head" => gradients.Head,
        "Bias" => gradients.Bias,
        _ => gradients.Kernel,
    };

    private static MuonNet Copy(MuonNet model) => new()
    {
        Wide = (float[,])model.Wide.Clone(),
        Tall = (float[,])model.Tall.Clone(),
        Empty = (float[,])model.Empty.Clone(),
        Head = (float[,])model.Head.Clone(),
        Bias = (float[])model.Bias.Clone(),
        Kernel = (float[,,])model.Kernel.Clone(),
    };

    /// <summary>A float array of any rank, flattened (row-major), as a copy.</summary>
    private static float[] Flat(Array array)
    {
        float[] values = new float[array.Length];
        Buffer.BlockCopy(array, 0, values, 0, values.Length * sizeof(float));
        return values;
    }

    /// <summary>Writes <paramref name="values"/>, rounded to float, into a float array of any rank.</summary>
    private static void Set(Array array, double[] values) =>
        Buffer.BlockCopy(TestData.ToSingle(values), 0, array, 0, values.Length * sizeof(float));
}

/// <summary>A [Muon] step allocates nothing, serial or parallel: its scratch matrix and Newton–Schulz workspace are made at construction.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class MuonAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StepsAllocateNothing(int threads)
    {
        var model = new MuonNet();
        var gradients = new MuonNet.Gradients(model);
        Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(new Random(4), 960)), 0, gradients.Wide, 0, 960 * sizeof(float));
        Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(new Random(5), 407)), 0, gradients.Tall, 0, 407 * sizeof(float));
        var optimizer = new MuonNet.Everything(model) { MaxDegreeOfParallelism = threads, ParallelThreshold = 256, GlobalNormClip = 10 };
        int calls = Allocations.AssertNone("Muon Step on " + threads + " thread(s)", () => optimizer.Step(gradients), threads > 1 ? Gen.StepWorkers.WorkerAllocatedBytes : null);
        Assert.Equal(calls, optimizer.StepCount);
    }
}

/// <summary>
/// [Muon] with reduced-precision state: the momentum pass widens and narrows the momentum buffer in its one pass, and
/// 8-bit block-wise state runs that pass block by block on dequantized state, so a step is exactly the float32-state
/// step from the widened (or dequantized) state with its state narrowed (or quantized) afterwards, as for every kind
/// (StatePrecisionTests, Int8StateTests); the AdamW part's state follows its own rules.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class MuonStateTests
{
    [Fact]
    public void ABFloat16StepIsTheFloatStepWithItsStateNarrowed()
    {
        var random = new Random(21);
        (MuonLeanNet reference, MuonLeanNet model) = Models(random);
        var referenceOptimizer = new MuonLeanNet.F32(reference);
        var optimizer = new MuonLeanNet.BF16(model);
        var gradients = new MuonLeanNet.Gradients(model);
        for (int step = 0; step < 5; step++)
        {
            Fill(gradients, random);
            referenceOptimizer.Step(gradients);
            optimizer.Step(gradients);
            for (int b = 0; b < referenceOptimizer.StateCount; b++)
            {
                Span<float> state = referenceOptimizer.GetState(b).Buffer.AsSingleSpan();
                var bits = new ushort[state.Length];
                for (int i = 0; i < state.Length; i++)
                {
                    Gen.__Internals.BFloat16Storage.Store(state[i], bits, i);
                    state[i] = Gen.__Internals.BFloat16Storage.ToSingle(bits[i]);
                }

                Assert.Equal(TensorElement.BFloat16, optimizer.GetState(b).Buffer.Element);
                Assert.True(bits.AsSpan().SequenceEqual(optimizer.GetState(b).Buffer.AsBitsSpan()), $"state {b} ({referenceOptimizer.GetState(b).Key}) differs at step {step}.");
            }

            Assert.True(Flat(reference.W).AsSpan().SequenceEqual(Flat(model.W)), $"W differs at step {step}.");
            Assert.True(reference.B.AsSpan().SequenceEqual(model.B), $"B differs at step {step}.");
        }
    }

    [Fact]
    public void AnInt8StepIsTheFloatStepWithItsStateQuantized()
    {
        var random = new Random(22);
        (MuonLeanNet reference, MuonLeanNet model) = Models(random);
        var referenceOptimizer = new MuonLeanNet.F32(reference);
        var optimizer = new MuonLeanNet.I8(model);
        Assert.Equal(new[] { "state1", "absmax1", "qmap1", "exp_avg", "exp_avg_sq" }, Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i).Key));
        var gradients = new MuonLeanNet.Gradients(model);
        int length = model.W.Length;
        for (int step = 0; step < 5; step++)
        {
            Fill(gradients, random);
            float[] dequantized = new float[length];
            Gen.__Internals.BlockwiseQuantization.Dequantize(optimizer.GetState(0).Buffer.AsByteSpan(), optimizer.GetState(1).Buffer.AsSingleSpan(), dequantized, signed: true);
            dequantized.CopyTo(referenceOptimizer.GetState(0).Buffer.AsSingleSpan());
            referenceOptimizer.Step(gradients);
            optimizer.Step(gradients);

            Assert.True(Flat(reference.W).AsSpan().SequenceEqual(Flat(model.W)), $"W differs at step {step}.");
            Assert.True(reference.B.AsSpan().SequenceEqual(model.B), $"B differs at step {step}.");
            var codes = new byte[length];
            var absmax = new float[Gen.__Internals.BlockwiseQuantization.BlockCount(length)];
            Gen.__Internals.BlockwiseQuantization.Quantize(referenceOptimizer.GetState(0).Buffer.AsSingleSpan(), codes, absmax, signed: true);
            Assert.True(codes.AsSpan().SequenceEqual(optimizer.GetState(0).Buffer.AsByteSpan()), $"codes differ at step {step}.");
            Assert.True(absmax.AsSpan().SequenceEqual(optimizer.GetState(1).Buffer.AsSingleSpan()), $"absmax differs at step {step}.");
            Assert.True(referenceOptimizer.GetState(1).Buffer.AsSingleSpan().SequenceEqual(optimizer.GetState(3).Buffer.AsSingleSpan()), $"B's exp_avg differs at step {step}.");
        }
    }

    private static (MuonLeanNet First, MuonLeanNet Second) Models(Random random)
    {
        var first = new MuonLeanNet();
        Buffer.BlockCopy(TestData.ToSingle(TestData.Parameters(random, first.W.Length)), 0, first.W, 0, first.W.Length * sizeof(float));
        first.B = TestData.ToSingle(TestData.Parameters(random, first.B.Length));
        return (first, new MuonLeanNet { W = (float[,])first.W.Clone(), B = (float[])first.B.Clone() });
    }

    private static void Fill(MuonLeanNet.Gradients gradients, Random random)
    {
        Buffer.BlockCopy(TestData.ToSingle(TestData.Gradients(random, gradients.W.Length)), 0, gradients.W, 0, gradients.W.Length * sizeof(float));
        TestData.ToSingle(TestData.Gradients(random, gradients.B.Length)).CopyTo(gradients.B, 0);
    }

    private static float[] Flat(float[,] array)
    {
        float[] values = new float[array.Length];
        Buffer.BlockCopy(array, 0, values, 0, values.Length * sizeof(float));
        return values;
    }
}
