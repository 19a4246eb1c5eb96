// Gen embedded sample: an agent that learns on the device, compiled to one native executable.
//
//   dotnet publish samples/Embedded -c Release -r linux-x64
//   samples/Embedded/bin/Release/net8.0/linux-x64/publish/Embedded [seed]
//
// A paddle learns to catch falling balls (Catch.cs) while it plays: every simulated 60 Hz frame it
// picks a move, the game advances, and it takes one actor-critic step with the Adam optimizer that
// Gen generated for its networks (Agent.cs). The program prints the catch rate per 10,000 frames,
// the time, and the bytes the loop allocated (0). It exits with 1 if the loop allocated or the agent
// did not clearly learn. NativeAOT needs no warm-up: everything is compiled before the program starts.
using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.Intrinsics;
using Embedded;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

int seed = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
const int Ticks = 120_000;        // 33 min of game time at 60 Hz
const int Window = 10_000;        // frames per progress line, about 222 balls
const double RequiredFinal = 0.80, RequiredGain = 0.30; // last window: at least 80%, and 30 points above the first
// (Over seeds 1-100 the first window caught 21-44% and the last 91-100%: a failure means something broke.)

// What runs: native code compiled ahead of time (nothing JIT-compiled) or the JIT, and the widest
// SIMD registers in use. (Not RuntimeFeature.IsDynamicCodeSupported: PublishAot turns it off under
// the JIT too. Not the .NET version: Environment.Version reads assembly metadata, which
// IlcDisableReflection leaves out; see the .csproj.)
string simd = Vector512.IsHardwareAccelerated ? "512-bit" : Vector256.IsHardwareAccelerated ? "256-bit"
    : Vector128.IsHardwareAccelerated ? "128-bit" : "none";
Console.WriteLine($"Gen embedded sample: Catch, learned on the device (" +
    $"{(JitInfo.GetCompiledMethodCount() == 0 ? "NativeAOT" : "JIT")}, SIMD {simd}, seed {seed})");

var game = new Catch(new Random(seed));
var agent = new Agent(new Random(seed + 1));
long[] learnTimes = new long[Ticks];
int balls = 0, caught = 0;
double firstRate = 0, lastRate = 0;
long elapsed = 0, allocated = 0;

Console.WriteLine("    frames  catch rate");
long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
long started = Stopwatch.GetTimestamp();
for (int tick = 0; tick < Ticks; tick++)
{
    int action = agent.Act(game);
    int reward = game.Tick(action);
    long learnStart = Stopwatch.GetTimestamp();
    agent.Learn(action, reward, game);
    learnTimes[tick] = Stopwatch.GetTimestamp() - learnStart;

    balls += reward != 0 ? 1 : 0;
    caught += reward > 0 ? 1 : 0;
    if ((tick + 1) % Window == 0)
    {
        // Printing allocates (string formatting): leave it out of the time and the allocation count.
        elapsed += Stopwatch.GetTimestamp() - started;
        allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        lastRate = (double)caught / balls;
        firstRate = tick + 1 == Window ? lastRate : firstRate;
        Console.WriteLine($"{tick + 1,10:N0} {100 * lastRate,10:F1}%");
        balls = caught = 0;

        allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        started = Stopwatch.GetTimestamp();
    }
}

elapsed += Stopwatch.GetTimestamp() - started;
allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

double microseconds = 1e6 / Stopwatch.Frequency;
double mean = 0;
foreach (long t in learnTimes)
{
    mean += t * microseconds;
}

Array.Sort(learnTimes);
double seconds = elapsed / (double)Stopwatch.Frequency;
Console.WriteLine($"final catch rate {100 * lastRate:F1}% (first window {100 * firstRate:F1}%; a random paddle catches about 23%)");
Console.WriteLine($"{Ticks:N0} frames in {seconds:F2} s ({Ticks / seconds:N0} frames/s), {agent.Steps:N0} optimizer steps; " +
    $"training per frame: mean {mean / Ticks:F2} µs, median {learnTimes[Ticks / 2] * microseconds:F2} µs, " +
    $"p99 {learnTimes[(int)(0.99 * (Ticks - 1))] * microseconds:F2} µs");
Console.WriteLine($"allocated during the loop: {allocated} bytes");

if (allocated != 0)
{
    Console.WriteLine("FAILED: the loop allocated.");
    return 1;
}

if (lastRate < RequiredFinal || lastRate < firstRate + RequiredGain)
{
    Console.WriteLine("FAILED: the agent did not learn.");
    return 1;
}

return 0;
