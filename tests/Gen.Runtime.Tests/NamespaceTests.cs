using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// The runtime's one namespace rule: a public type is either user-facing, in <c>Gen</c>, or a helper
/// that only generated code calls, in <c>Gen.__Internals</c> and hidden from IntelliSense.
/// </summary>
public sealed class NamespaceTests
{
    private static readonly Type[] PublicTypes = typeof(GradientsBase).Assembly.GetExportedTypes();

    [Fact]
    public void EveryPublicTypeIsInGenOrInItsInternalsNamespace()
    {
        Assert.All(PublicTypes, type => Assert.True(
            type.Namespace is "Gen" or "Gen.__Internals",
            $"{type.FullName} is public in namespace {type.Namespace}: user-facing types belong in Gen, helpers of generated code in Gen.__Internals."));
    }

    [Fact]
    public void EveryInternalsTypeIsHiddenFromTheEditor()
    {
        Type[] internals = PublicTypes.Where(t => t.Namespace == "Gen.__Internals").ToArray();
        Assert.NotEmpty(internals);
        Assert.All(internals, type => Assert.Equal(
            EditorBrowsableState.Never,
            type.GetCustomAttribute<EditorBrowsableAttribute>()?.State));
    }

    [Fact]
    public void NoUserFacingTypeIsHidden()
    {
        Assert.All(PublicTypes.Where(t => t.Namespace == "Gen"), type => Assert.Null(type.GetCustomAttribute<EditorBrowsableAttribute>()));
    }
}
