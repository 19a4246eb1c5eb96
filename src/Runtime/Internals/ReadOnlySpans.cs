using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gen;

/// <summary>
/// Reading a <see cref="ReadOnlySpan{T}"/> without its indexer or enumerator. Today's C# compiler calls
/// them with a <c>modreq(InAttribute)</c> on their <c>ref readonly</c> result that Mono 6.8's corlib lacks,
/// so on Mono (the netstandard2.1 build's runtime in Unity and in CI) they throw
/// <see cref="MissingMethodException"/>. <see cref="MemoryMarshal.GetReference{T}(ReadOnlySpan{T})"/>
/// returns a plain <c>ref</c>, and a <see cref="Span{T}"/> over it is indexed without the modifier.
/// </summary>
internal static class ReadOnlySpans
{
    /// <summary>A <see cref="Span{T}"/> over the same elements, to read them through its indexer. Never written through.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> ForReading<T>(ReadOnlySpan<T> span) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(span), span.Length);
}
