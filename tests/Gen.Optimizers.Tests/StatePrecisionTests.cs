using System;
using System.Linq;
using Gen.__Internals;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// 16-bit state (StatePrecision BFloat16 and Float16, to nearest even or stochastic): the kernel widens each state
/// element, computes in float and narrows what it stores, in one pass. So a step is exactly the float32-state step
/// from the widened state, with its stored state narrowed: the reference below runs the float32-state optimizer and
/// narrows its state after every step with the runtime's scalar conversion, for every kind, on every SIMD path (the
/// Numerical category runs again under each SIMD setting in CI) and split across threads.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)]
public sealed class StatePrecisionTests
{
    // Not a multiple of any vector width or unroll: every part of the cascade runs.
    private const int Length = 1003;

    private const uint BufferStreamStride = 0x9E3779B9u;

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string configuration in Optimizers.Names<HalfStateModel>().Where(n => n.EndsWith("_F32", StringComparison.Ordinal)).Select(n => n[..^4]))
            {
                foreach (string storage in new[] { "BF16", "F16", "BF16SR", "F16SR" })
                {
                    data.Add(configuration, storage);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AStepIsTheFloatStepWithItsStateNarrowed(string configuration, string storage)
    {
        var random = new Random(Optimizers.StableSeed(configuration + storage, 3));
        float[] start = TestData.ToSingle(TestData.Parameters(random, Length));
        var reference = new HalfStateModel { P = (float[])start.Clone() };
        var model = new HalfStateModel { P = (float[])start.Clone() };
        Optimizer<HalfStateModel.Gradients> referenceOptimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>(configuration + "_F32", reference);
        Optimizer<HalfStateModel.Gradients> optimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>(configuration + "_" + storage, model);
        optimizer.StochasticRoundingSeed = 0x1234_5678_9ABC_DEF0UL;
        TensorElement format = storage.StartsWith("BF16", StringComparison.Ordinal) ? TensorElement.BFloat16 : TensorElement.Float16;
        bool stochastic = storage.EndsWith("SR", StringComparison.Ordinal);

        // The initial state (e.g. Adagrad's accumulator, RMSProp's initial scale) is the narrowed float one.
        NarrowState(referenceOptimizer, format, stochastic: false, 0, 0);
        AssertSameState(referenceOptimizer, optimizer, format);

        var gradients = new HalfStateModel.Gradients(model);
        for (int step = 0; step < 6; step++)
        {
            TestData.ToSingle(TestData.Gradients(random, Length)).CopyTo(gradients.P, 0);
            long stepCount = optimizer.StepCount;
            referenceOptimizer.Step(gradients);
            optimizer.Step(gradients);
            NarrowState(referenceOptimizer, format, stochastic, optimizer.StochasticRoundingSeed, stepCount);

            Assert.True(reference.P.AsSpan().SequenceEqual(model.P), $"{configuration}_{storage}: parameters differ at step {step}.");
            AssertSameState(referenceOptimizer, optimizer, format);
        }
    }

    [Theory]
    [InlineData("AmsGrad_BF16SR")]
    [InlineData("Centered_F16SR")]
    [InlineData("AdamW_BF16")]
    public void AParallelStepIsTheSerialStep(string name)
    {
        const int length = 300_007;
        var random = new Random(Optimizers.StableSeed(name, 5));
        float[] start = TestData.ToSingle(TestData.Parameters(random, length));
        var serial = new HalfStateModel { P = (float[])start.Clone() };
        var parallel = new HalfStateModel { P = (float[])start.Clone() };
        Optimizer<HalfStateModel.Gradients> serialOptimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>(name, serial);
        Optimizer<HalfStateModel.Gradients> parallelOptimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>(name, parallel);
        parallelOptimizer.MaxDegreeOfParallelism = 4;
        parallelOptimizer.ParallelThreshold = 1000;
        var gradients = new HalfStateModel.Gradients(serial);
        for (int step = 0; step < 3; step++)
        {
            TestData.ToSingle(TestData.Gradients(random, length)).CopyTo(gradients.P, 0);
            serialOptimizer.Step(gradients);
            parallelOptimizer.Step(gradients);
        }

        Assert.True(serial.P.AsSpan().SequenceEqual(parallel.P));
        for (int i = 0; i < serialOptimizer.StateCount; i++)
        {
            Assert.True(serialOptimizer.GetState(i).Buffer.AsBitsSpan().SequenceEqual(parallelOptimizer.GetState(i).Buffer.AsBitsSpan()));
        }
    }

    /// <summary>Another seed draws other roundings; the same seed, the same bits.</summary>
    [Fact]
    public void StochasticRoundingIsReproducibleFromTheSeed()
    {
        float[] Run(ulong seed)
        {
            var random = new Random(8);
            var model = new HalfStateModel { P = TestData.ToSingle(TestData.Parameters(random, Length)) };
            Optimizer<HalfStateModel.Gradients> optimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("AdamW_BF16SR", model);
            optimizer.StochasticRoundingSeed = seed;
            var gradients = new HalfStateModel.Gradients(model);
            for (int step = 0; step < 4; step++)
            {
                TestData.ToSingle(TestData.Gradients(random, Length)).CopyTo(gradients.P, 0);
                optimizer.Step(gradients);
            }

            return model.P;
        }

        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void StateBytesCountTwoBytesPerElementOf16BitState()
    {
        var model = new HalfStateModel { P = new float[1000] };
        Assert.Equal(3 * 4000, Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("AmsGrad_F32", model).StateBytes);
        Assert.Equal(3 * 2000, Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("AmsGrad_BF16", model).StateBytes);
        Assert.Equal(2 * 2000, Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("AdamW_F16SR", model).StateBytes);
        Assert.Equal(2000, Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("Lion_BF16", model).StateBytes);
        Assert.Equal(0, new SingleModel.SgdPlainX0(new SingleModel { P = new float[1000] }).StateBytes);
        Assert.Equal(8000, new DoubleModel.AdagradDefaults(new DoubleModel { P = new double[1000] }).StateBytes);
    }

    /// <summary>ASGD's CopyAveragedTo widens a 16-bit average exactly.</summary>
    [Theory]
    [InlineData("Asgd_BF16")]
    [InlineData("Asgd_F16SR")]
    public void CopyAveragedToWidensTheAverage(string name)
    {
        var random = new Random(Optimizers.StableSeed(name, 7));
        var model = new HalfStateModel { P = TestData.ToSingle(TestData.Parameters(random, Length)) };
        Optimizer<HalfStateModel.Gradients> optimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>(name, model);
        var gradients = new HalfStateModel.Gradients(model);
        for (int step = 0; step < 5; step++)
        {
            TestData.ToSingle(TestData.Gradients(random, Length)).CopyTo(gradients.P, 0);
            optimizer.Step(gradients);
        }

        var target = new HalfStateModel { P = new float[Length] };
        optimizer.GetType().GetMethod("CopyAveragedTo")!.Invoke(optimizer, new object[] { target });
        float[] expected = new float[Length];
        if (name.StartsWith("Asgd_BF16", StringComparison.Ordinal))
        {
            BFloat16Storage.Widen(optimizer.GetState(0).Buffer.AsBitsSpan(), expected);
        }
        else
        {
            Float16Storage.Widen(optimizer.GetState(0).Buffer.AsBitsSpan(), expected);
        }

        Assert.Equal("ax", optimizer.GetState(0).Key);
        Assert.True(expected.AsSpan().SequenceEqual(target.P));
    }

    [Fact]
    public void ResetReturnsTheStateToItsNarrowedInitialValue()
    {
        var model = new HalfStateModel { P = new float[37] };
        Optimizer<HalfStateModel.Gradients> optimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("Adagrad_BF16", model);
        var gradients = new HalfStateModel.Gradients(model);
        gradients.P.AsSpan().Fill(0.5f);
        optimizer.Step(gradients);
        optimizer.Reset();
        Assert.All(optimizer.GetState(0).Buffer.AsBitsSpan().ToArray(), bits => Assert.Equal(BFloat16Storage.FromSingle(0.1f), bits));
    }

    [Fact]
    public void A16BitStepAllocatesNothing()
    {
        var model = new HalfStateModel { P = new float[Length] };
        Optimizer<HalfStateModel.Gradients> optimizer = Optimizers.Create<HalfStateModel, HalfStateModel.Gradients>("AmsGrad_BF16SR", model);
        var gradients = new HalfStateModel.Gradients(model);
        TestData.ToSingle(TestData.Gradients(new Random(9), Length)).CopyTo(gradients.P, 0);
        Allocations.AssertNone("Step with bfloat16 state and stochastic rounding", () => optimizer.Step(gradients));
    }

    /// <summary>
    /// Rounds each float32 state buffer of <paramref name="optimizer"/> (one member) as the 16-bit kernels store it: to
    /// nearest even, or stochastically with the stream of state buffer b of member 0 at this step, element by element
    /// with the runtime's scalar conversion.
    /// </summary>
    private static void NarrowState(Optimizer<HalfStateModel.Gradients> optimizer, TensorElement format, bool stochastic, ulong seed, long step)
    {
        uint key = StochasticRounding.StepKey(seed, step, 0);
        for (int b = 0; b < optimizer.StateCount; b++)
        {
            if (optimizer.GetState(b).Shape is { Length: 0 })
            {
                // A scalar state (ASGD's eta and mu, NAdam's shared mu_product): float32 whatever the StatePrecision, as in PyTorch.
                continue;
            }

            Span<float> state = optimizer.GetState(b).Buffer.AsSingleSpan();
            var bits = new ushort[state.Length];
            uint stream = unchecked(key + ((uint)b * BufferStreamStride));
            for (int i = 0; i < state.Length; i++)
            {
                if (format == TensorElement.BFloat16)
                {
                    if (stochastic)
                    {
                        BFloat16Storage.StoreStochastic(state[i], bits, i, stream);
                    }
                    else
                    {
                        BFloat16Storage.Store(state[i], bits, i);
                    }

                    state[i] = BFloat16Storage.ToSingle(bits[i]);
                }
                else
                {
                    if (stochastic)
                    {
                        Float16Storage.StoreStochastic(state[i], bits, i, stream);
                    }
                    else
                    {
                        Float16Storage.Store(state[i], bits, i);
                    }

                    state[i] = Float16Storage.ToSingle(bits[i]);
                }
            }
        }
    }

    private static void AssertSameState(Optimizer<HalfStateModel.Gradients> reference, Optimizer<HalfStateModel.Gradients> optimizer, TensorElement format)
    {
        Assert.Equal(reference.StateCount, optimizer.StateCount);
        for (int b = 0; b < reference.StateCount; b++)
        {
            if (reference.GetState(b).IsShared)
            {
                Assert.True(optimizer.GetState(b).IsShared);
                Assert.Equal(BitConverter.SingleToInt32Bits(reference.GetState(b).Buffer.AsSingleSpan()[0]), BitConverter.SingleToInt32Bits(optimizer.GetState(b).Buffer.AsSingleSpan()[0]));
                continue;
            }

            TensorRef narrow = optimizer.GetState(b).Buffer;
            Assert.Equal(reference.GetState(b).Key, optimizer.GetState(b).Key);
            if (optimizer.GetState(b).Shape is { Length: 0 })
            {
                Assert.Equal(TensorElement.Single, narrow.Element);
                Assert.Equal(BitConverter.SingleToInt32Bits(reference.GetState(b).Buffer.AsSingleSpan()[0]), BitConverter.SingleToInt32Bits(narrow.AsSingleSpan()[0]));
                continue;
            }

            Assert.Equal(format, narrow.Element);
            float[] widened = new float[narrow.Length];
            if (format == TensorElement.BFloat16)
            {
                BFloat16Storage.Widen(narrow.AsBitsSpan(), widened);
            }
            else
            {
                Float16Storage.Widen(narrow.AsBitsSpan(), widened);
            }

            float[] expected = reference.GetState(b).Buffer.AsSingleSpan().ToArray();
            int at = Enumerable.Range(0, expected.Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(widened[i]), -1);
            Assert.True(at < 0, $"state {reference.GetState(b).Key} differs at {at}: expected {(at >= 0 ? expected[at] : 0)}, stored {(at >= 0 ? widened[at] : 0)}.");
        }
    }
}
