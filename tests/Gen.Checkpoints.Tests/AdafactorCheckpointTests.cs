using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// [Adafactor]'s checkpoint carries PyTorch's state dict: <c>step</c>, and <c>row_var</c> [..., R, 1] and <c>col_var</c>
/// [..., 1, C] for members of rank 2 or more (the rank-3 K's leading dimension kept), <c>variance</c> with the member's
/// shape for vectors.
/// </summary>
public sealed class AdafactorCheckpointTests
{
    [Fact]
    public void TheFileHasPyTorchsNamesAndShapes()
    {
        Net model = Net.Create(3);
        var optimizer = new Net.Adafactor(model);
        var gradients = new Net.Gradients(model);
        optimizer.Step(gradients);
        using var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        byte[] bytes = stream.ToArray();
        long length = BitConverter.ToInt64(bytes, 0);
        using JsonDocument header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length));
        string Shape(string name) => string.Join(",", header.RootElement.GetProperty(name).GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));

        Assert.Equal("4,1", Shape("W.row_var"));
        Assert.Equal("1,3", Shape("W.col_var"));
        Assert.Equal("2,2,1", Shape("K.row_var"));
        Assert.Equal("2,1,3", Shape("K.col_var"));
        Assert.Equal("5", Shape("B.variance"));
        Assert.Equal(string.Empty, Shape("W.step"));
        Assert.Equal("F64", header.RootElement.GetProperty("K.row_var").GetProperty("dtype").GetString());
        Assert.False(header.RootElement.TryGetProperty("W.variance", out _));
        Assert.False(header.RootElement.TryGetProperty("B.row_var", out _));
    }
}
