#if !NET5_0_OR_GREATER
namespace System.Runtime.CompilerServices;

/// <summary>
/// The marker type the compiler needs for <c>init</c> accessors and records, which netstandard2.1 lacks.
/// Internal, so it cannot clash with another assembly's copy or with the real type.
/// </summary>
internal static class IsExternalInit
{
}
#endif
