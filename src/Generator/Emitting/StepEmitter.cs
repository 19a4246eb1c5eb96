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

            foreach (StepScalar scalar in optimizer.Scalars)
            {
                w.Line("_" + scalar.Name + " = " + scalar.Expression("learningRate", "weightDecay") + ";");
            }

            foreach (ParameterSpec parameter in model.Parameters)
            {
                // [LearningRateScale] / [NoWeightDecay]: this member's own values of the scalars they change.
                (string lr, string wd) = RateExpressions(parameter);
                foreach (StepScalar scalar in optimizer.Scalars.Where(s => HasOwnValue(s, parameter)))
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
        arguments.AddRange(optimizer.Scalars.Select(s => (parameter.Element == ElementKind.Single ? "(float)" : string.Empty) + ScalarField(s, parameter)));
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
            .Concat(optimizer.Scalars.Select(s => "(float)" + ScalarField(s, parameter)))
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
    /// A call of <paramref name="method"/> instantiated for this step's switches: for each step scalar that keys one (with
    /// L2 decay or without, when the kind has it; RAdam's rectified form or not), the instantiation with it off where the
    /// scalar is 0 this step, nested in the scalars' order.
    /// </summary>
    private static void WriteKernelCall(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel, ParameterSpec parameter, string indent, string method, List<string> arguments, bool last = true)
    {
        StepScalar[] keys = optimizer.Scalars.Where(s => s.Switch is { } choice && kernel.Switches.Contains(choice)).ToArray();
        string call = method + "{0}(" + string.Join(", ", arguments) + ");";
        if (keys.Length == 0)
        {
            w.Line(indent + string.Format(CultureInfo.InvariantCulture, call, TypeArguments(kernel, new Dictionary<KernelSwitch, string>())));
            return;
        }

        WriteSwitchedCall(w, kernel, parameter, indent, call, keys, 0, new Dictionary<KernelSwitch, string>());
        if (last)
        {
            w.Line();
        }
    }

    /// <summary>The if/else on <paramref name="keys"/>[<paramref name="depth"/>]: off where it is 0 (without decay this step, the kernel compiled without the L2 term), on otherwise.</summary>
    private static void WriteSwitchedCall(IndentedTextWriter w, KernelDescription kernel, ParameterSpec parameter, string indent, string call, StepScalar[] keys, int depth, Dictionary<KernelSwitch, string> chosen)
    {
        StepScalar key = keys[depth];
        KernelSwitch choice = key.Switch!.Value;
        foreach (bool on in new[] { false, true })
        {
            w.Line(indent + (on ? "else" : "if (" + ScalarField(key, parameter) + " == 0)"));
            w.Line(indent + "{");
            chosen[choice] = on ? KernelSwitches.On(choice) : KernelSwitches.Off(choice);
            if (depth == keys.Length - 1)
            {
                w.Line(indent + "    " + string.Format(CultureInfo.InvariantCulture, call, TypeArguments(kernel, chosen)));
            }
            else
            {
                WriteSwitchedCall(w, kernel, parameter, indent + "    ", call, keys, depth + 1, chosen);
            }

            w.Line(indent + "}");
        }
    }

    /// <summary>The kernel's type arguments: the chosen marker for each step-keyed switch, the caller's type parameter for the others.</summary>
    private static string TypeArguments(KernelDescription kernel, Dictionary<KernelSwitch, string> chosen) =>
        kernel.Switches.Any() ? "<" + string.Join(", ", kernel.Switches.Select(s => chosen.TryGetValue(s, out string? marker) ? marker : KernelSwitches.TypeParameter(s))) + ">" : string.Empty;

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
