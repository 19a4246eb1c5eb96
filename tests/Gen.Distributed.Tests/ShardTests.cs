using System;
using System.Linq;
using Xunit;

namespace Gen.Distributed.Tests;

/// <summary>
/// OptimizerShard's cuts, and the sharded optimizers the generator writes: N optimizers, each on its shard, compute
/// exactly what one optimizer of the whole model computes, with 1/N of the state. No communication: each shard's
/// optimizer steps its own copy of the model with the same gradients.
/// </summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    public void CutsTileTheParametersAtAlignedPointsNearAnEvenSplit(int count)
    {
        var model = new Net();
        OptimizerShard[] shards = Enumerable.Range(0, count).Select(i => OptimizerShard.Create(model, i, count)).ToArray();
        long total = 16 * 40 + 40 + 5000 + 231 + 3;
        Assert.All(shards, s => Assert.Equal(total, s.TotalLength));
        Assert.Equal(0, shards[0].Start);
        for (int i = 0; i < count; i++)
        {
            OptimizerShard shard = shards[i];
            Assert.Equal(shard.Start + shard.Length, i + 1 < count ? shards[i + 1].Start : total);
            Assert.True(Math.Abs(shard.Start - (total * i / count)) <= OptimizerShard.Alignment / 2, $"cut {i} at {shard.Start}");

            // Per member: the parts tile the shard, and each begins at a multiple of 256 within its member or at its end.
            long sum = 0;
            for (int m = 0; m < ((ITrainable)model).ParameterCount; m++)
            {
                int start = shard.GetMemberStart(m), length = shard.GetMemberLength(m);
                sum += length;
                Assert.True(length == 0 || start % OptimizerShard.Alignment == 0 || start == 0, $"member {m} starts at {start}");
            }

            Assert.Equal(shard.Length, sum);
        }
    }

    [Fact]
    public void CreateChecksItsArguments()
    {
        var model = new Net();
        Assert.Throws<ArgumentNullException>(() => OptimizerShard.Create(null!, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerShard.Create(model, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerShard.Create(model, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerShard.Create(model, -1, 2));
        model.B1 = null!;
        Assert.Contains("'B1'", Assert.Throws<ArgumentException>(() => OptimizerShard.Create(model, 0, 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOptimizerRefusesAShardOfAnotherModel()
    {
        OptimizerShard shard = OptimizerShard.Create(new Net(), 0, 2);
        var other = new Net { Big = new float[4096] };
        var error = Assert.Throws<ArgumentException>(() => new Net.Adam(other, shard));
        Assert.Contains("'Big'", error.Message, StringComparison.Ordinal);
        Assert.Equal("shard", error.ParamName);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ShardOptimizersTogetherComputeTheWholeOptimizerBitForBit(string name)
    {
        const int Count = 3;
        var whole = new Net();
        Scenarios.Fill(whole, 2);
        Optimizer<Net.Gradients> reference = Scenarios.CreateNet(name, whole, null);
        var copies = new Net[Count];
        var shards = new Optimizer<Net.Gradients>[Count];
        for (int i = 0; i < Count; i++)
        {
            copies[i] = new Net();
            Scenarios.Fill(copies[i], 2);
            shards[i] = Scenarios.CreateNet(name, copies[i], OptimizerShard.Create(copies[i], i, Count));
            shards[i].MaxDegreeOfParallelism = i == 1 ? 2 : 1;   // the step workers cut a shard's part too
            shards[i].ParallelThreshold = 300;
        }

        var gradients = new Net.Gradients(whole);
        for (int step = 0; step < 5; step++)
        {
            Scenarios.Fill(gradients, (ulong)step);
            reference.Step(gradients);
            foreach (Optimizer<Net.Gradients> shard in shards)
            {
                shard.Step(gradients);
            }
        }

        // Each element comes from the copy whose shard holds it.
        double[] expected = Scenarios.ParameterValues(whole);
        double[][] parts = copies.Select(Scenarios.ParameterValues).ToArray();
        for (int i = 0; i < Count; i++)
        {
            OptimizerShard shard = shards[i].Shard!;
            for (long e = shard.Start; e < shard.Start + shard.Length; e++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[e]) == BitConverter.DoubleToInt64Bits(parts[i][e]), $"{name}: element {e} of shard {i} is {parts[i][e]}, the whole optimizer's {expected[e]}");
            }
        }

        // The buffers are split; scalar state (NAdam's mu_product, ASGD's eta and mu per member: at most 8 bytes per
        // member) is whole on every shard.
        long excess = shards.Sum(s => s.StateBytes) - reference.StateBytes;
        Assert.Equal(0, excess % (Count - 1));
        Assert.InRange(excess / (Count - 1), 0, 8 * ((ITrainable)whole).ParameterCount);
    }

    /// <summary>
    /// ASGD's average is state like any other: each shard's optimizer copies its part, at its place, and the parts
    /// together are the whole optimizer's CopyAveragedTo; the rest of the target is left as it was.
    /// </summary>
    [Fact]
    public void ShardsCopyTheirPartOfTheAverageInPlace()
    {
        const int Count = 3;
        var whole = new Net();
        Scenarios.Fill(whole, 4);
        var reference = new Net.Asgd(whole);
        var copies = new Net[Count];
        var shards = new Net.Asgd[Count];
        for (int i = 0; i < Count; i++)
        {
            copies[i] = new Net();
            Scenarios.Fill(copies[i], 4);
            shards[i] = new Net.Asgd(copies[i], OptimizerShard.Create(copies[i], i, Count));
        }

        var gradients = new Net.Gradients(whole);
        for (int step = 0; step < 6; step++)
        {
            Scenarios.Fill(gradients, (ulong)step);
            reference.Step(gradients);
            Array.ForEach(shards, s => s.Step(gradients));
        }

        var expected = new Net();
        reference.CopyAveragedTo(expected);
        var target = new Net();
        Scenarios.Fill(target, 9);
        double[] untouched = Scenarios.ParameterValues(target);
        shards[1].CopyAveragedTo(target);
        double[] partly = Scenarios.ParameterValues(target);
        OptimizerShard middle = shards[1].Shard!;
        double[] average = Scenarios.ParameterValues(expected);
        for (long e = 0; e < partly.Length; e++)
        {
            bool inside = e >= middle.Start && e < middle.Start + middle.Length;
            Assert.Equal(inside ? average[e] : untouched[e], partly[e]);
        }

        shards[0].CopyAveragedTo(target);
        shards[2].CopyAveragedTo(target);
        Assert.Equal(average, Scenarios.ParameterValues(target));
        Assert.NotEqual(Scenarios.ParameterValues(whole), average);
    }

    /// <summary>
    /// Schedule-Free's two points are state like any other: each shard's Eval() puts its part of x into its model, at its
    /// place, and Train() its part of y back bit for bit; CopyEvalParametersTo copies the part and leaves the rest.
    /// </summary>
    [Fact]
    public void ShardsSwapAndCopyTheirPartOfTheEvaluationPoint()
    {
        const int Count = 3;
        var whole = new Net();
        Scenarios.Fill(whole, 4);
        var reference = new Net.ScheduleFreeAdamW(whole);
        var copies = new Net[Count];
        var shards = new Net.ScheduleFreeAdamW[Count];
        for (int i = 0; i < Count; i++)
        {
            copies[i] = new Net();
            Scenarios.Fill(copies[i], 4);
            shards[i] = new Net.ScheduleFreeAdamW(copies[i], OptimizerShard.Create(copies[i], i, Count));
        }

        var gradients = new Net.Gradients(whole);
        for (int step = 0; step < 6; step++)
        {
            Scenarios.Fill(gradients, (ulong)step);
            reference.Step(gradients);
            Array.ForEach(shards, s => s.Step(gradients));
        }

        double[] training = Scenarios.ParameterValues(whole);
        var expected = new Net();
        reference.CopyEvalParametersTo(expected);
        double[] evaluation = Scenarios.ParameterValues(expected);
        Assert.NotEqual(training, evaluation);

        var target = new Net();
        Scenarios.Fill(target, 9);
        double[] untouched = Scenarios.ParameterValues(target);
        shards[1].CopyEvalParametersTo(target);
        double[] partly = Scenarios.ParameterValues(target);
        OptimizerShard middle = shards[1].Shard!;
        for (long e = 0; e < partly.Length; e++)
        {
            bool inside = e >= middle.Start && e < middle.Start + middle.Length;
            Assert.Equal(inside ? evaluation[e] : untouched[e], partly[e]);
        }

        for (int i = 0; i < Count; i++)
        {
            OptimizerShard shard = shards[i].Shard!;
            double[] before = Scenarios.ParameterValues(copies[i]);
            shards[i].Eval();
            double[] evaluated = Scenarios.ParameterValues(copies[i]);
            shards[i].Train();
            double[] restored = Scenarios.ParameterValues(copies[i]);
            for (long e = 0; e < evaluated.Length; e++)
            {
                bool inside = e >= shard.Start && e < shard.Start + shard.Length;
                Assert.Equal(inside ? evaluation[e] : before[e], evaluated[e]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(before[e]), BitConverter.DoubleToInt64Bits(restored[e]));
            }
        }
    }

    [Fact]
    public void StateShrinksByTheNumberOfShards()
    {
        var model = new Net();
        long whole = new Net.Adam(model).StateBytes;
        for (int count = 1; count <= 4; count++)
        {
            long[] bytes = Enumerable.Range(0, count).Select(i => new Net.Adam(model, OptimizerShard.Create(model, i, count)).StateBytes).ToArray();
            Assert.Equal(whole, bytes.Sum());

            // Two float32 buffers, each cut within 128 elements of an even split at either end.
            Assert.All(bytes, b => Assert.InRange(b, (whole / count) - (2 * 4 * 256), (whole / count) + (2 * 4 * 256)));
        }
    }

    [Fact]
    public void AShardedOptimizerIsSavedOnlyThroughDataParallel()
    {
        var model = new Net();
        var optimizer = new Net.Adam(model, OptimizerShard.Create(model, 0, 2));
        var error = Assert.Throws<InvalidOperationException>(() => Checkpoint.SaveOptimizer(optimizer, new System.IO.MemoryStream()));
        Assert.Contains("DataParallel", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// [Muon] orthogonalizes each matrix whole, so a shard must hold a matrix whole or not at all: cuts that keep them whole
    /// (the vector's elements are cut at their place, as for every element-wise update) give the whole optimizer's bits,
    /// with the step workers splitting the element-wise passes of each shard's part.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void MuonShardsThatKeepEachMatrixWholeComputeTheWholeOptimizerBitForBit(int count)
    {
        var whole = new Matrices();
        Scenarios.Fill(whole, 2);
        var reference = new Matrices.Muon(whole);
        var copies = new Matrices[count];
        var shards = new Matrices.Muon[count];
        for (int i = 0; i < count; i++)
        {
            copies[i] = new Matrices();
            Scenarios.Fill(copies[i], 2);
            shards[i] = new Matrices.Muon(copies[i], OptimizerShard.Create(copies[i], i, count)) { MaxDegreeOfParallelism = 2, ParallelThreshold = 300 };
        }

        Assert.Contains(shards, s => s.Shard!.GetMemberLength(1) is > 0 and < 1000);   // the vector is cut
        var gradients = new Matrices.Gradients(whole);
        for (int step = 0; step < 4; step++)
        {
            Scenarios.Fill(gradients, (ulong)step);
            reference.Step(gradients);
            Array.ForEach(shards, s => s.Step(gradients));
        }

        double[] expected = Scenarios.ParameterValues(whole);
        for (int i = 0; i < count; i++)
        {
            OptimizerShard shard = shards[i].Shard!;
            double[] part = Scenarios.ParameterValues(copies[i]);
            for (long e = shard.Start; e < shard.Start + shard.Length; e++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[e]) == BitConverter.DoubleToInt64Bits(part[e]), $"element {e} of shard {i} of {count} is {part[e]}, the whole optimizer's {expected[e]}");
            }
        }

        Assert.Equal(reference.StateBytes, shards.Sum(s => s.StateBytes));
    }

    /// <summary>A shard holding part of a matrix is refused when the Muon optimizer is created, naming the member and why.</summary>
    [Fact]
    public void AMuonOptimizerRefusesAShardThatCutsAMatrix()
    {
        var model = new Matrices();
        OptimizerShard shard = OptimizerShard.Create(model, 0, 8);
        Assert.Equal(256, shard.GetMemberLength(0));
        var error = Assert.Throws<ArgumentException>(() => new Matrices.Muon(model, shard));
        Assert.Equal("shard", error.ParamName);
        Assert.Contains("member 'M1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("whole member at once", error.Message, StringComparison.Ordinal);

        // A shard that holds none of a matrix, or all of it, is fine.
        Assert.Equal(0, OptimizerShard.Create(model, 3, 8).GetMemberLength(0));
        _ = new Matrices.Muon(model, OptimizerShard.Create(model, 3, 8));
        _ = new Matrices.Muon(model, OptimizerShard.Create(model, 0, 2));
    }

    /// <summary>
    /// [Lamb] and [Lars] scale each member's update by its whole norms: cuts that keep those members whole (the
    /// [NoWeightDecay] vector, which skips the ratio, is cut at its place) give the whole optimizer's bits.
    /// </summary>
    [Theory]
    [InlineData("Lamb", 2)]
    [InlineData("Lamb", 3)]
    [InlineData("Lamb", 4)]
    [InlineData("Lars", 2)]
    [InlineData("Lars", 3)]
    [InlineData("Lars", 4)]
    public void TrustRatioShardsThatKeepEachMemberWholeComputeTheWholeOptimizerBitForBit(string name, int count)
    {
        Optimizer<Layers.Gradients> Create(Layers model, OptimizerShard? shard) => name == "Lamb" ? new Layers.Lamb(model, shard) : new Layers.Lars(model, shard);
        var whole = new Layers();
        Scenarios.Fill(whole, 2);
        Optimizer<Layers.Gradients> reference = Create(whole, null);
        var copies = new Layers[count];
        var shards = new Optimizer<Layers.Gradients>[count];
        for (int i = 0; i < count; i++)
        {
            copies[i] = new Layers();
            Scenarios.Fill(copies[i], 2);
            shards[i] = Create(copies[i], OptimizerShard.Create(copies[i], i, count));
            shards[i].MaxDegreeOfParallelism = 2;
            shards[i].ParallelThreshold = 300;
        }

        Assert.Contains(shards, s => s.Shard!.GetMemberLength(1) is > 0 and < 1000);   // the [NoWeightDecay] vector is cut
        var gradients = new Layers.Gradients(whole);
        for (int step = 0; step < 4; step++)
        {
            Scenarios.Fill(gradients, (ulong)step);
            reference.Step(gradients);
            Array.ForEach(shards, s => s.Step(gradients));
        }

        double[] expected = Scenarios.ParameterValues(whole);
        for (int i = 0; i < count; i++)
        {
            OptimizerShard shard = shards[i].Shard!;
            double[] part = Scenarios.ParameterValues(copies[i]);
            for (long e = shard.Start; e < shard.Start + shard.Length; e++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[e]) == BitConverter.DoubleToInt64Bits(part[e]), $"{name}: element {e} of shard {i} of {count} is {part[e]}, the whole optimizer's {expected[e]}");
            }
        }

        Assert.Equal(reference.StateBytes, shards.Sum(s => s.StateBytes));
    }

    /// <summary>A shard holding part of a member whose trust ratio needs all of it is refused, naming the member.</summary>
    [Fact]
    public void LambAndLarsRefuseAShardThatCutsAMemberTheirTrustRatioReads()
    {
        var model = new Layers();
        OptimizerShard shard = OptimizerShard.Create(model, 0, 8);
        Assert.Equal(256, shard.GetMemberLength(0));
        foreach (Func<Optimizer<Layers.Gradients>> create in new Func<Optimizer<Layers.Gradients>>[] { () => new Layers.Lamb(model, shard), () => new Layers.Lars(model, shard) })
        {
            var error = Assert.Throws<ArgumentException>(create);
            Assert.Equal("shard", error.ParamName);
            Assert.Contains("member 'W1'", error.Message, StringComparison.Ordinal);
        }

        // Shard 3 of 8 holds only [NoWeightDecay] elements, which skip the ratio: it may cut Bias.
        Assert.InRange(OptimizerShard.Create(model, 3, 8).GetMemberLength(1), 1, 999);
        _ = new Layers.Lamb(model, OptimizerShard.Create(model, 3, 8));
        _ = new Layers.Lars(model, OptimizerShard.Create(model, 3, 8));
    }

    /// <summary>[Adafactor]: cuts at member boundaries (every member is whole-member) give the whole optimizer's bits and state.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AdafactorShardsThatKeepEachMemberWholeComputeTheWholeOptimizerBitForBit(int count)
    {
        var whole = new Factors();
        Scenarios.Fill(whole, 2);
        var reference = new Factors.Adafactor(whole);
        var copies = new Factors[count];
        var shards = new Factors.Adafactor[count];
        for (int i = 0; i < count; i++)
        {
            copies[i] = new Factors();
            Scenarios.Fill(copies[i], 2);
            shards[i] = new Factors.Adafactor(copies[i], OptimizerShard.Create(copies[i], i, count)) { MaxDegreeOfParallelism = 2, ParallelThreshold = 300 };
        }

        var gradients = new Factors.Gradients(whole);
        for (int step = 0; step < 4; step++)
        {
            Scenarios.Fill(gradients, (ulong)step);
            reference.Step(gradients);
            Array.ForEach(shards, s => s.Step(gradients));
        }

        double[] expected = Scenarios.ParameterValues(whole);
        for (int i = 0; i < count; i++)
        {
            OptimizerShard shard = shards[i].Shard!;
            double[] part = Scenarios.ParameterValues(copies[i]);
            for (long e = shard.Start; e < shard.Start + shard.Length; e++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[e]) == BitConverter.DoubleToInt64Bits(part[e]), $"element {e} of shard {i} of {count} is {part[e]}, the whole optimizer's {expected[e]}");
            }
        }

        // Each member's row and column averages live on the one shard that holds the member.
        Assert.Equal(reference.StateBytes, shards.Sum(s => s.StateBytes));
        for (int s = 0; s < reference.StateCount; s++)
        {
            OptimizerState state = reference.GetState(s);
            OptimizerState[] parts = shards.Select(o => o.GetState(s)).Where(p => p.Buffer.Length > 0).ToArray();
            Assert.Single(parts);
            Assert.Equal(state.Shape, parts[0].Shape);
            Assert.True(state.Buffer.AsSingleSpan().SequenceEqual(parts[0].Buffer.AsSingleSpan()), $"{state.Key} of member {state.ParameterIndex} differs.");
        }
    }

    /// <summary>A shard holding part of any [Adafactor] member (vectors and [NoWeightDecay] members too: their norms are whole-member) is refused, naming the member.</summary>
    [Fact]
    public void AdafactorRefusesAShardThatCutsAnyMember()
    {
        var model = new Factors();
        OptimizerShard shard = OptimizerShard.Create(model, 0, 8);
        Assert.Equal(256, shard.GetMemberLength(0));
        var error = Assert.Throws<ArgumentException>(() => new Factors.Adafactor(model, shard));
        Assert.Equal("shard", error.ParamName);
        Assert.Contains("member 'W1'", error.Message, StringComparison.Ordinal);

        // A shard that holds a member whole, or none of it, is fine.
        _ = new Factors.Adafactor(model, OptimizerShard.Create(model, 1, 4));
    }

    public static TheoryData<string> Optimizers => new(Scenarios.NetOptimizers);
}
