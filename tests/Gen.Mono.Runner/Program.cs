// The Mono runner: the same source built for netstandard2.1 (run by Mono) and for net10.0 (run by .NET).
//
//   Gen.Mono.Runner --out DIR               every run below; writes DIR/runs.txt and one checkpoint pair per run
//   Gen.Mono.Runner --compare DIR1 DIR2     loads both directories' checkpoints and compares them (exit 1 if they disagree)
//   Gen.Mono.Runner --bench [--dry]         ns per parameter of RMSProp's Step at 4K, 64K and 1M (no assertion)
//
// The runs (Subject.cs):
// - exact.*: each optimizer kind (the QuickStart's four on its SpiralNet, every kind with its kernel-changing
//   options on Family) takes 300 steps with synthetic gradients made by integer arithmetic. Nothing but the
//   generated kernels and the runtime touches the numbers, so the two runtimes must agree bit for bit.
// - train.*: the QuickStart's own training (its TwoSpirals data, its SpiralNet forward and backward pass) for
//   30 epochs of 13 mini-batches with each of its optimizers. The sample calls Math.Cos/Sin and MathF.Tanh,
//   which differ by an ulp between the runtimes' math libraries (Comparison.cs), so these runs are compared
//   within a tolerance and must reach the same accuracy.
// .ci/run runs --out on .NET and on Mono, then --compare, and counts the comparison as one check.
using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gen.Mono.Runner;

internal static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}; " +
            $"Vector<float>.Count {Vector<float>.Count}, Vector.IsHardwareAccelerated {Vector.IsHardwareAccelerated}, " +
            $"float arithmetic in {(FloatIsFloat32(1f + (3f / (1 << 23))) ? "float32" : "double precision")}");

        if (args.Length == 2 && args[0] == "--out")
        {
            return Runs.Write(args[1]);
        }

        if (args.Length == 3 && args[0] == "--compare")
        {
            return Comparison.Run(args[1], args[2]);
        }

        if (args.Length >= 1 && args[0] == "--bench" && (args.Length == 1 || (args.Length == 2 && args[1] == "--dry")))
        {
            return Bench.Run(dry: args.Length == 2);
        }

        Console.Error.WriteLine("usage: Gen.Mono.Runner --out DIR | --compare DIR1 DIR2 | --bench [--dry]");
        return 2;
    }

    // x = 1 + 3·2^-23: x·x − 1 is 6·2^-23 in float32, but 6·2^-23 + 9·2^-46 (then 0x35400002 once stored as a
    // float) if the runtime keeps the product in double precision, as Mono did before its float32 mode
    // (the default since Mono 5; `mono -O=-float32` turns it off and the kernels' bits would change).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FloatIsFloat32(float x)
    {
        float product = x * x;
        return product - 1f == 6f / (1 << 23);
    }
}
