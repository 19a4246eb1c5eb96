using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Gen.Generator.Diagnostics;

/// <summary>
/// Collects diagnostics while parsing. The analyzer passes one and reports what it holds; the
/// generator passes none, because it only needs to know whether a declaration is usable.
/// </summary>
internal sealed class DiagnosticSink
{
    private readonly List<Diagnostic> _diagnostics = new();

    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics;

    public void Report(DiagnosticDescriptor descriptor, Location? location, params object?[] args) =>
        _diagnostics.Add(Diagnostic.Create(descriptor, location ?? Location.None, args));
}
