using System;
using System.Linq;
using Xunit.Sdk;

namespace Gen.Distributed.Tests;

/// <summary>Runs a scenario on ranks as threads and turns the ranks' failures into one test failure.</summary>
internal static class Ranks
{
    public static void Run(int size, Action<InProcessCommunicator> scenario) => Run(size, c =>
    {
        scenario(c);
        return 0;
    });

    public static T[] Run<T>(int size, Func<InProcessCommunicator, T> scenario)
    {
        try
        {
            return InProcessCommunicator.Run(size, scenario);
        }
        catch (AggregateException failure)
        {
            throw new XunitException(string.Join(Environment.NewLine, failure.InnerExceptions.Select(e => e.ToString())));
        }
    }
}
