using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>
/// The lean-memory targets, timed in turn (<see cref="Interleaved.TimePlacement"/>) at 16M parameters on one thread:
/// Adam's step with float32, bfloat16 (to nearest even and stochastic) and float16 state against the memory roof for the
/// same traffic (the roofs' loops moving the same bytes per element: p read and written, g read, and the state at its
/// width), and a step with <c>GlobalNormClip</c> against <c>ClipByGlobalNorm</c> followed by <c>Step</c>. Writes
/// lean.json; <see cref="Report"/> forms the ratios.
/// </summary>
public static class Lean
{
    /// <summary>The rows, each a name in lean.json.</summary>
    public static readonly string[] Rows =
    {
        "AdamFloat32", "AdamBFloat16", "AdamBFloat16Stochastic", "AdamFloat16", "AdamInt8",
        "MemoryRoof28", "MemoryRoof28LoadsFirst", "MemoryRoof20", "MemoryRoof20LoadsFirst",
        "ArithmeticRoof20", "ArithmeticRoof20LoadsFirst", "MemoryRoof16", "ClipThenStep", "FusedClipStep",
        "AdamFloat32InCache", "AdamBFloat16InCache", "AdamInt8InCache",
    };

    /// <summary>
    /// Parameters of the in-cache rows' model: Adam's float32 traffic for it (448 KiB) fits Zen 4's 1 MiB L2, so those rows
    /// time the step's instructions with the memory out of the way, its compute floor.
    /// </summary>
    public const int InCacheParameters = 16384;

    /// <summary>Bytes each row moves per parameter (the roofs and the steps they bound).</summary>
    public static readonly IReadOnlyDictionary<string, int> BytesPerParameter = new Dictionary<string, int>
    {
        ["AdamFloat32"] = 28,
        ["AdamBFloat16"] = 20,
        ["AdamBFloat16Stochastic"] = 20,
        ["AdamFloat16"] = 20,

        // 8-bit: one byte per element per buffer, and 4 bytes per 256 (the absmax), read and written.
        ["AdamInt8"] = 16,
        ["MemoryRoof16"] = 16,
        ["MemoryRoof28"] = 28,
        ["MemoryRoof28LoadsFirst"] = 28,
        ["MemoryRoof20"] = 20,
        ["MemoryRoof20LoadsFirst"] = 20,
        ["ArithmeticRoof20"] = 20,
        ["ArithmeticRoof20LoadsFirst"] = 20,

        // ClipByGlobalNorm reads g (norm) and reads and writes it (scale), Step reads it (non-finite check) and then moves
        // Adam's 28 bytes; the fused step reads g for the norm (which doubles as the check) and moves the same 28.
        ["ClipThenStep"] = 44,
        ["FusedClipStep"] = 32,

        // The same steps' bytes, moved from and to L2.
        ["AdamFloat32InCache"] = 28,
        ["AdamBFloat16InCache"] = 20,
        ["AdamInt8InCache"] = 16,
    };

    public static void Run(string path, int parameters, int placements, int rounds, double batchMilliseconds, string command)
    {
        DateTime started = DateTime.UtcNow;
        var random = new Random(20261207);
        var perPlacement = new List<Dictionary<string, double>>();
        for (int placement = 0; placement < placements; placement++)
        {
            IReadOnlyDictionary<string, double> times = Interleaved.TimePlacement(Rows, row => Create(row, parameters), "lean/" + parameters, rounds, batchMilliseconds, random);
            perPlacement.Add(Rows.ToDictionary(r => r, r => times[r]));
            Console.WriteLine($"lean {parameters} placement {placement}: " + string.Join(", ", Rows.Select(r => Invariant($"{r} {times[r] / 1e6:0.00} ms"))));
        }

        var simd = new { Vector512 = Vector512.IsHardwareAccelerated, Vector256 = Vector256.IsHardwareAccelerated, VectorTBits = Vector<byte>.Count * 8 };
        // What each Adam row keeps: StateBytes per parameter.
        var model = new LeanModel { P = new float[parameters] };
        var stateBytes = new Dictionary<string, double>
        {
            ["AdamFloat32"] = (double)new LeanModel.AdamFloat32(model).StateBytes / parameters,
            ["AdamBFloat16"] = (double)new LeanModel.AdamBFloat16(model).StateBytes / parameters,
            ["AdamFloat16"] = (double)new LeanModel.AdamFloat16(model).StateBytes / parameters,
            ["AdamInt8"] = (double)new LeanModel.AdamInt8(model).StateBytes / parameters,
        };
        var document = new
        {
            Command = command, Started = started, Ended = DateTime.UtcNow, Parameters = parameters, Placements = placements, Rounds = rounds,
            BatchMilliseconds = batchMilliseconds, Simd = simd, BytesPerParameter, StateBytesPerParameter = stateBytes, NanosecondsPerStep = perPlacement,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
    }

    /// <summary>A fresh row over its own arrays: parameters and two gradient containers in [-1, 1] that the steps alternate.</summary>
    public static IStepRow Create(string row, int parameters)
    {
        var random = new Random(parameters);
        var model = new LeanModel { P = Fill(new float[parameters], random) };
        var a = new LeanModel.Gradients(model);
        var b = new LeanModel.Gradients(model);
        Fill(a.P, random);
        Fill(b.P, random);
        return row switch
        {
            "AdamFloat32" => new StepRow(new LeanModel.AdamFloat32(model) { NonFinitePolicy = NonFinitePolicy.Ignore }, a, b, clip: null),
            "AdamBFloat16" => new StepRow(new LeanModel.AdamBFloat16(model) { NonFinitePolicy = NonFinitePolicy.Ignore }, a, b, clip: null),
            "AdamBFloat16Stochastic" => new StepRow(new LeanModel.AdamBFloat16Stochastic(model) { NonFinitePolicy = NonFinitePolicy.Ignore }, a, b, clip: null),
            "AdamFloat16" => new StepRow(new LeanModel.AdamFloat16(model) { NonFinitePolicy = NonFinitePolicy.Ignore }, a, b, clip: null),
            "AdamInt8" => new StepRow(new LeanModel.AdamInt8(model) { NonFinitePolicy = NonFinitePolicy.Ignore }, a, b, clip: null),

            // 8-bit traffic: p read and written and g read, then two bytes per parameter read and written (the two code
            // buffers, one byte each), as two TensorPrimitives loops: the same bytes, in two passes.
            "MemoryRoof16" => new BytesRoofRow(a.P, model.P, new byte[2 * parameters]),

            // The memory roofs: Adam's float32 traffic (p, m and v read and written, g read), and its 16-bit traffic, whose two
            // state buffers of 2 bytes per element move the bytes of one float buffer. Both loop shapes: the faster is the roof.
            "MemoryRoof28" => new RoofRow(a.P, new Array[] { model.P, new float[parameters], new float[parameters] }, RoofShape.Staged),
            "MemoryRoof28LoadsFirst" => new RoofRow(a.P, new Array[] { model.P, new float[parameters], new float[parameters] }, RoofShape.LoadsFirst),
            "MemoryRoof20" => new RoofRow(a.P, new Array[] { model.P, new float[parameters] }, RoofShape.Staged),
            "MemoryRoof20LoadsFirst" => new RoofRow(a.P, new Array[] { model.P, new float[parameters] }, RoofShape.LoadsFirst),

            // Adam's arithmetic roof on the 16-bit traffic: one square root and two divisions per parameter (as PyTorch's
            // update), nothing else. At 16M on a machine whose divider is as slow as its memory, this roof binds too.
            "ArithmeticRoof20" => new RoofRow(a.P, new Array[] { model.P, Fill(new float[parameters], random) }, RoofShape.Staged, arithmetic: true),
            "ArithmeticRoof20LoadsFirst" => new RoofRow(a.P, new Array[] { model.P, Fill(new float[parameters], random) }, RoofShape.LoadsFirst, arithmetic: true),

            // Half the norm, so that every step clips (a clipped gradient's norm stays just above it: ClipByGlobalNorm keeps
            // scaling, by a factor that rounds to 1 in float after the first step, so its pass always runs).
            "ClipThenStep" => new StepRow(new LeanModel.AdamFloat32(model), a, b, clip: a.L2Norm() / 2),
            "FusedClipStep" => new StepRow(new LeanModel.AdamFloat32(model) { GlobalNormClip = a.L2Norm() / 2 }, a, b, clip: null),

            // The compute floors: the same step on a model that stays in cache, repeated until it has updated as many
            // parameters as the other rows (the per-call overhead, a few hundred ns per 16K-parameter step, is included).
            "AdamFloat32InCache" or "AdamBFloat16InCache" or "AdamInt8InCache" => new InCacheRow(row, parameters),
            _ => throw new ArgumentOutOfRangeException(nameof(row), row, "No such lean row."),
        };
    }

    private static float[] Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>Steps with gradients A and B in turn; with <c>clip</c>, clips them with ClipByGlobalNorm first, as separate calls.</summary>
    public sealed class StepRow : IStepRow
    {
        private readonly Optimizer<LeanModel.Gradients> _optimizer;
        private readonly LeanModel.Gradients _a;
        private readonly LeanModel.Gradients _b;
        private readonly double? _clip;
        private bool _useB;

        public StepRow(Optimizer<LeanModel.Gradients> optimizer, LeanModel.Gradients a, LeanModel.Gradients b, double? clip)
        {
            _optimizer = optimizer;
            _a = a;
            _b = b;
            _clip = clip;
        }

        /// <summary>The optimizer stepped (its <c>Model</c> is the row's <see cref="LeanModel"/>).</summary>
        public Optimizer<LeanModel.Gradients> Optimizer => _optimizer;

        public void Step()
        {
            LeanModel.Gradients gradients = _useB ? _b : _a;
            _useB = !_useB;
            if (_clip is { } limit)
            {
                gradients.ClipByGlobalNorm(limit);
            }

            _optimizer.Step(gradients);
        }
    }

    private sealed class RoofRow : IStepRow
    {
        private readonly float[] _gradient;
        private readonly Array[] _readWrite;
        private readonly RoofShape _shape;
        private readonly bool _arithmetic;

        public RoofRow(float[] gradient, Array[] readWrite, RoofShape shape, bool arithmetic = false)
        {
            _gradient = gradient;
            _readWrite = readWrite;
            _shape = shape;
            _arithmetic = arithmetic;
        }

        public void Step() => Roofs.Run(_gradient, _readWrite, _arithmetic, _shape, divisions: _arithmetic ? 2 : 1);
    }

    /// <summary>The memory roof of 8-bit Adam's traffic: p ← p + g, then every byte of the two code buffers read and written.</summary>
    private sealed class BytesRoofRow : IStepRow
    {
        private readonly float[] _gradient;
        private readonly float[] _parameter;
        private readonly byte[] _bytes;

        public BytesRoofRow(float[] gradient, float[] parameter, byte[] bytes)
        {
            _gradient = gradient;
            _parameter = parameter;
            _bytes = bytes;
        }

        public void Step()
        {
            System.Numerics.Tensors.TensorPrimitives.Add(_parameter, _gradient, _parameter);
            System.Numerics.Tensors.TensorPrimitives.Add(_bytes, (byte)1, _bytes);
        }
    }

    /// <summary>A row's step on <see cref="InCacheParameters"/> parameters (fewer if the run has fewer), as many times as cover the run's.</summary>
    public sealed class InCacheRow : IStepRow
    {
        private readonly int _repeats;

        public InCacheRow(string row, int parameters)
        {
            int size = Math.Min(InCacheParameters, parameters);
            Inner = (StepRow)Create(row.Substring(0, row.Length - "InCache".Length), size);
            _repeats = Math.Max(1, parameters / size);
        }

        /// <summary>The step repeated, on its own small model.</summary>
        public StepRow Inner { get; }

        public void Step()
        {
            for (int i = 0; i < _repeats; i++)
            {
                Inner.Step();
            }
        }
    }
}
