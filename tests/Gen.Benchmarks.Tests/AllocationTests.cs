using Gen.Tests;
using Xunit;

namespace Gen.Benchmarks.Tests;

/// <summary>
/// The Step that the benchmarks time allocates nothing, at every RMSProp configuration and size of their plan but 16M. A
/// result, not a timing, so it is asserted here on the calling thread; BenchmarkDotNet's MemoryDiagnoser counts every
/// thread of its process, and with the few steps of a 16M iteration, bytes the runtime allocates elsewhere show up per step.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class AllocationTests
{
    public static TheoryData<Config, Size> TimedRmsProp => RowTests.TimedRmsProp;

    [Theory]
    [MemberData(nameof(TimedRmsProp))]
    public void StepAllocatesNothing(Config config, Size size)
    {
        IStepRow row = Rows.Create(RowKind.Generated, config, size);
        Allocations.AssertNone($"{config} {size} Step", row.Step);
    }
}
