using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;

namespace Gen.Generator.Kinds;

/// <summary>
/// One optimizer attribute Gen understands: how its pipeline finds it, how its values are read and
/// checked, and what it computes. Adding an optimizer means one subclass of
/// <see cref="OptimizerKind{TAttribute, TSpec}"/> and one entry in <see cref="OptimizerKinds"/>.
/// </summary>
internal abstract class OptimizerKind
{
    protected OptimizerKind(Type attributeType, string displayName, string trackingName)
    {
        AttributeType = attributeType;
        DisplayName = displayName;
        TrackingName = trackingName;
    }

    /// <summary>The attribute class, e.g. <c>Gen.RmsPropAttribute</c>.</summary>
    public Type AttributeType { get; }

    /// <summary>"Gen.RmsPropAttribute".</summary>
    public string AttributeMetadataName => AttributeType.FullName!;

    /// <summary>"RmsProp": the attribute as written in code, for messages.</summary>
    public string AttributeName => AttributeType.Name.Substring(0, AttributeType.Name.Length - "Attribute".Length);

    /// <summary>"RMSProp": docs, and the generated optimizer's Kind.</summary>
    public string DisplayName { get; }

    /// <summary>Name of this kind's pipeline step, for caching tests.</summary>
    public string TrackingName { get; }

    /// <summary>The generated type's name when the attribute sets no Name: the attribute class's default.</summary>
    public abstract string DefaultName { get; }

    /// <summary>Reads the attribute into a spec and checks every value (<see cref="AttributeReader.HasErrors"/> tells whether one failed).</summary>
    public abstract OptimizerSpec Parse(AttributeReader reader);

    /// <summary>The layout of a valid spec, with one kernel per element type in <paramref name="elements"/>.</summary>
    public abstract OptimizerLayout Describe(OptimizerSpec spec, IEnumerable<ElementKind> elements);
}

/// <summary>
/// A kind whose attribute is <typeparamref name="TAttribute"/> and whose validated values are
/// <typeparamref name="TSpec"/>. A subclass only copies the attribute's values (<see cref="Read"/>),
/// checks them (<see cref="Validate"/>) and describes the optimizer: constants, state buffers, step
/// scalars, the update rule and the per-element kernel.
/// </summary>
internal abstract class OptimizerKind<TAttribute, TSpec> : OptimizerKind
    where TAttribute : Attribute, new()
    where TSpec : OptimizerSpec
{
    protected OptimizerKind(string displayName, string trackingName)
        : base(typeof(TAttribute), displayName, trackingName)
    {
    }

    public sealed override string DefaultName => Read(new TAttribute()).Name!;

    public sealed override OptimizerSpec Parse(AttributeReader reader)
    {
        TSpec spec = Read(reader.Instance<TAttribute>());
        Validate(spec, reader);
        reader.Defined(nameof(AdamAttribute.StatePrecision), spec.State.Precision);
        if (spec.State.StochasticRounding && spec.State.Precision is not (StatePrecision.BFloat16 or StatePrecision.Float16))
        {
            reader.Fail(DiagnosticDescriptors.StochasticRoundingWithoutNarrowState, nameof(AdamAttribute.StochasticRounding), spec.State.Precision);
        }

        if (spec.State.Precision != StatePrecision.Float32 && ParameterIterates is { } iterates)
        {
            reader.Fail(DiagnosticDescriptors.ReducedStateForParameterIterates, nameof(AdamAttribute.StatePrecision), DisplayName, iterates, spec.State.Precision);
        }
        else if (spec.State.Precision == StatePrecision.Float16 && KeepsSquaredGradients)
        {
            reader.Warn(DiagnosticDescriptors.Float16SecondMoment, nameof(AdamAttribute.StatePrecision), DisplayName);
        }

        return spec;
    }

    public sealed override OptimizerLayout Describe(OptimizerSpec spec, IEnumerable<ElementKind> elements)
    {
        var typed = (TSpec)spec;
        StateBuffer[] buffers = Buffers(typed).ToArray();
        StepScalar[] scalars = WithDependencies(Scalars(typed).Append(StepScalar.GradientScale)).ToArray();
        KernelDescription[] kernels = elements.Distinct().OrderBy(e => e).Select(element =>
        {
            var kernel = new KernelBuilder(element, buffers, typed.State);
            Kernel(typed, kernel);
            return kernel.Build();
        }).ToArray();
        StepValue[] values = StepValues(typed).ToArray();
        StepState[] states = StepStates(typed).ToArray();

        // Coupled decay's instantiation is chosen like the kind's own switch: off in a step whose decay is 0 for the member.
        SwitchCondition[] conditions = scalars.Where(s => s.IsCoupledDecay)
            .Select(s => new SwitchCondition(KernelSwitch.CoupledDecay, "{" + s.Name + "} == 0"))
            .Concat(SwitchConditions(typed))
            .ToArray();
        CheckStepDescription(kernels, conditions, values, states);
        return new OptimizerLayout(
            typed.Name!,
            DisplayName,
            typed.LearningRate,
            typed.WeightDecay,
            Constants(typed).Concat(StorageConstants(typed.State)).ToEquatableArray(),
            buffers.ToEquatableArray(),
            scalars.ToEquatableArray(),
            Rule(typed).ToEquatableArray(),
            kernels.ToEquatableArray())
        {
            Values = values.ToEquatableArray(),
            States = states.ToEquatableArray(),
            ScalarStates = ScalarStates(typed).ToEquatableArray(),
            SwitchConditions = conditions.ToEquatableArray(),
            Modes = Modes(typed),
        };
    }

    /// <summary>
    /// Checks what <see cref="KernelBuilder.Build"/> cannot see: every switch a kernel uses other than the runtime's own
    /// (clipping, clearing) is chosen by exactly one condition, no condition chooses a switch the kernels do not use, step values do not
    /// take the names of ApplyStep's parameters, and each state's next value is a step value of its element type.
    /// </summary>
    private static void CheckStepDescription(KernelDescription[] kernels, SwitchCondition[] conditions, StepValue[] values, StepState[] states)
    {
        var used = new HashSet<KernelSwitch>(kernels.SelectMany(k => k.Switches).Where(s => s is not (KernelSwitch.GradientScale or KernelSwitch.ClearGradient)));
        var chosen = conditions.Select(c => c.Switch).ToList();
        if (chosen.Count != chosen.Distinct().Count() || (kernels.Length > 0 && chosen.Any(s => !used.Contains(s))) || used.Any(s => !chosen.Contains(s)))
        {
            throw new InvalidOperationException("Every per-step kernel switch needs exactly one condition that chooses it: used " + string.Join(", ", used) + "; chosen " + string.Join(", ", chosen));
        }

        string[] reserved = { "learningRate", "weightDecay", "gradients" };
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (StepValue value in values)
        {
            if (reserved.Contains(value.Name) || !names.Add(value.Name))
            {
                throw new InvalidOperationException("Step value " + value.Name + " is declared twice or takes a parameter's name.");
            }
        }

        foreach (StepState state in states)
        {
            if (!values.Any(v => v.Name == state.Next && v.Type == state.Element))
            {
                throw new InvalidOperationException("State " + state.Field + " has no " + state.Element + " step value " + state.Next + ".");
            }
        }
    }

    /// <summary>
    /// The scalars with what they read marked: a scalar that reads (<c>{name}</c>) one using the learning rate or the
    /// weight decay uses it too, so a member that overrides it ([LearningRateScale], [NoWeightDecay]) has its own value.
    /// </summary>
    private static IEnumerable<StepScalar> WithDependencies(IEnumerable<StepScalar> scalars)
    {
        var done = new List<StepScalar>();
        foreach (StepScalar scalar in scalars)
        {
            done.Add(scalar with
            {
                ReadsLearningRate = done.Any(d => scalar.Reads(d) && d.UsesLearningRate),
                ReadsWeightDecay = done.Any(d => scalar.Reads(d) && d.UsesWeightDecay),
            });
        }

        return done;
    }

    /// <summary>Every attribute's StatePrecision and StochasticRounding, as constants that Configuration does not list.</summary>
    private static IEnumerable<PublicConstant> StorageConstants(StateStorage state) => new[]
    {
        PublicConstant.Enum(nameof(AdamAttribute.StatePrecision), state.Precision, "How the state buffers are stored (docs/PRECISION.md).") with { InConfiguration = false },
        PublicConstant.Bool(nameof(AdamAttribute.StochasticRounding), state.StochasticRounding, "Whether 16-bit state stores round stochastically.") with { InConfiguration = false },
    };

    /// <summary>
    /// Whether the kind keeps a running average of squared gradients (Adam's v, RMSProp's square average, Adagrad's
    /// sum): float16 state cannot hold the small ones (GEN204).
    /// </summary>
    protected virtual bool KeepsSquaredGradients => true;

    /// <summary>
    /// For a kind whose state holds iterates of the parameters themselves (Schedule-Free's z, x and y), their names: no
    /// reduced precision makes sense for them (GEN145). Null for kinds whose state is moments and sums.
    /// </summary>
    protected virtual string? ParameterIterates => null;

    /// <summary>Copies the attribute's values into the spec. No defaults here: the attribute's are the only ones.</summary>
    protected abstract TSpec Read(TAttribute attribute);

    /// <summary>Checks every value, reporting through <paramref name="reader"/> (names from the attribute: <c>nameof</c>).</summary>
    protected abstract void Validate(TSpec spec, AttributeReader reader);

    /// <summary>The hyperparameters other than LearningRate and WeightDecay, as public constants.</summary>
    protected abstract IEnumerable<PublicConstant> Constants(TSpec spec);

    /// <summary>The state buffers this configuration needs, in kernel argument order.</summary>
    protected abstract IEnumerable<StateBuffer> Buffers(TSpec spec);

    /// <summary>Values computed once per step and passed to every kernel call.</summary>
    protected abstract IEnumerable<StepScalar> Scalars(TSpec spec);

    /// <summary>Values computed once per step before the states are updated and the scalars computed, not passed to the kernels (none by default).</summary>
    protected virtual IEnumerable<StepValue> StepValues(TSpec spec) => Enumerable.Empty<StepValue>();

    /// <summary>Scalars kept across steps for the whole optimizer, updated once per step (none by default).</summary>
    protected virtual IEnumerable<StepState> StepStates(TSpec spec) => Enumerable.Empty<StepState>();

    /// <summary>Per-member scalars kept between steps (none for most kinds).</summary>
    protected virtual IEnumerable<ScalarState> ScalarStates(TSpec spec) => Enumerable.Empty<ScalarState>();

    /// <summary>
    /// How the kernel's own switch (<see cref="KernelSwitch.StepBranch"/>) is chosen each step, if it has one: coupled decay's
    /// condition is added for every kind, and the runtime chooses clipping's and clearing's (none by default).
    /// </summary>
    protected virtual IEnumerable<SwitchCondition> SwitchConditions(TSpec spec) => Enumerable.Empty<SwitchCondition>();

    /// <summary>The buffers holding the training and the evaluation point, for a kind that keeps both (Schedule-Free); else null.</summary>
    protected virtual ModeSwap? Modes(TSpec spec) => null;

    /// <summary>The update rule, one line per operation, in math form for comments.</summary>
    protected abstract IEnumerable<string> Rule(TSpec spec);

    /// <summary>
    /// Describes the update of the elements at one offset: loads of the parameter <c>p</c>, the
    /// gradient <c>g</c> and each state buffer by its <see cref="StateBuffer.Reference"/>, the step
    /// scalars by name, and a store to each buffer it changes. A buffer is loaded before it is stored.
    /// </summary>
    protected abstract void Kernel(TSpec spec, KernelBuilder kernel);

    /// <summary>The rule lines of <see cref="KernelBuilder.GradientPrologue"/>.</summary>
    protected static IEnumerable<string> PrologueRule(bool maximize, WeightDecayMode mode)
    {
        if (maximize)
        {
            yield return "g ← −g";
        }

        yield return mode == WeightDecayMode.L2 ? "g ← g + wd·p" : "p ← p·(1 − lr·wd)";
    }

    /// <summary>The rule lines of <see cref="KernelBuilder.GradientPrologue(bool)"/>, for kinds without weight decay or that apply it their own way.</summary>
    protected static IEnumerable<string> PrologueRule(bool maximize)
    {
        if (maximize)
        {
            yield return "g ← −g";
        }
    }

    /// <summary>A rule line with a note aligned after it, e.g. "v ← ρ·v + (1 − ρ)·g²    ρ = 0.9".</summary>
    protected static string WithNote(string rule, string note) =>
        note.Length == 0 ? rule : rule.PadRight(24) + (rule.Length >= 24 ? "    " : string.Empty) + note;

    /// <summary>A double for comments: "0.9", "1E-08".</summary>
    protected static string Number(double value) => Literals.Number(value);
}
