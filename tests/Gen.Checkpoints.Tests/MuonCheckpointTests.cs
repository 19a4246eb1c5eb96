using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// [Muon] keeps different state per member: PyTorch's Muon's <c>momentum_buffer</c> for the matrix it orthogonalizes, and
/// PyTorch's AdamW's <c>exp_avg</c> and <c>exp_avg_sq</c> for the members its AdamW part updates, each under the member's
/// name (RoundTripTests continues training after a load bit for bit, with the other kinds).
/// </summary>
public sealed class MuonCheckpointTests
{
    [Fact]
    public void EachMemberKeepsItsPartsStateNames()
    {
        var model = Net.Create(seed: 3);
        var optimizer = new Net.Muon(model);
        Optimizers.Train(optimizer, new Net.Gradients(model), new Random(4), 2);
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        EditableCheckpoint checkpoint = EditableCheckpoint.Parse(stream.ToArray());

        Assert.Equal("Muon", checkpoint["optimizer"]);
        string[] Keys(string member) => checkpoint.Tensors.Where(t => t.Name.StartsWith(member + ".", StringComparison.Ordinal))
            .Select(t => t.Name.Substring(member.Length + 1)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "momentum_buffer", "step" }, Keys("W"));
        Assert.Equal(new long[] { 4, 3 }, checkpoint.Tensor("W.momentum_buffer").Shape);
        foreach (string member in new[] { "B", "K", "Empty" })
        {
            Assert.Equal(new[] { "exp_avg", "exp_avg_sq", "step" }, Keys(member));
        }

        Assert.Equal("F64", checkpoint.Tensor("K.exp_avg").Dtype);
        Assert.Equal("0.5", checkpoint["config.AdamWLearningRateScale"]);
        Assert.Equal("5", checkpoint["config.NewtonSchulzSteps"]);
    }

    [Fact]
    public void AStateOfAnotherMuonConfigurationIsRefused()
    {
        var model = Net.Create(seed: 3);
        var optimizer = new Net.Muon(model);
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        byte[] saved = stream.ToArray();

        EditableCheckpoint edited = EditableCheckpoint.Parse(saved);
        edited["config.NewtonSchulzSteps"] = "6";
        Expect.LoadOptimizerFails(new Net.Muon(Net.Create(seed: 4)), edited.ToBytes(), CheckpointError.ConfigurationMismatch, "NewtonSchulzSteps");
    }
}
