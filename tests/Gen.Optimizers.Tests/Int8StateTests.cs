using System;
using System.Linq;
using System.Runtime.InteropServices;
using Gen.__Internals;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// 8-bit block-wise state (StatePrecision.Int8Blockwise): per block of 256, each state buffer is dequantized into a
/// float block, the float32 kernel runs on it, and it is quantized again. So a step is exactly the float32-state step
/// from the dequantized state, with its stored state quantized afterwards by <see cref="BlockwiseQuantization"/>: the
/// reference below runs the float32-state optimizer from the 8-bit optimizer's dequantized state before every step,
/// for every kind, on every SIMD path (the Numerical category runs again under each SIMD setting in CI) and split
/// across threads. Members under 4,096 elements keep float32 state and are the float32 optimizer bit for bit.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)]
public sealed class Int8StateTests
{
    // Quantized: at least 4,096 and not a multiple of 256 (the last block is short).
    private const int Large = 5000;

    // Float32 state: under 4,096.
    private const int SmallRows = 40, SmallColumns = 25;

    public static TheoryData<string> Configurations
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in Optimizers.Names<Int8StateModel>().Where(n => n.EndsWith("_F32", StringComparison.Ordinal)))
            {
                data.Add(name[..^4]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AStepIsTheFloatStepWithItsStateQuantized(string configuration)
    {
        var random = new Random(Optimizers.StableSeed(configuration, 11));
        (Int8StateModel reference, Int8StateModel model) = Models(random, Large);
        Optimizer<Int8StateModel.Gradients> referenceOptimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>(configuration + "_F32", reference);
        Optimizer<Int8StateModel.Gradients> optimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>(configuration + "_I8", model);

        // Per member, the buffers first, then any scalar state (ASGD's eta and mu, float32 in every precision).
        int buffers = Enumerable.Range(0, referenceOptimizer.StateCount).Select(referenceOptimizer.GetState).Count(s => s.ParameterIndex == 0 && s.Shape is null);

        // The initial state (zero, Adagrad's accumulator, RMSProp's initial scale) dequantizes to the float32 one exactly.
        for (int b = 0; b < buffers; b++)
        {
            AssertSameBits(referenceOptimizer.GetState(b).Buffer.AsSingleSpan(), Dequantized(optimizer, b), $"{configuration}: initial state {b}");
        }

        var gradients = new Int8StateModel.Gradients(model);
        for (int step = 0; step < 6; step++)
        {
            Fill(gradients, random);
            for (int b = 0; b < buffers; b++)
            {
                Dequantized(optimizer, b).CopyTo(referenceOptimizer.GetState(b).Buffer.AsSingleSpan());
            }

            referenceOptimizer.Step(gradients);
            optimizer.Step(gradients);

            AssertSameBits(reference.L, model.L, $"{configuration}: L at step {step}");
            AssertSameBits(Flat(reference.S), Flat(model.S), $"{configuration}: S at step {step}");
            for (int b = 0; b < buffers; b++)
            {
                OptimizerState codes = optimizer.GetState(3 * b), absmax = optimizer.GetState((3 * b) + 1);
                var expectedCodes = new byte[Large];
                var expectedAbsmax = new float[BlockwiseQuantization.BlockCount(Large)];
                BlockwiseQuantization.Quantize(referenceOptimizer.GetState(b).Buffer.AsSingleSpan(), expectedCodes, expectedAbsmax, IsSigned(optimizer, b));
                Assert.True(expectedCodes.AsSpan().SequenceEqual(codes.Buffer.AsByteSpan()), $"{configuration}: codes of buffer {b + 1} differ at step {step}.");
                AssertSameBits(expectedAbsmax, absmax.Buffer.AsSingleSpan(), $"{configuration}: absmax of buffer {b + 1} at step {step}");

                // S keeps float32 state, never synchronized: the float32 optimizer's bit for bit.
                string key = referenceOptimizer.GetState(b).Key;
                AssertSameBits(Find(referenceOptimizer, 1, key).Buffer.AsSingleSpan(), Find(optimizer, 1, key).Buffer.AsSingleSpan(), $"{configuration}: S state {b} at step {step}");
            }

            foreach (OptimizerState scalar in Enumerable.Range(0, referenceOptimizer.StateCount).Select(referenceOptimizer.GetState).Where(s => s.Shape is { Length: 0 }))
            {
                AssertSameBits(scalar.Buffer.AsSingleSpan(), Find(optimizer, scalar.ParameterIndex, scalar.Key).Buffer.AsSingleSpan(), $"{configuration}: {scalar.Key} of member {scalar.ParameterIndex} at step {step}");
            }
        }
    }

    /// <summary>ASGD's CopyAveragedTo dequantizes an 8-bit average and copies a float32 one.</summary>
    [Fact]
    public void CopyAveragedToDequantizesTheAverage()
    {
        var random = new Random(16);
        (Int8StateModel model, _) = Models(random, Large);
        var optimizer = new Int8StateModel.Asgd_I8(model);
        var gradients = new Int8StateModel.Gradients(model);
        for (int step = 0; step < 5; step++)
        {
            Fill(gradients, random);
            optimizer.Step(gradients);
        }

        var target = new Int8StateModel { L = new float[Large], S = new float[SmallRows, SmallColumns] };
        optimizer.CopyAveragedTo(target);
        AssertSameBits(Dequantized(optimizer, 0), target.L, "L");
        AssertSameBits(Find(optimizer, 1, "ax").Buffer.AsSingleSpan(), Flat(target.S), "S");
        Allocations.AssertNone("CopyAveragedTo with 8-bit state", () => optimizer.CopyAveragedTo(target));
    }

    private static OptimizerState Find(Optimizer<Int8StateModel.Gradients> optimizer, int member, string key) =>
        Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Single(s => s.ParameterIndex == member && s.Key == key);

    /// <summary>
    /// A fresh zero state dequantizes to +0 (the code's own zero entry, not the quantizer's index 0 of an all-zero block,
    /// which is −0.99·0 = −0 in the signed code): so a first step equals the float32 optimizer's even where a gradient
    /// and a parameter are −0, where −0·β + (1 − β)·(−0) would give a momentum of −0 and a parameter of +0.
    /// </summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void AFirstStepIsTheFloat32StepEvenWithNegativeZeros(string configuration)
    {
        var random = new Random(Optimizers.StableSeed(configuration, 12));
        (Int8StateModel reference, Int8StateModel model) = Models(random, Large);
        for (int i = 0; i < Large; i += 7)
        {
            reference.L[i] = model.L[i] = -0f;
        }

        Optimizer<Int8StateModel.Gradients> referenceOptimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>(configuration + "_F32", reference);
        Optimizer<Int8StateModel.Gradients> optimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>(configuration + "_I8", model);
        var gradients = new Int8StateModel.Gradients(model);
        Fill(gradients, random);
        for (int i = 0; i < Large; i += 3)
        {
            gradients.L[i] = -0f;
        }

        referenceOptimizer.Step(gradients);
        optimizer.Step(gradients);
        AssertSameBits(reference.L, model.L, configuration + ": L after the first step");
    }

    [Fact]
    public void TheZeroStateIsTheCodesZeroEntry()
    {
        foreach (bool signed in new[] { true, false })
        {
            var state = new BlockwiseState(BlockwiseState.MinLength, signed, 0f);
            Span<float> values = state.Load(0, new float[BlockwiseState.BlockSize]);
            Assert.All(values.ToArray(), v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));
            Assert.Equal(0f, state.Table[state.Codes[0]]);
        }
    }

    [Theory]
    [InlineData("AmsGrad")]
    [InlineData("Centered")]
    [InlineData("Lion")]
    public void AParallelStepIsTheSerialStep(string configuration)
    {
        const int length = 300_007;
        var random = new Random(Optimizers.StableSeed(configuration, 13));
        (Int8StateModel serial, Int8StateModel parallel) = Models(random, length);
        Optimizer<Int8StateModel.Gradients> serialOptimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>(configuration + "_I8", serial);
        Optimizer<Int8StateModel.Gradients> parallelOptimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>(configuration + "_I8", parallel);
        parallelOptimizer.MaxDegreeOfParallelism = 4;
        parallelOptimizer.ParallelThreshold = 1000;
        var gradients = new Int8StateModel.Gradients(serial);
        for (int step = 0; step < 3; step++)
        {
            Fill(gradients, random);
            serialOptimizer.Step(gradients);
            parallelOptimizer.Step(gradients);
        }

        AssertSameBits(serial.L, parallel.L, configuration + ": L");
        Assert.Equal(serialOptimizer.StateCount, parallelOptimizer.StateCount);
        for (int i = 0; i < serialOptimizer.StateCount; i++)
        {
            Assert.True(Dtypes.AsBytes(serialOptimizer.GetState(i).Buffer).SequenceEqual(Dtypes.AsBytes(parallelOptimizer.GetState(i).Buffer)), $"state {i} differs.");
        }
    }

    [Fact]
    public void GetStateListsBitsandbytesTensorsForLargeMembersAndPyTorchsForSmallOnes()
    {
        var model = new Int8StateModel { L = new float[Large], S = new float[SmallRows, SmallColumns] };
        Optimizer<Int8StateModel.Gradients> optimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Adam_I8", model);
        Assert.Equal(
            new[] { "L.state1", "L.absmax1", "L.qmap1", "L.state2", "L.absmax2", "L.qmap2", "S.exp_avg", "S.exp_avg_sq" },
            Enumerable.Range(0, optimizer.StateCount).Select(i => optimizer.GetState(i)).Select(s => s.Buffer.Name + "." + s.Key));
        Assert.Equal(TensorElement.UInt8, optimizer.GetState(0).Buffer.Element);
        Assert.Null(optimizer.GetState(0).Shape);
        Assert.Equal(new[] { 20 }, optimizer.GetState(1).Shape);
        Assert.Equal(new[] { 256 }, optimizer.GetState(2).Shape);
        Assert.True(optimizer.GetState(2).IsConstant);
        Assert.True(DynamicCode.Signed.SequenceEqual(optimizer.GetState(2).Buffer.AsSingleSpan()));
        Assert.True(DynamicCode.Unsigned.SequenceEqual(optimizer.GetState(5).Buffer.AsSingleSpan()));
        Assert.Equal(TensorElement.Single, optimizer.GetState(6).Buffer.Element);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.GetState(8));
    }

    [Theory]
    [InlineData(4095, "exp_avg")]
    [InlineData(4096, "state1")]
    public void MembersFrom4096ElementsGet8BitState(int length, string firstKey)
    {
        var model = new Int8StateModel { L = new float[length], S = new float[SmallRows, SmallColumns] };
        Assert.Equal(firstKey, Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Lion_I8", model).GetState(0).Key);
    }

    [Fact]
    public void StateBytesCountOneBytePerElementAndOneFloatPerBlock()
    {
        var model = new Int8StateModel { L = new float[Large], S = new float[SmallRows, SmallColumns] };
        Assert.Equal((2 * (Large + (4 * 20))) + (2 * 4 * 1000), Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Adam_I8", model).StateBytes);
        Assert.Equal((2 * 4 * Large) + (2 * 4 * 1000), Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Adam_F32", model).StateBytes);

        // Adam on a large member: 2 + 8/256 bytes per parameter, against 8 for float32 state.
        var large = new Int8StateModel { L = new float[1 << 20], S = new float[0, 0] };
        Assert.Equal((2.0 + (8.0 / 256)) * (1 << 20), Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Adam_I8", large).StateBytes);
    }

    [Fact]
    public void ResetReturnsTheStateToItsQuantizedInitialValue()
    {
        var model = new Int8StateModel { L = new float[Large], S = new float[SmallRows, SmallColumns] };
        Optimizer<Int8StateModel.Gradients> optimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Scaled_I8", model);
        Optimizer<Int8StateModel.Gradients> fresh = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("Scaled_I8", new Int8StateModel { L = new float[Large], S = new float[SmallRows, SmallColumns] });
        var gradients = new Int8StateModel.Gradients(model);
        Fill(gradients, new Random(14));
        optimizer.Step(gradients);
        optimizer.Step(gradients);
        optimizer.Reset();
        for (int i = 0; i < fresh.StateCount; i++)
        {
            Assert.True(Dtypes.AsBytes(fresh.GetState(i).Buffer).SequenceEqual(Dtypes.AsBytes(optimizer.GetState(i).Buffer)), $"state {i} differs after Reset.");
        }

        // RMSProp's initial scale 0.25: absmax 0.25 and the code 1.0, which dequantizes to 0.25 exactly.
        Assert.All(Dequantized(optimizer, 0).ToArray(), v => Assert.Equal(0.25f, v));
    }

    [Fact]
    public void ASliceMustStartAtABlock()
    {
        Assert.Equal(3, BlockwiseState.FirstBlock(768));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockwiseState.FirstBlock(64));
    }

    [Fact]
    public void An8BitStepAllocatesNothing()
    {
        var model = new Int8StateModel { L = new float[Large], S = new float[SmallRows, SmallColumns] };
        Optimizer<Int8StateModel.Gradients> optimizer = Optimizers.Create<Int8StateModel, Int8StateModel.Gradients>("AmsGrad_I8", model);
        var gradients = new Int8StateModel.Gradients(model);
        Fill(gradients, new Random(15));
        Allocations.AssertNone("Step with 8-bit block-wise state", () => optimizer.Step(gradients));
    }

    private static (Int8StateModel First, Int8StateModel Second) Models(Random random, int large)
    {
        float[] l = TestData.ToSingle(TestData.Parameters(random, large));
        float[] s = TestData.ToSingle(TestData.Parameters(random, SmallRows * SmallColumns));
        return (Model(l, s), Model(l, s));
    }

    private static Int8StateModel Model(float[] l, float[] s)
    {
        var model = new Int8StateModel { L = (float[])l.Clone(), S = new float[SmallRows, SmallColumns] };
        s.AsSpan().CopyTo(Flat(model.S));
        return model;
    }

    private static void Fill(Int8StateModel.Gradients gradients, Random random)
    {
        TestData.ToSingle(TestData.Gradients(random, gradients.L.Length)).CopyTo(gradients.L, 0);
        TestData.ToSingle(TestData.Gradients(random, gradients.S.Length)).AsSpan().CopyTo(Flat(gradients.S));
    }

    private static Span<float> Flat(float[,] array) => MemoryMarshal.CreateSpan(ref array[0, 0], array.Length);

    /// <summary>Buffer <paramref name="b"/> of member L (0-based), dequantized.</summary>
    private static float[] Dequantized(Optimizer<Int8StateModel.Gradients> optimizer, int b)
    {
        var values = new float[Large];
        BlockwiseQuantization.Dequantize(optimizer.GetState(3 * b).Buffer.AsByteSpan(), optimizer.GetState((3 * b) + 1).Buffer.AsSingleSpan(), values, IsSigned(optimizer, b));
        return values;
    }

    /// <summary>Whether buffer <paramref name="b"/> uses the signed code, as its code table says.</summary>
    private static bool IsSigned(Optimizer<Int8StateModel.Gradients> optimizer, int b) => optimizer.GetState((3 * b) + 2).Buffer.AsSingleSpan()[0] < 0;

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected), a = MemoryMarshal.Cast<float, int>(actual);
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(e[i] == a[i], $"{what}: element {i} is {actual[i]:R} (0x{a[i]:X8}), expected {expected[i]:R} (0x{e[i]:X8}).");
        }
    }
}
