// The distributed scenarios under mpirun. Every rank runs the same checks in the same order; after each, the ranks
// agree on the verdict (any rank failing fails the check), and rank 0 prints it and writes the TRX file .ci/run counts.
//
//   mpirun -np 2 dotnet Gen.Distributed.Mpi.dll --dir DIR --save [--trx FILE]   checks, then saves checkpoints to DIR
//   mpirun -np 3 dotnet Gen.Distributed.Mpi.dll --dir DIR --load [--trx FILE]   checks, then loads them (and rank 0 in one process)
//   mpirun -np 3 dotnet Gen.Distributed.Mpi.dll --fail                          rank 1 throws mid-training: the job must end
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using Gen.Distributed;
using Gen.Distributed.Tests;

string? directory = null, trx = null;
bool save = false, load = false, fail = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--dir": directory = args[++i]; break;
        case "--trx": trx = args[++i]; break;
        case "--save": save = true; break;
        case "--load": load = true; break;
        case "--fail": fail = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

return MpiCommunicator.Run(world => fail ? FailingRank(world) : Checks(world, directory ?? Path.GetTempPath(), save, load, trx));

// Rank 1 throws in the middle of training while the others wait for it in a step's reduction: MpiCommunicator.Run
// reports it and ends the job, and mpirun ends the others (each says so). Reaching the end is the failure.
static int FailingRank(MpiCommunicator world)
{
    var model = new Net();
    var parallel = new DataParallel<Net.Gradients>(new Net.Adam(model, world.ShardOf(model)), world);
    var gradients = new Net.Gradients(model);
    for (int step = 0; step < 100; step++)
    {
        if (world.Rank == 1 && step == 3)
        {
            throw new InvalidOperationException("rank 1's data loader failed (a deliberate failure, to check that the job ends)");
        }

        Scenarios.Fill(gradients, Scenarios.Seed(world.Rank, step));
        parallel.Step(gradients);
    }

    Console.Error.WriteLine($"rank {world.Rank}: training completed although rank 1 failed");
    return 3;
}

static int Checks(MpiCommunicator world, string directory, bool save, bool load, string? trx)
{
    bool exact = world.Size <= 2;   // a sum of two is the same in any order; at 3, reduce-scatter and all-reduce add differently
    var checks = new List<(string Name, Action Body)>
    {
        ("Collectives", () => Scenarios.Collectives(world)),
        ("MPI errors become MpiExceptions naming the call and the rank", () => MpiErrors(world)),
        ("Open MPI's scratch buffers are reused, not mapped afresh per call", () => ScratchReused(world)),
    };
    foreach (string name in Scenarios.NetOptimizers)
    {
        foreach (bool sharded in new[] { false, true })
        {
            foreach (int bucketBytes in new[] { 1024, DataParallelOptions.DefaultBucketBytes })
            {
                checks.Add(($"IdenticalParameters({name}, {(sharded ? "sharded" : "plain")}, buckets of {bucketBytes})", () => Scenarios.IdenticalParameters(world, name, sharded, bucketBytes)));
            }
        }
    }

    foreach (string name in exact ? Scenarios.NetOptimizers : Scenarios.Float32Optimizers)
    {
        checks.Add(($"ShardedEqualsPlain({name}, {(exact ? "bit for bit" : "within " + Scenarios.BatchTolerance.ToString(CultureInfo.InvariantCulture))})", () => Scenarios.ShardedEqualsPlain(world, name, exact, 1024)));
    }

    foreach (string name in Scenarios.WholeMemberOptimizers)
    {
        checks.Add(($"WholeMemberUpdates({name}, {(exact ? "bit for bit" : "within " + Scenarios.BatchTolerance.ToString(CultureInfo.InvariantCulture))})", () => Scenarios.WholeMemberUpdates(world, name, exact)));
    }

    foreach (int bucketBytes in new[] { 64, 1024, DataParallelOptions.DefaultBucketBytes })
    {
        checks.Add(($"MixedTypes(buckets of {bucketBytes})", () => Scenarios.MixedTypes(world, exact, bucketBytes)));
    }

    foreach (string name in new[] { "Adam", "MomentumSgd" })
    {
        foreach (bool sharded in new[] { false, true })
        {
            checks.Add(($"ShardsOfABatch({name}, {(sharded ? "sharded" : "plain")})", () =>
            {
                double difference = Scenarios.ShardsOfABatch(world, name, sharded);
                if (world.Rank == 0)
                {
                    Console.WriteLine($"  largest difference from one process: {difference:E2} (tolerance {Scenarios.BatchTolerance:E0})");
                }
            }));
        }
    }

    foreach (string name in new[] { "Adam", "AdamInt8", "AdamWBf16" })
    {
        checks.Add(($"StateBytes({name})", () => Scenarios.StateBytes(world, name)));
    }

    checks.Add(("NonFinite(plain)", () => Scenarios.NonFinite(world, sharded: false)));
    checks.Add(("NonFinite(sharded)", () => Scenarios.NonFinite(world, sharded: true)));
    foreach (bool sharded in new[] { false, true })
    {
        foreach (bool clip in new[] { false, true })
        {
            checks.Add(($"StepAllocations({(sharded ? "sharded" : "plain")}{(clip ? ", GlobalNormClip" : string.Empty)})", () => Scenarios.StepAllocations(world, sharded, clip)));
        }
    }

    checks.Add(("BadInput", () => Scenarios.BadInput(world, directory)));
    if (save)
    {
        checks.Add(($"SaveAt({world.Size} ranks)", () => Scenarios.SaveAt(world, directory)));
    }

    if (load)
    {
        checks.Add(($"LoadAt({world.Size} ranks)", () => Scenarios.LoadAt(world, directory)));
        checks.Add(("LoadInOneProcess (rank 0 alone)", () =>
        {
            if (world.Rank == 0)
            {
                Scenarios.LoadInOneProcess(directory);
            }
        }));
    }

    var results = new List<(string Name, bool Passed, double Seconds)>();
    var flag = new long[1];
    foreach ((string name, Action body) in checks)
    {
        var clock = Stopwatch.StartNew();
        flag[0] = 0;
        try
        {
            body();
        }
        catch (Exception exception)
        {
            // Checks make their collectives before they assert, so a failed check leaves the ranks in step.
            Console.Error.WriteLine($"rank {world.Rank}: {name} failed: {exception}");
            flag[0] = 1;
        }

        world.AllReduce(flag, ReduceOperation.Max);
        results.Add((name, flag[0] == 0, clock.Elapsed.TotalSeconds));
        if (world.Rank == 0)
        {
            Console.WriteLine($"{(flag[0] == 0 ? "PASS" : "FAIL")} {name} ({clock.Elapsed.TotalSeconds:0.00} s)");
        }
    }

    int failed = results.Count(r => !r.Passed);
    if (world.Rank == 0)
    {
        Console.WriteLine($"{world.Size} ranks: {results.Count - failed} passed, {failed} failed");
        if (trx is not null)
        {
            WriteTrx(trx, $"Gen.Distributed.Mpi at {world.Size} ranks", results);
        }
    }

    return failed == 0 ? 0 : 1;
}

// An MPI error comes back as an MpiException naming the call and the rank. A negative count fails MPI's own argument
// check on every rank before anything is sent, so the ranks stay in step.
static void MpiErrors(MpiCommunicator world)
{
    try
    {
        world.BroadcastUnchecked(new byte[8], -1, 0);
    }
    catch (MpiException exception)
    {
        Scenarios.Expect(world, exception.Call == "MPI_Bcast" && exception.Rank == world.Rank && exception.Message.Contains($"rank {world.Rank} of {world.Size}", StringComparison.Ordinal) && exception.Message.Contains("MPI_ERR_COUNT", StringComparison.Ordinal), $"unexpected message: {exception.Message}");
        return;
    }

    throw new CheckFailedException($"rank {world.Rank}: MPI_Bcast with a count of -1 did not fail");
}

// Open MPI's reduce-scatter allocates a scratch buffer the size of its data on every call. With the malloc settings
// MpiCommunicator.Initialize makes (NativeHeap.cs) that buffer is reused: after a warm-up call, eight more reduce-scatters
// of 4 MiB fault in fewer new pages than one call's buffer has (1,024 pages of 4 KiB); mapped afresh, each call would
// fault in all of them. Page faults, not time: the count does not depend on the machine's load.
static void ScratchReused(MpiCommunicator world)
{
    Scenarios.Expect(world, MpiCommunicator.KeepsScratchMemory, "MpiCommunicator.KeepsScratchMemory is false: the malloc settings were not applied");
    var values = new float[1 << 20];
    var counts = new int[world.Size];
    counts[0] = values.Length;
    world.ReduceScatter(values, counts);
    long before = MinorFaults();
    for (int call = 0; call < 8; call++)
    {
        world.ReduceScatter(values, counts);
    }

    long faults = MinorFaults() - before;
    Scenarios.Expect(world, faults < 1024, $"rank {world.Rank}: 8 reduce-scatters of 4 MiB faulted in {faults} pages");
}

// This process's minor page faults so far (/proc/self/stat, field 10).
static long MinorFaults()
{
    string stat = File.ReadAllText("/proc/self/stat");
    string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[7], CultureInfo.InvariantCulture);
}

// The counters .ci/run sums, and one result per check.
static void WriteTrx(string path, string name, List<(string Name, bool Passed, double Seconds)> results)
{
    static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
    int passed = results.Count(r => r.Passed);
    var lines = new List<string>
    {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        $"<TestRun id=\"{Guid.NewGuid()}\" name=\"{Escape(name)}\" xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">",
        "  <Results>",
    };
    foreach ((string test, bool ok, double seconds) in results)
    {
        lines.Add($"    <UnitTestResult testName=\"{Escape(test)}\" outcome=\"{(ok ? "Passed" : "Failed")}\" duration=\"{TimeSpan.FromSeconds(seconds):c}\" />");
    }

    lines.Add("  </Results>");
    lines.Add($"  <ResultSummary outcome=\"{(passed == results.Count ? "Completed" : "Failed")}\">");
    lines.Add($"    <Counters total=\"{results.Count}\" executed=\"{results.Count}\" passed=\"{passed}\" failed=\"{results.Count - passed}\" error=\"0\" timeout=\"0\" aborted=\"0\" inconclusive=\"0\" />");
    lines.Add("  </ResultSummary>");
    lines.Add("</TestRun>");
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    File.WriteAllLines(path, lines);
}
