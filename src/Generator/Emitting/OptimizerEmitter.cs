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
            w.Line(optimizer.OnlyWholeUpdates
                ? "/// allocation-free SIMD routine per trainable member (its whole update, in sweeps over the member), with the attribute's hyperparameters as constants."
                : optimizer.HasPasses(model.Parameters.Count)
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
                foreach (StateBuffer buffer in optimizer.Buffers.Where(b => b.CopyMethod is not null))
                {
                    w.Line();
                    WriteCopyMethod(w, model, optimizer, buffer);
                }

                if (optimizer.PersistentScalars.Any() || optimizer.Modes is not null)
                {
                    w.Line();
                    WriteGroupValues(w, model, optimizer);
                }

                if (optimizer.Modes is { } modes)
                {
                    w.Line();
                    WriteModeSwap(w, model, optimizer, modes);
                }

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
        KernelsOf(member).Any() ? KernelBufferOf(member, buffer).Memory : member.Parameter.Element;

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
        w.Line("// The step's scalars, computed once per step in double by ApplyStep" + (optimizer.PersistentScalars.Any() ? " (those with an initial value are kept across steps)." : "."));
        foreach (UpdatePart part in optimizer.Parts)
        {
            foreach (StepScalar scalar in optimizer.SharedScalars(part))
            {
                w.Line("private double " + part.ScalarField(scalar) + Initializer(scalar) + ";");
            }
        }

        foreach (Member member in Members(model, optimizer))
        {
            foreach (StepScalar scalar in member.Part.Scalars.Where(s => StepEmitter.HasOwnValue(s, member.Parameter)))
            {
                w.Line("private double " + StepEmitter.ScalarField(scalar, member) + Initializer(scalar) + ";");
            }
        }

        foreach (StepState state in optimizer.States)
        {
            // One array of one element: GetState lists it under every member, as PyTorch keeps one per parameter.
            w.Line();
            w.Line("/// <summary>" + state.Description + ": one value for every member, updated once per step (PyTorch's " + state.Key + ").</summary>");
            w.Line("private readonly " + state.Element.Keyword() + "[] " + state.FieldName + " = { " + state.Element.Literal(state.InitialValue) + " };");
        }

        if (optimizer.Modes is not null)
        {
            w.Line();
            w.Line("/// <summary>True while the model holds the training point (y); false after Eval(), while it holds x.</summary>");
            w.Line("private bool _training = true;");
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
                    w.Line("/// <summary>" + buffer.Description + " of " + cref + ShapeNote(buffer) + ", flattened.</summary>");
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

        foreach (ParameterSpec parameter in model.Parameters)
        {
            foreach (ScalarState state in optimizer.ScalarStates)
            {
                w.Line();
                w.Line("/// <summary>" + state.Description + " of <see cref=\"" + SourceWriter.Cref(model.Hierarchy, parameter.Identifier) + "\"/>: one float32, as PyTorch's 0-dim tensor.</summary>");
                w.Line("private readonly float[] " + ScalarStateField(state, parameter) + " = new float[1];");
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
        w.Line("    : this(model, null)");
        using (w.Open())
        {
        }

        // ZeRO stage 1: the same optimizer keeping the state of one shard of the flattened parameters; the state
        // buffers are sized by the base's StateLength and indexed from its StateStart (UpdateRange).
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Creates the optimizer for <paramref name=\"model\"/> keeping the state of <paramref name=\"shard\"/>'s elements only");
        w.Line("/// (null: the whole model, as the other constructor); its steps update only those elements.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"model\"/> is null.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A trainable member of the model is null, two members hold the same array, or the shard was cut for other members"
            + (optimizer.HasPasses(model.Parameters.Count) ? " or holds part of a member whose update has a pass over the whole member" : string.Empty) + ".</exception>");
        w.Line("public " + optimizer.TypeName + "(" + model.Hierarchy.FullyQualifiedName + " model, global::Gen.OptimizerShard? shard)");
        w.Line("    : base(model, DefaultLearningRate, DefaultWeightDecay, shard)");
        using (w.Open())
        {
            w.Line("_model = model;");
            if (optimizer.HasPasses(model.Parameters.Count))
            {
                // A matrix routine transforms a whole member: a shard holds such a member whole or not at all.
                w.Line("CheckShardKeepsWholeMembers();");
            }

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

                if (member.Part.Buffers.Any(b => b.Shape != StateShape.Element))
                {
                    // State per row or per column: all of it, or none with a shard that does not hold the member (a shard
                    // holds it whole or not at all, CheckShardKeepsWholeMembers).
                    string held = "StateLength(" + member.Index + ", " + length + ") != 0";
                    foreach (StateBuffer buffer in member.Part.Buffers)
                    {
                        w.Line(FieldName(buffer, parameter) + " = new " + Storage(member, buffer).Keyword() + "[" + held + " ? " + StateLengthExpression("model", parameter, buffer) + " : 0];");
                    }

                    continue;
                }

                StateBuffer first = member.Part.Buffers[0];
                w.Line(FieldName(first, parameter) + " = new " + Storage(member, first).Keyword() + "[StateLength(" + member.Index + ", " + length + ")];");
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

    /// <summary>
    /// A member's state, decided by its whole length now: 8-bit block-wise from 4,096 elements (each buffer at its initial
    /// value), else float32; either sized by the shard's part of it.
    /// </summary>
    private static void WriteBlockwiseAllocation(IndentedTextWriter w, Member member, string length)
    {
        ParameterSpec parameter = member.Parameter;
        w.Line();
        using (w.Block("if (" + SourceWriter.BlockwiseState + ".Quantizes(" + length + "))"))
        {
            foreach (StateBuffer buffer in member.Part.Buffers)
            {
                w.Line(BlockwiseFieldName(buffer, parameter) + " = new " + SourceWriter.BlockwiseState + "(StateLength(" + member.Index + ", model." + parameter.Identifier + "!.Length), signed: "
                    + Literals.Bool(Code(member, buffer) == BlockwiseCode.Signed) + ", initialValue: " + ElementKind.Single.Literal(buffer.InitialValue) + ");");
            }
        }

        using (w.Block("else"))
        {
            foreach (StateBuffer buffer in member.Part.Buffers)
            {
                w.Line(FieldName(buffer, parameter) + " = new " + Storage(member, buffer).Keyword() + "[StateLength(" + member.Index + ", model." + parameter.Identifier + "!.Length)];");
            }
        }
    }

    /// <summary>The element types of the part's members in this model: one scratch buffer each for a vector routine.</summary>
    public static IEnumerable<ElementKind> ScratchElements(ModelSpec model, OptimizerLayout optimizer, UpdatePart part) =>
        Members(model, optimizer).Where(m => m.Part == part).Select(m => m.Parameter.Element).Distinct().OrderBy(e => e);

    /// <summary>
    /// The parts with a matrix routine that has buffers of its own (a scratch buffer, a workspace) and at least one member in
    /// this model, with the routine. A member's whole update (<see cref="MatrixRoutine.WholeUpdate"/>) has none.
    /// </summary>
    public static IEnumerable<(UpdatePart Part, MatrixRoutine Routine)> Routines(ModelSpec model, OptimizerLayout optimizer) =>
        optimizer.Parts
            .Where(part => Members(model, optimizer).Any(m => m.Part == part))
            .SelectMany(part => part.Routines.Where(routine => !routine.WholeUpdate).Select(routine => (part, routine)));

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

                foreach (ScalarState state in optimizer.ScalarStates)
                {
                    w.Line("states.Add(" + ScalarStateExpression(member.Index, parameter, state) + ");");
                }

                WriteSharedStates(w, optimizer, p, parameter);
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

            foreach (ScalarState state in optimizer.ScalarStates)
            {
                w.Line("states.Add(" + ScalarStateExpression(member.Index, parameter, state) + ");");
            }

            WriteSharedStates(w, optimizer, p, parameter);
            w.Line();
        }

        w.Line("_states = states.ToArray();");
    }

    /// <summary>The step states listed under a member, after its buffers (float32 scalars whatever the state precision).</summary>
    private static void WriteSharedStates(IndentedTextWriter w, OptimizerLayout optimizer, int index, ParameterSpec parameter)
    {
        foreach (StepState state in optimizer.States)
        {
            w.Line("states.Add(" + SharedStateExpression(index, parameter, state) + ");");
        }
    }

    /// <summary>The <c>OptimizerState</c> of a step state, listed under a member: a scalar shared by every member.</summary>
    private static string SharedStateExpression(int index, ParameterSpec parameter, StepState state) =>
        "global::Gen.OptimizerState.SharedScalar(" + index + ", " + Literals.String(state.Key) + ", new global::Gen.TensorRef(" + Literals.String(parameter.Name) + ", " + state.FieldName + "))";

    /// <summary>The <c>OptimizerState</c> of a float or 16-bit buffer, under PyTorch's name.</summary>
    private static string StateExpression(Member member, StateBuffer buffer)
    {
        ElementKind memory = Storage(member, buffer);
        string format = memory.Is16Bit() ? ", global::Gen.TensorElement." + memory : string.Empty;
        string tensor = "new global::Gen.TensorRef(" + Literals.String(member.Parameter.Name) + ", " + FieldName(buffer, member.Parameter) + format + ")";
        if (buffer.Shape != StateShape.Element)
        {
            // PyTorch's shape, [..., rows, 1] or [..., 1, columns], from the model array (which every shard has whole): the
            // shape of the whole buffer, which a shard holds all of or none of.
            return "new global::Gen.OptimizerState(" + member.Index + ", " + Literals.String(buffer.Key) + ", " + tensor + ", "
                + ShapeExpression("_model", member.Parameter, buffer) + ", isConstant: false)";
        }

        return "new global::Gen.OptimizerState(" + member.Index + ", " + Literals.String(buffer.Key) + ", " + tensor + ")";
    }

    /// <summary>", one per row of its last two dimensions" for a per-row buffer; nothing for one of the member's shape.</summary>
    private static string ShapeNote(StateBuffer buffer) => buffer.Shape switch
    {
        StateShape.Rows => ", one value per row of its last two dimensions",
        StateShape.Columns => ", one value per column of its last two dimensions",
        _ => string.Empty,
    };

    /// <summary>Dimension <paramref name="dimension"/> of <paramref name="owner"/>'s member: "model.W!.GetLength(1)".</summary>
    private static string Dimension(string owner, ParameterSpec parameter, int dimension) =>
        owner + "." + parameter.Identifier + "!.GetLength(" + dimension + ")";

    /// <summary>
    /// The element count of a per-row or per-column buffer of <paramref name="owner"/>'s member as C#: the product of the
    /// batch dimensions and the rows (or the columns).
    /// </summary>
    public static string StateLengthExpression(string owner, ParameterSpec parameter, StateBuffer buffer) =>
        string.Join(" * ", StateDimensions(parameter, buffer).Where(d => d >= 0).Select(d => Dimension(owner, parameter, d)));

    /// <summary>PyTorch's shape of a per-row or per-column buffer as a C# array: "new[] { model.W!.GetLength(0), 1 }".</summary>
    private static string ShapeExpression(string owner, ParameterSpec parameter, StateBuffer buffer) =>
        "new[] { " + string.Join(", ", StateDimensions(parameter, buffer).Select(d => d < 0 ? "1" : Dimension(owner, parameter, d))) + " }";

    /// <summary>The member's dimensions a per-row or per-column buffer keeps, in order, -1 for the reduced one (size 1).</summary>
    private static IEnumerable<int> StateDimensions(ParameterSpec parameter, StateBuffer buffer)
    {
        int rank = parameter.Rank;
        for (int d = 0; d < rank - 2; d++)
        {
            yield return d;
        }

        yield return buffer.Shape == StateShape.Rows ? rank - 2 : -1;
        yield return buffer.Shape == StateShape.Rows ? -1 : rank - 1;
    }

    /// <summary>
    /// The field holding <paramref name="state"/> of <paramref name="parameter"/>: "_etaState_W1" (apart from the step scalar
    /// fields, "_mu_W1", which hold the values a step reads from it).
    /// </summary>
    public static string ScalarStateField(ScalarState state, ParameterSpec parameter) => "_" + state.Field + "State_" + parameter.Name;

    /// <summary>The <c>OptimizerState</c> of a scalar state: a float32 tensor of shape [] under PyTorch's name.</summary>
    private static string ScalarStateExpression(int index, ParameterSpec parameter, ScalarState state) =>
        "new global::Gen.OptimizerState(" + index + ", " + Literals.String(state.Key) + ", new global::Gen.TensorRef(" + Literals.String(parameter.Name) + ", "
        + ScalarStateField(state, parameter) + "), global::System.Array.Empty<int>(), isConstant: false)";

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
        w.Line("public override int StateCount => " + Members(model, optimizer).Sum(m => m.Part.Buffers.Count + optimizer.ScalarStates.Count + optimizer.States.Count) + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        if (Members(model, optimizer).All(m => m.Part.Buffers.Count + optimizer.ScalarStates.Count + optimizer.States.Count == 0))
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

                foreach (ScalarState state in optimizer.ScalarStates)
                {
                    w.Line(index++ + " => " + ScalarStateExpression(member.Index, member.Parameter, state) + ",");
                }

                foreach (StepState state in optimizer.States)
                {
                    w.Line(index++ + " => " + SharedStateExpression(member.Index, member.Parameter, state) + ",");
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
            foreach (StepScalar scalar in optimizer.PersistentScalars)
            {
                w.Line("_" + scalar.Name + " = " + Literals.Double(scalar.InitialValue) + ";");
                foreach (Member member in Members(model, optimizer).Where(m => StepEmitter.HasOwnValue(scalar, m.Parameter)))
                {
                    w.Line(StepEmitter.ScalarField(scalar, member) + " = " + Literals.Double(scalar.InitialValue) + ";");
                }
            }

            foreach (Member member in Members(model, optimizer))
            {
                ParameterSpec parameter = member.Parameter;
                EquatableArray<StateBuffer> buffers = member.Part.Buffers;
                foreach (ScalarState state in optimizer.ScalarStates)
                {
                    w.Line(ScalarStateField(state, parameter) + "[0] = 0f;");
                }

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

            foreach (StepState state in optimizer.States)
            {
                w.Line(state.Value + " = " + state.Element.Literal(state.InitialValue) + ";");
            }
        }
    }

    /// <summary>
    /// A buffer's <see cref="StateBuffer.CopyMethod"/>: every target member checked (present, of the trained member's
    /// shape) before the first is written, then each member's buffer copied in, widened from 16-bit state or dequantized
    /// from 8-bit state. Nothing is allocated.
    /// </summary>
    private static void WriteCopyMethod(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer, StateBuffer buffer)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        string what = char.ToLowerInvariant(buffer.Description[0]) + buffer.Description.Substring(1);
        w.Line("/// <summary>");
        w.Line("/// Copies the " + what + " (PyTorch's <c>" + buffer.Key + "</c>) into the trainable members of <paramref name=\"model\"/>:");
        w.Line("/// a second instance to evaluate with, or the model this optimizer trains, to continue from the average. Frozen");
        w.Line("/// members are left as they are. Every member is checked before the first is written, and nothing is allocated.");
        w.Line("/// An optimizer created for an <see cref=\"global::Gen.OptimizerShard\"/> holds its shard's part only and copies that");
        w.Line("/// part, at its place; the rest of <paramref name=\"model\"/> is left as it is.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"model\">A model of this class whose trainable members have the shapes of the trained model's.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"model\"/> is null.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A trainable member of <paramref name=\"model\"/> is null or has another shape.</exception>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">No step since construction or Reset: PyTorch has no <c>" + buffer.Key + "</c> yet either.</exception>");
        using (w.Block("public void " + buffer.CopyMethod + "(" + modelType + " model)"))
        {
            using (w.Block("if (model is null)"))
            {
                w.Line("throw new global::System.ArgumentNullException(nameof(model));");
            }

            w.Line();
            w.Line(SourceWriter.Guard + ".StateCreated(StepCount, " + Literals.String(buffer.Key) + ");");
            for (int index = 0; index < model.Parameters.Count; index++)
            {
                ParameterSpec parameter = model.Parameters[index];
                w.Line(SourceWriter.Guard + ".CopyTarget(model." + parameter.Identifier + ", _model." + parameter.Identifier + ", MemberLength(" + index + "), " + Literals.String(parameter.Name) + ");");
            }

            w.Line();
            foreach (Member member in Members(model, optimizer))
            {
                ParameterSpec parameter = member.Parameter;
                int index = member.Index;
                // The state's elements, at their place in the member: all of it, or a shard's part.
                string length = IsBlockwise(member)
                    ? "(" + BlockwiseFieldName(buffer, parameter) + "?.Length ?? " + FieldName(buffer, parameter) + "!.Length)"
                    : FieldName(buffer, parameter) + ".Length";
                string target = SourceWriter.Tensors + ".AsSpan(model." + parameter.Identifier + "!).Slice(StateStart(" + index + "), " + length + ")";
                string Copy(string nullForgiving)
                {
                    string field = FieldName(buffer, parameter) + nullForgiving;
                    ElementKind memory = Storage(member, buffer);
                    return memory.Is16Bit()
                        ? KernelFlavor.StorageClass(memory) + ".Widen(" + field + ", " + target + ");"
                        : "global::System.MemoryExtensions.AsSpan(" + field + ").CopyTo(" + target + ");";
                }

                if (!IsBlockwise(member))
                {
                    w.Line(Copy(string.Empty));
                    continue;
                }

                w.Line("if (" + BlockwiseFieldName(buffer, parameter) + " is null) " + Copy("!"));
                w.Line("else " + BlockwiseFieldName(buffer, parameter) + ".Dequantize(" + target + ");");
            }
        }
    }

    /// <summary>" = -1d" for a persistent scalar whose initial value is not 0; nothing otherwise.</summary>
    private static string Initializer(StepScalar scalar) =>
        scalar.GroupKey is not null && scalar.InitialValue != 0 ? " = " + Literals.Double(scalar.InitialValue) : string.Empty;

    /// <summary>
    /// The group values (<c>GroupValueCount</c>, <c>GetGroupValue</c>, <c>SetGroupValue</c>): the mode (<c>train_mode</c>),
    /// then each persistent scalar, the optimizer's and those of members with their own learning rate (<c>key.Member</c>).
    /// </summary>
    private static void WriteGroupValues(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer)
    {
        var values = new List<(string Key, string Field, bool IsFlag)>();
        if (optimizer.Modes is not null)
        {
            values.Add(("train_mode", "_training", true));
        }

        foreach (StepScalar scalar in optimizer.PersistentScalars)
        {
            values.Add((scalar.GroupKey!, "_" + scalar.Name, false));
            foreach (Member member in Members(model, optimizer).Where(m => StepEmitter.HasOwnValue(scalar, m.Parameter)))
            {
                values.Add((scalar.GroupKey + "." + member.Parameter.Name, StepEmitter.ScalarField(scalar, member), false));
            }
        }

        w.Line("/// <inheritdoc/>");
        w.Line("public override int GroupValueCount => " + values.Count + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override global::Gen.GroupValue GetGroupValue(int index) => index switch");
        using (w.Open(close: "};"))
        {
            for (int i = 0; i < values.Count; i++)
            {
                (string key, string field, bool isFlag) = values[i];
                w.Line(i + " => new global::Gen.GroupValue(" + Literals.String(key) + ", " + (isFlag ? field + " ? 1d : 0d, isFlag: true" : field) + "),");
            }

            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(index)),");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        using (w.Block("protected override void SetGroupValue(int index, double value)"))
        {
            using (w.Block("switch (index)"))
            {
                for (int i = 0; i < values.Count; i++)
                {
                    (_, string field, bool isFlag) = values[i];
                    w.Line("case " + i + ":");
                    w.Line("    " + field + " = " + (isFlag ? "value != 0" : "value") + ";");
                    w.Line("    break;");
                }

                w.Line("default:");
                w.Line("    throw new global::System.ArgumentOutOfRangeException(nameof(index));");
            }
        }
    }

    /// <summary>
    /// <c>IsTraining</c>, <c>Eval()</c>, <c>Train()</c> and <c>CopyEvalParametersTo(model)</c> for a kind whose model holds
    /// y during training and x for evaluation: each mode change copies the buffer of the other point into the model.
    /// </summary>
    private static void WriteModeSwap(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer, ModeSwap modes)
    {
        string modelType = model.Hierarchy.FullyQualifiedName;
        StateBuffer eval = optimizer.Buffers.First(b => b.Field == modes.EvalBuffer);
        StateBuffer train = optimizer.Buffers.First(b => b.Field == modes.TrainBuffer);
        foreach (StateBuffer buffer in new[] { eval, train })
        {
            if (Members(model, optimizer).Any(m => Storage(m, buffer) != m.Parameter.Element || IsBlockwise(m)))
            {
                throw new System.InvalidOperationException("The buffers Eval() and Train() copy hold the members' own element type (a kind with them rejects other state precisions).");
            }
        }

        w.Line("/// <summary>");
        w.Line("/// True while the model holds the point the gradients are taken at (" + train.Key + "), from construction on; false after");
        w.Line("/// <see cref=\"Eval\"/>, while it holds the parameters to evaluate (" + eval.Key + "). A step in evaluation mode throws.");
        w.Line("/// Checkpoints save and restore the mode (<c>train_mode</c>).");
        w.Line("/// </summary>");
        w.Line("public bool IsTraining => _training;");
        w.Line();
        WriteSwap(w, model, optimizer, eval, toTraining: false);
        w.Line();
        WriteSwap(w, model, optimizer, train, toTraining: true);
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Copies the parameters to evaluate (" + eval.Key + ") into the trainable members of <paramref name=\"model\"/>, a second");
        w.Line("/// instance to evaluate with while this one keeps training; before the first step, the trained model's parameters");
        w.Line("/// (which are " + eval.Key + " then). Frozen members are left as they are. Every member is checked before the first is written,");
        w.Line("/// and nothing is allocated. An optimizer created for an <see cref=\"global::Gen.OptimizerShard\"/> copies its shard's part");
        w.Line("/// only, at its place; the rest of <paramref name=\"model\"/> is left as it is.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"model\">A model of this class whose trainable members have the shapes of the trained model's.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"model\"/> is null.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A trainable member of <paramref name=\"model\"/> is null or has another shape.</exception>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Before the first step: a trainable member of the trained model is null or was replaced by an array of another length.</exception>");
        using (w.Block("public void CopyEvalParametersTo(" + modelType + " model)"))
        {
            using (w.Block("if (model is null)"))
            {
                w.Line("throw new global::System.ArgumentNullException(nameof(model));");
            }

            w.Line();
            for (int index = 0; index < model.Parameters.Count; index++)
            {
                ParameterSpec parameter = model.Parameters[index];
                w.Line(SourceWriter.Guard + ".CopyTarget(model." + parameter.Identifier + ", _model." + parameter.Identifier + ", MemberLength(" + index + "), " + Literals.String(parameter.Name) + ");");
            }

            w.Line();
            using (w.Block("if (StepCount == 0)"))
            {
                for (int index = 0; index < model.Parameters.Count; index++)
                {
                    ParameterSpec parameter = model.Parameters[index];
                    w.Line(SourceWriter.Guard + ".ModelMember(_model." + parameter.Identifier + ", MemberLength(" + index + "), " + Literals.String(parameter.Name) + ");");
                }

                for (int index = 0; index < model.Parameters.Count; index++)
                {
                    ParameterSpec parameter = model.Parameters[index];
                    w.Line(ShardPart("_model", parameter, eval, index) + ".CopyTo(" + ShardPart("model", parameter, eval, index) + ");");
                }

                w.Line("return;");
            }

            w.Line();
            for (int index = 0; index < model.Parameters.Count; index++)
            {
                ParameterSpec parameter = model.Parameters[index];
                w.Line("global::System.MemoryExtensions.AsSpan(" + FieldName(eval, parameter) + ").CopyTo(" + ShardPart("model", parameter, eval, index) + ");");
            }
        }
    }

    /// <summary>
    /// The elements of <paramref name="owner"/>'s member that this optimizer's state covers, at their place: the whole
    /// member, or with a shard (<c>OptimizerShard</c>) the shard's part (as CopyAveragedTo copies).
    /// </summary>
    private static string ShardPart(string owner, ParameterSpec parameter, StateBuffer buffer, int index) =>
        SourceWriter.Tensors + ".AsSpan(" + owner + "." + parameter.Identifier + "!).Slice(StateStart(" + index + "), " + FieldName(buffer, parameter) + ".Length)";

    /// <summary><c>Eval()</c> or <c>Train()</c>: the mode changes, and after the first step the other point is copied into the model.</summary>
    private static void WriteSwap(IndentedTextWriter w, ModelSpec model, OptimizerLayout optimizer, StateBuffer source, bool toTraining)
    {
        w.Line("/// <summary>");
        if (toTraining)
        {
            w.Line("/// Puts the training point (" + source.Key + ") back into the model, bit for bit as the last step left it (schedulefree's");
            w.Line("/// <c>optimizer.train()</c>): call it where training resumes, before computing gradients. Does nothing in training mode");
        }
        else
        {
            w.Line("/// Puts the parameters to evaluate (" + source.Key + ") into the model (schedulefree's <c>optimizer.eval()</c>): call it where");
            w.Line("/// evaluation starts, and <see cref=\"Train\"/> before the next step, which throws until then. Does nothing in evaluation mode");
        }

        w.Line("/// already; before the first step (or after Reset) there is no state yet and only the mode changes, as in the reference.");
        w.Line("/// Every member is checked before the first is written, and nothing is allocated. An optimizer created for an");
        w.Line("/// <see cref=\"global::Gen.OptimizerShard\"/> copies its shard's part only, at its place.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">A trainable member of the model is null or was replaced by an array of another length.</exception>");
        using (w.Block("public void " + (toTraining ? "Train" : "Eval") + "()"))
        {
            using (w.Block("if (" + (toTraining ? "_training" : "!_training") + ")"))
            {
                w.Line("return;");
            }

            w.Line();
            using (w.Block("if (StepCount > 0)"))
            {
                for (int index = 0; index < model.Parameters.Count; index++)
                {
                    ParameterSpec parameter = model.Parameters[index];
                    w.Line(SourceWriter.Guard + ".ModelMember(_model." + parameter.Identifier + ", MemberLength(" + index + "), " + Literals.String(parameter.Name) + ");");
                }

                for (int index = 0; index < model.Parameters.Count; index++)
                {
                    ParameterSpec parameter = model.Parameters[index];
                    w.Line("global::System.MemoryExtensions.AsSpan(" + FieldName(source, parameter) + ").CopyTo(" + ShardPart("_model", parameter, source, index) + ");");
                }
            }

            w.Line();
            w.Line("_training = " + Literals.Bool(toTraining) + ";");
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
