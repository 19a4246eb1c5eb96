using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Gen;
using QuickStart;

namespace Gen.Mono.Runner;

/// <summary>Runs every <see cref="Subject"/> and writes its checkpoints and one line of <c>runs.txt</c>.</summary>
internal static class Runs
{
    public const string IndexFile = "runs.txt";
    public const int ExactSteps = 300;

    // The QuickStart's data and batch size; fewer epochs (a few hundred steps per optimizer).
    private const int Seed = 42;
    private const int PointsPerClass = 200;
    private const double Radius = 5;
    private const double Noise = 0.1;
    private const int BatchSize = 32;
    private const int Epochs = 30;

    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var index = new StringBuilder();

        foreach (Subject subject in Subject.Exact())
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int step = 0; step < ExactSteps; step++)
            {
                subject.SetLearningRate(1 - ((double)step / ExactSteps)); // a linear decay, as the QuickStart's
                subject.StepSynthetic(step);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Record(index, directory, subject, "exact", float.NaN, double.NaN, allocated);
        }

        (float[,] x, float[] y) = TwoSpirals.Make(PointsPerClass, Radius, Noise, new Random(Seed));
        foreach (Subject<SpiralNet.Gradients> subject in Subject.Training())
        {
            (float loss, double accuracy) = Train(subject, x, y);
            Record(index, directory, subject, "train", loss, accuracy, allocated: -1);
        }

        File.WriteAllText(Path.Combine(directory, IndexFile), index.ToString());
        return 0;
    }

    private static void Record(StringBuilder index, string directory, Subject subject, string kind, float loss, double accuracy, long allocated)
    {
        subject.Save(directory);
        string hash = Hash(subject).ToString("x16", CultureInfo.InvariantCulture);
        string line = string.Join("\t", subject.Name, kind, subject.StepCount.ToString(CultureInfo.InvariantCulture), hash,
            BitConverter.SingleToInt32Bits(loss).ToString("x8", CultureInfo.InvariantCulture),
            accuracy.ToString("R", CultureInfo.InvariantCulture));
        index.Append(line).Append('\n');
        string allocation = allocated >= 0 ? $", {allocated} bytes allocated by the steps" : string.Empty;
        string result = kind == "train" ? $", loss {loss:F4}, accuracy {100 * accuracy:F1}%" : string.Empty;
        Console.WriteLine($"{subject.Name}: {subject.StepCount} steps, hash {hash}{result}{allocation}");
    }

    /// <summary>The QuickStart's loop: shuffle, then per mini-batch clear, forward, backward, step; the rate decays linearly.</summary>
    private static (float Loss, double Accuracy) Train(Subject<SpiralNet.Gradients> subject, float[,] x, float[] y)
    {
        var model = (SpiralNet)subject.Model;
        int count = y.Length;
        var batch = new Workspace(BatchSize);
        var random = new Random(Seed + 1);
        int[] order = new int[count];
        for (int n = 0; n < count; n++)
        {
            order[n] = n;
        }

        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            subject.SetLearningRate(1 - ((epoch - 1.0) / Epochs));
            Shuffle(order, random);
            for (int start = 0; start < count; start += BatchSize)
            {
                int size = Math.Min(BatchSize, count - start);
                subject.Gradients.Clear();
                model.Forward(x, order, start, size, batch);
                model.Backward(x, y, order, start, size, batch, subject.Gradients);
                subject.Optimizer.Step(subject.Gradients);
            }
        }

        var full = new Workspace(count);
        for (int n = 0; n < count; n++)
        {
            order[n] = n;
        }

        model.Forward(x, order, 0, count, full);
        float loss = SpiralNet.Loss(y, order, 0, count, full, out int correct);
        return (loss, (double)correct / count);
    }

    private static void Shuffle(int[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>FNV-1a (64-bit) over every tensor's name and the bits of its values, in <see cref="Subject.Tensors"/> order.</summary>
    public static ulong Hash(Subject subject)
    {
        ulong hash = 14695981039346656037UL;
        foreach (KeyValuePair<string, TensorRef> tensor in subject.Tensors())
        {
            foreach (char c in tensor.Key)
            {
                hash = Mix(hash, c);
            }

            if (tensor.Value.Element == TensorElement.Single)
            {
                Span<float> values = tensor.Value.AsSingleSpan();
                for (int i = 0; i < values.Length; i++)
                {
                    hash = Mix(hash, (uint)BitConverter.SingleToInt32Bits(values[i]));
                }
            }
            else if (tensor.Value.Element == TensorElement.Double)
            {
                Span<double> values = tensor.Value.AsDoubleSpan();
                for (int i = 0; i < values.Length; i++)
                {
                    hash = Mix(hash, (ulong)BitConverter.DoubleToInt64Bits(values[i]));
                }
            }
            else
            {
                // 16-bit state: its bits.
                Span<ushort> bits = tensor.Value.AsBitsSpan();
                for (int i = 0; i < bits.Length; i++)
                {
                    hash = Mix(hash, bits[i]);
                }
            }
        }

        return hash;
    }

    private static ulong Mix(ulong hash, ulong value)
    {
        unchecked
        {
            for (int b = 0; b < 8; b++)
            {
                hash = (hash ^ (byte)(value >> (8 * b))) * 1099511628211UL;
            }
        }

        return hash;
    }
}
