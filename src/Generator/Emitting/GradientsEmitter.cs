using Gen.Generator.Helpers;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Emits what a model class gets once, whatever optimizers it carries: the nested Gradients type,
/// and an explicit <c>ITrainable</c> implementation listing the trainable members for runtime tools.
/// </summary>
internal static class GradientsEmitter
{
    public static string Emit(ModelSpec model)
    {
        HierarchySpec hierarchy = model.Hierarchy;
        return SourceWriter.Write(hierarchy, w =>
        {
            w.Line("/// <inheritdoc/>");
            w.Line("int global::Gen.ITrainable.ParameterCount => " + model.Parameters.Count + ";");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line("global::Gen.TensorRef global::Gen.ITrainable.GetParameter(int index) => index switch");
            WriteMemberSwitch(w, model, prefix: string.Empty);
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Gradients of every trainable member of <see cref=\"" + SourceWriter.Cref(hierarchy) + "\"/>:");
            w.Line("/// one array per member, with the member's name, type and shape.");
            w.Line("/// </summary>");
            w.Line(SourceWriter.GeneratedCodeAttribute);
            using (w.Block("public sealed partial class Gradients : global::Gen.GradientsBase"))
            {
                foreach (ParameterSpec parameter in model.Parameters)
                {
                    w.Line("/// <summary>Gradient of <see cref=\"" + SourceWriter.Cref(hierarchy, parameter.Identifier) + "\"/>.</summary>");
                    w.Line("public " + parameter.ArrayType + " " + parameter.Identifier + ";");
                    w.Line();
                }

                w.Line("/// <summary>Creates zeroed gradients with the shapes of <paramref name=\"model\"/>'s trainable members.</summary>");
                w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"model\"/> is null.</exception>");
                w.Line("/// <exception cref=\"global::System.ArgumentException\">A trainable member of the model is null.</exception>");
                using (w.Block("public Gradients(" + hierarchy.FullyQualifiedName + " model)"))
                {
                    using (w.Block("if (model is null)"))
                    {
                        w.Line("throw new global::System.ArgumentNullException(nameof(model));");
                    }

                    w.Line();
                    foreach (ParameterSpec parameter in model.Parameters)
                    {
                        w.Line(parameter.Identifier + " = " + SourceWriter.Tensors + ".ZerosLike(model." + parameter.Identifier + ", " + Literals.String(parameter.Name) + ");");
                    }
                }

                w.Line();
                w.Line("/// <inheritdoc/>");
                w.Line("public override int MemberCount => " + model.Parameters.Count + ";");
                w.Line();
                w.Line("/// <inheritdoc/>");
                w.Line("public override global::Gen.TensorRef GetMember(int index) => index switch");
                WriteMemberSwitch(w, model, prefix: string.Empty);
            }
        }, baseList: ": global::Gen.ITrainable");
    }

    /// <summary>The arms of "index switch { 0 => new TensorRef("W1", W1), ... }".</summary>
    private static void WriteMemberSwitch(IndentedTextWriter w, ModelSpec model, string prefix)
    {
        using (w.Open(close: "};"))
        {
            for (int i = 0; i < model.Parameters.Count; i++)
            {
                ParameterSpec parameter = model.Parameters[i];
                w.Line(i + " => new global::Gen.TensorRef(" + Literals.String(parameter.Name) + ", " + prefix + parameter.Identifier + "),");
            }

            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(index)),");
        }
    }
}
