using System;
using Xunit;

namespace Gen.Tests;

/// <summary>
/// Proves that an operation allocates nothing per call once its code is compiled.
/// </summary>
/// <remarks>
/// Tiered compilation can charge a one-off allocation of a few KB to the calling thread when it promotes
/// a method while the measured calls run (seen in CI about once per full run when the other test classes
/// keep the JIT busy). So an operation is warmed up, then measured in batches of 1,000 calls, and passes
/// when one batch allocates nothing: an allocation made on every call would show in every batch.
/// Classes that measure this join <see cref="RunsAloneCollection"/>, which runs alone.
/// </remarks>
internal static class Allocations
{
    public const int WarmUpCalls = 100;
    public const int BatchCalls = 1000;
    public const int MaxBatches = 5;

    /// <summary>Runs <paramref name="action"/> until a batch allocates nothing; returns how many calls it made.</summary>
    /// <param name="what">Names the operation in the failure message.</param>
    /// <param name="action">The operation; allocate its closure before the call, not inside it.</param>
    /// <param name="otherThreads">Optional: bytes allocated so far by threads the operation hands work to.</param>
    public static int AssertNone(string what, Action action, Func<long>? otherThreads = null)
    {
        for (int i = 0; i < WarmUpCalls; i++)
        {
            action();
        }

        int calls = WarmUpCalls;
        long fewest = long.MaxValue;
        for (int batch = 0; batch < MaxBatches && fewest > 0; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread() + (otherThreads?.Invoke() ?? 0);
            for (int i = 0; i < BatchCalls; i++)
            {
                action();
            }

            calls += BatchCalls;
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() + (otherThreads?.Invoke() ?? 0) - before);
        }

        Assert.True(fewest == 0, $"{what}: {fewest} bytes allocated in {BatchCalls:N0} calls (the fewest of {MaxBatches} batches).");
        return calls;
    }
}

/// <summary>
/// Test classes that run alone, not in parallel with any other: those that measure allocation (the JIT-heavy others
/// would charge their compilations to it) and those that prove a step ran on the step workers. The pool serves one
/// step at a time and a step that finds it busy runs serially, so a class running beside another that steps in
/// parallel could find it busy on every step.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "Runs alone";
}
