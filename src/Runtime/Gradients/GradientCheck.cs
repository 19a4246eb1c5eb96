using System;
using System.Collections.Generic;
using Gen.__Internals;

namespace Gen;

/// <summary>
/// Numerical gradient check for hand-written backpropagation: compares the analytic gradients a user
/// computed with central finite differences of the loss, on a deterministic sample of elements of
/// every trainable member.
/// </summary>
/// <example>
/// <code>
/// var gradients = new Policy.Gradients(model);
/// Backward(model, batch, gradients);                       // the code under test
/// GradientCheckReport report = GradientCheck.Run(model, gradients, () => Loss(model, batch));
/// Assert.True(report.Passed(1e-2, absoluteTolerance: 1e-3), report.ToString());   // float; Passed(1e-6) for double
/// </code>
/// </example>
public static class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="gradients"/> against central differences of <paramref name="loss"/> at the
    /// model's current parameters. For each sampled element θ of each member, with
    /// <c>h = StepSize·max(1, |θ|)</c>: the loss is evaluated at θ + h and θ − h (rounded to the
    /// member's element type; the difference of the two values actually stored is the denominator),
    /// and <c>numeric = (L(θ+h) − L(θ−h)) / ((θ+h) − (θ−h))</c>. Every element is restored to its exact
    /// original bits afterwards, also when <paramref name="loss"/> throws.
    /// </summary>
    /// <param name="model">The model; its parameters are perturbed one element at a time, then restored.</param>
    /// <param name="gradients">
    /// The analytic gradients at the current parameters: the same members, element types and shapes as
    /// the model's trainable members. The sampled values are read before the first loss evaluation, so
    /// the loss function may overwrite them.
    /// </param>
    /// <param name="loss">Evaluates the loss with the model's current parameters; deterministic, with no side effect on the model.</param>
    /// <param name="options">Sample count, step size and seed; null for the defaults.</param>
    /// <returns>Every sampled element, with the worst relative error per member and overall.</returns>
    /// <exception cref="ArgumentNullException">An argument or a gradient member is null.</exception>
    /// <exception cref="ArgumentException">The gradients do not match the model's trainable members (name, element type, shape), or share a parameter's array.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The loss function replaced a model array.</exception>
    public static GradientCheckReport Run(ITrainable model, GradientsBase gradients, Func<double> loss, GradientCheckOptions? options = null)
    {
        if (model is null)
        {
            throw new ArgumentNullException(nameof(model));
        }

        if (gradients is null)
        {
            throw new ArgumentNullException(nameof(gradients));
        }

        if (loss is null)
        {
            throw new ArgumentNullException(nameof(loss));
        }

        options ??= new GradientCheckOptions();
        options.Validate();
        GradientLayout.RequireMatchesModel(model, gradients, nameof(gradients));

        // Choose the elements and read their analytic values before the first loss evaluation.
        var plans = new (TensorRef Parameter, int[] Indices, double[] Analytic, double StepSize)[model.ParameterCount];
        for (int m = 0; m < plans.Length; m++)
        {
            TensorRef parameter = model.GetParameter(m);
            TensorRef gradient = gradients.GetMember(m);
            int[] indices = SampleIndices(parameter.Length, options.SamplesPerMember, options.Seed, m);
            var analytic = new double[indices.Length];
            for (int k = 0; k < indices.Length; k++)
            {
                analytic[k] = gradient.Element == TensorElement.Single
                    ? gradient.AsSingleSpan()[indices[k]]
                    : gradient.AsDoubleSpan()[indices[k]];
            }

            double stepSize = options.StepSize ?? (parameter.Element == TensorElement.Single
                ? GradientCheckOptions.DefaultSingleStepSize
                : GradientCheckOptions.DefaultDoubleStepSize);
            plans[m] = (parameter, indices, analytic, stepSize);
        }

        var members = new GradientCheckMember[plans.Length];
        for (int m = 0; m < plans.Length; m++)
        {
            (TensorRef parameter, int[] indices, double[] analytic, double stepSize) = plans[m];
            var samples = new GradientCheckSample[indices.Length];
            for (int k = 0; k < indices.Length; k++)
            {
                double numeric = parameter.Element == TensorElement.Single
                    ? CentralDifference(parameter.Array!, indices[k], stepSize, loss, single: true)
                    : CentralDifference(parameter.Array!, indices[k], stepSize, loss, single: false);
                samples[k] = new GradientCheckSample(parameter.Name, indices[k], analytic[k], numeric);
            }

            if (!ReferenceEquals(model.GetParameter(m).Array, parameter.Array))
            {
                throw new InvalidOperationException(
                    $"The loss function replaced model member '{parameter.Name}' with another array; the check perturbed the old one. The loss must only read the model.");
            }

            members[m] = new GradientCheckMember(parameter.Name, parameter.Length, stepSize, samples);
        }

        return new GradientCheckReport(members);
    }

    /// <summary>The derivative of the loss by element <paramref name="index"/>, by central differences; the element is restored exactly.</summary>
    private static double CentralDifference(Array array, int index, double stepSize, Func<double> loss, bool single)
    {
        if (single)
        {
            Span<float> values = Tensors.FlatSpan<float>(array);
            float original = values[index];
            double h = stepSize * Math.Max(1.0, Math.Abs((double)original));
            float plus = (float)(original + h);
            float minus = (float)(original - h);
            try
            {
                values[index] = plus;
                double lossPlus = loss();
                values[index] = minus;
                double lossMinus = loss();
                return (lossPlus - lossMinus) / ((double)plus - minus);
            }
            finally
            {
                Tensors.FlatSpan<float>(array)[index] = original;
            }
        }
        else
        {
            Span<double> values = Tensors.FlatSpan<double>(array);
            double original = values[index];
            double h = stepSize * Math.Max(1.0, Math.Abs(original));
            double plus = original + h;
            double minus = original - h;
            try
            {
                values[index] = plus;
                double lossPlus = loss();
                values[index] = minus;
                double lossMinus = loss();
                return (lossPlus - lossMinus) / (plus - minus);
            }
            finally
            {
                Tensors.FlatSpan<double>(array)[index] = original;
            }
        }
    }

    /// <summary>
    /// Every index when <paramref name="length"/> ≤ <paramref name="count"/>; otherwise
    /// <paramref name="count"/> distinct indices drawn by Floyd's algorithm from a SplitMix64 stream
    /// seeded by the seed and the member's position, in ascending order. The same on every platform.
    /// </summary>
    private static int[] SampleIndices(int length, int count, int seed, int member)
    {
        if (length <= count)
        {
            int[] all = new int[length];
            for (int i = 0; i < length; i++)
            {
                all[i] = i;
            }

            return all;
        }

        ulong state = unchecked(((ulong)(uint)seed << 32) ^ (uint)member ^ 0x9E37_79B9_7F4A_7C15UL);
        var chosen = new HashSet<int>();
        for (int j = length - count; j < length; j++)
        {
            int t = (int)(NextRandom(ref state) % (ulong)(j + 1));
            chosen.Add(chosen.Contains(t) ? j : t);
        }

        int[] indices = new int[chosen.Count];
        chosen.CopyTo(indices);
        Array.Sort(indices);
        return indices;
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood, 2014).</summary>
    private static ulong NextRandom(ref ulong state)
    {
        unchecked
        {
            ulong z = state += 0x9E37_79B9_7F4A_7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
            return z ^ (z >> 31);
        }
    }
}

/// <summary>Options of <see cref="GradientCheck.Run"/>.</summary>
public sealed class GradientCheckOptions
{
    /// <summary>
    /// Default relative step for float members. The central difference's truncation error grows with
    /// h² and the rounding error of a float loss with ε/h (ε ≈ 1.2e-7), so the best h is near ε^(1/3);
    /// on a tanh perceptron over 40 seeds, 1e-2 gave the smallest worst absolute error of 3e-4, 1e-3, 3e-3,
    /// 5e-3, 1e-2 and 3e-2.
    /// </summary>
    public const double DefaultSingleStepSize = 1e-2;

    /// <summary>
    /// Default relative step for double members: near ε^(1/3) ≈ 6e-6 for ε ≈ 2.2e-16; on the same
    /// perceptron, 1e-5 gave the smallest worst error of 1e-7, 1e-6, 6e-6, 1e-5 and 1e-4.
    /// </summary>
    public const double DefaultDoubleStepSize = 1e-5;

    /// <summary>Elements checked per member, ≥ 1; a member with at most this many elements is checked entirely. Default 16.</summary>
    public int SamplesPerMember { get; init; } = 16;

    /// <summary>
    /// Relative step: an element θ is moved by <c>±StepSize·max(1, |θ|)</c>. Null (the default) for
    /// <see cref="DefaultSingleStepSize"/> on float members and <see cref="DefaultDoubleStepSize"/> on double ones.
    /// </summary>
    public double? StepSize { get; init; }

    /// <summary>Seed of the element sample: the same seed checks the same elements. Default 0.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (SamplesPerMember < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SamplesPerMember), SamplesPerMember, "Check at least one element per member.");
        }

        if (StepSize is { } step && !(step > 0 && step < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(StepSize), step, "The step size must be > 0 and < 1.");
        }
    }
}

/// <summary>The result of <see cref="GradientCheck.Run"/>: every sampled element, by member.</summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(GradientCheckMember[] members)
    {
        Members = members;
        foreach (GradientCheckMember member in members)
        {
            if (member.Worst is { } worst && (Worst is null || worst.RelativeError > Worst.RelativeError))
            {
                Worst = worst;
            }
        }
    }

    /// <summary>One entry per trainable member, in declaration order.</summary>
    public IReadOnlyList<GradientCheckMember> Members { get; }

    /// <summary>The sample with the largest relative error over all members (the first on ties); null when no member has an element.</summary>
    public GradientCheckSample? Worst { get; }

    /// <summary>True when every sample of every member passes <see cref="GradientCheckSample.Passed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    public bool Passed(double tolerance, double absoluteTolerance = 0)
    {
        GradientCheckSample.ValidateTolerances(tolerance, absoluteTolerance);
        foreach (GradientCheckMember member in Members)
        {
            if (!member.Passed(tolerance, absoluteTolerance))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One line per member: its worst sample.</summary>
    public override string ToString() => string.Join<GradientCheckMember>(Environment.NewLine, Members);
}

/// <summary>The samples of one member in a <see cref="GradientCheckReport"/>.</summary>
public sealed class GradientCheckMember
{
    internal GradientCheckMember(string name, int length, double stepSize, GradientCheckSample[] samples)
    {
        Name = name;
        Length = length;
        StepSize = stepSize;
        Samples = samples;
        foreach (GradientCheckSample sample in samples)
        {
            if (Worst is null || sample.RelativeError > Worst.RelativeError)
            {
                Worst = sample;
            }
        }
    }

    /// <summary>The member's name.</summary>
    public string Name { get; }

    /// <summary>The member's element count.</summary>
    public int Length { get; }

    /// <summary>The relative step size used for this member.</summary>
    public double StepSize { get; }

    /// <summary>The checked elements, by ascending index.</summary>
    public IReadOnlyList<GradientCheckSample> Samples { get; }

    /// <summary>The sample with the largest relative error (the first on ties); null when the member has no element.</summary>
    public GradientCheckSample? Worst { get; }

    /// <summary>True when every sample passes <see cref="GradientCheckSample.Passed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    public bool Passed(double tolerance, double absoluteTolerance = 0)
    {
        GradientCheckSample.ValidateTolerances(tolerance, absoluteTolerance);
        foreach (GradientCheckSample sample in Samples)
        {
            if (!sample.Passed(tolerance, absoluteTolerance))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Worst is null
        ? $"{Name}: no elements"
        : FormattableString.Invariant($"{Name}: {Samples.Count} of {Length} elements checked (step {StepSize:G3}), worst {Worst}");
}

/// <summary>One checked element: the analytic and numeric derivative and how far apart they are.</summary>
public sealed class GradientCheckSample
{
    internal GradientCheckSample(string member, int index, double analytic, double numeric)
    {
        Member = member;
        Index = index;
        Analytic = analytic;
        Numeric = numeric;
        if (!double.IsFinite(analytic) || !double.IsFinite(numeric))
        {
            AbsoluteError = double.PositiveInfinity;
            RelativeError = double.PositiveInfinity;
        }
        else
        {
            AbsoluteError = Math.Abs(analytic - numeric);
            double scale = Math.Max(Math.Abs(analytic), Math.Abs(numeric));
            RelativeError = scale == 0 ? 0 : AbsoluteError / scale;
        }
    }

    /// <summary>The member's name.</summary>
    public string Member { get; }

    /// <summary>Flat (row-major) index of the element in the member.</summary>
    public int Index { get; }

    /// <summary>The gradient given to the check.</summary>
    public double Analytic { get; }

    /// <summary>The central-difference estimate.</summary>
    public double Numeric { get; }

    /// <summary><c>|analytic − numeric|</c>; +∞ when either is NaN or infinite.</summary>
    public double AbsoluteError { get; }

    /// <summary><c>|analytic − numeric| / max(|analytic|, |numeric|)</c>, 0 when both are 0; +∞ when either is NaN or infinite.</summary>
    public double RelativeError { get; }

    /// <summary>
    /// True when <see cref="RelativeError"/> ≤ <paramref name="tolerance"/> or <see cref="AbsoluteError"/> ≤
    /// <paramref name="absoluteTolerance"/>. Never true for a non-finite value.
    /// </summary>
    /// <remarks>
    /// The absolute tolerance is for derivatives near zero, whose relative error is dominated by the
    /// rounding noise of the loss: with a float loss, about ε·|loss|/h ≈ 1e-5·|loss| at the default step.
    /// Typical choices: double, <c>Passed(1e-6)</c>; float, <c>Passed(1e-2, 1e-3)</c> for gradients of order 1e-2 or more.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    public bool Passed(double tolerance, double absoluteTolerance = 0)
    {
        ValidateTolerances(tolerance, absoluteTolerance);
        return double.IsFinite(AbsoluteError) && (RelativeError <= tolerance || AbsoluteError <= absoluteTolerance);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"{Member}[{Index}]: analytic {Analytic:G9}, numeric {Numeric:G9}, relative error {RelativeError:E2}, absolute {AbsoluteError:E2}");

    internal static void ValidateTolerances(double tolerance, double absoluteTolerance)
    {
        if (!(tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a number >= 0.");
        }

        if (!(absoluteTolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(absoluteTolerance), absoluteTolerance, "The tolerance must be a number >= 0.");
        }
    }
}
