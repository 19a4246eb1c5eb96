using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using Xunit;

namespace Gen.Package.Tests;

/// <summary>
/// Packs Gen into a temporary folder, creates a fresh console project that takes the package from
/// that folder (nuget.config lists it; an isolated package cache means no stale copy can be used),
/// writes an annotated class, builds with warnings as errors, runs one training step and checks the
/// number it prints. Also checks what the package holds and that no Roslyn dependency leaks.
/// </summary>
public sealed class PackageInstallTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "gen-package-" + Guid.NewGuid().ToString("N"));

    public PackageInstallTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not a test failure.
        }
    }

    [Fact]
    [Trait("Category", "Package")]
    public void FreshProjectInstallsThePackageBuildsAndTrains()
    {
        string feed = Path.Combine(_work, "feed");
        Run(RepositoryRoot(), "pack", "src/Runtime", "-c", "Release", "-o", feed);
        string package = Directory.GetFiles(feed, "Gen.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(feed, "Gen.*.snupkg"));
        string version = Path.GetFileNameWithoutExtension(package)["Gen.".Length..];
        AssertPackageContents(package);

        string app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="gen-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Gen" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System;
            using System.Globalization;
            using Gen;

            var model = new Policy();
            var gradients = new Policy.Gradients(model);
            Array.Fill(gradients.Bias, 1f);
            var optimizer = new Policy.RmsPropOptimizer(model);
            optimizer.Step(gradients);
            Console.WriteLine(model.Bias[0].ToString("R", CultureInfo.InvariantCulture) + " " + optimizer.StepCount);

            [RmsProp]
            public partial class Policy
            {
                public float[,] Weights = new float[4, 8];
                public float[] Bias = new float[8];
            }
            """);

        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") };
        Run(app, isolated, "build", "-c", "Release");
        string output = Run(app, isolated, "run", "-c", "Release", "--no-build").Trim();

        // PyTorch's first RMSprop step with defaults and g = 1: v = 0.01·1² and p = −0.01·1 / (√v + 1e-8).
        string[] parts = output.Split(' ');
        float bias = float.Parse(parts[0], CultureInfo.InvariantCulture);
        Assert.Equal(-0.01f / (MathF.Sqrt(0.01f) + 1e-8f), bias);
        Assert.Equal("1", parts[1]);

        // The package's build/Gen.props makes GenKernels visible to the generator: the portable Vector<T>
        // kernels, forced, build with warnings as errors and take the same step to the bit.
        Run(app, isolated, "build", "-c", "Release", "-p:GenKernels=Portable");
        Assert.Equal(output, Run(app, isolated, "run", "-c", "Release", "--no-build").Trim());

        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.DoesNotContain("Microsoft.CodeAnalysis", assets, StringComparison.Ordinal);
    }

    private static void AssertPackageContents(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        // netstandard2.1 is Unity's (Mono and IL2CPP): the same two assemblies, and no package dependency
        // (checked below) since Unity cannot take a second copy of System.Runtime.CompilerServices.Unsafe.
        foreach (string framework in new[] { "netstandard2.1", "net8.0", "net10.0" })
        {
            Assert.Contains($"lib/{framework}/Gen.Runtime.dll", entries);
            Assert.Contains($"lib/{framework}/Gen.Attributes.dll", entries);
            Assert.Contains($"lib/{framework}/Gen.Runtime.xml", entries);
        }

        Assert.Equal(3, entries.Count(e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("/Gen.Runtime.dll", StringComparison.Ordinal)));
        Assert.Equal(new[] { "netstandard" }, AssemblyReferences(zip.GetEntry("lib/netstandard2.1/Gen.Runtime.dll")!));
        // The generator is self-contained (it compiles the attribute classes in): neither Roslyn nor Unity
        // loads an analyzer's dependencies, so it is the only assembly there.
        Assert.Equal(new[] { "analyzers/dotnet/cs/Gen.Generator.dll" }, entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)));

        // GenKernels reaches the generator as build_property.GenKernels, for direct and transitive users.
        foreach (string props in new[] { "build/Gen.props", "buildTransitive/Gen.props" })
        {
            Assert.Contains(props, entries);
            using var reader = new StreamReader(zip.Entries.Single(e => e.FullName == props).Open());
            Assert.Contains("<CompilerVisibleProperty Include=\"GenKernels\" />", reader.ReadToEnd(), StringComparison.Ordinal);
        }

        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.Contains("CodeAnalysis", StringComparison.Ordinal));

        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string text = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<dependency ", text, StringComparison.Ordinal);
    }

    /// <summary>The names of the assemblies a packaged assembly references.</summary>
    private static string[] AssemblyReferences(ZipArchiveEntry entry)
    {
        var image = new MemoryStream();
        using (Stream stream = entry.Open())
        {
            stream.CopyTo(image);
        }

        image.Position = 0;
        using var reader = new PEReader(image);
        MetadataReader metadata = reader.GetMetadataReader();
        return metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).Order(StringComparer.Ordinal).ToArray();
    }

    private static string Run(string directory, params string[] arguments) => Run(directory, new Dictionary<string, string>(), arguments);

    private static string Run(string directory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables would point the child build at the wrong SDK context.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }

        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}) in {directory}:\n{output}\n{error.Result}");
        return output;
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
