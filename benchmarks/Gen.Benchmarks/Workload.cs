using System;
using System.Collections.Generic;
using System.Linq;

namespace Gen.Benchmarks;

/// <summary>The parameter counts benchmarked. The names are what BenchmarkDotNet prints.</summary>
public enum Size
{
    /// <summary>4,096 parameters: p, g and v are 48 KiB, Zen 5's whole L1d (Zen 4's is 32 KiB: L2 there).</summary>
    P4K,

    /// <summary>65,536 parameters: 256 KiB per array, L2.</summary>
    P64K,

    /// <summary>1,048,576 parameters: 4 MiB per array, L3.</summary>
    P1M,

    /// <summary>16,777,216 parameters: 64 MiB per array, DRAM.</summary>
    P16M,

    /// <summary>The small MLP of <see cref="SmallMlp"/>: 8 tensors, 8,484 parameters.</summary>
    Mlp,
}

/// <summary>The optimizer configurations: RMSProp's two, which every row kind runs, and the family (Models.cs has their hyperparameters).</summary>
public enum Config
{
    Plain,
    CenteredMomentum,
    SgdMomentum,
    Adagrad,
    Adam,
    AdamW,
    Adadelta,
    Lion,
    NAdam,
    RAdam,
    Adamax,
    Rprop,
    Asgd,
    ScheduleFreeAdamW,
    ScheduleFreeSgd,
    AdEMAMix,
    Adopt,
    Lamb,
    Lars,
    Adafactor,
}

/// <summary>Shapes and deterministic data shared by every row, and by benchmarks/peers/torch_optim.py.</summary>
public static class Workload
{
    public const float LearningRate = 0.01f;
    public const float Alpha = 0.99f;
    public const float OneMinusAlpha = 0.01f;   // (float)(1 - 0.99), as the generator rounds it
    public const float Epsilon = 1E-08f;
    public const float Momentum = 0.9f;

    public static IReadOnlyList<Size> AllSizes { get; } = new[] { Size.P4K, Size.P64K, Size.P1M, Size.P16M, Size.Mlp };

    public static IReadOnlyList<Config> RmsPropConfigs { get; } = new[] { Config.Plain, Config.CenteredMomentum };

    public static IReadOnlyList<Config> FamilyConfigs { get; } = new[] { Config.SgdMomentum, Config.Adagrad, Config.Adam, Config.AdamW, Config.Adadelta, Config.Lion, Config.NAdam, Config.RAdam, Config.Adamax, Config.Rprop, Config.Asgd, Config.ScheduleFreeAdamW, Config.ScheduleFreeSgd, Config.AdEMAMix, Config.Adopt, Config.Lamb, Config.Lars, Config.Adafactor };

    public static bool IsRmsProp(Config config) => config is Config.Plain or Config.CenteredMomentum;

    /// <summary>The state buffer whose square root an update divides by, which the arithmetic roof takes (RMSProp's and Adam's); null for the rest.</summary>
    public static string? RootKey(Config config) => config switch
    {
        Config.Plain or Config.CenteredMomentum => "square_avg",
        Config.Adam or Config.AdamW => "exp_avg_sq",
        _ => null,
    };

    /// <summary>The divisions per element no exact kernel of the configuration can avoid, which its arithmetic roof makes: RMSProp divides by the denominator; Adam (PyTorch) divides √v by the bias correction and m by the denominator.</summary>
    public static int Divisions(Config config) => config is Config.Adam or Config.AdamW ? 2 : 1;

    /// <summary>The tensor lengths of a size, in declaration order.</summary>
    public static int[] Lengths(Size size) => size switch
    {
        Size.P4K => new[] { 4_096 },
        Size.P64K => new[] { 65_536 },
        Size.P1M => new[] { 1_048_576 },
        Size.P16M => new[] { 16_777_216 },
        Size.Mlp => new[] { 32 * 64, 64, 64 * 64, 64, 64 * 32, 32, 32 * 4, 4 },
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    /// <summary>
    /// The state buffers by PyTorch's names, in the order the roofs keep them. An update reads the gradient and
    /// reads and writes the parameter and each of these: its memory traffic, which a memory roof reproduces.
    /// </summary>
    public static string[] StateKeys(Config config) => config switch
    {
        Config.Plain => new[] { "square_avg" },
        Config.CenteredMomentum => new[] { "square_avg", "grad_avg", "momentum_buffer" },
        Config.SgdMomentum => new[] { "momentum_buffer" },
        Config.Adagrad => new[] { "sum" },
        Config.Adam or Config.AdamW => new[] { "exp_avg", "exp_avg_sq" },
        Config.Adadelta => new[] { "square_avg", "acc_delta" },
        Config.Lion => new[] { "exp_avg" },
        Config.NAdam or Config.RAdam => new[] { "exp_avg", "exp_avg_sq" },
        Config.Adamax => new[] { "exp_avg", "exp_inf" },
        Config.Rprop => new[] { "prev", "step_size" },
        Config.Asgd => new[] { "ax" },

        // Schedule-Free also stores the parameter without reading it (p = y): one read stream fewer than the roof's.
        Config.ScheduleFreeAdamW => new[] { "z", "exp_avg_sq", "x", "y" },
        Config.ScheduleFreeSgd => new[] { "z", "x", "y" },
        Config.AdEMAMix => new[] { "exp_avg_fast", "exp_avg_slow", "exp_avg_sq" },
        Config.Adopt => new[] { "exp_avg", "exp_avg_sq" },

        // LAMB and LARS also write and reads its scratch update and reads the parameter in each of its three passes: more traffic
        // than this roof's, which counts the state only, as for every kind.
        Config.Lamb => new[] { "exp_avg", "exp_avg_sq" },
        Config.Lars => new[] { "momentum_buffer" },

        // Adafactor on the flat member (a vector): its full running average. Its routine reads the gradient three times and
        // the parameter twice (the norms, then the update): more traffic than this roof's, as for LAMB.
        Config.Adafactor => new[] { "variance" },
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

    /// <summary>Initial parameter k: values in [-1, 1) from a counter hash, identical in the Python peer.</summary>
    public static void FillParameter(Span<float> destination, int tensor) => Fill(destination, (uint)(1 + 10 * tensor), 1f);

    /// <summary>Gradient A of tensor k; gradient B is its negation.</summary>
    /// <remarks>
    /// Steps alternate A, B, A, B, ... With one fixed gradient the centered variance v − m² would decay to rounding
    /// noise within a few thousand steps and turn into NaN; with ±g it stays near g², so every step runs on
    /// ordinary numbers (no NaN, no subnormals) however long it runs.
    /// </remarks>
    public static void FillGradient(Span<float> destination, int tensor, bool negate) => Fill(destination, (uint)(2 + 10 * tensor), negate ? -1f : 1f);

    private static void Fill(Span<float> destination, uint seed, float sign)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = sign * Value((uint)i, seed);
        }
    }

    /// <summary>MurmurHash3's finalizer of i + seed·φ, as a float in [-1, 1) (uint32 arithmetic, then a double rounded once to float).</summary>
    public static float Value(uint index, uint seed)
    {
        uint h = unchecked(index + seed * 0x9E3779B9u);
        h ^= h >> 16;
        h = unchecked(h * 0x85EBCA6Bu);
        h ^= h >> 13;
        h = unchecked(h * 0xC2B2AE35u);
        h ^= h >> 16;
        return (float)(2.0 * (h / 4294967296.0) - 1.0);
    }
}

/// <summary>How this run was asked for: full, --quick or --dry.</summary>
public enum RunKind
{
    Full,
    Quick,
    Dry,
}

/// <summary>
/// Which rows run for which configuration and size: the one list that the benchmarks (<see cref="StepBenchmarks"/>, through
/// <see cref="PlanFilter"/>), the interleaved run, the report and tests/Gen.Benchmarks.Tests follow. RMSProp, plain and
/// centered + momentum: every row kind at every size but <see cref="RowKind.PortableKernel"/>, which only the interleaved runs time. The family: the generated kernel and the memory roof for its traffic at
/// 64K (in cache) and 16M (DRAM). The dry run keeps the sizes that take no time to set up: 4K and the MLP, the family at 64K.
/// </summary>
public static class Plan
{
    private static readonly RowKind[] FamilyRows = { RowKind.GeneratedKernel, RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst };

    public static RunKind Run { get; set; } = RunKind.Full;

    public static bool Dry => Run == RunKind.Dry;

    /// <summary>The configurations timed in turn: RMSProp's two and, for the targets against the binding roof, Adam.</summary>
    public static IReadOnlyList<Config> InterleavedConfigs { get; } = new[] { Config.Plain, Config.CenteredMomentum, Config.Adam };

    public static IReadOnlyList<Size> RmsPropSizes => Dry ? new[] { Size.P4K, Size.Mlp } : Workload.AllSizes;

    private static Size[] FamilySizes => Dry ? new[] { Size.P64K } : new[] { Size.P64K, Size.P16M };

    /// <summary>Every (configuration, size, row) that is timed.</summary>
    public static IEnumerable<(Config Config, Size Size, RowKind Row)> Cases() =>
        from config in Workload.RmsPropConfigs.Concat(Workload.FamilyConfigs)
        from size in Workload.AllSizes
        from row in RowsAt(config, size)
        select (config, size, row);

    /// <summary>The rows timed at a configuration and size.</summary>
    public static RowKind[] RowsAt(Config config, Size size) => Workload.IsRmsProp(config)
        ? (RmsPropSizes.Contains(size) ? Enum.GetValues<RowKind>().Where(r => r != RowKind.PortableKernel).ToArray() : Array.Empty<RowKind>())
        : (FamilySizes.Contains(size) ? FamilyRows : Array.Empty<RowKind>());

    /// <summary>The values of the benchmarks' Config and Size parameters: everything in the plan (the filter drops the rest).</summary>
    public static IEnumerable<Config> Configs => Cases().Select(c => c.Config).Distinct();

    public static IEnumerable<Size> Sizes => Cases().Select(c => c.Size).Distinct().Order();
}
