using System;
using System.Diagnostics;
using Gen;

namespace Gen.Mono.Runner;

/// <summary>
/// Times RMSProp's <c>Step</c> with PyTorch's defaults on one float member of 4K, 64K and 1M elements, as
/// users call it (with the non-finite gradient check) and with <see cref="NonFinitePolicy.Ignore"/> (the
/// kernel alone). Prints nanoseconds per parameter (best and median of 5 blocks) and bytes allocated per step.
/// Nothing is asserted: the figures are for the record. <c>--dry</c> runs each case once, to prove the mode works.
/// </summary>
internal static class Bench
{
    private const int Blocks = 5;
    private const long ElementsPerBlock = 1L << 25; // 32M updates per block: about 0.1 s at 3 ns per parameter

    public static int Run(bool dry)
    {
        Console.WriteLine("RMSProp defaults (lr 0.01, rho 0.99, eps 1e-8), float32, one thread; ns per parameter per Step");
        Console.WriteLine($"{"parameters",10}  {"mode",-22} {"best",8} {"median",8}  {"bytes/step",10}");
        foreach (int length in new[] { 4096, 65536, 1 << 20 })
        {
            foreach (NonFinitePolicy policy in new[] { NonFinitePolicy.Throw, NonFinitePolicy.Ignore })
            {
                Measure(length, policy, dry);
            }
        }

        return 0;
    }

    private static void Measure(int length, NonFinitePolicy policy, bool dry)
    {
        var model = new BenchNet(length);
        var gradients = new BenchNet.Gradients(model);
        var optimizer = new BenchNet.RmsPropOptimizer(model) { NonFinitePolicy = policy };
        Synthetic.Fill(model, seed: 1);
        Synthetic.Fill(gradients, seed: 2);

        int steps = dry ? 1 : (int)Math.Max(1, ElementsPerBlock / length);
        int warmUp = dry ? 1 : Math.Max(3, steps / 4);
        for (int i = 0; i < warmUp; i++)
        {
            optimizer.Step(gradients);
        }

        var nanoseconds = new double[dry ? 1 : Blocks];
        long allocated = 0;
        for (int block = 0; block < nanoseconds.Length; block++)
        {
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++)
            {
                optimizer.Step(gradients);
            }

            long elapsed = Stopwatch.GetTimestamp() - start;
            allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
            nanoseconds[block] = elapsed * (1e9 / Stopwatch.Frequency) / ((double)steps * length);
        }

        Array.Sort(nanoseconds);
        string mode = policy == NonFinitePolicy.Throw ? "Step (checked)" : "Step (NonFinite Ignore)";
        double perStep = (double)allocated / (nanoseconds.Length * steps);
        Console.WriteLine($"{length,10:N0}  {mode,-22} {nanoseconds[0],8:F3} {nanoseconds[nanoseconds.Length / 2],8:F3}  {perStep,10:F1}");
    }
}
