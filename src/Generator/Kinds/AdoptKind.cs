using System;
using System.Collections.Generic;
using Gen.Generator.Diagnostics;
using Gen.Generator.Helpers;
using Gen.Generator.Models;
using Gen.Generator.Parsing;
using static Gen.Generator.Kinds.KernelBuilder;
using A = Gen.AdoptAttribute;

namespace Gen.Generator.Kinds;

/// <summary>
/// ADOPT (Taniguchi et al. 2024) in the operations of iShohei220/adopt's <c>_single_tensor_adopt</c>: the first step only
/// adds <c>g*g</c> to v (a kernel switch, <see cref="KernelSwitch.StepBranch"/>, on at the first step as Rprop's); later steps divide the gradient by
/// <c>max(√v, ε)</c> of the steps before (torch.clamp's min, which keeps a NaN), clamp it to <c>±t^c</c>, lerp it into
/// the momentum with weight <c>1 − β1</c> (PyTorch's lerp: <c>m + w*(n - m)</c> for |w| &lt; 0.5, else
/// <c>n - (n - m)*(1 - w)</c>, chosen at generation time since w is a constant), step <c>p + (-lr)*m</c>, then update v.
/// </summary>
internal sealed class AdoptKind : OptimizerKind<A, AdoptSpec>
{
    public AdoptKind()
        : base("ADOPT", TrackingNames.AdoptModels)
    {
    }

    protected override AdoptSpec Read(A a) =>
        new(a.Name, a.LearningRate, a.WeightDecay, a.Beta1, a.Beta2, a.Epsilon, a.Clipping, a.ClipExponent, a.Decouple, a.Maximize) { State = new(a.StatePrecision, a.StochasticRounding) };

    protected override void Validate(AdoptSpec s, AttributeReader r)
    {
        AdamStyle.Validate(r, s.LearningRate, s.Beta1, s.Beta2, s.Epsilon, s.WeightDecay);
        r.NonNegativeFinite(nameof(A.ClipExponent), s.ClipExponent, DiagnosticDescriptors.ClipExponentOutOfRange);
    }

    protected override IEnumerable<PublicConstant> Constants(AdoptSpec s) => new[]
    {
        PublicConstant.Double(nameof(A.Beta1), s.Beta1, "Decay rate of the momentum of normalized gradients."),
        PublicConstant.Double(nameof(A.Beta2), s.Beta2, "Decay rate of the second moment."),
        PublicConstant.Double(nameof(A.Epsilon), s.Epsilon, "Lower bound of the root of the second moment."),
        PublicConstant.Bool(nameof(A.Clipping), s.Clipping, "Whether the normalized gradient is clipped to ±t^ClipExponent."),
        PublicConstant.Double(nameof(A.ClipExponent), s.ClipExponent, "Power of the step count in the clipping bound."),
        PublicConstant.Bool(nameof(A.Decouple), s.Decouple, "Whether the weight decay is applied to the parameter rather than added to the gradient."),
        PublicConstant.Bool(nameof(A.Maximize), s.Maximize, "Whether the objective is maximized."),
    };

    protected override IEnumerable<StateBuffer> Buffers(AdoptSpec s) => new StateBuffer[]
    {
        // PyTorch's exp_avg and exp_avg_sq, as Adam's; the first averages the normalized gradient.
        AdamStyle.FirstMoment with { Description = "Running average of the normalized gradient" },
        AdamStyle.SecondMoment,
    };

    protected override IEnumerable<StepScalar> Scalars(AdoptSpec s)
    {
        yield return StepScalar.NegativeLearningRate;
        if (s.Decouple)
        {
            // The decay's key (`if weight_decay != 0 and decouple`) and its factor: param.add_(param, alpha=-lr*weight_decay).
            yield return StepScalar.WeightDecay(WeightDecayMode.L2) with { Passed = false };
            yield return NegativeDecay;
        }
        else
        {
            yield return StepScalar.WeightDecay(WeightDecayMode.L2);
        }

        if (s.Clipping)
        {
            yield return Clip(s);
        }
    }

    protected override IEnumerable<SwitchCondition> SwitchConditions(AdoptSpec s) => new[] { new SwitchCondition(KernelSwitch.StepBranch, "StepCount != 0") };

    protected override IEnumerable<string> Rule(AdoptSpec s)
    {
        var lines = new List<string>(s.Decouple ? PrologueRule(s.Maximize) : PrologueRule(s.Maximize, WeightDecayMode.L2))
        {
            "t = 0:  v ← v + g²         (t = StepCount, from 0)",
        };
        if (s.Decouple)
        {
            lines.Add("t ≥ 1:  p ← p − lr·wd·p");
        }

        lines.Add(WithNote("t ≥ 1:  n ← g / max(√v, ε)", "ε = " + Number(s.Epsilon)));
        if (s.Clipping)
        {
            lines.Add("        n ← clamp(n, −tᶜ, tᶜ)    c = " + Number(s.ClipExponent));
        }

        lines.Add(WithNote("        m ← m + (1 − β1)·(n − m)", "β1 = " + Number(s.Beta1)));
        lines.Add("        p ← p − lr·m");
        lines.Add(WithNote("        v ← β2·v + (1 − β2)·g²", "β2 = " + Number(s.Beta2)));
        return lines;
    }

    protected override void Kernel(AdoptSpec s, KernelBuilder k)
    {
        (LocalValue grad, LocalValue param) = s.Decouple ? k.GradientPrologue(s.Maximize) : k.GradientPrologue(s.Maximize, WeightDecayMode.L2);
        LocalValue expAvg = k.Let("expAvg", k.Load("m"));
        LocalValue expAvgSq = k.Let("expAvgSq", k.Load("v"));
        KernelValue decayed = s.Decouple ? k.Let("decayed", Switch(KernelSwitch.CoupledDecay, param + k.Scalar(NegativeDecay) * param, param)) : param;
        LocalValue root = k.Let("root", Sqrt(expAvgSq));
        LocalValue normed = k.Let("normed", grad / IfLess(root, s.Epsilon, s.Epsilon, root));
        if (s.Clipping)
        {
            KernelValue clip = k.Scalar(Clip(s));
            k.Assign(normed, IfLess(normed, -clip, -clip, normed));
            k.Assign(normed, IfGreater(normed, clip, clip, normed));
        }

        // torch.lerp's two forms, for a weight below 0.5 in magnitude and for the others; the weight is a constant
        // rounded to the element type, and 1 − w is exact in it (Sterbenz), as PyTorch computes it there.
        double weight = 1 - s.Beta1;
        bool small = k.Element == ElementKind.Single ? Math.Abs((float)weight) < 0.5f : Math.Abs(weight) < 0.5;
        double complement = k.Element == ElementKind.Single ? 1f - (float)weight : 1 - weight;
        KernelValue momentum = small ? expAvg + weight * (normed - expAvg) : normed - (normed - expAvg) * complement;
        LocalValue newExpAvg = k.Let("newExpAvg", momentum);
        k.Store("m", StepBranch(expAvg, newExpAvg));
        k.Store("v", StepBranch(expAvgSq + grad * grad, expAvgSq * s.Beta2 + (1 - s.Beta2) * grad * grad));
        k.Store("p", StepBranch(param, decayed + k.Scalar(StepScalar.NegativeLearningRate) * newExpAvg));
    }

    /// <summary><c>-lr*weight_decay</c>, the reference's alpha of <c>param.add_(param, alpha=...)</c>.</summary>
    private static readonly StepScalar NegativeDecay = new("negLrWd", "-{lr} * {wd}");

    /// <summary>The clipping bound <c>step**c</c> of the reference's <c>clip_lambda</c> (0 at the first step, which does not clip).</summary>
    private static StepScalar Clip(AdoptSpec s) =>
        new("clip", "global::System.Math.Pow(StepCount, " + Literals.Double(s.ClipExponent) + ")");
}
