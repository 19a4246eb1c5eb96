using System.Linq;
using System.Reflection;
using Gen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Gen.Generator.Tests;

/// <summary>The generator never throws into the compiler, whatever the user wrote, and agrees with the runtime on reserved names.</summary>
public sealed class RobustnessTests
{
    [Theory]
    [InlineData("[Gen.RmsProp(Rho = )] public partial class M { public float[] W = ; }")]
    [InlineData("[Gen.RmsProp(Unknown = 1, Rho = \"text\")] public partial class M { public float[] W = new float[2]; }")]
    [InlineData("[Gen.RmsProp] public partial class M { public Missing[] W; public float[] V = new float[1]; }")]
    [InlineData("[Gen.RmsProp] public partial class M<T> where T : struct { public T[] Generic; public float[] V { get; } = new float[1]; }")]
    [InlineData("[Gen.RmsProp] public partial class M { public float[] this[int i] => null!; public float[] V { set { } } }")]
    [InlineData("[Gen.RmsProp] public partial struct S { public float[] W; }")]
    [InlineData("[Gen.RmsProp] [Gen.RmsProp] public partial class M { public float[] W = new float[1]; } public partial class M { [Gen.Frozen] public float[] X = new float[1]; }")]
    [InlineData("public partial class M { public float[] W = new float[1]; } [Gen.RmsProp(Name = \"A\")] public partial class M { } [Gen.RmsProp(Name = \"B\")] public partial class M { }")]
    public void GeneratorAndAnalyzerNeverThrow(string source)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(GeneratorHarness.Compilation(source));
        Assert.Null(result.Exception);
        Assert.DoesNotContain(GeneratorHarness.AnalyzerDiagnostics(source), d => d.Id == "AD0001");
    }

    [Fact]
    public void AttributesOnSeveralPartialDeclarationsGenerateEachTypeOnce()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(GeneratorHarness.Compilation(
            "public partial class M { public float[] W = new float[1]; } [Gen.RmsProp(Name = \"A\")] public partial class M { } [Gen.RmsProp(Name = \"B\")] public partial class M { }"));
        Assert.Equal(new[] { "M.A.g.cs", "M.B.g.cs", "M.Gradients.g.cs" }, result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, System.StringComparer.Ordinal));
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Fact]
    public void SkeletonMemberNamesCoverEveryMemberOfTheOptimizerBase()
    {
        var inherited = typeof(Optimizer<>)
            .GetMembers(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(m => m is not ConstructorInfo && !m.Name.Contains('_', System.StringComparison.Ordinal) && !m.Name.StartsWith('<'))
            .Where(m => m is not MethodBase method || !method.IsPrivate)
            .Where(m => m is not FieldInfo field || !field.IsPrivate)
            .Where(m => m is not System.Type { IsNestedPrivate: true })
            .Select(m => m.Name)
            .Distinct();
        Assert.All(inherited, name => Assert.Contains(name, Gen.Generator.Models.OptimizerLayout.SkeletonMemberNames));
    }

    [Fact]
    public void ReservedNamesCoverEveryMemberOfGradientsBase()
    {
        var inherited = typeof(GradientsBase)
            .GetMembers(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(m => m is not ConstructorInfo && !m.Name.Contains('_', System.StringComparison.Ordinal) && !m.Name.StartsWith('<'))
            .Where(m => m is not MethodBase method || !method.IsPrivate)
            .Where(m => m is not FieldInfo field || !field.IsPrivate)
            .Select(m => m.Name)
            .Distinct();
        Assert.All(inherited, name => Assert.Contains(name, ModelParser.GradientsReservedNames));
    }
}
