using System;
using System.Collections.Generic;
using System.Linq;

namespace Gen.Benchmarks;

/// <summary>How this run was asked for: full, --quick or --dry.</summary>
public enum RunKind
{
    Full,
    Quick,
    Dry,
}

/// <summary>
/// Which rows run for which configuration and size: the one list that the benchmarks
/// (<see cref="StepBenchmarks"/>, through <see cref="PlanFilter"/>), the checks (<see cref="Verification"/>)
/// and the report (merge_results.py reads what ran) all follow.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>RMSProp, plain and centered + momentum, every size: the generated Step as users call it, the
/// same without the non-finite guard, Precision.Fast, the naive loop, TensorPrimitives, both roofs in
/// both loop shapes (<see cref="Baselines.RoofShape"/>), the guard's check alone and the read roof it is
/// measured against.</item>
/// <item>RMSProp at 1M and 16M: the same Step on 2 threads, with and without the guard, and the memory roof
/// on 2 threads. Below 1M a parallel step is not worth waking a thread (the default ParallelThreshold).</item>
/// <item>The family at 64K (in cache) and 16M (DRAM): the generated kernel and the memory roof for its traffic, both shapes.</item>
/// </list>
/// The dry run keeps the sizes that take no time to set up: 4K and the MLP for RMSProp, 64K for the
/// family and for the parallel rows (with a ParallelThreshold of half the length, so both threads run).
/// </remarks>
public static class Plan
{
    public static RunKind Run { get; set; } = RunKind.Full;

    public static bool Dry => Run == RunKind.Dry;

    private static readonly RowKind[] RmsPropRows =
    {
        RowKind.Generated, RowKind.GeneratedKernel, RowKind.FastKernel, RowKind.NaiveScalar,
        RowKind.TensorPrimitives, RowKind.MemoryRoof, RowKind.ArithmeticRoof, RowKind.MemoryRoofLoadsFirst,
        RowKind.ArithmeticRoofLoadsFirst, RowKind.NonFiniteCheck, RowKind.ReadRoof,
    };

    private static readonly RowKind[] ParallelRows = { RowKind.ParallelGenerated, RowKind.ParallelKernel, RowKind.ParallelMemoryRoof };

    private static readonly RowKind[] FamilyRows = { RowKind.GeneratedKernel, RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst };

    public static IReadOnlyList<Size> RmsPropSizes => Dry ? new[] { Size.P4K, Size.Mlp } : Workload.AllSizes;

    public static IReadOnlyList<Size> ParallelSizes => Dry ? new[] { Size.P64K } : new[] { Size.P1M, Size.P16M };

    public static IReadOnlyList<Size> FamilySizes => Dry ? new[] { Size.P64K } : new[] { Size.P64K, Size.P16M };

    /// <summary>Every (configuration, size, row) that is timed, RMSProp first, in report order.</summary>
    public static IEnumerable<(Config Config, Size Size, RowKind Row)> Cases()
    {
        foreach (Config config in Workload.RmsPropConfigs)
        {
            foreach (Size size in RmsPropSizes)
            {
                foreach (RowKind row in RmsPropRows)
                {
                    yield return (config, size, row);
                }

                if (ParallelSizes.Contains(size))
                {
                    foreach (RowKind row in ParallelRows)
                    {
                        yield return (config, size, row);
                    }
                }
            }

            // Dry: the parallel rows' size is not one of the RMSProp sizes.
            foreach (Size size in ParallelSizes.Except(RmsPropSizes))
            {
                foreach (RowKind row in ParallelRows)
                {
                    yield return (config, size, row);
                }
            }
        }

        foreach (Config config in Workload.FamilyConfigs)
        {
            foreach (Size size in FamilySizes)
            {
                foreach (RowKind row in FamilyRows)
                {
                    yield return (config, size, row);
                }
            }
        }
    }

    public static bool Includes(Config config, Size size, RowKind row) => Cases().Contains((config, size, row));

    /// <summary>The rows timed at a configuration and size.</summary>
    public static RowKind[] RowsAt(Config config, Size size) => Cases().Where(c => c.Config == config && c.Size == size).Select(c => c.Row).ToArray();

    /// <summary>Every configuration and size at which something is timed.</summary>
    public static (Config Config, Size Size)[] Pairs() => Cases().Select(c => (c.Config, c.Size)).Distinct().ToArray();

    /// <summary>The values of the benchmarks' Config and Size parameters: everything in the plan (the filter drops the rest).</summary>
    public static IEnumerable<Config> Configs => Cases().Select(c => c.Config).Distinct();

    public static IEnumerable<Size> Sizes => Cases().Select(c => c.Size).Distinct().OrderBy(s => s);
}
