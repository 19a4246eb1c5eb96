using System;

namespace Gen.Checkpoints.Tests;

/// <summary>
/// The test assembly is also a program, so that a test can run a save in a child process whose limits
/// it sets (DiskLimitTests runs one under <c>ulimit -f</c>, which would also stop the test host's own
/// writes). The test host never calls <see cref="Main"/>; the project turns off the Test SDK's empty one.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == DiskLimitTests.SaveLargeModelCommand)
        {
            DiskLimitTests.SaveLargeModel(args[1], Console.Out);
            return 0;
        }

        Console.Error.WriteLine($"Usage: {DiskLimitTests.SaveLargeModelCommand} <path>. Run the tests with dotnet test.");
        return 2;
    }
}
