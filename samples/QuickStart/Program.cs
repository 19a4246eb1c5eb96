// Gen quick start: train a small MLP on the two-spirals task with a generated RMSProp optimizer.
//
//   dotnet run --project samples/QuickStart -c Release
//
// The forward and backward passes are plain C# loops (SpiralNet.cs). Gen generates the rest:
// SpiralNet.Gradients (gradient arrays shaped like the parameters) and SpiralNet.RmsPropOptimizer
// (the update), from the [RmsProp] attribute on SpiralNet.
using System;
using System.Diagnostics;
using System.Globalization;
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

var random = new Random(Seed);
(float[,] x, float[] y) = TwoSpirals.Make(PointsPerClass, Radius, Noise, random);
int count = y.Length;

var model = new SpiralNet(random);
var grads = new SpiralNet.Gradients(model);    // generated: zeroed arrays shaped like W1, B1, ...
var opt = new SpiralNet.RmsPropOptimizer(model); // generated: updates the model's arrays in place
double baseLearningRate = opt.LearningRate;      // 0.01, from [RmsProp(LearningRate = 1e-2)]

// Everything the training loop touches is allocated up front.
var batch = new Workspace(BatchSize);
var full = new Workspace(count);
int[] order = new int[count]; // training order, reshuffled every epoch
int[] all = new int[count];   // 0 .. count-1, for evaluating the whole set
for (int n = 0; n < count; n++)
{
    order[n] = all[n] = n;
}

Console.WriteLine("Gen quick start: two spirals, MLP 2-32-32-1 (tanh), sigmoid + binary cross-entropy");
Console.WriteLine($"{count} points ({PointsPerClass} per class, radius {Radius}, noise {Noise}), seed {Seed}");
Console.WriteLine($"Generated RMSProp: lr {baseLearningRate} decaying linearly to 0, rho {SpiralNet.RmsPropOptimizer.Rho}; " +
    $"{grads.Length} parameters; {Epochs} epochs of mini-batches of {BatchSize}");
Console.WriteLine();
Console.WriteLine("epoch        lr      loss   accuracy");

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
        opt.Step(grads);                                          // RMSProp update of every parameter
    }

    allocated += GC.GetAllocatedBytesForCurrentThread() - before;

    if (epoch == 1 || epoch % PrintEvery == 0)
    {
        (float loss, double accuracy) = Evaluate();
        Console.WriteLine($"{epoch,5} {opt.LearningRate,9:F5} {loss,9:F4} {100 * accuracy,9:F1}%");
    }
}

stopwatch.Stop();

(float finalLoss, double finalAccuracy) = Evaluate();
Console.WriteLine();
Console.WriteLine($"Final: loss {finalLoss:F4}, training accuracy {100 * finalAccuracy:F1}%");
Console.WriteLine($"Training: {opt.StepCount} optimizer steps in {stopwatch.Elapsed.TotalSeconds:F2} s; " +
    $"{allocated} bytes allocated by shuffle/forward/backward/Step");

if (finalAccuracy < RequiredAccuracy)
{
    Console.WriteLine($"FAILED: training accuracy {100 * finalAccuracy:F1}% is below {100 * RequiredAccuracy:F0}%: " +
        "the model or the optimizer regressed.");
    return 1;
}

return 0;

// Loss and accuracy of the model over the whole training set.
(float Loss, double Accuracy) Evaluate()
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
