// Gen quick start: train a small MLP on the two-spirals task with generated optimizers.
//
//   dotnet run --project samples/QuickStart -c Release
//
// The forward and backward passes are plain C# loops (SpiralNet.cs). Gen generates the rest from the
// attributes on SpiralNet: SpiralNet.Gradients (gradient arrays shaped like the parameters) and one
// optimizer type per attribute. The same model is trained with RMSProp (shown epoch by epoch), then
// with Adam, SGD with momentum and Adagrad, from the same initial weights, and compared.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Gen;
using QuickStart;

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
const int PrintEvery = 50;
const double RequiredAccuracy = 0.90;

(float[,] x, float[] y) = TwoSpirals.Make(PointsPerClass, Radius, Noise, new Random(Seed));
int count = y.Length;

// Everything the training loop touches is allocated up front.
var batch = new Workspace(BatchSize);
var full = new Workspace(count);
int[] order = new int[count]; // training order, reshuffled every epoch
int[] all = new int[count];   // 0 .. count-1, for evaluating the whole set
for (int n = 0; n < count; n++)
{
    all[n] = n;
}

Console.WriteLine("Gen quick start: two spirals, MLP 2-32-32-1 (tanh), sigmoid + binary cross-entropy");
Console.WriteLine($"{count} points ({PointsPerClass} per class, radius {Radius}, noise {Noise}), seed {Seed}; " +
    $"{Epochs} epochs of mini-batches of {BatchSize}, learning rate decaying linearly to 0");
Console.WriteLine();

// The optimizers to compare: each is generated from one attribute on SpiralNet, and all of them
// derive from Optimizer<SpiralNet.Gradients>, so the training loop below is written once.
var optimizers = new (string Name, Func<SpiralNet, Optimizer<SpiralNet.Gradients>> Create)[]
{
    ($"RMSProp (lr {SpiralNet.RmsPropOptimizer.DefaultLearningRate}, rho {SpiralNet.RmsPropOptimizer.Rho})", m => new SpiralNet.RmsPropOptimizer(m)),
    ($"Adam (lr {SpiralNet.AdamOptimizer.DefaultLearningRate})", m => new SpiralNet.AdamOptimizer(m)),
    ($"SGD (lr {SpiralNet.SgdOptimizer.DefaultLearningRate}, momentum {SpiralNet.SgdOptimizer.Momentum})", m => new SpiralNet.SgdOptimizer(m)),
    ($"Adagrad (lr {SpiralNet.AdagradOptimizer.DefaultLearningRate})", m => new SpiralNet.AdagradOptimizer(m)),
};

var results = new List<Result>();
foreach ((string name, Func<SpiralNet, Optimizer<SpiralNet.Gradients>> create) in optimizers)
{
    bool verbose = results.Count == 0; // show the first optimizer's progress epoch by epoch
    if (verbose)
    {
        Console.WriteLine(name);
        Console.WriteLine("epoch        lr      loss   accuracy");
    }

    results.Add(Train(name, create, verbose));
}

Console.WriteLine();
Console.WriteLine($"{"optimizer",-32} {"final loss",10} {"accuracy",9} {"steps",6} {"time",8} {"allocated",10}");
foreach (Result r in results)
{
    Console.WriteLine($"{r.Name,-32} {r.Loss,10:F4} {100 * r.Accuracy,8:F1}% {r.Steps,6} {r.Seconds,7:F2}s {r.Allocated,8} B");
}

if (results[0].Accuracy < RequiredAccuracy)
{
    Console.WriteLine($"FAILED: RMSProp's training accuracy {100 * results[0].Accuracy:F1}% is below {100 * RequiredAccuracy:F0}%: " +
        "the model or the optimizer regressed.");
    return 1;
}

return 0;

// Trains a freshly initialized SpiralNet (same seed every time) with the optimizer from `create`.
Result Train(string name, Func<SpiralNet, Optimizer<SpiralNet.Gradients>> create, bool verbose)
{
    var random = new Random(Seed);
    var model = new SpiralNet(random);
    var grads = new SpiralNet.Gradients(model);    // generated: zeroed arrays shaped like W1, B1, ...
    var opt = create(model);                       // generated: updates the model's arrays in place
    double baseLearningRate = opt.LearningRate;    // the attribute's LearningRate
    for (int n = 0; n < count; n++)
    {
        order[n] = n;
    }

    long allocated = 0;
    var stopwatch = Stopwatch.StartNew();
    for (int epoch = 1; epoch <= Epochs; epoch++)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();

        // Linear learning-rate decay: large steps early, small ones to settle at the end.
        opt.LearningRate = baseLearningRate * (1 - (epoch - 1.0) / Epochs);

        Shuffle(order, random);
        for (int start = 0; start < count; start += BatchSize)
        {
            int size = Math.Min(BatchSize, count - start);
            grads.Clear();                                            // gradients accumulate: zero them first
            model.Forward(x, order, start, size, batch);              // activations -> batch workspace
            model.Backward(x, y, order, start, size, batch, grads);   // d loss / d parameter -> grads
            opt.Step(grads);                                          // the optimizer's update of every parameter
        }

        allocated += GC.GetAllocatedBytesForCurrentThread() - before;

        if (verbose && (epoch == 1 || epoch % PrintEvery == 0))
        {
            stopwatch.Stop();
            (float loss, double accuracy) = Evaluate(model);
            Console.WriteLine($"{epoch,5} {opt.LearningRate,9:F5} {loss,9:F4} {100 * accuracy,9:F1}%");
            stopwatch.Start();
        }
    }

    stopwatch.Stop();
    (float finalLoss, double finalAccuracy) = Evaluate(model);
    return new Result(name, finalLoss, finalAccuracy, opt.StepCount, stopwatch.Elapsed.TotalSeconds, allocated);
}

// Loss and accuracy of the model over the whole training set.
(float Loss, double Accuracy) Evaluate(SpiralNet model)
{
    model.Forward(x, all, 0, count, full);
    float loss = SpiralNet.Loss(y, all, 0, count, full, out int correct);
    return (loss, (double)correct / count);
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

/// <summary>One optimizer's run: final training loss and accuracy, steps, training time, bytes allocated by training.</summary>
internal sealed record Result(string Name, float Loss, double Accuracy, long Steps, double Seconds, long Allocated);
