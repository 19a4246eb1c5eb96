using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace Gen.Tests;

/// <summary>
/// Proves which kernel path a test run exercised: CI runs the numerical tests with
/// DOTNET_PreferredVectorBitWidth=512 and =256, DOTNET_EnableAVX512=0 (an AVX2 PC: 256 bits, 16 registers, no AVX-512
/// instruction at any width), DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0,
/// and this test fails if the variable did not change the hardware acceleration the generated code
/// sees. (Without a variable, .NET 10 picks 512 bits on CPUs whose AVX-512 does not throttle, such
/// as AMD Zen 4, and 256 bits elsewhere; so the 256-bit main loop needs its own run.) On Arm64 (CI runs
/// tests/Gen.Arm64.Tests under QEMU with AdvSimd and with DOTNET_EnableHWIntrinsic=0) it checks that AdvSimd and
/// Vector128 are on by default and off with that variable.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class SimdEnvironmentTests
{
    [Fact]
    public void HardwareAccelerationFollowsTheEnvironment()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.False(Vector128.IsHardwareAccelerated, "DOTNET_EnableHWIntrinsic=0 must leave only the scalar path.");
            Assert.False(Vector256.IsHardwareAccelerated);
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.False(AdvSimd.IsSupported, "DOTNET_EnableHWIntrinsic=0 must turn AdvSimd off on Arm64.");
        }
        else if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            // Every Arm64 CPU has AdvSimd (NEON), 128 bits wide, and nothing wider.
            Assert.True(AdvSimd.IsSupported, "AdvSimd must be on by default on Arm64.");
            Assert.True(Vector128.IsHardwareAccelerated);
            Assert.False(Vector256.IsHardwareAccelerated);
            Assert.False(Vector512.IsHardwareAccelerated);
        }
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            Assert.False(Vector256.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 must leave Vector128 as the widest path.");
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.Equal(Sse2.IsSupported || AdvSimd.IsSupported, Vector128.IsHardwareAccelerated);
        }
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
        {
            Assert.False(Avx512F.IsSupported, "DOTNET_EnableAVX512=0 must turn AVX-512 off at every width.");
            Assert.False(Avx512F.VL.IsSupported);
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.Equal(Avx2.IsSupported, Vector256.IsHardwareAccelerated);
        }
        else if (Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") == "512")
        {
            Assert.Equal(Avx512F.IsSupported, Vector512.IsHardwareAccelerated);
        }
        else if (Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") == "256")
        {
            Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_PreferredVectorBitWidth=256 must leave Vector256 as the widest path.");
            Assert.Equal(Avx2.IsSupported, Vector256.IsHardwareAccelerated);
        }
        else
        {
            Assert.Equal(Avx2.IsSupported, Vector256.IsHardwareAccelerated);
        }
    }
}
