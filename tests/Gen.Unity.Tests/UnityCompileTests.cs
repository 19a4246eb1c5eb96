using System;
using System.Linq;
using Gen.Generator;
using Gen.Tests;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Gen.Unity.Tests;

/// <summary>
/// Each generator snapshot model compiled as Unity 6 compiles a project (<see cref="UnityCompiler"/>): the generator
/// must run, nothing may report any diagnostic (no CS8785 "generator failed", no AD0001 "analyzer threw", no
/// warning), the generated kernels must be the portable <c>System.Numerics.Vector&lt;T&gt;</c> ones, and the
/// result must emit.
/// </summary>
public sealed class UnityCompileTests
{
    // netstandard2.1 has no IsExternalInit, so a record (its init accessors) needs the declaration Unity's
    // manual tells users to add; the generated code must not need it.
    private const string IsExternalInit = """
        namespace System.Runtime.CompilerServices
        {
            internal static class IsExternalInit { }
        }
        """;

    public static TheoryData<string> Models => new()
    {
        nameof(GeneratorModels.QuickStartPolicy),
        nameof(GeneratorModels.EveryOptionMixedPrecisionNestedGenericRecord),
        nameof(GeneratorModels.TwoOptimizersShareOneGradients),
        nameof(GeneratorModels.EveryOptimizerKindWithItsOptionsAndMemberOverrides),
        nameof(GeneratorModels.FastPrecisionOutsideAndInsideSqrt),
        nameof(GeneratorModels.HalfPrecisionState),
        nameof(GeneratorModels.BlockwiseState),
        nameof(GeneratorModels.AdamVariantsWithTheirOptionsAndMemberOverrides),
        nameof(GeneratorModels.NarrowStateOfRpropAndAsgd),
        nameof(GeneratorModels.ScheduleFreeAdEMAMixAndAdopt),
        nameof(GeneratorModels.NarrowStateOfAdEMAMixAndAdopt),
        nameof(GeneratorModels.MuonMatricesWithAnAdamWPart),
        nameof(GeneratorModels.MuonLeanState),
        nameof(GeneratorModels.LambLayerwise),
        nameof(GeneratorModels.LarsLayerwise),
        nameof(GeneratorModels.AdafactorFactored),
    };

    [Fact]
    public void GeneratorDllHoldsTheGeneratorAndTheAnalyzer()
    {
        Assert.Equal(typeof(OptimizerGenerator), Assert.Single(UnityCompiler.Generators).GetGeneratorType());
        Assert.NotEmpty(UnityCompiler.Analyzers);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ModelCompilesAsInUnityWithPortableKernels(string model)
    {
        string source = (string)typeof(GeneratorModels).GetField(model)!.GetValue(null)!;
        // The generic record's `T?` needs a nullable context; Unity's default is none, so it opts in as a user would.
        string[] sources = model == nameof(GeneratorModels.EveryOptionMixedPrecisionNestedGenericRecord)
            ? new[] { "#nullable enable\n" + source, IsExternalInit }
            : new[] { source };

        UnityCompiler.Result result = UnityCompiler.Build(UnityCompiler.Compilation("Assembly-CSharp", sources));

        Assert.Empty(result.Exceptions);
        if (model == nameof(GeneratorModels.QuickStartPolicy))
        {
            // The model's float Temperature field is not trainable: GEN003, the one diagnostic it asks for.
            Diagnostic only = Assert.Single(result.Diagnostics);
            Assert.Equal("GEN003", only.Id);
        }
        else
        {
            Assert.True(result.Diagnostics.IsEmpty, result.Describe());
        }

        Assert.True(result.Emitted, result.Describe());
        AssertPortable(result);
    }

    [Fact]
    public void TwoAssembliesEachUsingGenDoNotClash()
    {
        // One "project": a core assembly with a model and its optimizer, and a game assembly that references it and
        // has models of its own, one with the same name in another namespace. Any type the generator emitted into
        // both would clash (CS0433/CS0436) in the second; any it failed to make public would not resolve.
        const string core = """
            using Gen;

            namespace Game.Core
            {
                [RmsProp(LearningRate = 1e-3)]
                public partial class Policy
                {
                    public float[,] W = new float[4, 8];
                    public float[] B = new float[8];
                }
            }
            """;
        const string game = """
            using Gen;

            namespace Game.Agents
            {
                [Adam]
                [Lion(Name = "Fast")]
                public partial class Policy
                {
                    public float[] W = new float[16];
                    public double[] D = new double[3];
                }

                public static class Trainer
                {
                    public static long StepBoth()
                    {
                        var shared = new Game.Core.Policy();
                        var sharedGrads = new Game.Core.Policy.Gradients(shared);
                        Optimizer<Game.Core.Policy.Gradients> sharedOptimizer = new Game.Core.Policy.RmsPropOptimizer(shared);
                        sharedOptimizer.Step(sharedGrads);

                        var own = new Policy();
                        var ownGrads = new Policy.Gradients(own);
                        var adam = new Policy.AdamOptimizer(own);
                        adam.Step(ownGrads);
                        return sharedOptimizer.StepCount + adam.StepCount;
                    }
                }
            }
            """;

        UnityCompiler.Result first = UnityCompiler.Build(UnityCompiler.Compilation("Game.Core", new[] { core }));
        Assert.True(first.Diagnostics.IsEmpty && first.Emitted, first.Describe());
        AssertPortable(first);

        UnityCompiler.Result second = UnityCompiler.Build(UnityCompiler.Compilation(
            "Assembly-CSharp", new[] { game }, new[] { MetadataReference.CreateFromImage(first.Image) }));
        Assert.True(second.Diagnostics.IsEmpty && second.Emitted, second.Describe());
        AssertPortable(second);
    }

    private static void AssertPortable(UnityCompiler.Result result)
    {
        Assert.NotEmpty(result.Generated);
        string text = string.Concat(result.Generated.Select(g => g.SourceText.ToString()));
        Assert.DoesNotContain("System.Runtime.Intrinsics", text, StringComparison.Ordinal);
        if (text.Contains("global::Gen.__Internals.Adafactor.", StringComparison.Ordinal) && !text.Contains("UpdateBuffer", StringComparison.Ordinal))
        {
            // [Adafactor]'s update is a runtime routine (its Vector<T> code is in Gen.Runtime's netstandard2.1 build, which
            // Unity loads): the generated code has no kernel of its own to check.
            return;
        }

        Assert.Contains("System.Numerics.Vector", text, StringComparison.Ordinal);
    }
}
