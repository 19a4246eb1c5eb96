using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;
using Xunit.Runner.InProc.SystemConsole;

namespace Gen.Arm64.Tests;

/// <summary>
/// The entry point: says which kernel path this process gets (so a run that fell back to scalar shows in the log;
/// SimdEnvironmentTests fails it when that is not what the environment asked for), then runs xunit.v3's console
/// runner with the command line as given.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Console.WriteLine(
            $"Architecture {RuntimeInformation.ProcessArchitecture}; AdvSimd {AdvSimd.IsSupported}, AdvSimd.Arm64 {AdvSimd.Arm64.IsSupported}, " +
            $"Sse2 {Sse2.IsSupported}, Avx2 {Avx2.IsSupported}; hardware-accelerated Vector128 {Vector128.IsHardwareAccelerated}, " +
            $"Vector256 {Vector256.IsHardwareAccelerated}, Vector512 {Vector512.IsHardwareAccelerated}; Vector<float>.Count {Vector<float>.Count}; " +
            $"DOTNET_EnableHWIntrinsic={Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") ?? "(unset)"}");
        return await ConsoleRunner.Run(args);
    }
}
