using System;
using System.Linq;
using Gen.Benchmarks;
using Gen.Tests;
using Xunit;

namespace Gen.Benchmarks.Tests;

/// <summary>The matrix rows (<c>--matrix</c>) compute what their names claim, and the steps they time allocate nothing.</summary>
public sealed class MatrixRowTests
{
    private const int Rows = 24, Columns = 40;

    [Fact]
    public void EveryRowStepsAtEveryTimedShape()
    {
        foreach (string row in Matrix.Rows)
        {
            IStepRow step = Matrix.Create(row, 6, 10);
            step.Step();
            step.Step();
        }

        Assert.Equal(new[] { (256, 1024), (512, 512), (1024, 1024) }, Matrix.Shapes);
    }

    /// <summary>Each product row is the product its label says (C = op(A)·op(B)), for an m × n member with m ≤ n.</summary>
    [Theory]
    [InlineData("Gram", Rows, Rows, Columns)]
    [InlineData("GramSquare", Rows, Rows, Rows)]
    [InlineData("Apply", Rows, Columns, Rows)]
    public void TheProductRowsComputeTheIterationsProducts(string row, int m, int n, int k)
    {
        var product = (Matrix.ProductRow)Matrix.Create(row, Rows, Columns);
        product.Step();
        Assert.Equal(m * n, product.Result.Length);
        Assert.Equal(2.0 * m * n * k, Matrix.Flops(row, Rows, Columns));
        Assert.Contains(product.Result, x => x != 0);
    }

    [Fact]
    public void TheOrthogonalizationRowGivesSingularValuesNearOne()
    {
        var row = (Matrix.NewtonSchulzRow)Matrix.Create("NewtonSchulz", Rows, Columns);
        row.Step();

        // Five quintic iterations leave the singular values in about [0.7, 1.2]: ‖X‖_F² is their sum of squares, 24 of them.
        double squares = row.Result.Sum(x => (double)x * x);
        Assert.InRange(squares / Rows, 0.4, 1.5);
    }

    [Theory]
    [InlineData("MuonStep", "Muon", "momentum_buffer")]
    [InlineData("AdamWStep", "AdamW", "exp_avg")]
    public void TheStepRowsStepTheirOptimizer(string row, string kind, string key)
    {
        var step = (Matrix.MatrixStepRow)Matrix.Create(row, Rows, Columns);
        float[] before = step.Optimizer.Model.GetParameter(0).AsSingleSpan().ToArray();
        step.Step();
        Assert.Equal(kind, step.Optimizer.Kind);
        Assert.Equal(key, step.Optimizer.GetState(0).Key);
        Assert.NotEqual(before, step.Optimizer.Model.GetParameter(0).AsSingleSpan().ToArray());
    }
}

/// <summary>The timed matrix rows allocate nothing per step.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class MatrixAllocationTests
{
    [Theory]
    [InlineData("Gram")]
    [InlineData("NewtonSchulz")]
    [InlineData("MuonStep")]
    public void StepAllocatesNothing(string row)
    {
        IStepRow step = Matrix.Create(row, 12, 20);
        Allocations.AssertNone(row, step.Step);
    }
}
