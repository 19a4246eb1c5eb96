// Gen.Distributed sample: the QuickStart's MLP learns the two spirals on several processes at once.
//
//   mpirun -np 2 dotnet samples/DataParallel/bin/Release/net10.0/DataParallel.dll
//
// Every process (rank) holds the whole model and the whole data set, takes its share of each mini-batch, and computes
// the gradient of the mean loss over that share. DataParallel.Step sums the ranks' gradients (MPI_Allreduce) and applies
// Adam to their mean, the same update on every rank. The run is made twice from the same start: with plain data
// parallelism, then with the optimizer state sharded across the ranks (ZeRO stage 1: each rank keeps 1/N of Adam's
// state and updates 1/N of the parameters, and the ranks exchange the updated parameters). Rank 0 prints, per rank, the
// time spent computing gradients and in Step, the bytes each step combines, the state bytes each rank keeps, and whether
// every rank ended with the same parameters. Exit code 1 if they differ or the accuracy is below 90%.
using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Gen;
using Gen.Distributed;
using QuickStart;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return MpiCommunicator.Run(world =>
{
    const int Seed = 42;
    const int Epochs = 300;
    const int GlobalBatch = 48;   // divisible by 1, 2, 3, 4 and 6 ranks: every rank takes an equal share
    const double RequiredAccuracy = 0.90;
    if (GlobalBatch % world.Size != 0)
    {
        throw new ArgumentException($"Run on a number of ranks that divides {GlobalBatch}.");
    }

    (float[,] x, float[] y) = TwoSpirals.Make(200, 5, 0.1, new Random(Seed));
    if (world.Rank == 0)
    {
        Console.WriteLine($"Gen.Distributed sample: an MLP 2-32-32-1 learns the two spirals on {world.Size} ranks ({MpiCommunicator.LibraryName})");
        Console.WriteLine($"{y.Length} points, {Epochs} epochs, mini-batches of {GlobalBatch} split into {world.Size} shares of {GlobalBatch / world.Size}, Adam (lr {SpiralNet.AdamOptimizer.DefaultLearningRate})");
        Console.WriteLine();
    }

    bool ok = true;
    foreach (bool sharded in new[] { false, true })
    {
        Outcome outcome = Train(world, x, y, Seed, Epochs, GlobalBatch, sharded);
        double[] all = Gather(world, outcome.Values());
        if (world.Rank == 0)
        {
            Console.WriteLine(sharded ? "ZeRO stage 1 (optimizer state sharded across the ranks):" : "Plain data parallelism:");
            Console.WriteLine("  rank  gradients (s)  Step (s)  bytes combined per step  optimizer state (bytes)");
            for (int r = 0; r < world.Size; r++)
            {
                Outcome o = Outcome.From(all, r);
                Console.WriteLine($"  {r,4}  {o.ComputeSeconds,13:F2}  {o.StepSeconds,8:F2}  {o.GradientBytes,23:N0}  {o.StateBytes,23:N0}");
            }

            Console.WriteLine($"  {outcome.Steps:N0} steps; loss {outcome.Loss:F4}, accuracy {100 * outcome.Accuracy:F1}% over the training set");
            Console.WriteLine($"  every rank ends with the same parameters: {(outcome.Identical ? "yes" : "NO")}");
            Console.WriteLine();
        }

        ok &= outcome.Identical && outcome.Accuracy >= RequiredAccuracy;
    }

    return ok ? 0 : 1;
});

// Trains a SpiralNet from rank 0's initial weights; returns this rank's figures.
static Outcome Train(ICommunicator world, float[,] x, float[] y, int seed, int epochs, int globalBatch, bool sharded)
{
    var model = new SpiralNet(new Random(seed + world.Rank));   // each rank starts elsewhere ...
    OptimizerShard? shard = sharded ? world.ShardOf(model) : null;
    var parallel = new DataParallel<SpiralNet.Gradients>(new SpiralNet.AdamOptimizer(model, shard), world);
    parallel.BroadcastParameters(root: 0);                      // ... until rank 0's weights are sent to all
    var gradients = new SpiralNet.Gradients(model);
    int share = globalBatch / world.Size, count = y.Length;
    var workspace = new Workspace(share);
    var order = new int[count];
    for (int n = 0; n < count; n++)
    {
        order[n] = n;
    }

    var shuffle = new Random(seed);   // the same order on every rank
    long compute = 0, step = 0, steps = 0;
    var clock = new Stopwatch();
    for (int epoch = 0; epoch < epochs; epoch++)
    {
        shuffle.Shuffle(order);
        for (int start = 0; start + globalBatch <= count; start += globalBatch)
        {
            // This rank's share of the mini-batch: the gradient of the mean loss over it.
            clock.Restart();
            gradients.Clear();
            int first = start + (world.Rank * share);
            model.Forward(x, order, first, share, workspace);
            model.Backward(x, y, order, first, share, workspace, gradients);
            compute += clock.ElapsedTicks;

            // The mean over the ranks' shares, then Adam: the same update on every rank.
            clock.Restart();
            parallel.Step(gradients);
            step += clock.ElapsedTicks;
            steps++;
        }
    }

    var evaluation = new Workspace(count);
    var all = new int[count];
    for (int n = 0; n < count; n++)
    {
        all[n] = n;
    }

    model.Forward(x, all, 0, count, evaluation);
    float loss = SpiralNet.Loss(y, all, 0, count, evaluation, out int correct);
    return new Outcome(
        (double)compute / Stopwatch.Frequency,
        (double)step / Stopwatch.Frequency,
        parallel.GradientBytes,
        parallel.Optimizer.StateBytes,
        steps,
        loss,
        (double)correct / count,
        parallel.ParametersMatchAcrossRanks());
}

// Every rank's figures on every rank.
static double[] Gather(ICommunicator world, double[] mine)
{
    var all = new double[mine.Length * world.Size];
    mine.CopyTo(all, mine.Length * world.Rank);
    var counts = new int[world.Size];
    Array.Fill(counts, mine.Length * sizeof(double));
    world.AllGather(MemoryMarshal.AsBytes(all.AsSpan()), counts);
    return all;
}

internal readonly record struct Outcome(double ComputeSeconds, double StepSeconds, long GradientBytes, long StateBytes, long Steps, float Loss, double Accuracy, bool Identical)
{
    private const int Fields = 4;

    public double[] Values() => new[] { ComputeSeconds, StepSeconds, GradientBytes, StateBytes };

    public static Outcome From(double[] all, int rank) =>
        new(all[rank * Fields], all[(rank * Fields) + 1], (long)all[(rank * Fields) + 2], (long)all[(rank * Fields) + 3], 0, 0, 0, false);
}
