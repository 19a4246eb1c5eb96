using System;
using System.Globalization;
using System.Linq;
using Xunit;

namespace Gen.Schedules.Tests;

/// <summary>
/// The schedules against PyTorch 1.13's own <c>torch.optim.lr_scheduler</c>: the learning rate each
/// optimizer step used, recorded by Golden/make_schedules_golden.py in Golden/schedules.json (Keras's
/// InverseTimeDecay formula for the one kind PyTorch lacks). PyTorch is never run here.
/// </summary>
/// <remarks>
/// Every step of every case must satisfy <c>|a − b| ≤ 1e-12·|b| + 1e-15</c>, b being PyTorch's rate.
/// The closed forms differ from PyTorch's chainable (recursive) ones by rounding only; the summary
/// each test writes shows how many rates are bit-identical and how close the worst one came.
/// </remarks>
public sealed class ScheduleGoldenTests
{
    private const double Relative = 1e-12;
    private const double Absolute = 1e-15;

    private readonly ITestOutputHelper _output;

    public ScheduleGoldenTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> CaseNames => new(GoldenFile.Instance.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RatesMatchPyTorch(string name)
    {
        GoldenCase golden = GoldenFile.Instance.Case(name);
        LearningRateSchedule schedule = new ScheduleFactory().Create(golden);
        var comparison = new RateComparison(name);
        for (int step = 0; step < golden.Steps; step++)
        {
            comparison.Compare(step, schedule.GetLearningRate(step, golden.BaseLearningRate), golden.Rates[step]);
            Report(schedule, golden, step);
        }

        _output.WriteLine(comparison.Summary());
        Assert.True(comparison.Passed, comparison.Summary());
    }

    /// <summary>
    /// The same rates reach a generated optimizer through <see cref="Optimizer{TGradients}.Schedule"/>:
    /// step t uses the rate PyTorch's optimizer step t used.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void AttachedOptimizerStepsWithPyTorchRates(string name)
    {
        GoldenCase golden = GoldenFile.Instance.Case(name);
        LearningRateSchedule schedule = new ScheduleFactory().Create(golden);
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        TinyModel.Fill(gradients, new Random(2));
        var optimizer = new TinyModel.RmsPropOptimizer(model) { BaseLearningRate = golden.BaseLearningRate, Schedule = schedule };

        var comparison = new RateComparison(name);
        for (int step = 0; step < golden.Steps; step++)
        {
            optimizer.Step(gradients);
            comparison.Compare(step, optimizer.LearningRate, golden.Rates[step]);
            Report(schedule, golden, step);
        }

        Assert.Equal(golden.Steps, optimizer.StepCount);
        _output.WriteLine(comparison.Summary());
        Assert.True(comparison.Passed, comparison.Summary());
    }

    [Fact]
    public void EveryCaseBuildsAndEveryScheduleTypeHasACase()
    {
        var factory = new ScheduleFactory();
        foreach (GoldenCase golden in GoldenFile.Instance.Cases)
        {
            factory.Create(golden);
        }

        string[] scheduleTypes = typeof(LearningRateSchedule).Assembly.GetExportedTypes()
            .Where(t => t.IsSubclassOf(typeof(LearningRateSchedule)) && !t.IsAbstract)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(13, scheduleTypes.Length);
        Assert.Equal(scheduleTypes, factory.TypesBuilt.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GoldenFileIsWellFormed()
    {
        GoldenFile file = GoldenFile.Instance;
        Assert.StartsWith("1.13", file.TorchVersion, StringComparison.Ordinal);
        Assert.NotEmpty(file.Description);
        Assert.True(file.Cases.Length >= 60, $"Only {file.Cases.Length} cases.");
        Assert.Equal(file.Cases.Length, file.Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (GoldenCase golden in file.Cases)
        {
            string kind = golden.Schedule.GetProperty("kind").GetString()!;
            Assert.True(golden.Rates.Length == golden.Steps, $"{golden.Name}: {golden.Rates.Length} rates for {golden.Steps} steps.");
            Assert.True(golden.Steps >= 1, golden.Name);
            Assert.All(golden.Rates, r => Assert.True(double.IsFinite(r) && r >= 0, $"{golden.Name}: rate {r}."));
            Assert.Equal(kind == "ReduceLROnPlateau", golden.Metrics is not null);
            if (golden.Metrics is not null)
            {
                Assert.Equal(golden.Steps, golden.Metrics.Length);
            }
        }

        // Each PyTorch class has several settings, and the plateau cases do reduce the rate.
        foreach (IGrouping<string, GoldenCase> group in file.Cases.GroupBy(c => c.Schedule.GetProperty("kind").GetString()!))
        {
            Assert.True(group.Key == "Constant" || group.Count() >= 3, $"{group.Key}: only {group.Count()} cases.");
        }

        Assert.All(
            file.Cases.Where(c => c.Metrics is not null),
            c => Assert.True(c.Rates.Distinct().Count() >= 2, $"{c.Name}: the rate never changes."));
    }

    /// <summary>
    /// The negative-metric case exercises PyTorch's relative threshold on negative values: some
    /// reports worse than the best still count as improvements, so the best rises.
    /// </summary>
    [Fact]
    public void NegativeMetricCaseCountsSomeWorseValuesAsImprovements()
    {
        GoldenCase golden = GoldenFile.Instance.Case("ReduceLROnPlateau.NegativeRel");
        var schedule = (ReduceOnPlateauSchedule)new ScheduleFactory().Create(golden);
        int rises = 0;
        foreach (double metric in golden.Metrics!)
        {
            double best = schedule.Best;
            schedule.Report(metric);
            if (schedule.Best > best)
            {
                rises++;
            }
        }

        Assert.True(rises > 0, "The best never got worse.");
        Assert.True(schedule.Reductions > 0, "The rate was never reduced.");
    }

    private static void Report(LearningRateSchedule schedule, GoldenCase golden, int step)
    {
        if (golden.Metrics is not null)
        {
            ((ReduceOnPlateauSchedule)schedule).Report(golden.Metrics[step]);
        }
    }

    /// <summary>Worst step of a case against the bound, and how many steps are bit-identical.</summary>
    private sealed class RateComparison
    {
        private readonly string _case;
        private int _count;
        private int _identical;
        private int _failures;
        private double _worstRatio = -1;
        private string _worstAt = "nowhere";

        public RateComparison(string name)
        {
            _case = name;
        }

        public bool Passed => _failures == 0 && _count > 0;

        public void Compare(int step, double actual, double expected)
        {
            double error = Math.Abs(actual - expected);
            double ratio = error / ((Relative * Math.Abs(expected)) + Absolute);
            _count++;
            if (actual.Equals(expected))
            {
                _identical++;
            }

            // NaN compares false, so a NaN is a failure.
            if (!(ratio <= 1))
            {
                _failures++;
            }

            if (!(ratio <= _worstRatio))
            {
                _worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                _worstAt = string.Create(CultureInfo.InvariantCulture, $"step {step}: ours {actual:R}, PyTorch {expected:R}");
            }
        }

        public string Summary() => string.Create(
            CultureInfo.InvariantCulture,
            $"{_case}: {_failures} of {_count} steps outside |a − b| ≤ {Relative:G3}·|b| + {Absolute:G3}; {_identical} bit-identical; closest to the bound ({_worstRatio:F4} of it) at {_worstAt}.");
    }
}
