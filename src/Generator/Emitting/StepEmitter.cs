using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// The step plumbing of a generated optimizer: <c>ValidateStep</c> (every check before any write),
/// <c>ApplyStep</c> (the step's scalars, once, in double) and <c>UpdateRange</c> (one kernel call per
/// member slice, on the calling thread or a worker).
/// </summary>
internal static class StepEmitter
{
    public static void WriteValidateStep(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void ValidateStep(" + modelType + ".Gradients gradients)"))
        {
            if (optimizer.Modes is not null)
            {
                // In evaluation mode the model holds x; the gradients must be taken at y.
                w.Line(SourceWriter.Guard + ".Training(_training, Kind);");
            }

            w.Line(modelType + " model = _model;");
            for (int index = 0; index < model.Parameters.Count; index++)
            {
                // The length the state was sized by (a shard's state is shorter than its member); any length without state.
                ParameterSpec parameter = model.Parameters[index];
                string stateLength = optimizer.Buffers.Count == 0 ? "-1" : "MemberLength(" + index + ")";
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
    public static void WriteApplyStep(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void ApplyStep(" + modelType + ".Gradients gradients, double learningRate, double weightDecay)"))
        {
            if (optimizer.Values.Count > 0)
            {
                w.Line("// Once per step, in the precision the reference computes them in: the values the scalars share"
                    + (optimizer.States.Count > 0 ? ", then the state kept across steps." : "."));
            }

            foreach (StepValue value in optimizer.Values)
            {
                w.Line(value.Type.Keyword() + " " + value.Name + " = " + value.Expression + ";");
            }

            foreach (StepState state in optimizer.States)
            {
                w.Line(state.Value + " = " + state.Next + ";");
            }

            foreach (StepScalar scalar in optimizer.Scalars.Where(s => !s.UsesScalarState))
            {
                w.Line("_" + scalar.Name + " = " + ResolveScalars(scalar.Expression("learningRate", "weightDecay"), optimizer, null) + ";");
            }

            if (optimizer.ScalarStates.Count > 0)
            {
                // PyTorch creates these at its first step, from that step's values.
                using (w.Block("if (StepCount == 0)"))
                {
                    foreach (ParameterSpec parameter in model.Parameters)
                    {
                        foreach (ScalarState state in optimizer.ScalarStates)
                        {
                            w.Line(OptimizerEmitter.ScalarStateField(state, parameter) + "[0] = (float)(" + Resolve(state.Initial, optimizer, parameter) + ");");
                        }
                    }
                }
            }

            foreach (ParameterSpec parameter in model.Parameters)
            {
                // [LearningRateScale] / [NoWeightDecay]: this member's own values of the scalars they change.
                foreach (StepScalar scalar in optimizer.Scalars.Where(s => HasOwnValue(s, parameter)))
                {
                    w.Line(ScalarField(scalar, parameter) + " = " + Resolve(scalar.Template, optimizer, parameter) + ";");
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

            if (optimizer.ScalarStates.Count > 0)
            {
                w.Line();
                w.Line("// What the next step reads, from this step's values (StepCount is still this step's 0-based index).");
                foreach (ParameterSpec parameter in model.Parameters)
                {
                    foreach (ScalarState state in optimizer.ScalarStates)
                    {
                        w.Line(OptimizerEmitter.ScalarStateField(state, parameter) + "[0] = (float)(" + Resolve(state.Update, optimizer, parameter) + ");");
                    }
                }
            }
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void UpdateRange(int member, int start, int count)"))
        {
            // The kernels' instantiation for this step: with GlobalNormClip's scale or without, clearing the gradients or not.
            string scaled = KernelSwitches.On(KernelSwitch.GradientScale), unscaled = KernelSwitches.Off(KernelSwitch.GradientScale);
            string cleared = KernelSwitches.On(KernelSwitch.ClearGradient), kept = KernelSwitches.Off(KernelSwitch.ClearGradient);
            using (w.Block("if (_" + StepScalar.GradientScale.Name + " != 1)"))
            {
                w.Line("if (ClearsGradients) UpdateRange<" + scaled + ", " + cleared + ">(member, start, count);");
                w.Line("else UpdateRange<" + scaled + ", " + kept + ">(member, start, count);");
            }

            using (w.Block("else"))
            {
                w.Line("if (ClearsGradients) UpdateRange<" + unscaled + ", " + cleared + ">(member, start, count);");
                w.Line("else UpdateRange<" + unscaled + ", " + kept + ">(member, start, count);");
            }
        }

        w.Line();
        w.Line("/// <summary>Runs the kernel of member <paramref name=\"member\"/> on its elements [start, start + count).</summary>");
        using (w.Block("private void UpdateRange<TScale, TClear>(int member, int start, int count) where TScale : struct where TClear : struct"))
        {
            w.Line(modelType + " model = _model;");
            w.Line(modelType + ".Gradients gradients = _gradients!;");
            if (optimizer.Buffers.Count > 0)
            {
                w.Line("int stateStart = start - StateStart(member);");
            }

            using (w.Block("switch (member)"))
            {
                for (int index = 0; index < model.Parameters.Count; index++)
                {
                    WriteMemberCase(w, optimizer, model.Parameters[index], index);
                }

                w.Line("default:");
                w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(member));");
            }
        }
    }

    private static void WriteMemberCase(IndentedTextWriter w, OptimizerLayout optimizer, ParameterSpec parameter, int index)
    {
        KernelDescription kernel = OptimizerEmitter.KernelOf(optimizer, parameter);
        var arguments = new List<string>
        {
            SourceWriter.Tensors + ".AsSpan(model." + parameter.Identifier + "!).Slice(start, count)",
            SourceWriter.Tensors + ".AsSpan(gradients." + parameter.Identifier + ").Slice(start, count)",
        };
        arguments.AddRange(optimizer.Buffers.Select(b => "global::System.MemoryExtensions.AsSpan(" + OptimizerEmitter.FieldName(b, parameter) + ", stateStart, count)"));
        arguments.AddRange(optimizer.KernelScalars.Select(s => (parameter.Element == ElementKind.Single ? "(float)" : string.Empty) + ScalarField(s, parameter)));
        if (kernel.RoundsStochastically)
        {
            // The member's stream this step, moved to the slice's first element: every element draws the same bits
            // however the member is split.
            arguments.Add("unchecked(" + SourceWriter.StochasticRounding + ".StepKey(StochasticRoundingSeed, StepCount, " + index + ") + (uint)start)");
        }

        w.Line("case " + index + ":");
        if (!OptimizerEmitter.IsBlockwise(optimizer, parameter))
        {
            WriteKernelCall(w, optimizer, kernel, parameter, "    ", "UpdateBuffer", arguments);
            w.Line("    break;");
            return;
        }

        // 8-bit block-wise state for members of 4,096 elements or more: UpdateBlocks runs the same kernel block by block.
        var blockArguments = arguments.Take(2)
            .Concat(optimizer.Buffers.Select((b, k) => OptimizerEmitter.BlockwiseFieldName(b, parameter) + (k == 0 ? string.Empty : "!")))
            .Append("stateStart")
            .Concat(optimizer.KernelScalars.Select(s => "(float)" + ScalarField(s, parameter)))
            .ToList();
        w.Line("    if (" + OptimizerEmitter.BlockwiseFieldName(optimizer.Buffers[0], parameter) + " is null)");
        w.Line("    {");
        WriteKernelCall(w, optimizer, kernel, parameter, "        ", "UpdateBuffer", arguments, last: false);
        w.Line("    }");
        w.Line("    else");
        w.Line("    {");
        WriteKernelCall(w, optimizer, kernel, parameter, "        ", "UpdateBlocks", blockArguments, last: false);
        w.Line("    }");
        w.Line();
        w.Line("    break;");
    }

    /// <summary>
    /// A call of <paramref name="method"/> instantiated for this step's switches: on or off for each switch the layout
    /// chooses (<see cref="OptimizerLayout.SwitchConditions"/>: with L2 decay or without, when the kind has it, then the
    /// kind's own branch), nested in that order, one branch per call.
    /// </summary>
    private static void WriteKernelCall(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel, ParameterSpec parameter, string indent, string method, List<string> arguments, bool last = true)
    {
        var chosen = optimizer.SwitchConditions.Where(c => kernel.Switches.Contains(c.Switch))
            .Select(c => (c.Switch, OffWhen: ResolveScalars(c.OffWhen, optimizer, parameter)))
            .ToList();

        string call = method + "{0}(" + string.Join(", ", arguments) + ");";
        WriteChoice(w, kernel, indent, call, chosen, 0, new Dictionary<KernelSwitch, bool>());
        if (chosen.Count > 0 && last)
        {
            w.Line();
        }
    }

    /// <summary>
    /// The call for each combination of the switches chosen from <paramref name="next"/> on, as nested if/else: the
    /// instantiation without the switch where its condition holds (without decay this step, the kernel compiled without the
    /// L2 term), with it otherwise.
    /// </summary>
    private static void WriteChoice(IndentedTextWriter w, KernelDescription kernel, string indent, string call,
        List<(KernelSwitch Switch, string OffWhen)> chosen, int next, Dictionary<KernelSwitch, bool> on)
    {
        if (next == chosen.Count)
        {
            string typeArguments = kernel.Switches.Any()
                ? "<" + string.Join(", ", kernel.Switches.Select(s => on.TryGetValue(s, out bool value)
                    ? (value ? KernelSwitches.On(s) : KernelSwitches.Off(s))
                    : KernelSwitches.TypeParameter(s))) + ">"
                : string.Empty;
            w.Line(indent + string.Format(CultureInfo.InvariantCulture, call, typeArguments));
            return;
        }

        (KernelSwitch choice, string offWhen) = chosen[next];
        foreach (bool branch in new[] { false, true })
        {
            w.Line(indent + (branch ? "else" : "if (" + offWhen + ")"));
            w.Line(indent + "{");
            on[choice] = branch;
            WriteChoice(w, kernel, indent + "    ", call, chosen, next + 1, on);
            w.Line(indent + "}");
        }

        on.Remove(choice);
    }

    /// <summary>
    /// <paramref name="template"/> for <paramref name="parameter"/>: its learning rate and weight decay, its scalar states
    /// (<c>{state:eta}</c>: the float read as a double) and its step scalars (<c>{mu}</c>: the member's field).
    /// </summary>
    private static string Resolve(string template, OptimizerLayout optimizer, ParameterSpec parameter)
    {
        (string lr, string wd) = RateExpressions(parameter);
        string text = template.Replace("{lr}", lr).Replace("{wd}", wd);
        foreach (ScalarState state in optimizer.ScalarStates)
        {
            text = text.Replace(state.Placeholder, "(double)" + OptimizerEmitter.ScalarStateField(state, parameter) + "[0]");
        }

        return ResolveScalars(text, optimizer, parameter);
    }

    /// <summary>
    /// <paramref name="template"/> with each step scalar it reads (<c>{name}</c>) replaced by its field: the member's own
    /// where <paramref name="parameter"/> has one, else the shared one (null: the shared ones).
    /// </summary>
    private static string ResolveScalars(string template, OptimizerLayout optimizer, ParameterSpec? parameter)
    {
        foreach (StepScalar scalar in optimizer.Scalars)
        {
            template = template.Replace("{" + scalar.Name + "}", parameter is null ? "_" + scalar.Name : ScalarField(scalar, parameter));
        }

        return template;
    }

    /// <summary>
    /// The member's own learning-rate and weight-decay expressions when it has overrides, else the
    /// optimizer's: "(learningRate * 0.1d)", "0d".
    /// </summary>
    private static (string LearningRate, string WeightDecay) RateExpressions(ParameterSpec parameter) => (
        parameter.LearningRateScale == 1 ? "learningRate" : "(learningRate * " + Literals.Double(parameter.LearningRateScale) + ")",
        parameter.NoWeightDecay ? "0d" : "weightDecay");

    /// <summary>
    /// True when <paramref name="scalar"/> differs for this member: its expression uses a rate the member
    /// overrides, or a scalar state, which every member has its own of. A member with [LearningRateScale] needs its own
    /// negated rate, but shares Adam's bias corrections, which depend on the step alone.
    /// </summary>
    public static bool HasOwnValue(StepScalar scalar, ParameterSpec parameter) =>
        (parameter.LearningRateScale != 1 && scalar.UsesLearningRate) || (parameter.NoWeightDecay && scalar.UsesWeightDecay) || scalar.UsesScalarState;

    /// <summary>The field holding <paramref name="scalar"/> for <paramref name="parameter"/>.</summary>
    public static string ScalarField(StepScalar scalar, ParameterSpec parameter) =>
        "_" + scalar.Name + (HasOwnValue(scalar, parameter) ? "_" + parameter.Name : string.Empty);
}
