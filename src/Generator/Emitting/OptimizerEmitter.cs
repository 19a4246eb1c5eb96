using System.Collections.Generic;
using System.Linq;
using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Writes one generated optimizer from its <see cref="OptimizerLayout"/>: the class shell and its members
/// (constants, configuration, fields, constructor, state access, reset) here, the step plumbing in
/// <see cref="StepEmitter"/> and the kernels in <see cref="KernelEmitter"/>. Nothing here is specific to
/// one optimizer kind: the layout carries all of it.
/// </summary>
internal static class OptimizerEmitter
{
    public static string Emit(ModelSpec model, OptimizerLayout optimizer)
    {
        HierarchySpec hierarchy = model.Hierarchy;
        string gradientsType = hierarchy.FullyQualifiedName + ".Gradients";

        return SourceWriter.Write(hierarchy, w =>
        {
            w.Line("/// <summary>");
            w.Line("/// " + optimizer.DisplayName + " optimizer generated for <see cref=\"" + SourceWriter.Cref(hierarchy) + "\"/>: one fused,");
            w.Line(optimizer.HasPasses(model.Parameters.Count)
                ? "/// allocation-free SIMD pass per trainable member (two around a matrix routine for a matrix update), with the attribute's hyperparameters as constants."
                : "/// allocation-free SIMD pass per trainable member, with the attribute's hyperparameters as constants.");
            w.Line("/// </summary>");
            w.Line("/// <remarks>");
            WriteRules(w, model, optimizer);
            if (optimizer.Kernels.SelectMany(k => k.Buffers).FirstOrDefault(b => b.Memory.Is16Bit()) is { } narrow)
            {
                w.Line("/// The state buffers are stored as " + (narrow.Memory == ElementKind.BFloat16 ? "bfloat16" : "IEEE binary16")
                    + " bits (2 bytes per element), widened to float on load and rounded "
                    + (narrow.Rounding == StoreRounding.Stochastic ? "stochastically (StochasticRoundingSeed)" : "to nearest even") + " on store.");
            }

            if (optimizer.Kernels.Any(k => k.IsBlockwise))
            {
                w.Line("/// The state buffers of members with at least 4,096 elements are stored as bitsandbytes' 8-bit block-wise state:");
                w.Line("/// one code index per element and one absmax per block of 256 (about 1 byte per element); each step dequantizes a");
                w.Line("/// block into float temporaries, runs the float32 update on it and quantizes it back. Smaller members keep float32 state.");
            }

            w.Line("/// </remarks>");
            w.Line(SourceWriter.GeneratedCodeAttribute);
            using (w.Block("public sealed partial class " + optimizer.TypeName + " : global::Gen.Optimizer<" + gradientsType + ">"))
            {
                WriteConstants(w, model, optimizer);
                WriteFields(w, model, optimizer);
                w.Line();
                WriteConstructor(w, model, optimizer);
                w.Line();
                WriteStateAccess(w, model, optimizer);
                w.Line();
                StepEmitter.WriteValidateStep(w, model, optimizer);
                w.Line();
                StepEmitter.WriteApplyStep(w, model, optimizer);
                w.Line();
                WriteResetState(w, model, optimizer);
                foreach (UpdatePart part in optimizer.Parts)
                {
                    foreach (KernelDescription kernel in part.Kernels)
                    {
                        KernelEmitter.Write(w, optimizer, part, kernel, model.Target);
                    }
                }
            }
        });
    }

    /// <summary>The field holding <paramref name="buffer"/> of <paramref name="parameter"/>: "_squareAvg_W1".</summary>
    public static string FieldName(StateBuffer buffer, ParameterSpec parameter) => "_" + buffer.Field + "_" + parameter.Name;

    /// <summary>The field holding <paramref name="buffer"/> of <paramref name="parameter"/> as 8-bit block-wise state: "_expAvg8Bit_W1".</summary>
    public static string BlockwiseFieldName(StateBuffer buffer, ParameterSpec parameter) => "_" + buffer.Field + "8Bit_" + parameter.Name;

    /// <summary>
    /// True when the state of <paramref name="member"/> may be 8-bit block-wise (decided at construction from its length):
    /// it then has a <see cref="BlockwiseFieldName"/> field beside the float one, one of them null.
    /// </summary>
    public static bool IsBlockwise(Member member) =>
        member.Part.Buffers.Count > 0 && KernelsOf(member).Any(k => k.IsBlockwise);

    /// <summary>The code <paramref name="buffer"/> is quantized with, as the kernel of <paramref name="member"/> records it.</summary>
    private static BlockwiseCode Code(Member member, StateBuffer buffer) =>
        KernelBufferOf(member, buffer).Blockwise;

    /// <summary>The element type <paramref name="buffer"/> of <paramref name="member"/> has in memory, as its kernel stores it.</summary>
    private static ElementKind Storage(Member member, StateBuffer buffer) =>
        KernelBufferOf(member, buffer).Memory;

    /// <summary>The kernels that update <paramref name="member"/>, one per element-wise pass of its part: those for its element type.</summary>
    public static IEnumerable<KernelDescription> KernelsOf(Member member) =>
        member.Part.Kernels.Where(k => k.Element == member.Parameter.Element);

    /// <summary><paramref name="buffer"/> as the kernels of <paramref name="member"/> describe it (storage, rounding, code).</summary>
    private static KernelBuffer KernelBufferOf(Member member, StateBuffer buffer) =>
        KernelsOf(member).SelectMany(k => k.Buffers).First(b => b.Reference == buffer.Reference);

    /// <summary>The model's trainable members, in declaration order, each with the part of <paramref name="optimizer"/> that updates it.</summary>
    public static IEnumerable<Member> Members(ModelSpec model, OptimizerLayout optimizer) =>
        model.Parameters.Select((parameter, index) => new Member(index, parameter, optimizer.PartOf(index)));

    /// <summary>
    /// The update rule of each part, for the class's remarks: of the only part as it is; of several, each under its name and
    /// the members it updates.
    /// </summary>
    private static void WriteRules(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        w.Line(optimizer.Parts.Count == 1 ? "/// Per element, in this order:" : "/// Per member, by the part that updates it; per element, in this order:");
        w.Line("/// <code>");
        foreach (UpdatePart part in optimizer.Parts)
        {
            string indent = string.Empty;
            if (optimizer.Parts.Count > 1)
            {
                string[] names = Members(model, optimizer).Where(m => m.Part == part).Select(m => m.Parameter.Name).ToArray();
                w.Line("/// " + part.Name + ", for " + (names.Length == 0 ? "no member of this model" : string.Join(", ", names)) + ":");
                indent = "    ";
            }

            foreach (string line in part.UpdateRule)
            {
                w.Line("/// " + indent + line.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;"));
            }
        }

        w.Line("/// </code>");
    }

    private static void WriteConstants(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        var constants = new List<PublicConstant>
        {
            PublicConstant.Double("DefaultLearningRate", optimizer.LearningRate, "The attribute's LearningRate: the value LearningRate starts at."),
            PublicConstant.Double("DefaultWeightDecay", optimizer.WeightDecay, "The attribute's WeightDecay: the value WeightDecay starts at."),
        };
        constants.AddRange(optimizer.Constants);
        foreach (PublicConstant constant in constants)
        {
            w.Line("/// <summary>" + constant.Summary + "</summary>");
            w.Line("public const " + constant.Type + " " + constant.Name + " = " + constant.Value + ";");
            w.Line();
        }

        w.Line("private static readonly global::System.Collections.Generic.KeyValuePair<string, string>[] s_configuration =");
        using (w.Open(close: "};"))
        {
            foreach (PublicConstant constant in optimizer.Constants.Where(c => c.InConfiguration))
            {
                w.Line("new(" + Literals.String(constant.Name) + ", " + Literals.String(constant.Text) + "),");
            }

            // Member overrides change the update too, so a checkpoint records them.
            foreach (ParameterSpec parameter in model.Parameters.Where(p => p.HasOverrides))
            {
                if (parameter.LearningRateScale != 1)
                {
                    w.Line("new(" + Literals.String("LearningRateScale." + parameter.Name) + ", " + Literals.String(Literals.Number(parameter.LearningRateScale)) + "),");
                }

                if (parameter.NoWeightDecay)
                {
                    w.Line("new(" + Literals.String("NoWeightDecay." + parameter.Name) + ", \"true\"),");
                }
            }

            // [ExcludeFromMuon] moves a matrix to another part, which changes its update and its state.
            foreach (ParameterSpec parameter in model.Parameters.Where(p => p.ExcludeFromMuon && optimizer.Parts.Count > 1))
            {
                w.Line("new(" + Literals.String("ExcludeFromMuon." + parameter.Name) + ", \"true\"),");
            }
        }
    }

    private static void WriteFields(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        w.Line();
        w.Line("private readonly " + modelType + " _model;");
        w.Line();
        w.Line("/// <summary>The gradients of the step in progress (read by UpdateRange, possibly on a worker thread).</summary>");
        w.Line("private " + modelType + ".Gradients? _gradients;");
        w.Line();
        w.Line("// The step's scalars, computed once per step in double by ApplyStep.");
        foreach (UpdatePart part in optimizer.Parts)
        {
            foreach (StepScalar scalar in part.Scalars.Where(s => !s.UsesShape && (part == optimizer.Parts[0] || s != StepScalar.GradientScale)))
            {
                w.Line("private double " + part.ScalarField(scalar) + ";");
            }
        }

        foreach (Member member in Members(model, optimizer))
        {
            foreach (StepScalar scalar in member.Part.Scalars.Where(s => StepEmitter.HasOwnValue(s, member.Parameter)))
            {
                w.Line("private double " + StepEmitter.ScalarField(scalar, member) + ";");
            }
        }

        foreach (Member member in Members(model, optimizer))
        {
            ParameterSpec parameter = member.Parameter;
            foreach (StateBuffer buffer in member.Part.Buffers)
            {
                string cref = "<see cref=\"" + SourceWriter.Cref(model.Hierarchy, parameter.Identifier) + "\"/>";
                w.Line();
                if (!IsBlockwise(member))
                {
                    w.Line("/// <summary>" + buffer.Description + " of " + cref + ", flattened.</summary>");
                    w.Line("private readonly " + Storage(member, buffer).Keyword() + "[] " + FieldName(buffer, parameter) + ";");
                    continue;
                }

                w.Line("/// <summary>" + buffer.Description + " of " + cref + ", flattened, when it has fewer than 4,096 elements; else null.</summary>");
                w.Line("private readonly " + Storage(member, buffer).Keyword() + "[]? " + FieldName(buffer, parameter) + ";");
                w.Line();
                w.Line("/// <summary>" + buffer.Description + " of " + cref + " as 8-bit block-wise state (" + Code(member, buffer).ToString().ToLowerInvariant() + " code) when it has 4,096 elements or more; else null.</summary>");
                w.Line("private readonly " + SourceWriter.BlockwiseState + "? " + BlockwiseFieldName(buffer, parameter) + ";");
            }
        }

        foreach ((UpdatePart part, MatrixRoutine routine) in Routines(model, optimizer))
        {
            if (routine.OnVector)
            {
                foreach (ElementKind element in ScratchElements(model, optimizer, part))
                {
                    w.Line();
                    w.Line("/// <summary>");
                    w.Line("/// The update of the " + element.Keyword() + " member in progress: written by the pass before the routine (" + routine.Description + "),");
                    w.Line("/// transformed in place, read by the pass after it. Sized for the longest such member; a step allocates nothing.");
                    w.Line("/// </summary>");
                    w.Line("private readonly " + element.Keyword() + "[] " + part.ScratchField(routine, element) + ";");
                }

                continue;
            }

            w.Line();
            w.Line("/// <summary>");
            w.Line("/// The update matrix of the member in progress, flattened: written by the pass before the matrix routine (" + routine.Description + "),");
            w.Line("/// transformed in place, read by the pass after it. Sized for the largest member of the " + part.Name + " part; a step allocates nothing.");
            w.Line("/// </summary>");
            w.Line("private readonly float[] " + part.ScratchField(routine) + ";");
            w.Line();
            w.Line("/// <summary>The matrix routine's buffers, sized at construction for the " + part.Name + " part's largest matrices.</summary>");
            w.Line("private readonly " + routine.Workspace + " " + part.WorkspaceField(routine) + ";");
        }

        if (Members(model, optimizer).Any(IsBlockwise))
        {
            w.Line();
            w.Line("/// <summary>What GetState lists: per member its float32 buffers, or per 8-bit buffer its codes, absmax and code table.</summary>");
            w.Line("private readonly global::Gen.OptimizerState[] _states;");
        }
    }

    private static void WriteConstructor(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        w.Line("/// <summary>");
        w.Line("/// Creates the optimizer for <paramref name=\"model\"/> and allocates its state once, sized by the");
        w.Line("/// model's arrays now. LearningRate starts at <see cref=\"DefaultLearningRate\"/> and WeightDecay at");
        w.Line("/// <see cref=\"DefaultWeightDecay\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"model\"/> is null.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A trainable member of the model is null, or two members hold the same array.</exception>");
        w.Line("public " + optimizer.TypeName + "(" + model.Hierarchy.FullyQualifiedName + " model)");
        w.Line("    : base(model, DefaultLearningRate, DefaultWeightDecay)");
        using (w.Open())
        {
            w.Line("_model = model;");
            foreach (Member member in Members(model, optimizer))
            {
                ParameterSpec parameter = member.Parameter;
                string length = SourceWriter.Guard + ".ParameterLength(model." + parameter.Identifier + ", " + Literals.String(parameter.Name) + ")";
                if (member.Part.Buffers.Count == 0)
                {
                    w.Line(length + ";");
                    continue;
                }

                if (IsBlockwise(member))
                {
                    WriteBlockwiseAllocation(w, member, length);
                    continue;
                }

                StateBuffer first = member.Part.Buffers[0];
                w.Line(FieldName(first, parameter) + " = new " + Storage(member, first).Keyword() + "[" + length + "];");
                foreach (StateBuffer buffer in member.Part.Buffers.Skip(1))
                {
                    w.Line(FieldName(buffer, parameter) + " = new " + Storage(member, buffer).Keyword() + "[" + FieldName(first, parameter) + ".Length];");
                }
            }

            WriteRoutineAllocation(w, model, optimizer);
            if (Members(model, optimizer).Any(IsBlockwise))
            {
                WriteStateList(w, model, optimizer);
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

            if (optimizer.Parts.Any(p => p.Buffers.Any(b => b.InitialValue != 0)))
            {
                w.Line("ResetState();");
            }
        }
    }

    /// <summary>A member's state, decided by its length now: 8-bit block-wise from 4,096 elements (each buffer at its initial value), else float32.</summary>
    private static void WriteBlockwiseAllocation(IndentedTextWriter w, Member member, string length)
    {
        ParameterSpec parameter = member.Parameter;
        w.Line();
        using (w.Block("if (" + SourceWriter.BlockwiseState + ".Quantizes(" + length + "))"))
        {
            foreach (StateBuffer buffer in member.Part.Buffers)
            {
                w.Line(BlockwiseFieldName(buffer, parameter) + " = new " + SourceWriter.BlockwiseState + "(model." + parameter.Identifier + "!.Length, signed: "
                    + Literals.Bool(Code(member, buffer) == BlockwiseCode.Signed) + ", initialValue: " + ElementKind.Single.Literal(buffer.InitialValue) + ");");
            }
        }

        using (w.Block("else"))
        {
            foreach (StateBuffer buffer in member.Part.Buffers)
            {
                w.Line(FieldName(buffer, parameter) + " = new " + Storage(member, buffer).Keyword() + "[model." + parameter.Identifier + "!.Length];");
            }
        }
    }

    /// <summary>The element types of the part's members in this model: one scratch buffer each for a vector routine.</summary>
    public static IEnumerable<ElementKind> ScratchElements(ModelSpec model, OptimizerLayout optimizer, UpdatePart part) =>
        Members(model, optimizer).Where(m => m.Part == part).Select(m => m.Parameter.Element).Distinct().OrderBy(e => e);

    /// <summary>The parts with a matrix routine and at least one member in this model, with the routine.</summary>
    public static IEnumerable<(UpdatePart Part, MatrixRoutine Routine)> Routines(ModelSpec model, OptimizerLayout optimizer) =>
        optimizer.Parts
            .Where(part => Members(model, optimizer).Any(m => m.Part == part))
            .SelectMany(part => part.Routines.Select(routine => (part, routine)));

    /// <summary>
    /// The scratch buffer and the workspace of each matrix routine, once, for the largest of the part's members (all
    /// non-null by now): every step reuses them.
    /// </summary>
    private static void WriteRoutineAllocation(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        foreach ((UpdatePart part, MatrixRoutine routine) in Routines(model, optimizer))
        {
            if (routine.OnVector)
            {
                foreach (ElementKind element in ScratchElements(model, optimizer, part))
                {
                    string longest = (part.Prefix.Length == 0 ? "longest" : part.Prefix + "Longest") + (element == ElementKind.Double ? "Double" : "Single");
                    w.Line();
                    w.Line("// The routine's scratch buffer for " + element.Keyword() + " members, sized for the longest.");
                    w.Line("int " + longest + " = 0;");
                    foreach (Member member in Members(model, optimizer).Where(m => m.Part == part && m.Parameter.Element == element))
                    {
                        w.Line(longest + " = global::System.Math.Max(" + longest + ", model." + member.Parameter.Identifier + "!.Length);");
                    }

                    w.Line(part.ScratchField(routine, element) + " = new " + element.Keyword() + "[" + longest + "];");
                }

                continue;
            }

            string bounds = part.Prefix.Length == 0 ? "matrices" : part.Prefix + "Matrices";
            w.Line();
            w.Line("// " + (part.Name.Length == 0 ? "The" : "The " + part.Name + " part's") + " matrix routine: its buffers, sized for the largest member it transforms.");
            w.Line("var " + bounds + " = new global::Gen.__Internals.MatrixBounds();");
            foreach (Member member in Members(model, optimizer).Where(m => m.Part == part))
            {
                w.Line(bounds + ".Include(model." + member.Parameter.Identifier + "!);");
            }

            w.Line(part.ScratchField(routine) + " = new float[" + bounds + ".Elements];");
            w.Line(part.WorkspaceField(routine) + " = new " + routine.Workspace + "(" + bounds + ".ShortSide, " + bounds + ".LongSide);");
        }
    }

    /// <summary>
    /// <c>_states</c>: per member, its float32 buffers under PyTorch's names, or for 8-bit state each buffer k's
    /// <c>state{k}</c>, <c>absmax{k}</c> and <c>qmap{k}</c> (bitsandbytes' names, k from 1 in buffer order).
    /// </summary>
    private static void WriteStateList(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        w.Line();
        w.Line("var states = new global::System.Collections.Generic.List<global::Gen.OptimizerState>();");
        foreach (Member member in Members(model, optimizer))
        {
            ParameterSpec parameter = member.Parameter;
            EquatableArray<StateBuffer> buffers = member.Part.Buffers;
            int p = member.Index;
            string name = Literals.String(parameter.Name);
            if (!IsBlockwise(member))
            {
                foreach (StateBuffer buffer in buffers)
                {
                    w.Line("states.Add(" + StateExpression(member, buffer) + ");");
                }

                continue;
            }

            using (w.Block("if (" + BlockwiseFieldName(buffers[0], parameter) + " is null)"))
            {
                foreach (StateBuffer buffer in buffers)
                {
                    w.Line("states.Add(" + StateExpression(member, buffer) + ");");
                }
            }

            using (w.Block("else"))
            {
                for (int k = 0; k < buffers.Count; k++)
                {
                    w.Line(BlockwiseFieldName(buffers[k], parameter) + (k == 0 ? string.Empty : "!") + ".AddStates(states, " + p + ", " + name + ", " + (k + 1) + ", " + Literals.String(buffers[k].Key) + ");");
                }
            }

            w.Line();
        }

        w.Line("_states = states.ToArray();");
    }

    /// <summary>The <c>OptimizerState</c> of a float or 16-bit buffer, under PyTorch's name.</summary>
    private static string StateExpression(Member member, StateBuffer buffer)
    {
        ElementKind memory = Storage(member, buffer);
        string format = memory.Is16Bit() ? ", global::Gen.TensorElement." + memory : string.Empty;
        return "new global::Gen.OptimizerState(" + member.Index + ", " + Literals.String(buffer.Key) + ", new global::Gen.TensorRef(" + Literals.String(member.Parameter.Name) + ", " + FieldName(buffer, member.Parameter) + format + "))";
    }

    private static void WriteStateAccess(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        w.Line("/// <inheritdoc/>");
        w.Line("public override string Kind => " + Literals.String(optimizer.DisplayName) + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override global::System.Collections.Generic.IReadOnlyList<global::System.Collections.Generic.KeyValuePair<string, string>> Configuration => s_configuration;");
        w.Line();
        if (optimizer.Kernels.Any(k => k.RoundsStochastically))
        {
            w.Line("/// <inheritdoc/>");
            w.Line("public override bool RoundsStochastically => true;");
            w.Line();
        }

        if (Members(model, optimizer).Any(IsBlockwise))
        {
            w.Line("/// <inheritdoc/>");
            w.Line("public override int StateCount => _states.Length;");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line("public override global::Gen.OptimizerState GetState(int index) =>");
            w.Line("    (uint)index < (uint)_states.Length ? _states[index] : throw new global::System.ArgumentOutOfRangeException(nameof(index));");
            return;
        }

        w.Line("/// <inheritdoc/>");
        w.Line("public override int StateCount => " + Members(model, optimizer).Sum(m => m.Part.Buffers.Count) + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        if (Members(model, optimizer).All(m => m.Part.Buffers.Count == 0))
        {
            w.Line("public override global::Gen.OptimizerState GetState(int index) => throw new global::System.ArgumentOutOfRangeException(nameof(index));");
            return;
        }

        w.Line("public override global::Gen.OptimizerState GetState(int index) => index switch");
        using (w.Open(close: "};"))
        {
            int index = 0;
            foreach (Member member in Members(model, optimizer))
            {
                foreach (StateBuffer buffer in member.Part.Buffers)
                {
                    w.Line(index++ + " => " + StateExpression(member, buffer) + ",");
                }
            }

            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(index)),");
        }
    }

    private static void WriteResetState(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void ResetState()"))
        {
            foreach (Member member in Members(model, optimizer))
            {
                ParameterSpec parameter = member.Parameter;
                EquatableArray<StateBuffer> buffers = member.Part.Buffers;
                if (!IsBlockwise(member))
                {
                    foreach (StateBuffer buffer in buffers)
                    {
                        w.Line(ResetStatement(model, member, buffer, string.Empty));
                    }

                    continue;
                }

                using (w.Block("if (" + BlockwiseFieldName(buffers[0], parameter) + " is null)"))
                {
                    foreach (StateBuffer buffer in buffers)
                    {
                        w.Line(ResetStatement(model, member, buffer, "!"));
                    }
                }

                using (w.Block("else"))
                {
                    foreach (StateBuffer buffer in buffers)
                    {
                        w.Line(BlockwiseFieldName(buffer, parameter) + (buffer == buffers[0] ? string.Empty : "!") + ".Reset();");
                    }
                }

                if (parameter != model.Parameters[model.Parameters.Count - 1])
                {
                    w.Line();
                }
            }
        }
    }

    /// <summary>Clears or fills a float or 16-bit buffer with its initial value.</summary>
    private static string ResetStatement(ModelSpec model, Member member, StateBuffer buffer, string nullForgiving)
    {
        // Array.Clear(array) is .NET 6's; the portable target's profiles have only the ranged overload.
        string field = FieldName(buffer, member.Parameter) + nullForgiving;
        return buffer.InitialValue == 0
            ? "global::System.Array.Clear(" + field + (model.Target == KernelTarget.Portable ? ", 0, " + field + ".Length" : string.Empty) + ");"
            : "global::System.Array.Fill(" + field + ", " + Storage(member, buffer).Literal(buffer.InitialValue) + ");";
    }
}

/// <summary>A trainable member of the model as an optimizer sees it: its declaration index, its spec and the part that updates it.</summary>
internal sealed record Member(int Index, ParameterSpec Parameter, UpdatePart Part);
