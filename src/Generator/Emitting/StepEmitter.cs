using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// The step plumbing of a generated optimizer: <c>ValidateStep</c> (every check before any write),
/// <c>ApplyStep</c> (the step's scalars, once, in double) and <c>UpdateRange</c> (one kernel call per
/// member slice, on the calling thread or a worker); for an update of several passes (a matrix routine
/// between element-wise passes), <c>UpdatePass</c> and the pass counts the base class walks.
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
            foreach (Member member in OptimizerEmitter.Members(model, optimizer))
            {
                // The length the state was sized by (a shard's state is shorter than its member); any length without state.
                ParameterSpec parameter = member.Parameter;
                string stateLength = member.Part.Buffers.Count == 0 ? "-1" : "MemberLength(" + member.Index + ")";
                w.Line(SourceWriter.Guard + ".StepArguments(model." + parameter.Identifier + ", gradients." + parameter.Identifier + ", " + stateLength + ", " + Literals.String(parameter.Name) + ");");
            }

            // State per row or per column must still fit a member replaced by one of the same length but another shape.
            foreach (Member member in OptimizerEmitter.Members(model, optimizer))
            {
                foreach (StateBuffer buffer in member.Part.Buffers.Where(b => b.Shape != StateShape.Element))
                {
                    w.Line(SourceWriter.Guard + ".StateShape(" + OptimizerEmitter.FieldName(buffer, member.Parameter) + ".Length, " + OptimizerEmitter.StateLengthExpression("model", member.Parameter, buffer)
                        + ", " + Literals.String(buffer.Key) + ", " + Literals.String(member.Parameter.Name) + ");");
                }
            }

            // A matrix member replaced by one of the same length but another shape must still fit the routine's workspace.
            foreach ((UpdatePart part, MatrixRoutine routine) in OptimizerEmitter.Routines(model, optimizer).Where(r => !r.Routine.OnVector))
            {
                foreach (Member member in OptimizerEmitter.Members(model, optimizer).Where(m => m.Part == part))
                {
                    string array = "model." + member.Parameter.Identifier + "!";
                    w.Line(part.WorkspaceField(routine) + ".EnsureFits(" + array + ".GetLength(0), " + array + ".GetLength(1), " + Literals.String(member.Parameter.Name) + ");");
                }
            }
        }
    }

    /// <summary>
    /// ApplyStep computes the step's scalars (in double, once) into fields and lets the base class walk
    /// the members; UpdateRange runs the fused kernel on a slice of one member, on the calling thread or,
    /// for a large buffer with MaxDegreeOfParallelism &gt; 1, on a worker. Every element is independent,
    /// so a split step computes exactly what a whole one does. A member whose update has several passes is
    /// walked pass by pass (<c>UpdatePass</c>): each element-wise pass may be split, a matrix routine runs whole.
    /// </summary>
    public static void WriteApplyStep(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        Member[] members = OptimizerEmitter.Members(model, optimizer).ToArray();
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

            foreach (UpdatePart part in optimizer.Parts)
            {
                foreach (StepScalar scalar in optimizer.SharedScalars(part))
                {
                    w.Line(part.ScalarField(scalar) + " = " + ResolveScalars(scalar.Expression(part.LearningRate, part.WeightDecay), part, null) + ";");
                }
            }

            if (optimizer.ScalarStates.Count > 0)
            {
                // PyTorch creates these at its first step, from that step's values.
                using (w.Block("if (StepCount == 0)"))
                {
                    foreach (Member member in members)
                    {
                        foreach (ScalarState state in optimizer.ScalarStates)
                        {
                            w.Line(OptimizerEmitter.ScalarStateField(state, member.Parameter) + "[0] = (float)(" + Resolve(state.Initial, optimizer, member) + ");");
                        }
                    }
                }
            }

            foreach (Member member in members)
            {
                // [LearningRateScale] / [NoWeightDecay], a scalar state or the member's shape: this member's own values of the scalars.
                foreach (StepScalar scalar in member.Part.Scalars.Where(s => HasOwnValue(s, member.Parameter)))
                {
                    w.Line(ScalarField(scalar, member) + " = " + Resolve(scalar.Template, optimizer, member) + ";");
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
                foreach (Member member in members)
                {
                    foreach (ScalarState state in optimizer.ScalarStates)
                    {
                        w.Line(OptimizerEmitter.ScalarStateField(state, member.Parameter) + "[0] = (float)(" + Resolve(state.Update, optimizer, member) + ");");
                    }
                }
            }
        }

        bool passes = optimizer.HasPasses(model.Parameters.Count);
        if (passes)
        {
            WritePassCounts(w, members);
        }

        // UpdateRange(member, start, count), or for several passes UpdatePass(member, pass, start, count).
        string method = passes ? "UpdatePass" : "UpdateRange";
        string arguments = passes ? "member, pass, start, count" : "member, start, count";
        w.Line();
        if (passes)
        {
            w.Line("/// <inheritdoc/>");
            w.Line("protected override void UpdateRange(int member, int start, int count) => UpdatePass(member, 0, start, count);");
            w.Line();
        }

        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void " + method + "(int member, " + (passes ? "int pass, " : string.Empty) + "int start, int count)"))
        {
            // The kernels' instantiation for this step: with GlobalNormClip's scale or without, clearing the gradients or not.
            string scaled = KernelSwitches.On(KernelSwitch.GradientScale), unscaled = KernelSwitches.Off(KernelSwitch.GradientScale);
            string cleared = KernelSwitches.On(KernelSwitch.ClearGradient), kept = KernelSwitches.Off(KernelSwitch.ClearGradient);
            using (w.Block("if (_" + StepScalar.GradientScale.Name + " != 1)"))
            {
                w.Line("if (ClearsGradients) " + method + "<" + scaled + ", " + cleared + ">(" + arguments + ");");
                w.Line("else " + method + "<" + scaled + ", " + kept + ">(" + arguments + ");");
            }

            using (w.Block("else"))
            {
                w.Line("if (ClearsGradients) " + method + "<" + unscaled + ", " + cleared + ">(" + arguments + ");");
                w.Line("else " + method + "<" + unscaled + ", " + kept + ">(" + arguments + ");");
            }
        }

        w.Line();
        w.Line(passes
            ? "/// <summary>Runs pass <paramref name=\"pass\"/> of member <paramref name=\"member\"/>'s update on its elements [start, start + count).</summary>"
            : "/// <summary>Runs the kernel of member <paramref name=\"member\"/> on its elements [start, start + count).</summary>");
        using (w.Block("private void " + method + "<TScale, TClear>(int member, " + (passes ? "int pass, " : string.Empty) + "int start, int count) where TScale : struct where TClear : struct"))
        {
            w.Line(modelType + " model = _model;");
            w.Line(modelType + ".Gradients gradients = _gradients!;");
            if (optimizer.Parts.Any(p => p.Buffers.Count > 0))
            {
                // A shard's state holds the member's elements from StateStart(member) on; parameters and gradients are whole.
                w.Line("int stateStart = start - StateStart(member);");
            }

            using (w.Block("switch (member)"))
            {
                foreach (Member member in members)
                {
                    w.Line("case " + member.Index + ":");
                    if (member.Part.Passes.Count == 1)
                    {
                        WritePass(w, optimizer, member, member.Part.Passes[0], "    ");
                        continue;
                    }

                    w.Line("    switch (pass)");
                    w.Line("    {");
                    for (int pass = 0; pass < member.Part.Passes.Count; pass++)
                    {
                        w.Line("        " + (pass == member.Part.Passes.Count - 1 ? "default" : "case " + pass) + ":");
                        WritePass(w, optimizer, member, member.Part.Passes[pass], "            ");
                    }

                    w.Line("    }");
                    w.Line();
                    w.Line("    break;");
                }

                w.Line("default:");
                w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(member));");
            }
        }
    }

    /// <summary>
    /// <c>PassCount</c> and <c>IsWholeMemberPass</c> for the base class's walk: per member, its part's passes, and which of
    /// them is a matrix routine (run whole, on the calling thread).
    /// </summary>
    private static void WritePassCounts(IndentedTextWriter w, Member[] members)
    {
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("protected override int PassCount(int member) => member switch");
        using (w.Open(close: "};"))
        {
            foreach (IGrouping<int, Member> group in members.Where(m => m.Part.Passes.Count > 1).GroupBy(m => m.Part.Passes.Count))
            {
                w.Line(string.Join(" or ", group.Select(m => m.Index.ToString(CultureInfo.InvariantCulture))) + " => " + group.Key + ",");
            }

            w.Line("_ => 1,");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("protected override bool IsWholeMemberPass(int member, int pass) => member switch");
        using (w.Open(close: "};"))
        {
            foreach (IGrouping<string, Member> group in members.Where(m => RoutinePasses(m) != "false").GroupBy(RoutinePasses))
            {
                w.Line(string.Join(" or ", group.Select(m => m.Index.ToString(CultureInfo.InvariantCulture))) + " => " + group.Key + ",");
            }

            w.Line("_ => false,");
        }
    }

    /// <summary>
    /// "pass == 1": the test for the passes of <paramref name="member"/>'s update that run a routine on the whole member (a
    /// routine the member skips, [Lamb]'s and [Lars]'s trust ratio under [NoWeightDecay], leaves its passes element-wise).
    /// </summary>
    private static string RoutinePasses(Member member)
    {
        string[] tests = member.Part.Passes.Select((pass, index) => (pass, index))
            .Where(p => p.pass.Routine is { } routine && !Skips(routine, member))
            .Select(p => "pass == " + p.index).ToArray();
        return tests.Length == 0 ? "false" : string.Join(" || ", tests);
    }

    /// <summary>Whether <paramref name="member"/> skips <paramref name="routine"/> ([NoWeightDecay] and a routine that says so).</summary>
    private static bool Skips(MatrixRoutine routine, Member member) => routine.SkipsNoWeightDecay && member.Parameter.NoWeightDecay;

    /// <summary>One pass of a member's update and its <c>break</c>: its kernel call, or its matrix routine.</summary>
    private static void WritePass(IndentedTextWriter w, OptimizerLayout optimizer, Member member, UpdatePass pass, string indent)
    {
        if (pass.Routine is { WholeUpdate: true } update)
        {
            WriteWholeUpdate(w, member, update, indent);
            return;
        }

        if (pass.Routine is { OnVector: true } vectorRoutine)
        {
            if (Skips(vectorRoutine, member))
            {
                w.Line(indent + "// [NoWeightDecay]: not " + vectorRoutine.Description + ".");
                w.Line(indent + "break;");
                return;
            }

            string vectorScratch = "global::System.MemoryExtensions.AsSpan(" + member.Part.ScratchField(vectorRoutine, member.Parameter.Element) + ", start, count)";
            string parameterSpan = SourceWriter.Tensors + ".AsSpan(model." + member.Parameter.Identifier + "!).Slice(start, count)";
            w.Line(indent + "// " + char.ToUpperInvariant(vectorRoutine.Description[0]) + vectorRoutine.Description.Substring(1) + ", in place.");
            w.Line(indent + vectorRoutine.Method + "(" + string.Join(", ", new[] { vectorScratch, parameterSpan }
                .Concat(vectorRoutine.Arguments.Select(a => member.Parameter.Element == ElementKind.Double ? a : "(float)" + a))) + ");");
            w.Line(indent + "break;");
            return;
        }

        if (pass.Routine is { } routine)
        {
            // The scratch buffer is indexed by element, like the parameter: a matrix routine runs on a whole member, which a
            // shard holds whole or not at all (the base's constructor refuses a shard that cuts it).
            string scratch = "global::System.MemoryExtensions.AsSpan(" + member.Part.ScratchField(routine) + ", start, count)";
            string array = "model." + member.Parameter.Identifier + "!";
            w.Line(indent + "// " + char.ToUpperInvariant(routine.Description[0]) + routine.Description.Substring(1) + ", in place.");
            w.Line(indent + routine.Method + "(" + string.Join(", ", new[] { scratch, array + ".GetLength(0)", array + ".GetLength(1)", scratch }
                .Concat(routine.Arguments).Append(member.Part.WorkspaceField(routine))) + ");");
            w.Line(indent + "break;");
            return;
        }

        KernelDescription kernel = pass.Kernels.First(k => k.Element == member.Parameter.Element);
        WriteMemberCase(w, optimizer, member, kernel, indent);
    }

    /// <summary>
    /// A routine that is the member's whole update ([Adafactor]): the parameter, the gradient and the state buffers whole
    /// (the base walks such a member as one slice, and a shard holds it whole or not at all), the shape of its last two
    /// dimensions when its state is per row or column, its scalars, the constants, and whether to clear the gradient.
    /// </summary>
    private static void WriteWholeUpdate(IndentedTextWriter w, Member member, MatrixRoutine routine, string indent)
    {
        ParameterSpec parameter = member.Parameter;
        string array = "model." + parameter.Identifier + "!";
        var arguments = new List<string>
        {
            SourceWriter.Tensors + ".AsSpan(" + array + ").Slice(start, count)",
            SourceWriter.Tensors + ".AsSpan(gradients." + parameter.Identifier + ").Slice(start, count)",
        };
        arguments.AddRange(member.Part.Buffers.Select(b => "global::System.MemoryExtensions.AsSpan(" + OptimizerEmitter.FieldName(b, parameter) + ")"));
        if (member.Part.Buffers.Any(b => b.Shape != StateShape.Element))
        {
            int rank = parameter.Rank;
            string batches = rank == 2 ? "1" : string.Join(" * ", Enumerable.Range(0, rank - 2).Select(d => array + ".GetLength(" + d + ")"));
            arguments.Add(batches);
            arguments.Add(array + ".GetLength(" + (rank - 2) + ")");
            arguments.Add(array + ".GetLength(" + (rank - 1) + ")");
        }

        arguments.AddRange(member.Part.Scalars.Where(s => s.Passed).Select(s => ScalarField(s, member)));
        arguments.AddRange(routine.Arguments);
        arguments.Add(KernelSwitches.IsOn(KernelSwitch.ClearGradient));
        w.Line(indent + "// " + char.ToUpperInvariant(routine.Description[0]) + routine.Description.Substring(1) + ".");
        w.Line(indent + routine.Method + "(");
        for (int i = 0; i < arguments.Count; i++)
        {
            w.Line(indent + "    " + arguments[i] + (i == arguments.Count - 1 ? ");" : ","));
        }

        w.Line(indent + "break;");
    }

    /// <summary>A kernel's call on the member's slice (its buffers by role, its scalars), then <c>break</c>.</summary>
    private static void WriteMemberCase(IndentedTextWriter w, OptimizerLayout optimizer, Member member, KernelDescription kernel, string indent)
    {
        ParameterSpec parameter = member.Parameter;
        UpdatePart part = member.Part;
        var arguments = kernel.Buffers.Select(buffer => buffer.Role switch
        {
            BufferRole.Parameter => SourceWriter.Tensors + ".AsSpan(model." + parameter.Identifier + "!).Slice(start, count)",
            BufferRole.Gradient => SourceWriter.Tensors + ".AsSpan(gradients." + parameter.Identifier + ").Slice(start, count)",
            BufferRole.Scratch => "global::System.MemoryExtensions.AsSpan(" + part.ScratchField(part.Routines.First(r => r.Scratch == buffer.Reference), parameter.Element) + ", start, count)",
            _ => "global::System.MemoryExtensions.AsSpan(" + OptimizerEmitter.FieldName(part.Buffers.First(b => b.Reference == buffer.Reference), parameter) + ", stateStart, count)",
        }).ToList();
        StepScalar[] scalars = KernelEmitter.ScalarsOf(part, kernel).ToArray();
        arguments.AddRange(scalars.Select(s => (parameter.Element == ElementKind.Single ? "(float)" : string.Empty) + ScalarField(s, member)));
        if (kernel.RoundsStochastically)
        {
            // The member's stream this step, moved to the slice's first element: every element draws the same bits
            // however the member is split.
            arguments.Add("unchecked(" + SourceWriter.StochasticRounding + ".StepKey(StochasticRoundingSeed, StepCount, " + member.Index + ") + (uint)start)");
        }

        bool blockwise = kernel.IsBlockwise && OptimizerEmitter.IsBlockwise(member);
        if (!blockwise)
        {
            WriteKernelCall(w, optimizer, kernel, member, indent, kernel.BufferMethod, arguments);
            w.Line(indent + "break;");
            return;
        }

        // 8-bit block-wise state for members of 4,096 elements or more: UpdateBlocks runs the same kernel block by block.
        StateBuffer[] states = kernel.Buffers.Where(b => b.Role == BufferRole.State).Select(b => part.Buffers.First(s => s.Reference == b.Reference)).ToArray();
        var blockArguments = kernel.Buffers.Select((buffer, index) => (buffer, index)).Where(b => b.buffer.Role != BufferRole.State).Select(b => arguments[b.index])
            .Concat(states.Select((b, k) => OptimizerEmitter.BlockwiseFieldName(b, parameter) + (k == 0 ? string.Empty : "!")))
            .Append("stateStart")
            .Concat(scalars.Select(s => "(float)" + ScalarField(s, member)))
            .ToList();
        string inner = indent + "    ";
        w.Line(indent + "if (" + OptimizerEmitter.BlockwiseFieldName(states[0], parameter) + " is null)");
        w.Line(indent + "{");
        WriteKernelCall(w, optimizer, kernel, member, inner, kernel.BufferMethod, arguments, last: false);
        w.Line(indent + "}");
        w.Line(indent + "else");
        w.Line(indent + "{");
        WriteKernelCall(w, optimizer, kernel, member, inner, kernel.BlocksMethod, blockArguments, last: false);
        w.Line(indent + "}");
        w.Line();
        w.Line(indent + "break;");
    }

    /// <summary>
    /// A call of <paramref name="method"/> instantiated for this step's switches: on or off for each switch the layout
    /// chooses (<see cref="OptimizerLayout.SwitchConditions"/>: with L2 decay or without, when the kind has it, then the
    /// kind's own branch), nested in that order, one branch per call.
    /// </summary>
    private static void WriteKernelCall(IndentedTextWriter w, OptimizerLayout optimizer, KernelDescription kernel, Member member, string indent, string method, List<string> arguments, bool last = true)
    {
        var chosen = optimizer.SwitchConditions.Where(c => kernel.Switches.Contains(c.Switch))
            .Select(c => (c.Switch, OffWhen: ResolveScalars(c.OffWhen, member.Part, member)))
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
    /// <paramref name="template"/> for <paramref name="member"/>: its learning rate and weight decay, its shape
    /// (<c>{rows}</c>, <c>{columns}</c>: the model array's first and second dimensions), its scalar states
    /// (<c>{state:eta}</c>: the float read as a double) and its part's step scalars (<c>{mu}</c>: the member's field).
    /// </summary>
    private static string Resolve(string template, OptimizerLayout optimizer, Member member)
    {
        (string lr, string wd) = RateExpressions(member);
        string array = "_model." + member.Parameter.Identifier + "!";
        string text = template.Replace("{lr}", lr).Replace("{wd}", wd)
            .Replace("{rows}", array + ".GetLength(0)").Replace("{columns}", array + ".GetLength(1)");
        foreach (ScalarState state in optimizer.ScalarStates)
        {
            text = text.Replace(state.Placeholder, "(double)" + OptimizerEmitter.ScalarStateField(state, member.Parameter) + "[0]");
        }

        return ResolveScalars(text, member.Part, member);
    }

    /// <summary>
    /// <paramref name="template"/> with each step scalar of <paramref name="part"/> it reads (<c>{name}</c>) replaced by its
    /// field: the member's own where <paramref name="member"/> has one, else the part's shared one (null: the shared ones).
    /// </summary>
    private static string ResolveScalars(string template, UpdatePart part, Member? member)
    {
        foreach (StepScalar scalar in part.Scalars)
        {
            template = template.Replace("{" + scalar.Name + "}", member is null ? part.ScalarField(scalar) : ScalarField(scalar, member));
        }

        return template;
    }

    /// <summary>
    /// The member's own learning-rate and weight-decay expressions: its part's, with the member's overrides applied:
    /// "(learningRate * 0.1d)", "0d".
    /// </summary>
    private static (string LearningRate, string WeightDecay) RateExpressions(Member member) => (
        member.Parameter.LearningRateScale == 1 ? member.Part.LearningRate : "(" + member.Part.LearningRate + " * " + Literals.Double(member.Parameter.LearningRateScale) + ")",
        member.Parameter.NoWeightDecay ? "0d" : member.Part.WeightDecay);

    /// <summary>
    /// True when <paramref name="scalar"/> differs for this member: its expression uses a rate the member overrides, or it
    /// is the member's own (<see cref="StepScalar.IsPerMember"/>: a scalar state's or the shape's). A member with
    /// [LearningRateScale] needs its own negated rate, but shares Adam's bias corrections, which depend on the step alone.
    /// </summary>
    public static bool HasOwnValue(StepScalar scalar, ParameterSpec parameter) =>
        (parameter.LearningRateScale != 1 && scalar.UsesLearningRate) || (parameter.NoWeightDecay && scalar.UsesWeightDecay) || scalar.IsPerMember;

    /// <summary>The field holding <paramref name="scalar"/> for <paramref name="member"/>: its own ("_negLr_W1") or its part's ("_negLr").</summary>
    public static string ScalarField(StepScalar scalar, Member member) =>
        member.Part.ScalarField(scalar) + (HasOwnValue(scalar, member.Parameter) ? "_" + member.Parameter.Name : string.Empty);
}
