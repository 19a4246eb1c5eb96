using System;
using System.Linq;
using Gen;
using QuickStart;
using Xunit;
using Xunit.Abstractions;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Reduced-precision state against float32 state on the QuickStart's task (two spirals, the sample's network, data, batch
/// size, seed and linear learning-rate decay): each optimizer must reach the sample's accuracy threshold with every state
/// precision, and the parameters trained with 16-bit state must stay close to those trained with float32 state from the
/// same start on the same batches (docs/PRECISION.md reports the deviations; the bounds here are the ones it states).
/// </summary>
public sealed class QuickStartAccuracyTests
{
    private const int Seed = 42;
    private const int PointsPerClass = 200;
    private const int BatchSize = 32;
    private const int Epochs = 600;
    private const double RequiredAccuracy = 0.90;


    private static readonly (float[,] X, float[] Y) Data = TwoSpirals.Make(PointsPerClass, 5, 0.1, new Random(Seed));

    /// <summary>Each float32 reference trained once for the whole class (three of them serve nine cases).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (double Accuracy, double Loss)> s_references = new();

    private readonly ITestOutputHelper _output;

    public QuickStartAccuracyTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, string> Cases => new()
    {
        { "AdamOptimizer", "AdamBFloat16" },
        { "AdamOptimizer", "AdamBFloat16Stochastic" },
        { "AdamOptimizer", "AdamFloat16" },
        { "AdamWOptimizer", "AdamWBFloat16" },
        { "AdamWOptimizer", "AdamWBFloat16Stochastic" },
        { "AdamWOptimizer", "AdamWFloat16" },
        { "RmsPropOptimizer", "RmsPropBFloat16" },
        { "RmsPropOptimizer", "RmsPropBFloat16Stochastic" },
        { "RmsPropOptimizer", "RmsPropFloat16" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReducedStateReachesTheAccuracyOfFloatState(string reference, string reduced)
    {
        double referenceAccuracy = s_references.GetOrAdd(reference, Train).Accuracy;
        (double accuracy, double loss) = Train(reduced);
        _output.WriteLine($"{reference}: accuracy {referenceAccuracy:P1}; {reduced}: accuracy {accuracy:P1}, loss {loss:F4}");
        Assert.True(referenceAccuracy >= RequiredAccuracy, $"{reference} reaches only {referenceAccuracy:P1}: the task or the reference regressed.");
        Assert.True(accuracy >= RequiredAccuracy, $"{reduced} reaches {accuracy:P1}, below the {RequiredAccuracy:P0} that {reference} reaches ({referenceAccuracy:P1}).");
    }

    /// <summary>
    /// The largest relative deviation ‖p − p₃₂‖ / ‖p₃₂‖ of the parameters over the first 200 steps stays within the bound
    /// docs/PRECISION.md states: 0.01 for bfloat16 state (measured 0.004–0.006), 0.1 for RMSProp with float16 state
    /// (measured 0.058). Adam's and AdamW's float16 state is not bounded: their second moments of these gradients
    /// underflow float16 (below 6e-8), the update divides by ε and the parameters leave the float32 run's (measured
    /// deviations 2e3): GEN204 warns of it.
    /// </summary>
    [Theory]
    [InlineData("AdamOptimizer", "AdamBFloat16", 0.01)]
    [InlineData("AdamOptimizer", "AdamBFloat16Stochastic", 0.01)]
    [InlineData("AdamWOptimizer", "AdamWBFloat16", 0.01)]
    [InlineData("AdamWOptimizer", "AdamWBFloat16Stochastic", 0.01)]
    [InlineData("RmsPropOptimizer", "RmsPropBFloat16", 0.01)]
    [InlineData("RmsPropOptimizer", "RmsPropBFloat16Stochastic", 0.01)]
    [InlineData("RmsPropOptimizer", "RmsPropFloat16", 0.1)]
    public void ReducedStateStaysCloseToFloatStateOver200Steps(string reference, string reduced, double bound)
    {
        double[] deviations = Deviations(reference, reduced, steps: 200);
        double largest = deviations.Max();
        _output.WriteLine($"{reduced} against {reference}: largest relative deviation {largest:E2} (step {Array.IndexOf(deviations, largest) + 1}), at step 200 {deviations[^1]:E2}");
        Assert.True(largest <= bound, $"{reduced}: the parameters deviate from {reference}'s by {largest:E2} (relative), more than {bound}.");
    }

    /// <summary>The relative deviation of the parameters after each of <paramref name="steps"/> steps, both optimizers fed the same batches.</summary>
    private static double[] Deviations(string reference, string reduced, int steps)
    {
        (SpiralNet a, Optimizer<SpiralNet.Gradients> optA, SpiralNet.Gradients gradsA) = Create(reference);
        (SpiralNet b, Optimizer<SpiralNet.Gradients> optB, SpiralNet.Gradients gradsB) = Create(reduced);
        var batch = new Workspace(BatchSize);
        var random = new Random(Seed + 1);
        int count = Data.Y.Length;
        int[] order = Enumerable.Range(0, count).ToArray();
        var deviations = new double[steps];
        int step = 0;
        while (step < steps)
        {
            Shuffle(order, random);
            for (int start = 0; start < count && step < steps; start += BatchSize, step++)
            {
                int size = Math.Min(BatchSize, count - start);
                foreach ((SpiralNet model, Optimizer<SpiralNet.Gradients> optimizer, SpiralNet.Gradients grads) in new[] { (a, optA, gradsA), (b, optB, gradsB) })
                {
                    grads.Clear();
                    model.Forward(Data.X, order, start, size, batch);
                    model.Backward(Data.X, Data.Y, order, start, size, batch, grads);
                    optimizer.Step(grads);
                }

                deviations[step] = RelativeDistance(a, b);
            }
        }

        return deviations;
    }

    /// <summary>The QuickStart's training loop: shuffle, then per mini-batch clear, forward, backward, step; the rate decays linearly.</summary>
    private static (double Accuracy, double Loss) Train(string optimizerName)
    {
        (SpiralNet model, Optimizer<SpiralNet.Gradients> opt, SpiralNet.Gradients grads) = Create(optimizerName);
        var batch = new Workspace(BatchSize);
        var random = new Random(Seed);
        _ = new SpiralNet(random);   // the sample draws the weights from this generator first, then shuffles with it
        int count = Data.Y.Length;
        int[] order = Enumerable.Range(0, count).ToArray();
        double baseLearningRate = opt.LearningRate;
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            opt.LearningRate = baseLearningRate * (1 - ((epoch - 1.0) / Epochs));
            Shuffle(order, random);
            for (int start = 0; start < count; start += BatchSize)
            {
                int size = Math.Min(BatchSize, count - start);
                grads.Clear();
                model.Forward(Data.X, order, start, size, batch);
                model.Backward(Data.X, Data.Y, order, start, size, batch, grads);
                opt.Step(grads);
            }
        }

        var full = new Workspace(count);
        int[] all = Enumerable.Range(0, count).ToArray();
        model.Forward(Data.X, all, 0, count, full);
        float loss = SpiralNet.Loss(Data.Y, all, 0, count, full, out int correct);
        return ((double)correct / count, loss);
    }

    private static (SpiralNet Model, Optimizer<SpiralNet.Gradients> Optimizer, SpiralNet.Gradients Gradients) Create(string optimizerName)
    {
        var model = new SpiralNet(new Random(Seed));
        Optimizer<SpiralNet.Gradients> optimizer = Optimizers.Create<SpiralNet, SpiralNet.Gradients>(optimizerName, model);
        optimizer.StochasticRoundingSeed = 7;
        return (model, optimizer, new SpiralNet.Gradients(model));
    }

    /// <summary>‖p − q‖ / ‖p‖ over every parameter of the two models, in double.</summary>
    internal static double RelativeDistance(ITrainable reference, ITrainable other)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < reference.ParameterCount; i++)
        {
            Span<float> p = reference.GetParameter(i).AsSingleSpan(), q = other.GetParameter(i).AsSingleSpan();
            for (int k = 0; k < p.Length; k++)
            {
                difference += ((double)p[k] - q[k]) * ((double)p[k] - q[k]);
                norm += (double)p[k] * p[k];
            }
        }

        return Math.Sqrt(difference / norm);
    }

    /// <summary>Fisher–Yates, as the QuickStart shuffles.</summary>
    internal static void Shuffle(int[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

/// <summary>
/// 8-bit block-wise state against float32 state on the QuickStart's task with a network wide enough for it
/// (<see cref="WideSpiralNet"/>: its 64 × 64 layer gets 8-bit state, the QuickStart's 32 × 32 would stay float32): the
/// same data, seed, batch size and linear learning-rate decay; 300 epochs. Each optimizer must reach the sample's
/// accuracy with 8-bit state, and stay close to the float32 run over the first 200 steps (docs/PRECISION.md).
/// </summary>
public sealed class WideSpiralNetAccuracyTests
{
    private const int BatchSize = 32;
    private const int Epochs = 300;

    private static readonly (float[,] X, float[] Y) Data = QuickStart.TwoSpirals.Make(200, 5, 0.1, new Random(42));

    private readonly ITestOutputHelper _output;

    public WideSpiralNetAccuracyTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    [InlineData("RmsProp")]
    public void EightBitStateReachesTheAccuracyOfFloatState(string kind)
    {
        double reference = Train(kind, steps: null, out _);
        double eightBit = Train(kind + "Int8", steps: null, out Optimizer<WideSpiralNet.Gradients> optimizer);
        int parameters = System.Linq.Enumerable.Range(0, optimizer.Model.ParameterCount).Sum(i => optimizer.Model.GetParameter(i).Length);
        _output.WriteLine($"{kind}: float32 state {reference:P1}, 8-bit state {eightBit:P1}; state bytes per parameter {(double)optimizer.StateBytes / parameters:0.###}");
        Assert.True(reference >= 0.90, $"{kind} with float32 state reaches only {reference:P1}: the task or the reference regressed.");
        Assert.True(eightBit >= 0.90, $"{kind} with 8-bit state reaches {eightBit:P1}, below 90 % (float32 state: {reference:P1}).");

        // W2's state is 8-bit (bitsandbytes' names), the small members' float32.
        Assert.Contains(System.Linq.Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState), s => s.Key == "state1" && s.Buffer.Element == TensorElement.UInt8 && s.Buffer.Length == WideSpiralNet.Hidden * WideSpiralNet.Hidden);
    }

    /// <summary>
    /// The largest relative deviation ‖p − p₃₂‖ / ‖p₃₂‖ over the first 200 steps stays within the bound docs/PRECISION.md
    /// states: 0.05 for Adam and AdamW (measured 0.034, 0.033), 0.2 for RMSProp (measured 0.118: with ρ = 0.9 its square
    /// average follows each gradient closely, so each step's quantization error weighs more).
    /// </summary>
    [Theory]
    [InlineData("Adam", 0.05)]
    [InlineData("AdamW", 0.05)]
    [InlineData("RmsProp", 0.2)]
    public void EightBitStateStaysCloseToFloatStateOver200Steps(string kind, double bound)
    {
        var reference = new WideSpiralNet(new Random(42));
        var eightBit = new WideSpiralNet(new Random(42));
        Optimizer<WideSpiralNet.Gradients> a = Optimizers.Create<WideSpiralNet, WideSpiralNet.Gradients>(kind, reference);
        Optimizer<WideSpiralNet.Gradients> b = Optimizers.Create<WideSpiralNet, WideSpiralNet.Gradients>(kind + "Int8", eightBit);
        var ga = new WideSpiralNet.Gradients(reference);
        var gb = new WideSpiralNet.Gradients(eightBit);
        var random = new Random(43);
        int count = Data.Y.Length;
        int[] order = System.Linq.Enumerable.Range(0, count).ToArray();
        double largest = 0;
        for (int step = 0; step < 200;)
        {
            QuickStartAccuracyTests.Shuffle(order, random);
            for (int start = 0; start < count && step < 200; start += BatchSize, step++)
            {
                int size = Math.Min(BatchSize, count - start);
                foreach ((WideSpiralNet model, Optimizer<WideSpiralNet.Gradients> optimizer, WideSpiralNet.Gradients grads) in new[] { (reference, a, ga), (eightBit, b, gb) })
                {
                    grads.Clear();
                    model.Forward(Data.X, order, start, size);
                    model.Backward(Data.X, Data.Y, order, start, size, grads);
                    optimizer.Step(grads);
                }

                largest = Math.Max(largest, QuickStartAccuracyTests.RelativeDistance(reference, eightBit));
            }
        }

        _output.WriteLine($"{kind}: 8-bit state against float32 state, largest relative deviation over 200 steps {largest:E2}");
        Assert.True(largest <= bound, $"{kind}: 8-bit state deviates from float32 state by {largest:E2} (relative), more than {bound}.");
    }

    private static double Train(string name, int? steps, out Optimizer<WideSpiralNet.Gradients> optimizer)
    {
        var random = new Random(42);
        var model = new WideSpiralNet(random);
        optimizer = Optimizers.Create<WideSpiralNet, WideSpiralNet.Gradients>(name, model);
        var grads = new WideSpiralNet.Gradients(model);
        int count = Data.Y.Length;
        int[] order = System.Linq.Enumerable.Range(0, count).ToArray();
        double baseLearningRate = optimizer.LearningRate;
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            optimizer.LearningRate = baseLearningRate * (1 - ((epoch - 1.0) / Epochs));
            QuickStartAccuracyTests.Shuffle(order, random);
            for (int start = 0; start < count; start += BatchSize)
            {
                int size = Math.Min(BatchSize, count - start);
                grads.Clear();
                model.Forward(Data.X, order, start, size);
                model.Backward(Data.X, Data.Y, order, start, size, grads);
                optimizer.Step(grads);
            }
        }

        return model.Accuracy(Data.X, Data.Y);
    }
}
