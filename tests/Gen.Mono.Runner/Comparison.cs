using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Gen;

namespace Gen.Mono.Runner;

/// <summary>
/// Compares two <c>--out</c> directories (one written on .NET, one on Mono) by loading each run's checkpoints
/// into fresh models and optimizers: this also proves that each runtime reads the other's files.
/// </summary>
/// <remarks>
/// <para>exact.* runs must agree in every bit of every parameter and state buffer, and in the step count.</para>
/// <para>
/// train.* runs need not. The QuickStart's data calls <c>Math.Cos</c>/<c>Math.Sin</c> and its forward pass
/// <c>MathF.Tanh</c>; Mono 6.8 computes <c>MathF.Tanh(x)</c> as <c>(float)Math.Tanh(x)</c>, which differs from
/// .NET's (the C library's <c>tanhf</c>) by one ulp for about 7 % of inputs, and its <c>Math.Cos</c>/<c>Sin</c>
/// differ in the last bit for some inputs too (measured on this project's CI machine; <c>MathF.Exp</c>,
/// <c>MathF.Log</c>, <c>MathF.Sqrt</c> and float arithmetic agree: Mono 6.8 computes float operations in float32).
/// Those ulps then grow through training like any perturbation, so a train.* run passes when its final
/// parameters and state are within <see cref="TrainTolerance"/> of each other (the largest difference over a
/// member, relative to the member's largest magnitude) and both reach the same training accuracy within
/// <see cref="AccuracyTolerance"/>. Measured (Mono 6.8 against .NET 10, 390 steps): at most 1.0e-4
/// (Adagrad's W1.sum), 3e-6 to 1.4e-5 for the other kinds, and the same accuracy; the tolerance is ten
/// times the largest.
/// </para>
/// </remarks>
internal static class Comparison
{
    public const double TrainTolerance = 1e-3;
    public const double AccuracyTolerance = 0.01; // 4 of the 400 points

    public static int Run(string first, string second)
    {
        string[] runs = File.ReadAllLines(Path.Combine(first, Runs.IndexFile));
        string[] others = File.ReadAllLines(Path.Combine(second, Runs.IndexFile));
        int failures = 0;
        if (runs.Length != others.Length)
        {
            Console.WriteLine($"FAILED: {runs.Length} runs in {first}, {others.Length} in {second}.");
            return 1;
        }

        for (int r = 0; r < runs.Length; r++)
        {
            string[] a = runs[r].Split('\t');
            string[] b = others[r].Split('\t');
            if (a[0] != b[0])
            {
                Console.WriteLine($"FAILED: run {r} is {a[0]} in {first} and {b[0]} in {second}.");
                failures++;
                continue;
            }

            Subject left = Subject.Create(a[0]);
            Subject right = Subject.Create(b[0]);
            left.Load(first);
            right.Load(second);
            failures += a[1] == "exact" ? CompareExact(left, right) : CompareTraining(left, right, a, b);
        }

        Console.WriteLine(failures == 0
            ? $"{runs.Length} runs agree ({first} and {second})."
            : $"FAILED: {failures} of {runs.Length} runs disagree.");
        return failures == 0 ? 0 : 1;
    }

    private static int CompareExact(Subject left, Subject right)
    {
        long elements = 0, different = 0;
        string? firstDifference = null;
        foreach ((TensorRef a, TensorRef b, string name) in Pairs(left, right))
        {
            for (int i = 0; i < a.Length; i++)
            {
                elements++;
                if (Bits(a, i) != Bits(b, i))
                {
                    different++;
                    firstDifference ??= $"{name}[{i}]: {Value(a, i):R} and {Value(b, i):R}";
                }
            }
        }

        bool ok = different == 0 && left.StepCount == right.StepCount;
        Console.WriteLine(ok
            ? $"{left.Name}: bit-identical ({elements} values, {left.StepCount} steps)"
            : $"FAILED {left.Name}: {different} of {elements} values differ (first {firstDifference}); steps {left.StepCount} and {right.StepCount}");
        return ok ? 0 : 1;
    }

    private static int CompareTraining(Subject left, Subject right, string[] a, string[] b)
    {
        long elements = 0, different = 0;
        double worst = 0;
        string worstName = string.Empty;
        foreach ((TensorRef x, TensorRef y, string name) in Pairs(left, right))
        {
            double largest = 0, difference = 0;
            for (int i = 0; i < x.Length; i++)
            {
                elements++;
                different += Bits(x, i) != Bits(y, i) ? 1 : 0;
                largest = Math.Max(largest, Math.Max(Math.Abs(Value(x, i)), Math.Abs(Value(y, i))));
                difference = Math.Max(difference, Math.Abs(Value(x, i) - Value(y, i)));
            }

            double relative = largest == 0 ? 0 : difference / largest;
            if (relative > worst || double.IsNaN(relative))
            {
                worst = relative;
                worstName = name;
            }
        }

        double accuracyA = double.Parse(a[5], CultureInfo.InvariantCulture);
        double accuracyB = double.Parse(b[5], CultureInfo.InvariantCulture);
        bool ok = worst <= TrainTolerance && Math.Abs(accuracyA - accuracyB) <= AccuracyTolerance && left.StepCount == right.StepCount;
        string verdict = ok ? (different == 0 ? "bit-identical" : "within tolerance") : "FAILED";
        Console.WriteLine($"{left.Name}: {verdict}: {different} of {elements} values differ, largest difference " +
            $"{worst:E2} of its member's largest magnitude{(worstName.Length > 0 ? " (" + worstName + ")" : string.Empty)} (tolerance {TrainTolerance:E0}); " +
            $"accuracy {100 * accuracyA:F1}% and {100 * accuracyB:F1}%");
        return ok ? 0 : 1;
    }

    private static IEnumerable<(TensorRef A, TensorRef B, string Name)> Pairs(Subject left, Subject right)
    {
        using IEnumerator<KeyValuePair<string, TensorRef>> b = right.Tensors().GetEnumerator();
        foreach (KeyValuePair<string, TensorRef> a in left.Tensors())
        {
            b.MoveNext();
            yield return (a.Value, b.Current.Value, a.Key);
        }
    }

    private static long Bits(TensorRef tensor, int index) => tensor.Element switch
    {
        TensorElement.Single => BitConverter.SingleToInt32Bits(tensor.AsSingleSpan()[index]),
        TensorElement.Double => BitConverter.DoubleToInt64Bits(tensor.AsDoubleSpan()[index]),
        _ => tensor.AsBitsSpan()[index],
    };

    private static double Value(TensorRef tensor, int index) => tensor.Element switch
    {
        TensorElement.Single => tensor.AsSingleSpan()[index],
        TensorElement.Double => tensor.AsDoubleSpan()[index],
        TensorElement.BFloat16 => Gen.__Internals.BFloat16Storage.ToSingle(tensor.AsBitsSpan()[index]),
        _ => Gen.__Internals.Float16Storage.ToSingle(tensor.AsBitsSpan()[index]),
    };
}
