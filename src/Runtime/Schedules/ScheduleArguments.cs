using System;

namespace Gen;

/// <summary>Constructor argument checks shared by the schedules. Each throws <see cref="ArgumentOutOfRangeException"/> naming the parameter.</summary>
internal static class ScheduleArguments
{
    public static long AtLeast(long value, long minimum, string name) =>
        value >= minimum
            ? value
            : throw new ArgumentOutOfRangeException(name, value, FormattableString.Invariant($"{name} must be >= {minimum}."));

    public static int AtLeast(int value, int minimum, string name) =>
        value >= minimum
            ? value
            : throw new ArgumentOutOfRangeException(name, value, FormattableString.Invariant($"{name} must be >= {minimum}."));

    public static double NonNegativeFinite(double value, string name) =>
        value >= 0 && !double.IsPositiveInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0.");

    public static double PositiveFinite(double value, string name) =>
        value > 0 && !double.IsPositiveInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0.");

    /// <summary>A factor in [0, 1], the range PyTorch's ConstantLR and LinearLR accept.</summary>
    public static double UnitInterval(double value, string name) =>
        value >= 0 && value <= 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1.");

    public static T NotNull<T>(T? value, string name)
        where T : class =>
        value ?? throw new ArgumentNullException(name);
}
