using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gen.Benchmarks.Experiments;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Gen.Benchmarks -- --experiment staged [sizes]</c>:
/// the emitted kernel shape against the staged ×4 shape (<see cref="CenteredMomentumKernels"/>,
/// <see cref="PlainKernels"/>) over many memory layouts.
/// </summary>
/// <remarks>
/// Why layouts: with five or six streams updated in place, how fast an in-cache step runs depends
/// on where the arrays happen to sit (loads that falsely wait for older stores to another stream
/// whose address matches in the low bits, 4K aliasing, and Zen's linear-address way predictor), by
/// up to 3× here for the same code. One allocation is one draw. So each layout lays the six arrays
/// out as consecutive float[] allocations do (16-byte headers) from a random 64-byte-aligned base,
/// every kernel runs on its own copy of that layout, the kernels are timed interleaved in short
/// windows, and the report is the best, median and worst over layouts of each kernel's 10th
/// percentile. Not part of benchmarks/run.sh: it is evidence for a generator change, and it times
/// hand-written copies of the emitted code that must be refreshed if the emitter changes.
/// </remarks>
internal static class StagedUnrollExperiment
{
    private delegate void Kernel(Span<float> p, Span<float> g, Span<float> v, Span<float> m, Span<float> b, float negLr, float wd);

    public static int Run(IReadOnlyList<string> args)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            Console.WriteLine("The experiment needs Vector512.IsHardwareAccelerated.");
            return 1;
        }

        int[] sizes = args.Count > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : new[] { 4096, 65536, 1 << 20 };
        int layouts = args.Count > 1 ? int.Parse(args[1]) : 12;
        var kernels = new (string Name, Kernel Kernel)[]
        {
            ("centered+momentum, emitted", CenteredMomentumKernels.Generated),
            ("centered+momentum, staged", CenteredMomentumKernels.Staged),
            ("plain, emitted", PlainKernels.Generated),
            ("plain, staged", PlainKernels.Staged),
        };

        Console.WriteLine("ns/param, best / median / worst over layouts (each: 10th percentile of interleaved short windows)");
        foreach (int n in sizes)
        {
            if (!BitIdentical(kernels[0].Kernel, kernels[1].Kernel, n) || !BitIdentical(kernels[2].Kernel, kernels[3].Kernel, n))
            {
                Console.WriteLine($"n={n}: the staged kernels do not match the emitted ones bit for bit.");
                return 1;
            }

            var random = new Random(42);
            var results = kernels.Select(_ => new List<double>()).ToArray();
            int count = n >= 1 << 20 ? Math.Min(layouts, 3) : layouts;
            for (int l = 0; l < count; l++)
            {
                int baseBytes = random.Next(0, 4096) * 64;
                var cases = kernels.Select(k => Layout(k.Kernel, n, baseBytes)).ToArray();
                double[] times = Measure(n, cases, rounds: n >= 1 << 20 ? 20 : 60);
                for (int c = 0; c < kernels.Length; c++)
                {
                    results[c].Add(times[c]);
                }
            }

            Console.WriteLine($"n={n:N0}, {count} layouts:");
            for (int c = 0; c < kernels.Length; c++)
            {
                double[] s = results[c].OrderBy(x => x).ToArray();
                Console.WriteLine($"  {kernels[c].Name,-28} {s[0]:F3} / {s[s.Length / 2]:F3} / {s[^1]:F3}");
            }
        }

        return 0;
    }

    private static bool BitIdentical(Kernel a, Kernel b, int n)
    {
        float[][] x = Data(n), y = Data(n);
        for (int step = 0; step < 4; step++)
        {
            a(x[0], x[step % 2 == 0 ? 1 : 2], x[3], x[4], x[5], -0.01f, 0.001f);
            b(y[0], y[step % 2 == 0 ? 1 : 2], y[3], y[4], y[5], -0.01f, 0.001f);
        }

        return Enumerable.Range(0, 6).All(j => x[j].AsSpan().SequenceEqual(y[j]));
    }

    private static float[][] Data(int n)
    {
        var arrays = new float[6][];
        for (int j = 0; j < 6; j++)
        {
            arrays[j] = new float[n];
        }

        Workload.FillParameter(arrays[0], 0);
        Workload.FillGradient(arrays[1], 0, negate: false);
        Workload.FillGradient(arrays[2], 0, negate: true);
        return arrays;
    }

    /// <summary>p, gA, gB, v, m, b as consecutive float[] allocations would sit, from a base offset.</summary>
    private static Action<int> Layout(Kernel kernel, int n, int baseBytes)
    {
        int stride = n + 4;   // a float[]'s 16-byte header between consecutive arrays
        float[] block = GC.AllocateArray<float>(6 * stride + baseBytes / 4 + 32, pinned: true);
        int start = 0;
        while ((Address(block, start) & 63) != 0)
        {
            start++;
        }

        start += baseBytes / 4;
        float[][] data = Data(n);
        for (int j = 0; j < 3; j++)
        {
            data[j].CopyTo(block.AsSpan(start + j * stride, n));
        }

        return steps =>
        {
            Span<float> all = block.AsSpan(start);
            Span<float> p = all.Slice(0, n), gA = all.Slice(stride, n), gB = all.Slice(2 * stride, n);
            Span<float> v = all.Slice(3 * stride, n), m = all.Slice(4 * stride, n), b = all.Slice(5 * stride, n);
            for (int t = 0; t < steps; t += 2)
            {
                kernel(p, gA, v, m, b, -0.01f, 0f);
                kernel(p, gB, v, m, b, -0.01f, 0f);
            }
        };
    }

    private static long Address(float[] array, int index) =>
        (long)Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref array[index]);

    private static double[] Measure(int n, Action<int>[] cases, int rounds)
    {
        int steps = Math.Max(2, 400_000 / n) & ~1;
        var samples = cases.Select(_ => new List<double>()).ToArray();
        foreach (Action<int> run in cases)
        {
            run(steps * 5);
        }

        for (int r = 0; r < rounds; r++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                long start = Stopwatch.GetTimestamp();
                cases[c](steps);
                samples[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / steps / n);
            }
        }

        return samples.Select(s => s.OrderBy(x => x).ElementAt(s.Count / 10)).ToArray();
    }
}
