namespace System.Runtime.CompilerServices
{
    // Lets netstandard2.0 code declare records and init-only properties.
    internal static class IsExternalInit
    {
    }
}
