using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Gen.Unity.Tests;

/// <summary>
/// The C# blocks of README's "Use in Unity" and "Use in Godot" sections, compiled with the generator against
/// stand-ins for the engine types they use: the Unity one as Unity 6 compiles it (<see cref="UnityCompiler"/>),
/// the Godot one as a .NET 8 project does (the NuGet package's net8.0 runtime; the newest C# this test's Roslyn 4.3
/// knows, which the example stays within). No diagnostic allowed.
/// </summary>
public sealed class ReadmeExampleTests
{
    private const string UnityEngineStandIn = """
        namespace UnityEngine
        {
            public class Object { }
            public class Component : Object { }
            public class Behaviour : Component { }
            public class MonoBehaviour : Behaviour { }
            public static class Time { public static float fixedTime => 0f; }
            public static class Mathf
            {
                public static float Sin(float f) => (float)System.Math.Sin(f);
                public static float Cos(float f) => (float)System.Math.Cos(f);
            }
        }
        """;

    private const string GodotStandIn = """
        namespace Godot
        {
            public partial class GodotObject { }
            public partial class Node : GodotObject
            {
                public virtual void _Ready() { }
                public virtual void _PhysicsProcess(double delta) { }
            }
        }
        """;

    [Fact]
    public void UnityExampleCompilesAsUnityCompilesIt()
    {
        string example = Assert.Single(CodeBlocks("Use in Unity"));
        Assert.Contains(": MonoBehaviour", example, StringComparison.Ordinal);
        Assert.Contains("void FixedUpdate()", example, StringComparison.Ordinal);

        UnityCompiler.Result result = UnityCompiler.Build(UnityCompiler.Compilation("Assembly-CSharp", new[] { example, UnityEngineStandIn }));

        Assert.True(result.Diagnostics.IsEmpty && result.Emitted, result.Describe());
        Assert.NotEmpty(result.Generated);
    }

    [Fact]
    public void GodotExampleCompilesAsADotNet8Project()
    {
        string example = Assert.Single(CodeBlocks("Use in Godot"));
        Assert.Contains(": Node", example, StringComparison.Ordinal);
        Assert.Contains("_PhysicsProcess(double delta)", example, StringComparison.Ordinal);

        // The running .NET's assemblies stand in for .NET 8's reference assemblies (a superset), with the NuGet
        // package's net8.0 runtime and netstandard2.0 attributes. The .NET SDK turns CS1701/CS1702 (reference
        // unification, which .NET does not need) off in every project; so does this compilation.
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(Path.Combine(AppContext.BaseDirectory, "net8", "Gen.Runtime.dll"))
            .Append(Path.Combine(AppContext.BaseDirectory, "net8", "Gen.Attributes.dll"))
            .Select(path => MetadataReference.CreateFromFile(path));
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Game",
            new[] { example, GodotStandIn }.Select(source => CSharpSyntaxTree.ParseText(source, parse)),
            references,
            options);

        UnityCompiler.Result result = UnityCompiler.Build(compilation);

        Assert.True(result.Diagnostics.IsEmpty && result.Emitted, result.Describe());
        Assert.NotEmpty(result.Generated);
    }

    /// <summary>The ```csharp blocks of the README section whose heading starts with <paramref name="heading"/>.</summary>
    private static IEnumerable<string> CodeBlocks(string heading)
    {
        string readme = File.ReadAllText(Path.Combine(UnityPackageTests.Packed.RepositoryRoot, "README.md")).Replace("\r\n", "\n");
        Match section = Regex.Match(readme, $"^## {Regex.Escape(heading)}.*?(?=^## |\\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, $"README has no section \"## {heading}\"");
        return Regex.Matches(section.Value, "^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline).Select(m => m.Groups[1].Value);
    }
}
