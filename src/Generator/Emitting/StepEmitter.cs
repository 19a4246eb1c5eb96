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
            foreach (ParameterSpec parameter in model.Parameters)
            {
                string stateLength = optimizer.Buffers.Count == 0 ? "-1"
                    : OptimizerEmitter.IsBlockwise(optimizer, parameter)
                    ? "(" + OptimizerEmitter.BlockwiseFieldName(optimizer.Buffers[0], parameter) + "?.Length ?? " + OptimizerEmitter.FieldName(optimizer.Buffers[0], parameter) + "!.Length)"
                    : OptimizerEmitter.FieldName(optimizer.Buffers[0], parameter) + ".Length";
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
            foreach (StepScalar scalar in optimizer.Scalars)
            {
                w.Line("_" + scalar.Name + " = " + ReadScalars(scalar.Expression("learningRate", "weightDecay"), optimizer, null) + ";");
            }

            foreach (ParameterSpec parameter in model.Parameters)
            {
                // [LearningRateScale] / [NoWeightDecay]: this member's own values of the scalars they change.
                (string lr, string wd) = RateExpressions(parameter);
                foreach (StepScalar scalar in optimizer.Scalars.Where(s => HasOwnValue(s, parameter)))
                {
                    w.Line(ScalarField(scalar, parameter) + " = " + ReadScalars(scalar.Expression(lr, wd), optimizer, parameter) + ";");
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
        arguments.AddRange(optimizer.Buffers.Select(b => "global::System.MemoryExtensions.AsSpan(" + OptimizerEmitter.FieldName(b, parameter) + ", start, count)"));
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
            .Append("start")
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
    /// A call of <paramref name="method"/> instantiated for this step's switches: with L2 decay or without, when the kind has
    /// it, and on or off for each of the kind's own switches (<see cref="OptimizerLayout.SwitchConditions"/>), one branch per
    /// call.
    /// </summary>
    private static void WriteKernelCall(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel, ParameterSpec parameter, string indent, string method, List<string> arguments, bool last = true)
    {
        // The switches chosen here, each as (switch, condition, whether the condition means on), in the kernel's order.
        var chosen = new List<(KernelSwitch Switch, string Condition, bool OnWhenTrue)>();
        StepScalar? coupled = optimizer.Scalars.FirstOrDefault(s => s.IsCoupledDecay);
        if (coupled is not null)
        {
            // Without decay this step, the kernel compiled without the L2 term.
            chosen.Add((KernelSwitch.CoupledDecay, ScalarField(coupled, parameter) + " == 0", false));
        }

        foreach (SwitchCondition condition in optimizer.SwitchConditions.Where(c => kernel.Switches.Contains(c.Switch)))
        {
            chosen.Add((condition.Switch, ReadScalars(condition.Condition, optimizer, parameter), true));
        }

        string call = method + "{0}(" + string.Join(", ", arguments) + ");";
        WriteChoice(w, kernel, indent, call, chosen, 0, new Dictionary<KernelSwitch, bool>());
        if (chosen.Count > 0 && last)
        {
            w.Line();
        }
    }

    /// <summary>The call for each combination of the switches chosen from <paramref name="next"/> on, as nested if/else.</summary>
    private static void WriteChoice(IndentedTextWriter w, KernelDescription kernel, string indent, string call,
        List<(KernelSwitch Switch, string Condition, bool OnWhenTrue)> chosen, int next, Dictionary<KernelSwitch, bool> on)
    {
        if (next == chosen.Count)
        {
            string typeArguments = "<" + string.Join(", ", kernel.Switches.Select(s => on.TryGetValue(s, out bool value)
                ? (value ? KernelSwitches.On(s) : KernelSwitches.Off(s))
                : KernelSwitches.TypeParameter(s))) + ">";
            w.Line(indent + string.Format(CultureInfo.InvariantCulture, call, typeArguments));
            return;
        }

        (KernelSwitch choice, string condition, bool onWhenTrue) = chosen[next];
        foreach (bool branch in new[] { true, false })
        {
            w.Line(indent + (branch ? "if (" + condition + ")" : "else"));
            w.Line(indent + "{");
            on[choice] = branch == onWhenTrue;
            WriteChoice(w, kernel, indent + "    ", call, chosen, next + 1, on);
            w.Line(indent + "}");
        }

        on.Remove(choice);
    }

    /// <summary>
    /// <paramref name="template"/> with each step scalar it reads (<c>{name}</c>) replaced by its field: the member's own
    /// where <paramref name="parameter"/> has one, else the shared one (null: the shared ones).
    /// </summary>
    private static string ReadScalars(string template, OptimizerLayout optimizer, ParameterSpec? parameter)
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
    /// overrides. A member with [LearningRateScale] needs its own negated rate, but shares Adam's bias
    /// corrections, which depend on the step alone.
    /// </summary>
    public static bool HasOwnValue(StepScalar scalar, ParameterSpec parameter) =>
        (parameter.LearningRateScale != 1 && scalar.UsesLearningRate) || (parameter.NoWeightDecay && scalar.UsesWeightDecay);

    /// <summary>The field holding <paramref name="scalar"/> for <paramref name="parameter"/>.</summary>
    public static string ScalarField(StepScalar scalar, ParameterSpec parameter) =>
        "_" + scalar.Name + (HasOwnValue(scalar, parameter) ? "_" + parameter.Name : string.Empty);
}
