using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Gen.Unity.Tests;

/// <summary>
/// Runs unity/pack.sh (on the assemblies this project's build made) into a temporary folder and checks what a
/// Unity project would import: the manifest, a .meta with a stable, unique GUID for every asset, the generator's
/// import settings, the assemblies' target frameworks, and the tarball's layout.
/// </summary>
public sealed class UnityPackageTests : IClassFixture<UnityPackageTests.Packed>
{
    private const string PackageName = "internal.gen.optimizers";
    private readonly Packed _packed;

    public UnityPackageTests(Packed packed) => _packed = packed;

    [Fact]
    public void ManifestNamesTheVersionAndUnity6()
    {
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_packed.Folder, "package.json")));
        JsonElement root = manifest.RootElement;
        string name = root.GetProperty("name").GetString()!;
        Assert.Equal(PackageName, name);
        // Unity's rules for a package name: reverse-domain, lowercase letters, digits, '-', '_' and '.', no "unity".
        Assert.Matches(new Regex("^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$"), name);
        Assert.DoesNotContain("unity", name, StringComparison.Ordinal);
        Assert.Equal(RepositoryVersion(), root.GetProperty("version").GetString());
        Assert.Equal("6000.0", root.GetProperty("unity").GetString());
        Assert.Equal("MIT", root.GetProperty("license").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("displayName").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("description").GetString()));
        Assert.Equal(Path.GetFileName(_packed.Tarball), $"{name}-{RepositoryVersion()}.tgz");
    }

    [Fact]
    public void EveryAssetHasAMetaWithAUniqueStableGuid()
    {
        var assets = Directory.EnumerateFileSystemEntries(_packed.Folder, "*", SearchOption.AllDirectories)
            .Where(path => !path.EndsWith(".meta", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(_packed.Folder, path))
            .ToList();
        var metas = Directory.EnumerateFiles(_packed.Folder, "*.meta", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_packed.Folder, path)[..^".meta".Length])
            .ToList();
        Assert.Equal(assets.OrderBy(a => a, StringComparer.Ordinal), metas.OrderBy(m => m, StringComparer.Ordinal));

        var guids = assets.ToDictionary(asset => asset, asset => Guid(Path.Combine(_packed.Folder, asset + ".meta")));
        Assert.All(guids.Values, guid => Assert.Matches(new Regex("^[0-9a-f]{32}$"), guid));
        Assert.Equal(guids.Count, guids.Values.Distinct().Count());

        // Packing again gives the same GUIDs and the same tarball, byte for byte.
        string again = Pack();
        try
        {
            Assert.All(assets, asset => Assert.Equal(guids[asset], Guid(Path.Combine(again, PackageName, asset + ".meta"))));
            Assert.Equal(File.ReadAllBytes(_packed.Tarball), File.ReadAllBytes(Path.Combine(again, Path.GetFileName(_packed.Tarball))));
        }
        finally
        {
            Directory.Delete(again, recursive: true);
        }
    }

    [Fact]
    public void GeneratorIsARoslynAnalyzerForNoPlatform()
    {
        string meta = File.ReadAllText(Path.Combine(_packed.Folder, "Runtime", "Gen.Generator.dll.meta"));
        Assert.Contains("labels:\n- RoslynAnalyzer\n", meta, StringComparison.Ordinal);
        Assert.Contains("PluginImporter:", meta, StringComparison.Ordinal);
        Assert.Contains("Exclude Editor: 1", meta, StringComparison.Ordinal);
        string[] enabled = Regex.Matches(meta, "enabled: (\\d)").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(enabled);
        Assert.All(enabled, value => Assert.Equal("0", value));

        // Unity 6 loads generators built against Roslyn 4.3 (its "Create and use a source generator" page) and
        // nothing beside them: the generator references only netstandard, Roslyn 4.3 and what the compiler itself
        // carries (System.Collections.Immutable, at the version Roslyn 4.3 was built with), not Gen.Attributes.
        var references = AssemblyReferences(Path.Combine(_packed.Folder, "Runtime", "Gen.Generator.dll"));
        Assert.Equal(new Version(4, 3, 0, 0), references["Microsoft.CodeAnalysis"]);
        Assert.Equal(new Version(4, 3, 0, 0), references["Microsoft.CodeAnalysis.CSharp"]);
        Assert.True(references["System.Collections.Immutable"] <= new Version(6, 0, 0, 0), references["System.Collections.Immutable"].ToString());
        Assert.All(references.Keys, name => Assert.Contains(name, new[] { "netstandard", "Microsoft.CodeAnalysis", "Microsoft.CodeAnalysis.CSharp", "System.Collections.Immutable" }));
    }

    [Theory]
    [InlineData("Gen.Runtime.dll", ".NETStandard,Version=v2.1")]
    [InlineData("Gen.Attributes.dll", ".NETStandard,Version=v2.1")]
    public void RuntimeAssembliesAreNetStandardPluginsForEveryPlatform(string file, string framework)
    {
        string path = Path.Combine(_packed.Folder, "Runtime", file);
        Assert.Equal(framework, TargetFramework(path));
        Assert.True(File.Exists(Path.ChangeExtension(path, ".xml")), "XML documentation beside " + file);
        string meta = File.ReadAllText(path + ".meta");
        Assert.DoesNotContain("labels:", meta, StringComparison.Ordinal);
        Assert.Contains("  - first:\n      Any: \n    second:\n      enabled: 1\n", meta, StringComparison.Ordinal);
        Assert.Contains("isExplicitlyReferenced: 0", meta, StringComparison.Ordinal);
    }

    [Fact]
    public void AssemblyDefinitionScopesTheGeneratorAndIsReferencedAutomatically()
    {
        using JsonDocument asmdef = JsonDocument.Parse(File.ReadAllText(Path.Combine(_packed.Folder, "Runtime", "Gen.Unity.asmdef")));
        Assert.Equal("Gen.Unity", asmdef.RootElement.GetProperty("name").GetString());
        Assert.True(asmdef.RootElement.GetProperty("autoReferenced").GetBoolean());
        Assert.Empty(asmdef.RootElement.GetProperty("includePlatforms").EnumerateArray());
        // It needs a script to be compiled (and so to be referenced): one with no code.
        Assert.True(File.Exists(Path.Combine(_packed.Folder, "Runtime", "AnalyzerScope.cs")));
        Assert.Contains("AssemblyDefinitionImporter:", File.ReadAllText(Path.Combine(_packed.Folder, "Runtime", "Gen.Unity.asmdef.meta")), StringComparison.Ordinal);
    }

    [Fact]
    public void TarballHoldsThePackageFolderUnderPackage()
    {
        var entries = new List<string>();
        using (var gzip = new GZipStream(File.OpenRead(_packed.Tarball), CompressionMode.Decompress))
        using (var tar = new TarReader(gzip))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType == TarEntryType.RegularFile || entry.EntryType == TarEntryType.V7RegularFile)
                {
                    entries.Add(entry.Name);
                }
            }
        }

        Assert.All(entries, name => Assert.StartsWith("package/", name, StringComparison.Ordinal));
        Assert.Contains("package/package.json", entries);
        var files = Directory.EnumerateFiles(_packed.Folder, "*", SearchOption.AllDirectories)
            .Select(path => "package/" + Path.GetRelativePath(_packed.Folder, path).Replace('\\', '/'));
        Assert.Equal(files.OrderBy(f => f, StringComparer.Ordinal), entries.OrderBy(e => e, StringComparer.Ordinal));
    }

    private static string Guid(string metaPath) =>
        File.ReadLines(metaPath).Single(line => line.StartsWith("guid: ", StringComparison.Ordinal))["guid: ".Length..];

    private static string TargetFramework(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader reader = pe.GetMetadataReader();
        foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            var constructor = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            var type = reader.GetTypeReference((TypeReferenceHandle)constructor.Parent);
            if (reader.GetString(type.Name) == "TargetFrameworkAttribute")
            {
                BlobReader value = reader.GetBlobReader(attribute.Value);
                value.ReadUInt16(); // prolog
                return value.ReadSerializedString()!;
            }
        }

        throw new InvalidOperationException(path + " has no TargetFrameworkAttribute.");
    }

    private static Dictionary<string, Version> AssemblyReferences(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader reader = pe.GetMetadataReader();
        return reader.AssemblyReferences
            .Select(handle => reader.GetAssemblyReference(handle))
            .ToDictionary(reference => reader.GetString(reference.Name), reference => reference.Version);
    }

    private static string RepositoryVersion() =>
        XDocument.Load(Path.Combine(Packed.RepositoryRoot, "Directory.Build.props")).Descendants("Version").Single().Value;

    /// <summary>Packs into a new temporary folder; returns it.</summary>
    private static string Pack()
    {
        string output = Path.Combine(Path.GetTempPath(), "gen-unity-" + System.Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Packed.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "unity/pack.sh", "--no-build", "--configuration", UnityCompiler.Metadata("Configuration"), "--out", output })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"pack.sh exited with {process.ExitCode}:\n{stdout}\n{stderr}");
        return output;
    }

    /// <summary>One packed package shared by the tests of this class; deleted after them.</summary>
    public sealed class Packed : IDisposable
    {
        public Packed()
        {
            Output = Pack();
            Folder = Path.Combine(Output, PackageName);
            Tarball = Directory.GetFiles(Output, "*.tgz").Single();
        }

        public static string RepositoryRoot { get; } = FindRoot();

        public string Output { get; }

        public string Folder { get; }

        public string Tarball { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Output, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is not a test failure.
            }
        }

        private static string FindRoot()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory is not null && !File.Exists(Path.Combine(directory, "Gen.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("Gen.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
