using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using Gen.__Internals;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>Deterministic values for models and gradients.</summary>
internal static class Fill
{
    /// <summary>Every trainable member uniformly in [-1, 1].</summary>
    public static void Model(ITrainable model, Random random)
    {
        for (int i = 0; i < model.ParameterCount; i++)
        {
            Tensor(model.GetParameter(i), random, scaled: false);
        }
    }

    /// <summary>
    /// Every gradient element drawn from a normal distribution, mixed in scale (some exactly zero,
    /// some 1e-3, some 10), so that every state buffer moves away from its initial value.
    /// </summary>
    public static void Gradients(GradientsBase gradients, Random random)
    {
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            Tensor(gradients.GetMember(i), random, scaled: true);
        }
    }

    public static void Uniform(Span<float> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }

    private static void Tensor(TensorRef tensor, Random random, bool scaled)
    {
        if (tensor.Element == TensorElement.Single)
        {
            Span<float> values = tensor.AsSingleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)Next(random, scaled);
            }
        }
        else
        {
            Span<double> values = tensor.AsDoubleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Next(random, scaled);
            }
        }
    }

    private static double Next(Random random, bool scaled)
    {
        if (!scaled)
        {
            return (random.NextDouble() * 2) - 1;
        }

        double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double scale = random.Next(8) switch { 0 => 0, 1 => 1e-3, 2 => 10, _ => 1 };
        return normal * scale;
    }
}

/// <summary>Finds the generated optimizers of a model class by the Name their attribute gave them.</summary>
internal static class Optimizers
{
    public static string[] Names<TModel>() => typeof(TModel)
        .GetCustomAttributes()
        .Where(a => a.GetType().Namespace == "Gen" && a.GetType().GetProperty("Name") is not null)
        .Select(a => (string)a.GetType().GetProperty("Name")!.GetValue(a)!)
        .ToArray();

    public static Optimizer<TGradients> Create<TGradients>(string name, object model)
        where TGradients : GradientsBase
    {
        Type type = model.GetType().GetNestedType(name) ?? throw new InvalidOperationException($"No generated optimizer '{name}' in {model.GetType()}.");
        return (Optimizer<TGradients>)Activator.CreateInstance(type, model)!;
    }

    public static void Train<TGradients>(Optimizer<TGradients> optimizer, TGradients gradients, Random random, int steps)
        where TGradients : GradientsBase
    {
        for (int i = 0; i < steps; i++)
        {
            Fill.Gradients(gradients, random);
            optimizer.Step(gradients);
        }
    }
}

/// <summary>
/// Everything a load may change, bit for bit: every model parameter, every state buffer (by index
/// and key), the step count, the learning rate and the weight decay.
/// </summary>
internal sealed class TrainingSnapshot
{
    private readonly List<(string Name, byte[] Bits)> _entries = new();

    private TrainingSnapshot()
    {
    }

    public static TrainingSnapshot Of(ITrainable model)
    {
        var snapshot = new TrainingSnapshot();
        snapshot.AddModel(model);
        return snapshot;
    }

    public static TrainingSnapshot Of<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase
    {
        var snapshot = new TrainingSnapshot();
        snapshot.AddModel(optimizer.Model);
        for (int i = 0; i < optimizer.StateCount; i++)
        {
            OptimizerState state = optimizer.GetState(i);
            snapshot._entries.Add(($"state {i} ({state.Buffer.Name}.{state.Key})", Bits(state.Buffer)));
        }

        snapshot._entries.Add(("StepCount", BitConverter.GetBytes(optimizer.StepCount)));
        snapshot._entries.Add(("LearningRate", BitConverter.GetBytes(optimizer.LearningRate)));
        snapshot._entries.Add(("WeightDecay", BitConverter.GetBytes(optimizer.WeightDecay)));
        for (int i = 0; i < optimizer.GroupValueCount; i++)
        {
            // Schedule-Free's mode, lr_max and weight_sum.
            GroupValue value = optimizer.GetGroupValue(i);
            snapshot._entries.Add((value.Key, BitConverter.GetBytes(value.Value)));
        }

        if (optimizer.RoundsStochastically)
        {
            // The only optimizers whose steps depend on it, and whose checkpoints record it.
            snapshot._entries.Add(("StochasticRoundingSeed", BitConverter.GetBytes(optimizer.StochasticRoundingSeed)));
        }
        return snapshot;
    }

    /// <summary>Fails naming the first entry that differs in any bit.</summary>
    public static void AssertSame(TrainingSnapshot expected, TrainingSnapshot actual, string context)
    {
        Assert.Equal(expected._entries.Select(e => e.Name), actual._entries.Select(e => e.Name));
        for (int i = 0; i < expected._entries.Count; i++)
        {
            if (!expected._entries[i].Bits.AsSpan().SequenceEqual(actual._entries[i].Bits))
            {
                Assert.Fail($"{context}: {expected._entries[i].Name} differs.");
            }
        }
    }

    private void AddModel(ITrainable model)
    {
        for (int i = 0; i < model.ParameterCount; i++)
        {
            TensorRef parameter = model.GetParameter(i);
            string shape = parameter.Array is null ? "null" : Tensors.FormatShape(parameter.Array);
            _entries.Add(($"parameter {parameter.Name} {shape}", Bits(parameter)));
        }
    }

    private static byte[] Bits(TensorRef tensor) => tensor.Array is null
        ? Array.Empty<byte>()
        : tensor.Element switch
        {
            TensorElement.Single => MemoryMarshal.AsBytes(tensor.AsSingleSpan()).ToArray(),
            TensorElement.Double => MemoryMarshal.AsBytes(tensor.AsDoubleSpan()).ToArray(),
            TensorElement.UInt8 => tensor.AsByteSpan().ToArray(),
            _ => MemoryMarshal.AsBytes(tensor.AsBitsSpan()).ToArray(),
        };
}

/// <summary>A fresh directory under the temporary path, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gen-checkpoints-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The names of the files in the directory, sorted.</summary>
    public string[] FileNames() => Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A read-only, forward-only view of bytes, like a network stream: its length is unknown.</summary>
internal sealed class NonSeekableStream : Stream
{
    private readonly MemoryStream _inner;

    public NonSeekableStream(byte[] bytes)
    {
        _inner = new MemoryStream(bytes, writable: false);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Returns at most 7 bytes per call, so readers must loop.</summary>
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A writable stream that fails, like a full disk, once <c>limit</c> bytes have been written.</summary>
internal sealed class FailingStream : Stream
{
    private readonly int _limit;

    public FailingStream(int limit)
    {
        _limit = limit;
    }

    public MemoryStream Written { get; } = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int room = _limit - (int)Written.Length;
        Written.Write(buffer.Slice(0, Math.Min(room, buffer.Length)));
        if (buffer.Length > room)
        {
            throw new IOException("No space left on device (simulated).");
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
