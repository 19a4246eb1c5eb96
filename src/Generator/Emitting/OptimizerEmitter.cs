using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>A per-parameter state buffer of an optimizer, e.g. RMSProp's square average.</summary>
/// <param name="Field">Field-name stem: "squareAvg" gives "_squareAvg_W1".</param>
/// <param name="Reference">Short name of the buffer's ref local in kernels, e.g. "v".</param>
/// <param name="Key">PyTorch's state_dict name, e.g. "square_avg".</param>
/// <param name="InitialValue">Value after construction and Reset.</param>
/// <param name="Description">What the buffer holds, for XML docs.</param>
internal sealed record StateBuffer(string Field, string Reference, string Key, double InitialValue, string Description);

/// <summary>A value computed once per step (in double) and passed to the kernels, e.g. the negated learning rate.</summary>
/// <param name="Name">The local and kernel parameter name.</param>
/// <param name="Expression">
/// Builds the C# double expression from the learning-rate and weight-decay expressions (which a
/// member's [LearningRateScale] / [NoWeightDecay] replace); it may also use StepCount.
/// </param>
internal sealed record KernelScalar(string Name, Func<string, string, string> Expression)
{
    /// <summary><c>negLr = -lr</c>: the kernels add <c>negLr * update</c>, as PyTorch's <c>add_(x, alpha=-lr)</c>.</summary>
    public static readonly KernelScalar NegativeLearningRate = new("negLr", (lr, _) => "-" + lr);

    /// <summary>The name of the coupled (L2) decay scalar; kernels that take it are generic over whether it is 0.</summary>
    public const string CoupledDecayName = "wd";

    /// <summary><c>wd</c> for coupled L2 decay, or the factor <c>decay = 1 - lr * wd</c> for decoupled decay.</summary>
    public static KernelScalar WeightDecay(WeightDecayModeKind mode) => mode == WeightDecayModeKind.L2
        ? new(CoupledDecayName, (_, wd) => wd)
        : new("decay", (lr, wd) => "1d - " + lr + " * " + wd);
}

/// <summary>A compile-time hyperparameter exposed as a public constant of the generated optimizer.</summary>
/// <param name="Value">The C# literal.</param>
/// <param name="Text">The value as invariant text for <c>Optimizer.Configuration</c>, e.g. "0.9" or "InsideSqrt".</param>
internal sealed record PublicConstant(string Type, string Name, string Value, string Text, string Summary)
{
    public static PublicConstant Double(string name, double value, string summary) =>
        new("double", name, Literals.Double(value), Literals.Double(value).TrimEnd('d'), summary);

    public static PublicConstant Bool(string name, bool value, string summary) =>
        new("bool", name, Literals.Bool(value), Literals.Bool(value), summary);

    public static PublicConstant Enum(string enumType, string name, string value, string summary) =>
        new("global::Gen." + enumType, name, "global::Gen." + enumType + "." + value, value, summary);
}

/// <summary>
/// The skeleton every generated optimizer shares: the class shell, constructor, argument checks,
/// per-step scalars, reset, and one fused kernel per element type with the width cascade
/// Vector512 → Vector256 → Vector128 → scalar. A subclass supplies only what differs between
/// optimizers: state buffers, scalars, constants, the update rule text and the per-element formula.
/// </summary>
internal abstract class OptimizerEmitter
{
    /// <summary>Unroll factor of the main vector loop.</summary>
    private const int Unroll = 4;

    /// <summary>
    /// Members every generated optimizer has, declared by the skeleton or inherited from
    /// <c>Gen.Optimizer&lt;TGradients&gt;</c> and <c>object</c> (a test checks the runtime's side).
    /// An optimizer's Name may not be one of these, nor one of its constants.
    /// </summary>
    internal static readonly string[] SkeletonMemberNames =
    {
        "DefaultLearningRate", "DefaultWeightDecay", "s_configuration", "_model", "_gradients",
        "Kind", "Configuration", "StateCount", "GetState", "ValidateStep", "ApplyStep", "UpdateRange", "ResetState",
        "UpdateBuffer", "UpdateBlock512", "UpdateBlock256", "UpdateBlock128", "UpdateElement",
        "Model", "LearningRate", "BaseLearningRate", "Schedule", "WeightDecay", "StepCount", "Step", "Reset",
        "MaxDegreeOfParallelism", "ParallelThreshold", "UpdateMembers", "NonFinitePolicy", "SkippedSteps", "RestoreLearningRate",
        "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize",
    };

    /// <summary>Every member name of the optimizer this emitter generates for <paramref name="spec"/>.</summary>
    public IEnumerable<string> MemberNames(OptimizerSpec spec) =>
        SkeletonMemberNames.Concat(Constants(spec).Select(c => c.Name)).Concat(KernelScalars(spec).Select(s => "_" + s.Name));

    /// <summary>"RMSProp", for docs.</summary>
    protected abstract string DisplayName { get; }

    /// <summary>The state buffers this configuration needs, in kernel argument order.</summary>
    protected abstract IReadOnlyList<StateBuffer> StateBuffers(OptimizerSpec spec);

    /// <summary>Values computed once per step and passed to every kernel call.</summary>
    protected abstract IReadOnlyList<KernelScalar> KernelScalars(OptimizerSpec spec);

    /// <summary>Compile-time hyperparameters to expose as public constants.</summary>
    protected abstract IReadOnlyList<PublicConstant> Constants(OptimizerSpec spec);

    /// <summary>The update rule, one line per operation, in math form for comments.</summary>
    protected abstract IReadOnlyList<string> UpdateRule(OptimizerSpec spec);

    /// <summary>
    /// Writes the update of the values at offset i: p and g are refs to the parameter and gradient,
    /// each state buffer is its <see cref="StateBuffer.Reference"/>, and each kernel scalar is in scope
    /// by name, at this flavor's width. Must load everything it reads before its first store.
    /// </summary>
    protected abstract void WriteUpdate(IndentedTextWriter writer, OptimizerSpec spec, KernelFlavor flavor);

    public string Emit(ModelSpec model, OptimizerSpec spec)
    {
        HierarchySpec hierarchy = model.Hierarchy;
        string modelType = hierarchy.FullyQualifiedName;
        string gradientsType = modelType + ".Gradients";
        IReadOnlyList<StateBuffer> buffers = StateBuffers(spec);
        IReadOnlyList<KernelScalar> scalars = KernelScalars(spec);

        return SourceWriter.Write(hierarchy, w =>
        {
            w.Line("/// <summary>");
            w.Line("/// " + DisplayName + " optimizer generated for <see cref=\"" + SourceWriter.Cref(hierarchy) + "\"/>: one fused,");
            w.Line("/// allocation-free SIMD pass per trainable member, with the attribute's hyperparameters as constants.");
            w.Line("/// </summary>");
            w.Line("/// <remarks>");
            w.Line("/// Per element, in this order:");
            w.Line("/// <code>");
            foreach (string line in UpdateRule(spec))
            {
                w.Line("/// " + line.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;"));
            }

            w.Line("/// </code>");
            w.Line("/// </remarks>");
            w.Line(SourceWriter.GeneratedCodeAttribute);
            using (w.Block("public sealed partial class " + spec.Name + " : global::Gen.Optimizer<" + gradientsType + ">"))
            {
                IReadOnlyList<PublicConstant> configuration = Constants(spec);
                var constants = new List<PublicConstant>
                {
                    PublicConstant.Double("DefaultLearningRate", spec.LearningRate, "The attribute's LearningRate: the value LearningRate starts at."),
                    PublicConstant.Double("DefaultWeightDecay", spec.WeightDecay, "The attribute's WeightDecay: the value WeightDecay starts at."),
                };
                constants.AddRange(configuration);
                foreach (PublicConstant constant in constants)
                {
                    w.Line("/// <summary>" + constant.Summary + "</summary>");
                    w.Line("public const " + constant.Type + " " + constant.Name + " = " + constant.Value + ";");
                    w.Line();
                }

                w.Line("private static readonly global::System.Collections.Generic.KeyValuePair<string, string>[] s_configuration =");
                using (w.Open(close: "};"))
                {
                    foreach (PublicConstant constant in configuration)
                    {
                        w.Line("new(" + Literals.String(constant.Name) + ", " + Literals.String(constant.Text) + "),");
                    }

                    // Member overrides change the update too, so a checkpoint records them.
                    foreach (ParameterSpec parameter in model.Parameters.Where(p => p.HasOverrides))
                    {
                        if (parameter.LearningRateScale != 1)
                        {
                            w.Line("new(" + Literals.String("LearningRateScale." + parameter.Name) + ", " + Literals.String(Number(parameter.LearningRateScale)) + "),");
                        }

                        if (parameter.NoWeightDecay)
                        {
                            w.Line("new(" + Literals.String("NoWeightDecay." + parameter.Name) + ", \"true\"),");
                        }
                    }
                }

                w.Line();
                w.Line("private readonly " + modelType + " _model;");
                w.Line();
                w.Line("/// <summary>The gradients of the step in progress (read by UpdateRange, possibly on a worker thread).</summary>");
                w.Line("private " + gradientsType + "? _gradients;");
                w.Line();
                w.Line("// The step's scalars, computed once per step in double by ApplyStep.");
                foreach (KernelScalar scalar in scalars)
                {
                    w.Line("private double _" + scalar.Name + ";");
                }

                foreach (ParameterSpec parameter in model.Parameters)
                {
                    foreach (KernelScalar scalar in scalars.Where(s => HasOwnValue(s, parameter)))
                    {
                        w.Line("private double " + ScalarField(scalar, parameter) + ";");
                    }
                }
                foreach (ParameterSpec parameter in model.Parameters)
                {
                    foreach (StateBuffer buffer in buffers)
                    {
                        w.Line();
                        w.Line("/// <summary>" + buffer.Description + " of <see cref=\"" + SourceWriter.Cref(hierarchy, parameter.Identifier) + "\"/>, flattened.</summary>");
                        w.Line("private readonly " + parameter.ElementType + "[] " + FieldName(buffer, parameter) + ";");
                    }
                }

                w.Line();
                WriteConstructor(w, model, spec, buffers);
                w.Line();
                WriteStateAccess(w, model, buffers);
                w.Line();
                WriteValidateStep(w, model, buffers);
                w.Line();
                WriteApplyStep(w, model, buffers, scalars);
                w.Line();
                WriteResetState(w, model, buffers);

                foreach (ElementKind element in model.Parameters.Select(p => p.Element).Distinct().OrderBy(e => e))
                {
                    w.Line();
                    WriteKernel(w, spec, element, buffers, scalars);
                    foreach (int bits in new[] { 512, 256, 128 })
                    {
                        w.Line();
                        WriteBlock(w, spec, KernelFlavor.Vector(element, bits), buffers, scalars);
                    }

                    w.Line();
                    WriteBlock(w, spec, KernelFlavor.Scalar(element), buffers, scalars);
                }
            }
        });
    }

    /// <summary>
    /// Loads the gradient and the parameter, then applies what most optimizers do first, in PyTorch's
    /// order: the sign flip for maximize, then coupled L2 decay (<c>g + wd * p</c>, as <c>grad.add(param,
    /// alpha=wd)</c>) or the decoupled decay factor (<c>p * (1 - lr * wd)</c>, as AdamW's <c>mul_</c>).
    /// </summary>
    protected static void WriteGradientPrologue(IndentedTextWriter w, KernelFlavor f, bool maximize, WeightDecayModeKind mode)
    {
        w.Line("var grad = " + f.Load("g") + ";");
        w.Line("var param = " + f.Load("p") + ";");
        if (maximize)
        {
            w.Line("grad = -grad;");
        }

        w.Line(mode == WeightDecayModeKind.L2
            ? "grad = typeof(TDecay) == typeof(" + SourceWriter.WithCoupledDecay + ") ? grad + wd * param : grad;"
            : "param = param * decay;");
    }

    /// <summary>The update-rule line for the prologue, for comments.</summary>
    protected static void AddPrologueRule(List<string> lines, bool maximize, WeightDecayModeKind mode)
    {
        if (maximize)
        {
            lines.Add("g ← −g");
        }

        lines.Add(mode == WeightDecayModeKind.L2 ? "g ← g + wd·p" : "p ← p·(1 − lr·wd)");
    }

    /// <summary>A rule line with a note aligned after it, e.g. "v ← ρ·v + (1 − ρ)·g²    ρ = 0.9".</summary>
    protected static string WithNote(string rule, string note) =>
        note.Length == 0 ? rule : rule.PadRight(24) + (rule.Length >= 24 ? "    " : string.Empty) + note;

    /// <summary>A double for comments: "0.9", "1E-08".</summary>
    protected static string Number(double value) => Literals.Double(value).TrimEnd('d');

    /// <summary>
    /// The member's own learning-rate and weight-decay expressions when it has overrides, else the
    /// optimizer's: "(learningRate * 0.1d)", "0d".
    /// </summary>
    private static (string LearningRate, string WeightDecay) RateExpressions(ParameterSpec parameter) => (
        parameter.LearningRateScale == 1 ? "learningRate" : "(learningRate * " + Literals.Double(parameter.LearningRateScale) + ")",
        parameter.NoWeightDecay ? "0d" : "weightDecay");

    /// <summary>
    /// True when <paramref name="scalar"/> differs for this member: its expression uses a rate the
    /// member overrides. A member with [LearningRateScale] needs its own negated rate, but shares
    /// Adam's bias corrections, which depend on the step alone.
    /// </summary>
    private static bool HasOwnValue(KernelScalar scalar, ParameterSpec parameter)
    {
        (string lr, string wd) = RateExpressions(parameter);
        return parameter.HasOverrides && scalar.Expression(lr, wd) != scalar.Expression("learningRate", "weightDecay");
    }

    /// <summary>The field holding <paramref name="scalar"/> for <paramref name="parameter"/>.</summary>
    private static string ScalarField(KernelScalar scalar, ParameterSpec parameter) =>
        "_" + scalar.Name + (HasOwnValue(scalar, parameter) ? "_" + parameter.Name : string.Empty);

    private static string FieldName(StateBuffer buffer, ParameterSpec parameter) => "_" + buffer.Field + "_" + parameter.Name;

    private void WriteConstructor(IndentedTextWriter w, ModelSpec model, OptimizerSpec spec, IReadOnlyList<StateBuffer> buffers)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        w.Line("/// <summary>");
        w.Line("/// Creates the optimizer for <paramref name=\"model\"/> and allocates its state once, sized by the");
        w.Line("/// model's arrays now. LearningRate starts at <see cref=\"DefaultLearningRate\"/> and WeightDecay at");
        w.Line("/// <see cref=\"DefaultWeightDecay\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"model\"/> is null.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A trainable member of the model is null, or two members hold the same array.</exception>");
        w.Line("public " + spec.Name + "(" + modelType + " model)");
        w.Line("    : base(model, DefaultLearningRate, DefaultWeightDecay)");
        using (w.Open())
        {
            w.Line("_model = model;");
            foreach (ParameterSpec parameter in model.Parameters)
            {
                if (buffers.Count == 0)
                {
                    w.Line(SourceWriter.Guard + ".ParameterLength(model." + parameter.Identifier + ", " + Literals.String(parameter.Name) + ");");
                    continue;
                }

                string length = SourceWriter.Guard + ".ParameterLength(model." + parameter.Identifier + ", " + Literals.String(parameter.Name) + ")";
                string first = FieldName(buffers[0], parameter);
                w.Line(first + " = new " + parameter.ElementType + "[" + length + "];");
                foreach (StateBuffer buffer in buffers.Skip(1))
                {
                    w.Line(FieldName(buffer, parameter) + " = new " + parameter.ElementType + "[" + first + ".Length];");
                }
            }

            if (model.Parameters.Count > 1)
            {
                // Two members returning the same array would be updated twice per step.
                w.Line(SourceWriter.Guard + ".DistinctArrays(new global::Gen.TensorRef[]");
                using (w.Open(close: "});"))
                {
                    foreach (ParameterSpec parameter in model.Parameters)
                    {
                        w.Line("new global::Gen.TensorRef(" + Literals.String(parameter.Name) + ", model." + parameter.Identifier + "),");
                    }
                }
            }

            if (buffers.Any(b => b.InitialValue != 0))
            {
                w.Line("ResetState();");
            }
        }
    }

    private void WriteStateAccess(IndentedTextWriter w, ModelSpec model, IReadOnlyList<StateBuffer> buffers)
    {
        w.Line("/// <inheritdoc/>");
        w.Line("public override string Kind => " + Literals.String(DisplayName) + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override global::System.Collections.Generic.IReadOnlyList<global::System.Collections.Generic.KeyValuePair<string, string>> Configuration => s_configuration;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override int StateCount => " + (model.Parameters.Count * buffers.Count) + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        if (buffers.Count == 0)
        {
            w.Line("public override global::Gen.OptimizerState GetState(int index) => throw new global::System.ArgumentOutOfRangeException(nameof(index));");
            return;
        }

        w.Line("public override global::Gen.OptimizerState GetState(int index) => index switch");
        using (w.Open(close: "};"))
        {
            int index = 0;
            for (int p = 0; p < model.Parameters.Count; p++)
            {
                ParameterSpec parameter = model.Parameters[p];
                foreach (StateBuffer buffer in buffers)
                {
                    w.Line(index++ + " => new global::Gen.OptimizerState(" + p + ", " + Literals.String(buffer.Key) + ", new global::Gen.TensorRef(" + Literals.String(parameter.Name) + ", " + FieldName(buffer, parameter) + ")),");
                }
            }

            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(index)),");
        }
    }

    private static void WriteValidateStep(IndentedTextWriter w, ModelSpec model, IReadOnlyList<StateBuffer> buffers)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void ValidateStep(" + modelType + ".Gradients gradients)"))
        {
            w.Line(modelType + " model = _model;");
            foreach (ParameterSpec parameter in model.Parameters)
            {
                string stateLength = buffers.Count == 0 ? "-1" : FieldName(buffers[0], parameter) + ".Length";
                w.Line(SourceWriter.Guard + ".StepArguments(model." + parameter.Identifier + ", gradients." + parameter.Identifier + ", " + stateLength + ", " + Literals.String(parameter.Name) + ");");
            }
        }
    }

    /// <summary>
    /// ApplyStep computes the step's scalars (in double, once) into fields and lets the base class walk
    /// the members; UpdateRange runs the fused kernel on a slice of one member, on the calling thread or,
    /// for a large buffer with MaxDegreeOfParallelism &gt; 1, on a worker. Every element is independent,
    /// so a split step computes exactly what a whole one does.
    /// </summary>
    private static void WriteApplyStep(IndentedTextWriter w, ModelSpec model, IReadOnlyList<StateBuffer> buffers, IReadOnlyList<KernelScalar> scalars)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void ApplyStep(" + modelType + ".Gradients gradients, double learningRate, double weightDecay)"))
        {
            foreach (KernelScalar scalar in scalars)
            {
                w.Line("_" + scalar.Name + " = " + scalar.Expression("learningRate", "weightDecay") + ";");
            }

            foreach (ParameterSpec parameter in model.Parameters)
            {
                // [LearningRateScale] / [NoWeightDecay]: this member's own values of the scalars they change.
                (string lr, string wd) = RateExpressions(parameter);
                foreach (KernelScalar scalar in scalars.Where(s => HasOwnValue(s, parameter)))
                {
                    w.Line(ScalarField(scalar, parameter) + " = " + scalar.Expression(lr, wd) + ";");
                }
            }

            w.Line("_gradients = gradients;");
            using (w.Block("try"))
            {
                w.Line("UpdateMembers();");
            }

            using (w.Block("finally"))
            {
                w.Line("_gradients = null;");
            }
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void UpdateRange(int member, int start, int count)"))
        {
            w.Line(modelType + " model = _model;");
            w.Line(modelType + ".Gradients gradients = _gradients!;");
            using (w.Block("switch (member)"))
            {
                for (int index = 0; index < model.Parameters.Count; index++)
                {
                    ParameterSpec parameter = model.Parameters[index];
                    var arguments = new List<string>
                    {
                        SourceWriter.Tensors + ".AsSpan(model." + parameter.Identifier + "!).Slice(start, count)",
                        SourceWriter.Tensors + ".AsSpan(gradients." + parameter.Identifier + ").Slice(start, count)",
                    };
                    arguments.AddRange(buffers.Select(b => "global::System.MemoryExtensions.AsSpan(" + FieldName(b, parameter) + ", start, count)"));
                    arguments.AddRange(scalars.Select(s => (parameter.Element == ElementKind.Single ? "(float)" : string.Empty) + ScalarField(s, parameter)));
                    w.Line("case " + index + ":");
                    KernelScalar? coupled = scalars.FirstOrDefault(IsCoupledDecay);
                    if (coupled is null)
                    {
                        w.Line("    UpdateBuffer(" + string.Join(", ", arguments) + ");");
                    }
                    else
                    {
                        // Without decay this step, the kernel compiled without the L2 term.
                        string call = "UpdateBuffer<{0}>(" + string.Join(", ", arguments) + ");";
                        w.Line("    if (" + ScalarField(coupled, parameter) + " == 0)");
                        w.Line("    {");
                        w.Line("        " + string.Format(CultureInfo.InvariantCulture, call, SourceWriter.WithoutCoupledDecay));
                        w.Line("    }");
                        w.Line("    else");
                        w.Line("    {");
                        w.Line("        " + string.Format(CultureInfo.InvariantCulture, call, SourceWriter.WithCoupledDecay));
                        w.Line("    }");
                        w.Line();
                    }

                    w.Line("    break;");
                }

                w.Line("default:");
                w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(member));");
            }
        }
    }

    private static void WriteResetState(IndentedTextWriter w, ModelSpec model, IReadOnlyList<StateBuffer> buffers)
    {
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void ResetState()"))
        {
            foreach (ParameterSpec parameter in model.Parameters)
            {
                foreach (StateBuffer buffer in buffers)
                {
                    w.Line(buffer.InitialValue == 0
                        ? "global::System.Array.Clear(" + FieldName(buffer, parameter) + ");"
                        : "global::System.Array.Fill(" + FieldName(buffer, parameter) + ", " + (parameter.Element == ElementKind.Single ? Literals.Single(buffer.InitialValue) : Literals.Double(buffer.InitialValue)) + ");");
                }
            }
        }
    }

    private void WriteKernel(IndentedTextWriter w, OptimizerSpec spec, ElementKind element, IReadOnlyList<StateBuffer> buffers, IReadOnlyList<KernelScalar> scalars)
    {
        KernelFlavor scalar = KernelFlavor.Scalar(element);
        string type = scalar.ElementType;
        var parameters = new List<string>
        {
            "global::System.Span<" + type + "> parameter",
            "global::System.ReadOnlySpan<" + type + "> gradient",
        };
        parameters.AddRange(buffers.Select(b => "global::System.Span<" + type + "> " + b.Field));
        parameters.AddRange(scalars.Select(s => type + " " + s.Name));

        w.Line("// Update rule, per element:");
        foreach (string line in UpdateRule(spec))
        {
            w.Line("//   " + line);
        }

        w.Line("/// <summary>One " + DisplayName + " step over one " + type + " buffer, in a single pass: each element is loaded and stored once.</summary>");
        // Fully optimized from its first call: under tiered compilation with PGO a new kernel's first
        // seconds ran in an instrumented tier, 12–20× slower (BenchmarkDotNet, 64K Fast: 83–139 µs per step
        // for 13 iterations of 250 ms, then 7 µs), which a frame-budgeted training loop cannot absorb.
        w.Line(SourceWriter.AggressiveOptimization);
        using (w.Block("private static void UpdateBuffer" + DecayTypeParameter(scalars) + "(" + string.Join(", ", parameters) + ")" + DecayConstraint(scalars)))
        {
            w.Line("nuint length = (nuint)parameter.Length;");
            string lengthCheck = string.Join(" || ", new[] { "gradient" }.Concat(buffers.Select(b => b.Field)).Select(n => "(nuint)" + n + ".Length != length"));
            using (w.Block("if (" + lengthCheck + ")"))
            {
                w.Line(SourceWriter.Guard + ".ThrowBufferLengthMismatch();");
            }

            w.Line();
            w.Line("ref " + type + " p = ref " + SourceWriter.MemoryMarshal + ".GetReference(parameter);");
            w.Line("ref " + type + " g = ref " + SourceWriter.MemoryMarshal + ".GetReference(gradient);");
            foreach (StateBuffer buffer in buffers)
            {
                w.Line("ref " + type + " " + buffer.Reference + " = ref " + SourceWriter.MemoryMarshal + ".GetReference(" + buffer.Field + ");");
            }

            w.Line("nuint i = 0;");
            w.Line();
            w.Line("// Widest accelerated registers first (the JIT folds the IsHardwareAccelerated checks), an");
            w.Line("// unrolled main loop at that width, then one register at a time at each narrower width,");
            w.Line("// then single elements with the same formula: no element is processed twice.");
            int[] widths = { 512, 256, 128 };
            for (int index = 0; index < widths.Length; index++)
            {
                KernelFlavor flavor = KernelFlavor.Vector(element, widths[index]);
                using (w.Block("if (" + flavor.VectorClass + ".IsHardwareAccelerated)"))
                {
                    foreach (KernelScalar s in scalars)
                    {
                        w.Line("var " + s.Name + widths[index] + " = " + flavor.Broadcast(s.Name) + ";");
                    }

                    w.Line("nuint width = (nuint)" + flavor.Type + ".Count;");
                    if (index == 0)
                    {
                        WriteUnrolledLoop(w, spec, flavor, scalars);
                    }
                    else
                    {
                        using (w.Block("if (!" + KernelFlavor.Vector(element, widths[index - 1]).VectorClass + ".IsHardwareAccelerated)"))
                        {
                            WriteUnrolledLoop(w, spec, flavor, scalars);
                        }
                    }

                    w.Line();

                    using (w.Block("for (; i + width <= length; i += width)"))
                    {
                        w.Line(BlockCall(flavor, "i", buffers, scalars));
                    }
                }

                w.Line();
            }

            using (w.Block("for (; i < length; i++)"))
            {
                w.Line(BlockCall(scalar, "i", buffers, scalars));
            }
        }
    }

    /// <summary>
    /// The main loop: <see cref="Unroll"/> registers per iteration, staged. The per-element template
    /// (<see cref="WriteUpdate"/>) is instantiated once per register, its locals suffixed 0..3, and
    /// each statement is written for every register before the next statement. So no load waits on a
    /// store of the same iteration to another buffer whose address merely matches in its low bits (4K
    /// aliasing) unless the template itself puts that store first: the block-by-block form was up to
    /// twice as slow in cache, depending on where the arrays happened to lie. Each element still sees
    /// the same operations in the same order, so results are unchanged bit for bit.
    /// </summary>
    private void WriteUnrolledLoop(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor flavor, IReadOnlyList<KernelScalar> scalars)
    {
        var copies = new List<string[]>();
        for (int k = 0; k < Unroll; k++)
        {
            string offset = k switch { 0 => "i", 1 => "i + width", _ => "i + " + k + " * width" };
            var body = new IndentedTextWriter();
            WriteUpdate(body, spec, flavor.At(offset));
            string[] lines = body.ToString().Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);

            // Locals get the register's suffix, step scalars the width's broadcast name (negLr512).
            var renames = lines
                .Where(line => line.StartsWith("var ", StringComparison.Ordinal))
                .Select(line => line.Substring(4, line.IndexOf(' ', 4) - 4))
                .Select(local => (From: local, To: local + k))
                .Concat(scalars.Select(scalar => (From: scalar.Name, To: scalar.Name + flavor.Bits)))
                .ToList();
            copies.Add(lines.Select(line => renames.Aggregate(line, (text, rename) =>
                Regex.Replace(text, @"\b" + rename.From + @"\b", rename.To))).ToArray());
        }

        var staged = new List<string>();
        for (int line = 0; line < copies[0].Length; line++)
        {
            staged.AddRange(copies.Select(copy => copy[line]));
        }

        bool loadsFirst = flavor.Bits >= LoadsFirstBits;
        w.Line("// " + Unroll + " registers per iteration, each statement for all of them before the next" + (loadsFirst ? "; every load first." : "."));
        using (w.Block("for (; i + " + Unroll + " * width <= length; i += " + Unroll + " * width)"))
        {
            foreach (string line in loadsFirst ? HoistLoads(staged, flavor) : staged)
            {
                w.Line(line);
            }
        }
    }

    /// <summary>
    /// The narrowest registers whose unrolled loop issues every load before its first statement. With
    /// 512-bit registers the staged loop of centered RMSProp with momentum (five buffers) ran 10–30%
    /// faster in cache when the loads of m and b no longer waited behind the stores to v (A/B in
    /// benchmarks/README.md); narrower loops keep the staged order, which the JIT schedules as well.
    /// </summary>
    private const int LoadsFirstBits = 512;

    /// <summary>
    /// Moves every load of the staged loop to its top, in the order they appear: a statement that is
    /// only a load moves whole, a load inside an expression becomes a local (<c>vOld0</c>), and a
    /// buffer read twice at one offset is read once. A load that follows a store to the same buffer
    /// stays where it is, so each element still sees the same values in the same order.
    /// </summary>
    private static IEnumerable<string> HoistLoads(IReadOnlyList<string> staged, KernelFlavor flavor)
    {
        // The patterns are the flavor's own load and store, with the buffer captured and any offset or value matched.
        var load = new Regex(Pattern(flavor.At(OffsetMark).Load(BufferMark)));
        var wholeLineLoad = new Regex(@"^var (\w+) = (" + load + ");$");
        var store = new Regex(Pattern(flavor.At(OffsetMark).Store(BufferMark, ValueMark)) + "$");

        var loads = new List<string>();
        var body = new List<string>();
        var locals = new Dictionary<string, string>(StringComparer.Ordinal);
        var perBuffer = new Dictionary<string, int>(StringComparer.Ordinal);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in staged)
        {
            Match whole = wholeLineLoad.Match(line);
            if (whole.Success && !stored.Contains(whole.Groups[3].Value) && !locals.ContainsKey(whole.Groups[2].Value))
            {
                locals.Add(whole.Groups[2].Value, whole.Groups[1].Value);
                loads.Add(line);
                continue;
            }

            body.Add(load.Replace(line, match =>
            {
                string buffer = match.Groups[1].Value;
                if (stored.Contains(buffer))
                {
                    return match.Value;
                }

                if (!locals.TryGetValue(match.Value, out string? local))
                {
                    perBuffer.TryGetValue(buffer, out int count);
                    perBuffer[buffer] = count + 1;
                    local = buffer + "Old" + count.ToString(CultureInfo.InvariantCulture);
                    locals.Add(match.Value, local);
                    loads.Add("var " + local + " = " + match.Value + ";");
                }

                return local;
            }));

            Match stores = store.Match(line);
            if (stores.Success)
            {
                stored.Add(stores.Groups[1].Value);
            }
        }

        return loads.Concat(body);
    }

    private const string BufferMark = "\u0001", OffsetMark = "\u0002", ValueMark = "\u0003";

    /// <summary>A regular expression for code that <see cref="KernelFlavor"/> spelled with the marks in place of its buffer (captured), offset and value.</summary>
    private static string Pattern(string marked) => Regex.Escape(marked)
        .Replace(BufferMark, @"(\w+)")
        .Replace(OffsetMark, @"[^()]*")
        .Replace(ValueMark, ".*");

    /// <summary>Whether <paramref name="scalar"/> is coupled (L2) decay, <c>g + wd·p</c>: its kernels are generic over it.</summary>
    private static bool IsCoupledDecay(KernelScalar scalar) => scalar.Name == KernelScalar.CoupledDecayName;

    /// <summary>
    /// <c>&lt;TDecay&gt;</c> for kernels with coupled decay: compiled once with the term
    /// (<see cref="SourceWriter.WithCoupledDecay"/>) and once without, for steps whose decay is 0.
    /// </summary>
    private static string DecayTypeParameter(IReadOnlyList<KernelScalar> scalars) =>
        scalars.Any(IsCoupledDecay) ? "<TDecay>" : string.Empty;

    private static string DecayConstraint(IReadOnlyList<KernelScalar> scalars) =>
        scalars.Any(IsCoupledDecay) ? " where TDecay : struct" : string.Empty;

    private static string BlockCall(KernelFlavor flavor, string offset, IReadOnlyList<StateBuffer> buffers, IReadOnlyList<KernelScalar> scalars)
    {
        var arguments = new List<string> { "ref p", "ref g" };
        arguments.AddRange(buffers.Select(b => "ref " + b.Reference));
        arguments.Add(offset);
        arguments.AddRange(scalars.Select(s => flavor.IsScalar ? s.Name : s.Name + flavor.Bits));
        return flavor.BlockMethod + DecayTypeParameter(scalars) + "(" + string.Join(", ", arguments) + ");";
    }

    private void WriteBlock(IndentedTextWriter w, OptimizerSpec spec, KernelFlavor flavor, IReadOnlyList<StateBuffer> buffers, IReadOnlyList<KernelScalar> scalars)
    {
        string type = flavor.ElementType;
        var parameters = new List<string> { "ref " + type + " p", "ref " + type + " g" };
        parameters.AddRange(buffers.Select(b => "ref " + type + " " + b.Reference));
        parameters.Add("nuint i");
        parameters.AddRange(scalars.Select(s => flavor.Type + " " + s.Name));

        w.Line(flavor.IsScalar
            ? "/// <summary>Updates the element at offset <paramref name=\"i\"/>; the same operations, in the same order, as the vector blocks.</summary>"
            : "/// <summary>Updates the " + flavor.Bits + "-bit register of elements at offset <paramref name=\"i\"/>.</summary>");
        w.Line(SourceWriter.AggressiveInlining);
        using (w.Block("private static void " + flavor.BlockMethod + DecayTypeParameter(scalars) + "(" + string.Join(", ", parameters) + ")" + DecayConstraint(scalars)))
        {
            WriteUpdate(w, spec, flavor);
        }
    }
}
