// Gen quick start: train a small MLP on the two-spirals task with generated optimizers.
//
//   dotnet run --project samples/QuickStart -c Release
//
// The forward and backward passes are plain C# loops (SpiralNet.cs). Gen generates the rest from the
// attributes on SpiralNet: SpiralNet.Gradients (gradient arrays shaped like the parameters) and one
// optimizer type per attribute. The same initial weights are trained with RMSProp, Adam, AdamW, SGD with
// momentum, Adagrad, NAdam, RAdam, Adamax, Lion, LAMB, Muon, Adafactor, ASGD (evaluated with its running
// average of the parameters) and Rprop (a full-batch method: every step sees all 400 points) under a linear
// learning-rate decay, and with Schedule-Free AdamW, which needs no schedule (and is evaluated at its average:
// opt.Eval()); the program shows a progress bar, prints the loss every 150 epochs and a table of results, and
// writes the loss curves to loss.svg (SvgLineChart.cs). It exits with code 1 if RMSProp's accuracy is below 90%.
using System;
using System.Diagnostics;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Gen;
using QuickStart;
using Spectre.Console;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // same number format on every machine

const int Seed = 42;
const int PointsPerClass = 200;
const double Radius = 5;    // the arms end 5 units from the origin (see below)
const double Noise = 0.1;   // standard deviation of the noise on each coordinate
// Why radius 5 rather than inputs in [-1, 1]: each arm needs many sharp decision boundaries. With
// small inputs, the Xavier-initialized first layer starts with smooth, almost linear features and
// this network is still at 60-75% accuracy after 600 epochs; larger inputs (equivalently, larger
// first-layer weights) give it sharp features from the start.
const int Epochs = 600;
const int BatchSize = 32;
const int CurveEvery = 5;       // evaluate the loss over the whole set every 5 epochs, for loss.svg
const int WarmupEpochs = 15;    // untimed epochs per optimizer before the timed runs (see below)
const double RequiredAccuracy = 0.90;

ConfigureConsole();

(float[,] x, float[] y) = TwoSpirals.Make(PointsPerClass, Radius, Noise, new Random(Seed));
int count = y.Length;
int stepsPerEpoch = (count + BatchSize - 1) / BatchSize;

// Everything the training loop touches is allocated up front.
var batch = new Workspace(BatchSize);
var full = new Workspace(count);
int[] order = new int[count]; // training order, reshuffled every epoch
int[] all = new int[count];   // 0 .. count-1, for evaluating the whole set
for (int n = 0; n < count; n++)
{
    all[n] = n;
}

// Spectre.Console wraps text at the console width (80 columns in a log): these lines are shorter.
AnsiConsole.MarkupLine("[bold]Gen quick start[/]: an MLP 2-32-32-1 (tanh) learns the two spirals");
AnsiConsole.WriteLine($"{count} points ({PointsPerClass} per class, radius {Radius}, noise {Noise}), seed {Seed}");
AnsiConsole.WriteLine($"{Epochs} epochs x {stepsPerEpoch} mini-batches of {BatchSize}; learning rate decays linearly to 0");
AnsiConsole.WriteLine("(SF AdamW, Schedule-Free: constant after a warm-up, evaluated at its average)");
AnsiConsole.WriteLine();

// The optimizers to compare: each is generated from one attribute on SpiralNet, and all of them
// derive from Optimizer<SpiralNet.Gradients>, so the training loop below is written once. The
// compile-time hyperparameters (Rho, Momentum) are constants of the generated types; the learning
// rate is a runtime value that starts at the attribute's. Rprop adapts a step size per parameter from
// the signs of successive gradients, which mini-batch noise flips at random: it is a full-batch method,
// so it gets one step per epoch over all the points (and its learning rate is only its initial step size:
// the decay below does not reach it).
var optimizers = new (string Name, double LearningRate, int Batch, Func<SpiralNet, Optimizer<SpiralNet.Gradients>> Create)[]
{
    ($"RMSProp (rho {SpiralNet.RmsPropOptimizer.Rho})", SpiralNet.RmsPropOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.RmsPropOptimizer(m)),
    ("Adam", SpiralNet.AdamOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.AdamOptimizer(m)),
    ("AdamW", SpiralNet.AdamWOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.AdamWOptimizer(m)),
    ($"SGD (momentum {SpiralNet.SgdOptimizer.Momentum})", SpiralNet.SgdOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.SgdOptimizer(m)),
    ("Adagrad", SpiralNet.AdagradOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.AdagradOptimizer(m)),
    ("NAdam", SpiralNet.NAdamOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.NAdamOptimizer(m)),
    ("RAdam", SpiralNet.RAdamOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.RAdamOptimizer(m)),
    ("Adamax", SpiralNet.AdamaxOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.AdamaxOptimizer(m)),
    ("Lion", SpiralNet.LionOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.LionOptimizer(m)),
    ("LAMB", SpiralNet.LambOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.LambOptimizer(m)),
    ("Muon", SpiralNet.MuonOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.MuonOptimizer(m)),
    ("Adafactor", SpiralNet.AdafactorOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.AdafactorOptimizer(m)),
    ("ASGD (averaged)", SpiralNet.AsgdOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.AsgdOptimizer(m)),
    ("Rprop (full batch)", SpiralNet.RpropOptimizer.DefaultLearningRate, count, m => new SpiralNet.RpropOptimizer(m)),
    ("SF AdamW", SpiralNet.ScheduleFreeAdamWOptimizer.DefaultLearningRate, BatchSize, m => new SpiralNet.ScheduleFreeAdamWOptimizer(m)),
};

var results = new Result[optimizers.Length];
var curves = new float[optimizers.Length][];
for (int i = 0; i < optimizers.Length; i++)
{
    curves[i] = new float[(Epochs / CurveEvery) + 1]; // epochs 0, 5, ..., 600
}

AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
    .Start(progress =>
    {
        // JIT warm-up. .NET first compiles a method quickly, then recompiles the hot ones with full
        // optimization once they have run a while (tiered compilation). A few untimed epochs with each
        // optimizer let every timed run below use the same optimized code, so their times compare.
        ProgressTask warmup = progress.AddTask("JIT warm-up", maxValue: optimizers.Length * WarmupEpochs);
        ProgressTask[] tasks = new ProgressTask[optimizers.Length];
        for (int i = 0; i < optimizers.Length; i++)
        {
            tasks[i] = progress.AddTask(optimizers[i].Name, autoStart: false, maxValue: Epochs);
        }

        foreach (var optimizer in optimizers)
        {
            Train(optimizer.Create, optimizer.Batch, WarmupEpochs, warmup, curve: null);
        }

        warmup.StopTask();

        for (int i = 0; i < optimizers.Length; i++)
        {
            tasks[i].StartTask();
            results[i] = Train(optimizers[i].Create, optimizers[i].Batch, Epochs, tasks[i], curves[i]);
            tasks[i].StopTask();
        }
    });

// The loss over the training set every LossEvery epochs, a row per optimizer (the same data as loss.svg).
const int LossEvery = 150;
AnsiConsole.WriteLine();
var lossTable = new Table().Border(TableBorder.Rounded).Title("loss over the training set, by epoch").AddColumn("optimizer");
for (int epoch = 0; epoch <= Epochs; epoch += LossEvery)
{
    lossTable.AddColumn(new TableColumn(epoch.ToString(CultureInfo.InvariantCulture)).RightAligned());
}

for (int i = 0; i < optimizers.Length; i++)
{
    var row = new List<string> { Markup.Escape(optimizers[i].Name) };
    for (int epoch = 0; epoch <= Epochs; epoch += LossEvery)
    {
        row.Add(FormatLoss(curves[i][epoch / CurveEvery]));
    }

    lossTable.AddRow(row.ToArray());
}

AnsiConsole.Write(lossTable);
AnsiConsole.WriteLine();
var table = new Table()
    .Border(TableBorder.Rounded)
    .AddColumn("optimizer")
    .AddColumn(new TableColumn("lr").RightAligned())
    .AddColumn(new TableColumn("loss").RightAligned())
    .AddColumn(new TableColumn("accuracy").RightAligned())
    .AddColumn(new TableColumn("time").RightAligned())
    .AddColumn(new TableColumn("steps/s").RightAligned())
    .AddColumn(new TableColumn("allocated").RightAligned());
for (int i = 0; i < results.Length; i++)
{
    Result r = results[i];
    table.AddRow(
        Markup.Escape(optimizers[i].Name),
        $"{optimizers[i].LearningRate}",
        FormatLoss(r.Loss),
        $"{100 * r.Accuracy:F1}%",
        $"{r.Seconds:F2} s",
        $"{r.Steps / r.Seconds:N0}",
        $"{r.Allocated:N0} B");
}

table.Caption($"time and allocated: the training steps only ({results[0].Steps:N0} per mini-batch optimizer)");
AnsiConsole.Write(table);

// Loss curves: the loss over the whole training set every CurveEvery epochs, one line per optimizer.
var chart = new SvgLineChart("Two spirals: training loss by optimizer", "epoch", "loss over the training set (log scale)");
var epochAxis = new double[curves[0].Length];
for (int k = 0; k < epochAxis.Length; k++)
{
    epochAxis[k] = k * CurveEvery;
}

for (int i = 0; i < optimizers.Length; i++)
{
    chart.AddSeries($"{optimizers[i].Name}, lr {optimizers[i].LearningRate}", epochAxis, Array.ConvertAll(curves[i], v => (double)v));
}

string svgPath = Path.GetFullPath("loss.svg");
chart.Save(svgPath);
AnsiConsole.MarkupLineInterpolated($"Loss curves: [link]{svgPath}[/]");

if (results[0].Accuracy < RequiredAccuracy)
{
    AnsiConsole.MarkupLineInterpolated($"[red]FAILED[/]: RMSProp's training accuracy {100 * results[0].Accuracy:F1}% is below {100 * RequiredAccuracy:F0}%: the model or the optimizer regressed.");
    return 1;
}

return 0;

// Trains a freshly initialized SpiralNet (same seed every time) for `epochs` epochs with the optimizer
// from `create`, in steps of `batchSize` points, advancing `progress` by one per epoch. If `curve` is given,
// curve[k] receives the loss over the whole set after epoch k * CurveEvery.
Result Train(Func<SpiralNet, Optimizer<SpiralNet.Gradients>> create, int batchSize, int epochs, ProgressTask progress, float[]? curve)
{
    var random = new Random(Seed);
    var model = new SpiralNet(random);
    var grads = new SpiralNet.Gradients(model);    // generated: zeroed arrays shaped like W1, B1, ...
    var opt = create(model);                       // generated: updates the model's arrays in place
    double baseLearningRate = opt.LearningRate;    // the attribute's LearningRate
    Workspace workspace = batchSize == BatchSize ? batch : full;

    // Schedule-Free trains at one point (y) and is evaluated at another, the average of its steps (x):
    // Eval() puts x into the model and Train() puts y back, bit for bit, allocating nothing.
    var scheduleFree = opt as SpiralNet.ScheduleFreeAdamWOptimizer;
    for (int n = 0; n < count; n++)
    {
        order[n] = n;
    }

    // ASGD is evaluated with its running average of the parameters (PyTorch's `ax`), which it copies into a
    // second model; before averaging starts (T0) the average is the parameters themselves.
    var averaged = new SpiralNet(new Random(Seed));
    SpiralNet Evaluated() => opt is SpiralNet.AsgdOptimizer asgd && asgd.StepCount > 0 ? CopyAverage(asgd) : model;
    SpiralNet CopyAverage(SpiralNet.AsgdOptimizer asgd)
    {
        asgd.CopyAveragedTo(averaged);
        return averaged;
    }

    if (curve is not null)
    {
        curve[0] = EvaluateAsTrained(Evaluated(), scheduleFree).Loss;
    }

    // Only the training steps are measured: each epoch's timer and allocation counter stop before the
    // evaluation and the progress update. The progress display redraws itself on its own thread, so it
    // adds nothing to this thread's allocation count, and Increment is called outside the window.
    long elapsedTicks = 0;
    long allocated = 0;
    for (int epoch = 1; epoch <= epochs; epoch++)
    {
        long startTicks = Stopwatch.GetTimestamp();
        long startBytes = GC.GetAllocatedBytesForCurrentThread();

        // Linear learning-rate decay: large steps early, small ones to settle at the end. Schedule-Free
        // keeps its rate (after the warm-up its attribute sets): the averaging does what the decay does.
        if (scheduleFree is null)
        {
            opt.LearningRate = baseLearningRate * (1 - ((epoch - 1.0) / epochs));
        }

        Shuffle(order, random);
        for (int start = 0; start < count; start += batchSize)
        {
            int size = Math.Min(batchSize, count - start);
            grads.Clear();                                                // gradients accumulate: zero them first
            model.Forward(x, order, start, size, workspace);              // activations -> the workspace
            model.Backward(x, y, order, start, size, workspace, grads);   // d loss / d parameter -> grads
            opt.Step(grads);                                              // the optimizer's update of every parameter
        }

        allocated += GC.GetAllocatedBytesForCurrentThread() - startBytes;
        elapsedTicks += Stopwatch.GetTimestamp() - startTicks;

        if (curve is not null && epoch % CurveEvery == 0)
        {
            curve[epoch / CurveEvery] = EvaluateAsTrained(Evaluated(), scheduleFree).Loss;
        }

        progress.Increment(1);
    }

    (float finalLoss, double finalAccuracy) = EvaluateAsTrained(Evaluated(), scheduleFree);
    return new Result(finalLoss, finalAccuracy, opt.StepCount, (double)elapsedTicks / Stopwatch.Frequency, allocated);
}

// The evaluation of a trained model: for Schedule-Free, at the average x (Eval), then back to y (Train).
(float Loss, double Accuracy) EvaluateAsTrained(SpiralNet model, SpiralNet.ScheduleFreeAdamWOptimizer? scheduleFree)
{
    scheduleFree?.Eval();
    (float Loss, double Accuracy) result = Evaluate(model);
    scheduleFree?.Train();
    return result;
}

// Loss and accuracy of the model over the whole training set.
(float Loss, double Accuracy) Evaluate(SpiralNet model)
{
    model.Forward(x, all, 0, count, full);
    float loss = SpiralNet.Loss(y, all, 0, count, full, out int correct);
    return (loss, (double)correct / count);
}

// A loss with four decimals, or two significant digits below 0.001 (Lion's ends near 5e-6).
static string FormatLoss(float loss) => loss >= 0.001f ? loss.ToString("F4", CultureInfo.InvariantCulture) : loss.ToString("0.0e0", CultureInfo.InvariantCulture);

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
// The progress display then prints a line when a task passes 25%, 50%, 75%, 95%, ... instead of a bar.
// Such output has no width of its own (Spectre.Console assumes 80 columns): 100 fit both tables unwrapped.
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
        AnsiConsole.Console.Profile.Width = 100;
    }
}

/// <summary>One optimizer's run: final training loss and accuracy, steps, training time, bytes allocated by training.</summary>
internal sealed record Result(float Loss, double Accuracy, long Steps, double Seconds, long Allocated);
