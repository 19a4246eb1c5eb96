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
        return new OptimizerLayout(
            typed.Name!,
            DisplayName,
            typed.LearningRate,
            typed.WeightDecay,
            Constants(typed).Concat(StorageConstants(typed.State)).ToEquatableArray(),
            buffers.ToEquatableArray(),
            WithDependencies(Scalars(typed).Append(StepScalar.GradientScale)).ToEquatableArray(),
            Rule(typed).ToEquatableArray(),
            elements.Distinct().OrderBy(e => e).Select(element =>
            {
                var kernel = new KernelBuilder(element, buffers, typed.State);
                Kernel(typed, kernel);
                return kernel.Build();
            }).ToEquatableArray())
        {
            SwitchConditions = SwitchConditions(typed).ToEquatableArray(),
            Modes = Modes(typed),
        };
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

    /// <summary>How the kernel's own switches are chosen each step (none for most kinds: the runtime's switches are chosen for them).</summary>
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

    /// <summary>The rule lines of <see cref="KernelBuilder.GradientPrologue(bool)"/>, for kinds that apply weight decay their own way.</summary>
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
