using System.Linq;
using System.Reflection;
using System.Runtime.Versioning;
using Xunit;

namespace Gen.Portable.Tests;

/// <summary>That this project tests what it says: the netstandard2.1 runtime and the Vector&lt;T&gt; kernels.</summary>
public sealed class BuildTests
{
    [Fact]
    public void TheRuntimeUnderTestIsTheNetStandardBuild()
    {
        Assembly runtime = typeof(Optimizer<>).Assembly;
        Assert.Equal(".NETStandard,Version=v2.1", runtime.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
        Assert.Equal(new[] { "netstandard" }, runtime.GetReferencedAssemblies().Select(a => a.Name).ToArray());
    }

    [Fact]
    public void TheGeneratedKernelsArePortable()
    {
        // Every generated optimizer of this assembly has the Vector<T> block method and none of the intrinsics ones.
        var methods = typeof(BuildTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes().Any(a => a.GetType().Name == "GeneratedCodeAttribute") && t.Name != "Gradients")
            .SelectMany(t => t.GetMethods(BindingFlags.NonPublic | BindingFlags.Static).Select(m => m.Name))
            .ToHashSet();
        Assert.Contains("UpdateBlockVector", methods);
        Assert.DoesNotContain("UpdateBlock512", methods);
        Assert.DoesNotContain("UpdateBlock256", methods);
        Assert.DoesNotContain("UpdateBlock128", methods);
    }
}
