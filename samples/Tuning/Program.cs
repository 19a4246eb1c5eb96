// Gen tuning sample: choose an optimizer and its hyperparameters by measurement.
//
//   dotnet run --project samples/Tuning -c Release
//
// The same small network (SurfaceNet.cs) is trained on the same data (Franke.cs), from the same initial
// weights and in the same batch order, with every setting of a small grid: RMSProp with three values of
// rho, Adam, NAdam, RAdam, Adamax, SGD with momentum, ASGD (validated with its running average of the
// parameters), AdEMAMix and ADOPT, each at four learning rates, all under one cosine learning-rate schedule,
// and Schedule-Free AdamW, which runs without one (and is validated at its average). The settings are then
// ranked by their loss on held-out validation points, next to how many
// steps each needed to reach a target loss and what its training cost in time and steps per second.
// It exits with code 1 if no setting reaches the target loss.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Gen;
using Spectre.Console;
using Tuning;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // same number format on every machine

const int Seed = 7;
const int TrainingPoints = 256;
const int GridSide = 24;          // validation: the function on a 24 x 24 grid
const int Epochs = 150;
const int BatchSize = 32;
const int EvaluateEvery = 5;      // validation loss every 5 epochs, outside the timed region
const double TargetLoss = 5e-3;   // "to target": the steps until the validation loss first got this low
const int WarmupEpochs = 40;      // untimed epochs per optimizer type before the sweep (see below)

ConfigureConsole();

(float[,] trainX, float[] trainY) = Franke.RandomPoints(TrainingPoints, new Random(Seed));
(float[,] validX, float[] validY) = Franke.Grid(GridSide);
int stepsPerEpoch = (TrainingPoints + BatchSize - 1) / BatchSize;

// Everything the training loop touches is allocated up front and reused by every setting.
var batch = new Workspace(BatchSize);
var validation = new Workspace(validY.Length);
int[] order = new int[TrainingPoints];    // training order, reshuffled every epoch
long[] epochTicks = new long[Math.Max(Epochs, WarmupEpochs)]; // the training time of each epoch of a run
int[] validRows = Enumerable.Range(0, validY.Length).ToArray();

// One schedule for every setting: the rate follows a cosine from the setting's base rate down to 0 over
// the run. Schedules are immutable and take the base rate as an argument, so one instance serves all.
var schedule = new CosineAnnealingSchedule(annealingSteps: Epochs * stepsPerEpoch);

// The grid. Each optimizer type is generated from one attribute on SurfaceNet; rho is a compile-time
// constant, so each rho is its own type. Learning rates are runtime values: any number of them per type.
double[] adaptiveRates = [0.001, 0.003, 0.01, 0.03];  // RMSProp and the Adam family normalize the step size
double[] sgdRates = [0.01, 0.03, 0.1, 0.3];           // SGD's step scales with the gradient: larger rates
double[] asgdRates = [0.03, 0.1, 0.3, 1];             // ASGD is SGD without momentum: larger still
var optimizerTypes = new (string Name, double[] Rates, Func<SurfaceNet, Optimizer<SurfaceNet.Gradients>> Create)[]
{
    ($"RMSProp rho {SurfaceNet.RmsPropRho90.Rho}", adaptiveRates, m => new SurfaceNet.RmsPropRho90(m)),
    ($"RMSProp rho {SurfaceNet.RmsPropRho99.Rho}", adaptiveRates, m => new SurfaceNet.RmsPropRho99(m)),
    ($"RMSProp rho {SurfaceNet.RmsPropRho999.Rho}", adaptiveRates, m => new SurfaceNet.RmsPropRho999(m)),
    ("Adam", adaptiveRates, m => new SurfaceNet.AdamOptimizer(m)),
    ("NAdam", adaptiveRates, m => new SurfaceNet.NAdamOptimizer(m)),
    ("RAdam", adaptiveRates, m => new SurfaceNet.RAdamOptimizer(m)),
    ("Adamax", adaptiveRates, m => new SurfaceNet.AdamaxOptimizer(m)),
    ($"SGD momentum {SurfaceNet.SgdOptimizer.Momentum}", sgdRates, m => new SurfaceNet.SgdOptimizer(m)),
    ("ASGD (averaged)", asgdRates, m => new SurfaceNet.AsgdOptimizer(m)),
    ("AdEMAMix", adaptiveRates, m => new SurfaceNet.AdEMAMixOptimizer(m)),
    ("ADOPT", adaptiveRates, m => new SurfaceNet.AdoptOptimizer(m)),
    ("SF AdamW", adaptiveRates, m => new SurfaceNet.ScheduleFreeAdamWOptimizer(m)),
};
// Interleaved: every type at its first rate, then every type at its second, and so on, so that a change
// in the machine's load during the sweep does not favor one optimizer type.
int ratesPerType = optimizerTypes.Max(type => type.Rates.Length);
Setting[] settings = Enumerable.Range(0, ratesPerType)
    .SelectMany(r => optimizerTypes.Where(type => r < type.Rates.Length).Select(type => new Setting(type.Name, type.Rates[r], type.Create)))
    .ToArray();

// The scale of the losses below: predicting the mean value everywhere scores the targets' variance.
double mean = validY.Average(v => (double)v);
double variance = validY.Average(v => (v - mean) * (v - mean));
AnsiConsole.MarkupLine("[bold]Gen tuning[/]: MLP 2-24-24-1 (tanh) fits Franke's function");
AnsiConsole.WriteLine($"{TrainingPoints} training points (seed {Seed}), validation on a {GridSide}x{GridSide} grid");
AnsiConsole.WriteLine($"{settings.Length} settings x {Epochs} epochs x {stepsPerEpoch} batches of {BatchSize}, cosine schedule");
AnsiConsole.WriteLine("(SF AdamW, Schedule-Free: no schedule, validated at its average)");
AnsiConsole.WriteLine($"Loss: mean squared error; predicting the mean scores {variance:0.000}");
AnsiConsole.WriteLine();

var outcomes = new Outcome[settings.Length];
AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
    .Start(progress =>
    {
        // JIT warm-up. .NET first compiles a method quickly, then recompiles the hot ones with full
        // optimization once they have run a while (tiered compilation). A few untimed epochs with each
        // optimizer type let every timed setting use the same optimized code, so their times compare.
        ProgressTask warmup = progress.AddTask("JIT warm-up", maxValue: optimizerTypes.Length * WarmupEpochs);
        ProgressTask sweep = progress.AddTask("Sweep", autoStart: false, maxValue: settings.Length * Epochs);
        foreach (var type in optimizerTypes)
        {
            Train(new Setting(type.Name, type.Rates[0], type.Create), WarmupEpochs, warmup);
        }

        warmup.StopTask();

        // One setting at a time: the times are the point of this sample, and settings running side by
        // side would compete for cores and caches. Every setting owns its model and optimizer, so running
        // them in parallel would give the same losses (only the times would change).
        sweep.StartTask();
        for (int i = 0; i < settings.Length; i++)
        {
            sweep.Description = $"{settings[i].Optimizer}, lr {settings[i].LearningRate}";
            outcomes[i] = Train(settings[i], Epochs, sweep);
        }

        sweep.Description = "Sweep";
        sweep.StopTask();
    });

// Rank by validation loss; a run that diverged (loss NaN or infinite) goes last. OrderBy is stable.
Outcome[] ranked = outcomes.OrderBy(o => o.Diverged ? double.PositiveInfinity : o.ValidationLoss).ToArray();

AnsiConsole.WriteLine();
var table = new Table()
    .Border(TableBorder.Rounded)
    .AddColumn(new TableColumn("#").RightAligned())
    .AddColumn("optimizer")
    .AddColumn(new TableColumn("lr").RightAligned())
    .AddColumn(new TableColumn("MSE").RightAligned())
    .AddColumn(new TableColumn($"steps to {TargetLoss:0.#e+0}").RightAligned())
    .AddColumn(new TableColumn("time").RightAligned())
    .AddColumn(new TableColumn("steps/s").RightAligned());
for (int rank = 0; rank < ranked.Length; rank++)
{
    Outcome o = ranked[rank];
    string style = rank == 0 && !o.Diverged ? "green" : o.Diverged ? "red" : "default";

    // A diverged run stops at its first non-finite validation loss: its time says nothing, so it shows none.
    table.AddRow(
        new Markup($"{rank + 1}"),
        new Markup($"[{style}]{Markup.Escape(o.Setting.Optimizer)}[/]"),
        new Markup($"{o.Setting.LearningRate}"),
        new Markup(o.Diverged ? "[red]diverged[/]" : $"[{style}]{o.ValidationLoss:0.00e+0}[/]"),
        new Markup(o.StepsToTarget is long steps ? $"{steps:N0}" : "-"),
        new Markup(o.Diverged ? "-" : $"{o.Seconds:F2} s"),
        new Markup(o.Diverged ? "-" : $"{o.StepsPerSecond:N0}"));
}

table.Caption("MSE: validation grid. Times: training steps only; steps/s: median epoch.");
AnsiConsole.Write(table);

// The two answers a sweep gives: the best result within the budget, and the quickest way to a good-enough
// one (ties go to the better final loss: `ranked` is in that order).
Outcome best = ranked[0];
if (!best.Diverged)
{
    AnsiConsole.MarkupLineInterpolated($"Lowest loss: [green]{best.Setting.Optimizer}, lr {best.Setting.LearningRate}[/] (MSE {best.ValidationLoss:0.00e+0} in {best.Seconds:F2} s)");
}

Outcome? fastest = ranked.Where(o => o.StepsToTarget is not null).MinBy(o => o.StepsToTarget);
if (fastest is { StepsToTarget: long stepsToTarget })
{
    double seconds = stepsToTarget * fastest.Seconds / fastest.Steps; // at that run's measured speed
    AnsiConsole.MarkupLineInterpolated($"Fewest steps to MSE {TargetLoss:0.#e+0}: [green]{fastest.Setting.Optimizer}, lr {fastest.Setting.LearningRate}[/] ({stepsToTarget:N0} steps, {seconds:F2} s)");
}

AnsiConsole.WriteLine($"Training allocated {outcomes.Sum(o => o.Allocated):N0} B over {outcomes.Sum(o => o.Steps):N0} steps.");

// A check for CI: on this fixed task, several settings reach the target. None doing so means the model
// or an optimizer regressed.
if (fastest is null)
{
    AnsiConsole.MarkupLineInterpolated($"[red]FAILED[/]: no setting reached MSE {TargetLoss:0.#e+0}.");
    return 1;
}

return 0;

// Trains a freshly initialized SurfaceNet with one setting for `epochs` epochs, advancing `progress` by
// one per epoch. Every run starts from the same weights and sees the batches in the same order.
Outcome Train(Setting setting, int epochs, ProgressTask progress)
{
    var random = new Random(Seed + 1);
    var model = new SurfaceNet(random);
    var grads = new SurfaceNet.Gradients(model);
    var opt = setting.Create(model);
    opt.BaseLearningRate = setting.LearningRate; // the rate the schedule scales
    opt.Schedule = schedule;                     // each Step sets LearningRate from it

    // Schedule-Free needs no schedule: its rate stays (after the attribute's warm-up), and it is validated at
    // the average of its steps, which Eval() puts into the model and Train() takes out again, bit for bit.
    var scheduleFree = opt as SurfaceNet.ScheduleFreeAdamWOptimizer;
    if (scheduleFree is not null)
    {
        opt.Schedule = null;
        opt.LearningRate = setting.LearningRate;
    }

    // A too-large rate can blow the loss up until a gradient holds NaN or infinity. Rather than throw
    // (the default), the optimizer then skips the step, changing nothing, and counts it: the run has
    // diverged, and the sweep goes on with the next setting.
    opt.NonFinitePolicy = NonFinitePolicy.SkipStep;
    for (int n = 0; n < order.Length; n++)
    {
        order[n] = n;
    }

    // ASGD is validated with its running average of the parameters (PyTorch's `ax`), copied into a second
    // model: what an averaged optimizer is for. Before averaging starts (T0) it is the parameters themselves.
    var averaged = new SurfaceNet(new Random(Seed + 1));
    SurfaceNet Validated()
    {
        if (opt is not SurfaceNet.AsgdOptimizer asgd)
        {
            return model;
        }

        asgd.CopyAveragedTo(averaged);
        return averaged;
    }

    // Only the training steps are measured: the timer and the allocation counter stop before each
    // validation and progress update. The progress display redraws on its own thread.
    long elapsedTicks = 0;
    long allocated = 0;
    double validationLoss = double.NaN;
    long? stepsToTarget = null;
    int epoch = 1;
    for (; epoch <= epochs; epoch++)
    {
        long startTicks = Stopwatch.GetTimestamp();
        long startBytes = GC.GetAllocatedBytesForCurrentThread();

        Shuffle(order, random);
        bool nonFinite = false;
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            int size = Math.Min(BatchSize, order.Length - start);
            grads.Clear();
            model.Forward(trainX, order, start, size, batch);
            model.Backward(trainX, trainY, order, start, size, batch, grads);
            opt.Step(grads);
            if (opt.SkippedSteps > 0)
            {
                nonFinite = true; // the guard skipped a step: see NonFinitePolicy above
                break;
            }
        }

        allocated += GC.GetAllocatedBytesForCurrentThread() - startBytes;
        epochTicks[epoch - 1] = Stopwatch.GetTimestamp() - startTicks;
        elapsedTicks += epochTicks[epoch - 1];
        progress.Increment(1);
        if (nonFinite)
        {
            validationLoss = double.NaN;
            break;
        }

        if (epoch % EvaluateEvery == 0 || epoch == epochs)
        {
            scheduleFree?.Eval();
            validationLoss = Validate(Validated());
            scheduleFree?.Train();
            if (!double.IsFinite(validationLoss))
            {
                break; // diverged: the remaining epochs cannot recover from NaN or infinite weights
            }

            if (stepsToTarget is null && validationLoss <= TargetLoss)
            {
                stepsToTarget = opt.StepCount;
            }
        }
    }

    int completed = Math.Min(epoch, epochs);
    progress.Increment(epochs - completed); // epochs skipped by a diverged run

    // Throughput from the median epoch: on a busy machine some epochs wait for a core, and the median
    // ignores them where the total time (also reported) does not.
    Array.Sort(epochTicks, 0, completed);
    double stepsPerSecond = stepsPerEpoch * (double)Stopwatch.Frequency / epochTicks[completed / 2];
    return new Outcome(setting, validationLoss, (double)elapsedTicks / Stopwatch.Frequency, opt.StepCount, stepsPerSecond, stepsToTarget, allocated);
}

// Mean squared error of the model over the validation grid.
double Validate(SurfaceNet model)
{
    model.Forward(validX, validRows, 0, validRows.Length, validation);
    return SurfaceNet.Loss(validY, validRows, 0, validRows.Length, validation);
}

// Fisher-Yates shuffle in place (no allocation).
static void Shuffle(int[] items, Random random)
{
    for (int i = items.Length - 1; i > 0; i--)
    {
        int j = random.Next(i + 1);
        (items[i], items[j]) = (items[j], items[i]);
    }
}

// Spectre.Console detects what the terminal can do. When the output is not a terminal (a CI log, a pipe,
// `> out.txt`), make it plain text whatever TERM says: no escape sequences, no colors, no live redraws.
// The progress display then prints a status line now and then instead of a bar.
static void ConfigureConsole()
{
    if (Console.IsOutputRedirected)
    {
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
    }
}

/// <summary>One point of the grid: an optimizer type (its compile-time hyperparameters fixed) and a learning rate.</summary>
internal sealed record Setting(string Optimizer, double LearningRate, Func<SurfaceNet, Optimizer<SurfaceNet.Gradients>> Create);

/// <summary>
/// What one setting achieved: the final validation loss and the steps until it first reached the target
/// (checked every EvaluateEvery epochs; null if never), and what its training steps cost.
/// </summary>
internal sealed record Outcome(Setting Setting, double ValidationLoss, double Seconds, long Steps, double StepsPerSecond, long? StepsToTarget, long Allocated)
{
    public bool Diverged => !double.IsFinite(ValidationLoss);
}
