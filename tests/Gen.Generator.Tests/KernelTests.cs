using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Gen.Generator.Emitting;
using Gen.Generator.Helpers;
using Gen.Generator.Kinds;
using Gen.Generator.Models;
using Xunit;
using static Gen.Generator.Kinds.KernelBuilder;

namespace Gen.Generator.Tests;

/// <summary>
/// The kernel description and what is done with it: how each operation is spelled at each width
/// (with only the parentheses C# needs), the unrolling transformations, the builder's checks, and a
/// kernel using every operation compiled and run at every width against the scalar path and a
/// reference. The optimizers' own kernels are covered by the snapshots and the numerical tests.
/// </summary>
public sealed class KernelTests
{
    /// <summary>A step scalar a step branch's term reads (RAdam's rectification term is one).</summary>
    private static readonly StepScalar Branch = new("branch", "StepCount > 5 ? 2d : 0d");

    private static readonly StateBuffer[] State = { new("state", "v", "state", 0, "A state", NonNegative: false), new("estimate", "u", "estimate", 0, "Another state", NonNegative: true) };

    [Theory]
    [InlineData(0, "var x = (grad + param) * 2f;")]
    [InlineData(1, "var x = grad - (param - grad) - grad;")]
    [InlineData(2, "var x = grad / (param * grad) * param;")]
    [InlineData(3, "var x = -(grad + param);")]
    [InlineData(4, "var x = -(-1f) + param * -1f;")]
    [InlineData(5, "var x = global::System.MathF.Abs(grad) + global::System.MathF.Sqrt(grad + param);")]
    [InlineData(6, "var x = (grad < param ? grad + param : -grad) * 2f;")]
    [InlineData(7, "var x = (typeof(TDecay) == typeof(global::Gen.__Internals.WithCoupledDecay) ? grad + param : grad) * 2f;")]
    [InlineData(8, "var x = global::Gen.__Internals.FastMath.NegatedMultiplyAdd(grad, param, global::Gen.__Internals.FastMath.ReciprocalSqrtEstimate(grad));")]
    [InlineData(10, "var x = param - (typeof(TBranch) == typeof(global::Gen.__Internals.BranchOn) ? grad * branch : grad);")]
    [InlineData(11, "var x = (grad == param ? grad + param : -grad) * 2f;")]
    [InlineData(12, "var x = typeof(TBranch) == typeof(global::Gen.__Internals.BranchOn) ? grad : global::System.Runtime.CompilerServices.Unsafe.Add(ref p, i) * 2f;")]
    public void ScalarSpellingHasOnlyTheParenthesesCSharpNeeds(int index, string expected) =>
        Assert.Equal(expected, Spell(index, KernelFlavor.Scalar(ElementKind.Single)));

    [Theory]
    [InlineData(4, "var x = -global::System.Runtime.Intrinsics.Vector512.Create(-1f) + param * global::System.Runtime.Intrinsics.Vector512.Create(-1f);")]
    [InlineData(5, "var x = global::System.Runtime.Intrinsics.Vector512.Abs(grad) + global::System.Runtime.Intrinsics.Vector512.Sqrt(grad + param);")]
    [InlineData(6, "var x = global::System.Runtime.Intrinsics.Vector512.ConditionalSelect(global::System.Runtime.Intrinsics.Vector512.LessThan(grad, param), grad + param, -grad) * global::System.Runtime.Intrinsics.Vector512.Create(2f);")]
    [InlineData(10, "var x = param - (typeof(TBranch) == typeof(global::Gen.__Internals.BranchOn) ? grad * branch : grad);")]
    [InlineData(11, "var x = global::System.Runtime.Intrinsics.Vector512.ConditionalSelect(global::System.Runtime.Intrinsics.Vector512.Equals(grad, param), grad + param, -grad) * global::System.Runtime.Intrinsics.Vector512.Create(2f);")]
    public void VectorSpellingBroadcastsConstantsAndSelectsByMask(int index, string expected) =>
        Assert.Equal(expected, Spell(index, KernelFlavor.Vector(ElementKind.Single, 512)));

    [Theory]
    [InlineData(4, "var x = -new global::System.Numerics.Vector<float>(-1f) + param * new global::System.Numerics.Vector<float>(-1f);")]
    [InlineData(5, "var x = global::System.Numerics.Vector.Abs(grad) + global::System.Numerics.Vector.SquareRoot(grad + param);")]
    [InlineData(6, "var x = global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.LessThan<float>(grad, param), grad + param, -grad) * new global::System.Numerics.Vector<float>(2f);")]
    [InlineData(8, "var x = global::Gen.__Internals.FastMath.NegatedMultiplyAdd(grad, param, global::Gen.__Internals.FastMath.ReciprocalSqrtEstimate(grad));")]
    [InlineData(9, "var x = ((global::System.Numerics.Vector.GreaterThan<float>(grad, global::System.Numerics.Vector<float>.Zero) & new global::System.Numerics.Vector<float>(1f)) - (global::System.Numerics.Vector.LessThan<float>(grad, global::System.Numerics.Vector<float>.Zero) & new global::System.Numerics.Vector<float>(1f)));")]
    [InlineData(11, "var x = global::System.Numerics.Vector.ConditionalSelect(global::System.Numerics.Vector.Equals<float>(grad, param), grad + param, -grad) * new global::System.Numerics.Vector<float>(2f);")]
    public void VectorOfTSpellingUsesTheGenericComparisonsAndConstructors(int index, string expected) =>
        Assert.Equal(expected, Spell(index, KernelFlavor.VectorOfT(ElementKind.Single)));

    [Fact]
    public void PortableLoadsAndStoresIndexSpans()
    {
        KernelDescription kernel = Build(k => k.Store("v", k.Load("v") * 2));
        KernelStatement store = KernelTransforms.ForRegister(kernel.Statements, 3)[0];
        Assert.Equal(
            "vVectors[i + 3] = vVectors[i + 3] * new global::System.Numerics.Vector<float>(2f);",
            KernelFlavor.VectorOfT(ElementKind.Single).Write(store, kernel));
        Assert.Equal("v[i] = v[i] * 2f;", KernelFlavor.Scalar(ElementKind.Single, KernelTarget.Portable).Write(kernel.Statements[0], kernel));
    }

    [Fact]
    public void DoubleKernelsUseDoubleLiteralsAndMath()
    {
        Assert.Equal("var x = global::System.Math.Abs(grad) + global::System.Math.Sqrt(grad + param);", Spell(5, KernelFlavor.Scalar(ElementKind.Double)));
        Assert.Equal("var x = (grad + param) * 2d;", Spell(0, KernelFlavor.Scalar(ElementKind.Double)));
    }

    [Fact]
    public void LoadsAndStoresAreAtTheRegistersOffset()
    {
        KernelDescription kernel = Build(k => k.Store("v", k.Load("v") * 2));
        KernelStatement store = KernelTransforms.ForRegister(kernel.Statements, 3)[0];
        Assert.Equal(
            "global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref v, i + 3 * width) * global::System.Runtime.Intrinsics.Vector256.Create(2f), ref v, i + 3 * width);",
            KernelFlavor.Vector(ElementKind.Single, 256).Write(store, kernel));
        Assert.Equal(
            "global::System.Runtime.CompilerServices.Unsafe.Add(ref v, i) = global::System.Runtime.CompilerServices.Unsafe.Add(ref v, i) * 2f;",
            KernelFlavor.Scalar(ElementKind.Single).Write(kernel.Statements[0], kernel));
    }

    [Fact]
    public void StagingWritesEachStatementForEveryRegisterBeforeTheNext()
    {
        KernelDescription kernel = Build(k =>
        {
            LocalValue x = k.Let("x", k.Load("g") * 2);
            k.Store("p", x);
        });
        var registers = Enumerable.Range(0, 2).Select(r => KernelTransforms.ForRegister(kernel.Statements, r)).ToList();

        Assert.Equal(
            new KernelStatement[]
            {
                new LetStatement("x0", new BinaryValue(BinaryOperator.Multiply, new LoadValue("g", 0), 2)),
                new LetStatement("x1", new BinaryValue(BinaryOperator.Multiply, new LoadValue("g", 1), 2)),
                new StoreStatement("p", new LocalValue("x0"), 0),
                new StoreStatement("p", new LocalValue("x1"), 1),
            },
            KernelTransforms.Stage(registers));
    }

    [Fact]
    public void LoadsFirstHoistsEachLoadOnceAndNeverAboveAStoreToItsBuffer()
    {
        KernelDescription kernel = Build(k =>
        {
            LocalValue grad = k.Let("grad", k.Load("g"));
            LocalValue x = k.Let("x", k.Load("v") * grad + k.Load("v"));
            k.Store("v", x);
            k.Store("p", grad * x);
        });
        var staged = KernelTransforms.Stage(Enumerable.Range(0, 2).Select(r => KernelTransforms.ForRegister(kernel.Statements, r)).ToList());

        Assert.Equal(
            new KernelStatement[]
            {
                new LetStatement("grad0", new LoadValue("g", 0)),
                new LetStatement("grad1", new LoadValue("g", 1)),
                new LetStatement("vOld0", new LoadValue("v", 0)),
                new LetStatement("vOld1", new LoadValue("v", 1)),
                new LetStatement("x0", new LocalValue("vOld0") * new LocalValue("grad0") + new LocalValue("vOld0")),
                new LetStatement("x1", new LocalValue("vOld1") * new LocalValue("grad1") + new LocalValue("vOld1")),
                new StoreStatement("v", new LocalValue("x0"), 0),
                new StoreStatement("v", new LocalValue("x1"), 1),
                new StoreStatement("p", new LocalValue("grad0") * new LocalValue("x0"), 0),
                new StoreStatement("p", new LocalValue("grad1") * new LocalValue("x1"), 1),
            },
            KernelTransforms.LoadsFirst(staged));
    }

    /// <summary>
    /// A load in a switch's term stays in the term (the instantiation with the other value must not make it), while the
    /// loads outside it are hoisted as usual.
    /// </summary>
    [Fact]
    public void LoadsFirstLeavesTheLoadsOfASwitchsTermsInPlace()
    {
        KernelDescription kernel = Build(k =>
        {
            LocalValue grad = k.Let("grad", k.Load("g"));
            LocalValue x = k.Let("x", StepBranch(grad, k.Load("v")) + k.Load("u"));
            k.Store("v", x);
        });
        var staged = KernelTransforms.Stage(Enumerable.Range(0, 2).Select(r => KernelTransforms.ForRegister(kernel.Statements, r)).ToList());

        Assert.Equal(
            new KernelStatement[]
            {
                new LetStatement("grad0", new LoadValue("g", 0)),
                new LetStatement("grad1", new LoadValue("g", 1)),
                new LetStatement("uOld0", new LoadValue("u", 0)),
                new LetStatement("uOld1", new LoadValue("u", 1)),
                new LetStatement("x0", StepBranch(new LocalValue("grad0"), new LoadValue("v", 0)) + new LocalValue("uOld0")),
                new LetStatement("x1", StepBranch(new LocalValue("grad1"), new LoadValue("v", 1)) + new LocalValue("uOld1")),
                new StoreStatement("v", new LocalValue("x0"), 0),
                new StoreStatement("v", new LocalValue("x1"), 1),
            },
            KernelTransforms.LoadsFirst(staged));
    }

    /// <summary>
    /// The main loop is the width's shape applied to the description: as many registers as it unrolls, staged, and loads
    /// first where it says so. The shapes are the measured ones (benchmarks/README.md, "Loop shapes"): ×4 everywhere, loads
    /// first at 512 bits, staged elsewhere; Vector&lt;T&gt; (0 bits: its width is known at run time) takes the staged shape.
    /// </summary>
    [Fact]
    public void MainLoopTakesItsWidthsShape()
    {
        KernelDescription kernel = Build(k =>
        {
            LocalValue x = k.Let("x", k.Load("v") * k.Load("g"));
            k.Store("v", x);
            k.Store("p", x / Sqrt(x));
        });
        IReadOnlyList<KernelStatement> Staged(int unroll) =>
            KernelTransforms.Stage(Enumerable.Range(0, unroll).Select(r => KernelTransforms.ForRegister(kernel.Statements, r)).ToList());

        Assert.Equal(Staged(3), KernelTransforms.MainLoop(kernel.Statements, new LoopShape(3, LoadOrder.Staged)));
        Assert.Equal(KernelTransforms.LoadsFirst(Staged(2)), KernelTransforms.MainLoop(kernel.Statements, new LoopShape(2, LoadOrder.LoadsFirst)));
        Assert.Equal(new LoopShape(4, LoadOrder.LoadsFirst), LoopShape.For(512));
        Assert.All(new[] { 256, 128, 0 }, bits => Assert.Equal(new LoopShape(4, LoadOrder.Staged), LoopShape.For(bits)));
    }

    /// <summary>
    /// A kernel with three divider operations (Adam's shape) gives element by element's bits through the whole cascade for
    /// every length that reaches the loop's parts at any width: none, one or more unrolled iterations, and the narrower
    /// widths and elements after them (CI reruns the numerical tests at every SIMD setting).
    /// </summary>
    [Fact]
    [Trait("Category", "Numerical")]
    public void UnrolledLoopGivesTheBitsOfEachElementAlone()
    {
        Type kernel = CompileKernel(k =>
        {
            (LocalValue grad, LocalValue param) = k.GradientPrologue(maximize: false, WeightDecayMode.L2);
            LocalValue v = k.Let("second", k.Load("v") * 0.9 + grad * grad);
            LocalValue u = k.Let("first", k.Load("u") * 0.5 + grad);
            LocalValue d = k.Let("d", Sqrt(v) / 3 + 1e-3);
            k.Store("v", v);
            k.Store("u", u);
            k.Store("p", param + k.Scalar(StepScalar.NegativeLearningRate) * u / d);
        });

        MethodInfo run = kernel.GetMethod("Run")!;
        var random = new Random(11);
        foreach (int length in Enumerable.Range(0, 40).Concat(new[] { 63, 64, 65, 95, 96, 97, 127, 128, 129, 131, 200, 257 }))
        {
            float[] parameter = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
            float[] gradient = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
            float[] state = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 3)).ToArray();
            (float[] P, float[] V, float[] U) Step(int width)
            {
                float[] p = (float[])parameter.Clone(), g = (float[])gradient.Clone(), v = (float[])state.Clone(), u = (float[])state.Clone();
                run.Invoke(null, new object[] { width, p, g, v, u, -0.01f, 0.1f, 0.5f });
                Assert.All(g, x => Assert.Equal(0, BitConverter.SingleToInt32Bits(x)));
                return (p, v, u);
            }

            var (pe, ve, ue) = Step(0);
            var (pc, vc, uc) = Step(1);
            Assert.Equal(Bits(pe), Bits(pc));
            Assert.Equal(Bits(ve), Bits(vc));
            Assert.Equal(Bits(ue), Bits(uc));
        }

        static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
    }

    [Fact]
    public void BuilderRejectsALoadAfterTheStoreToItsBuffer() =>
        Assert.Throws<InvalidOperationException>(() => Build(k =>
        {
            k.Store("v", k.Load("g"));
            k.Store("p", k.Load("v"));
        }));

    /// <summary>
    /// A step branch makes the kernel generic over <c>TBranch</c> (how a step picks the instantiation is the kind's
    /// <see cref="SwitchCondition"/>, checked when the layout is described).
    /// </summary>
    [Fact]
    public void StepBranchIsOneOfTheKernelsSwitches()
    {
        KernelDescription kernel = Build(k => k.Store("p", StepBranch(k.Load("g") * k.Scalar(Branch), 0)));
        Assert.Equal(new[] { KernelSwitch.StepBranch }, kernel.Switches);
    }

    [Fact]
    public void BuilderRejectsAnUndeclaredLocalAndAnUnknownBuffer()
    {
        Assert.Throws<InvalidOperationException>(() => Build(k => k.Store("p", new LocalValue("nowhere"))));
        Assert.Throws<InvalidOperationException>(() => Build(k => k.Store("q", k.Load("g"))));
        Assert.Throws<InvalidOperationException>(() => Build(k => k.Store("p", k.Load("w"))));
    }

    /// <summary>
    /// A kernel that uses every operation, compiled with the generator's own cascade and block methods
    /// and run at each accelerated width and element by element, for every length from 0 to 3 × 16 + 1:
    /// the exact operations (into v) and the fused multiply-adds (into p) give the same bits on every
    /// path, the exact ones the reference's; the hardware estimates (into u, whose precision differs
    /// between widths: 14 bits at 512, 12 below) stay within 2⁻¹¹ of the true values.
    /// </summary>
    [Fact]
    [Trait("Category", "Numerical")]
    public void EveryOperationGivesTheSameBitsAtEveryWidthAndTheExactOnesMatchTheReference()
    {
        Type kernel = CompileKernel(k =>
        {
            (LocalValue grad, LocalValue param) = k.GradientPrologue(maximize: true, WeightDecayMode.L2);
            LocalValue a = k.Let("a", Abs(grad) + Sqrt(Abs(param)));
            LocalValue b = k.Let("b", Max(a, k.Load("v")));
            LocalValue c = k.Let("c", new SelectValue(Comparison.LessThan, grad, 0, -grad * 2, a / (b + 1)));
            k.Assign(c, IfEqual(b, a, c, IfGreater(c, 1, c * 0.5, c)));
            k.Store("v", Sign(param) * c - b);
            k.Store("u", ReciprocalEstimate(b + 1) + ReciprocalSqrtEstimate(a + 1));
            k.Store("p", MultiplyAdd(k.Scalar(StepScalar.NegativeLearningRate), a, param) + NegatedMultiplyAdd(a, 0.5, c));
        });

        MethodInfo run = kernel.GetMethod("Run")!;
        var random = new Random(7);
        for (int length = 0; length <= (3 * 16) + 1; length++)
        {
            float[] parameter = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
            float[] gradient = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
            float[] state = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 3)).ToArray();
            if (length > 3)
            {
                parameter[1] = 0;
                gradient[2] = 0;
                gradient[3] = float.NaN;
            }

            (float[] P, float[] V, float[] U) Step(int width)
            {
                float[] p = (float[])parameter.Clone(), g = (float[])gradient.Clone(), v = (float[])state.Clone(), u = new float[length];
                run.Invoke(null, new object[] { width, p, g, v, u, -0.1f, 0.01f, 0.75f });
                Assert.All(g, x => Assert.Equal(0, BitConverter.SingleToInt32Bits(x)));
                return (p, v, u);
            }

            (float[] p0, float[] v0, _) = Step(0);
            foreach (int width in new[] { 0, 1, 512, 256, 128 })
            {
                (float[] p, float[] v, float[] u) = Step(width);
                Assert.Equal(p0.Select(BitConverter.SingleToInt32Bits), p.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(v0.Select(BitConverter.SingleToInt32Bits), v.Select(BitConverter.SingleToInt32Bits));
                for (int i = 0; i < length; i++)
                {
                    float g = (-(gradient[i] * 0.75f)) + (0.01f * parameter[i]);
                    double a = MathF.Abs(g) + MathF.Sqrt(MathF.Abs(parameter[i]));
                    double b = Math.Max(a, state[i]);
                    double exact = (1 / (b + 1)) + (1 / Math.Sqrt(a + 1));
                    Assert.True(double.IsNaN(exact) ? float.IsNaN(u[i]) : Math.Abs(u[i] - exact) <= exact / 2048, $"u[{i}] = {u[i]} at width {width}, exact {exact}");
                }
            }

            for (int i = 0; i < length; i++)
            {
                float g = gradient[i] * 0.75f;
                g = -g;
                g = g + (0.01f * parameter[i]);
                float a = MathF.Abs(g) + MathF.Sqrt(MathF.Abs(parameter[i]));
                float b = a > state[i] ? a : state[i];
                float c = g < 0 ? -g * 2f : a / (b + 1f);
                c = b == a ? c : c > 1f ? c * 0.5f : c;
                float sign = parameter[i] > 0 ? 1f : parameter[i] < 0 ? -1f : 0f;
                Assert.Equal(BitConverter.SingleToInt32Bits((sign * c) - b), BitConverter.SingleToInt32Bits(v0[i]));
            }
        }
    }

    /// <summary>
    /// <see cref="KernelBuilder.Lerp"/> is PyTorch's scalar-weight <c>lerp</c> with the weight in the element type: for
    /// |w| &lt; 0.5 <c>start + w·(end − start)</c>, else <c>end − (end − start)·(1 − w)</c> with <c>1 − w</c> computed in float
    /// (0.95f's complement, 0.0500000119f, not 0.05f): every width gives the formula's bits.
    /// </summary>
    [Fact]
    [Trait("Category", "Numerical")]
    public void LerpIsPyTorchsFormulaWithTheWeightInTheElementTypeAtEveryWidth()
    {
        Type kernel = CompileKernel(k =>
        {
            (LocalValue grad, LocalValue param) = k.GradientPrologue(maximize: false, WeightDecayMode.L2);
            LocalValue state = k.Let("state", k.Load("v"));
            k.Assign(state, k.Lerp(state, grad, 1 - 0.95));
            k.Store("v", state);
            k.Store("u", k.Lerp(grad, state, 0.95));
            k.Store("p", param + k.Scalar(StepScalar.NegativeLearningRate) * grad);
        });

        MethodInfo run = kernel.GetMethod("Run")!;
        var random = new Random(17);
        const int length = (3 * 16) + 1;
        float[] parameter = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        float[] gradient = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        float[] start = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        foreach (int width in new[] { 0, 1, 512, 256, 128 })
        {
            float[] p = (float[])parameter.Clone(), g = (float[])gradient.Clone(), v = (float[])start.Clone(), u = new float[length];
            run.Invoke(null, new object[] { width, p, g, v, u, -0.1f, 0.01f, 0.75f });
            for (int i = 0; i < length; i++)
            {
                float grad = (gradient[i] * 0.75f) + (0.01f * parameter[i]);
                float buffer = start[i] + (0.05f * (grad - start[i]));
                float look = buffer - ((buffer - grad) * (1f - 0.95f));
                Assert.Equal(BitConverter.SingleToInt32Bits(buffer), BitConverter.SingleToInt32Bits(v[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(look), BitConverter.SingleToInt32Bits(u[i]));
            }
        }

        Assert.Equal(0.0500000119f, 1f - 0.95f);
    }

    /// <summary>
    /// A kernel takes the buffers it reads or writes, in argument order (a pass of a several-pass update uses some of them),
    /// and a kernel without switches has no type parameters.
    /// </summary>
    [Fact]
    public void KernelsTakeOnlyTheBuffersTheyUseAndScratchBuffersComeLast()
    {
        var routine = new MatrixRoutine("Routine", "Workspace", "w", "scratch", new[] { "1f" }.ToEquatableArray(), "a routine");
        var builder = new KernelBuilder(ElementKind.Single, State, new StateStorage(StatePrecision.Float32, false), new[] { routine }) { Method = "Apply" };
        builder.Store("p", builder.Load("p") * builder.Load("w"));
        KernelDescription apply = builder.Build();
        Assert.Equal(new[] { "p", "w" }, apply.Buffers.Select(b => b.Reference));
        Assert.Equal(BufferRole.Scratch, apply.Buffers[1].Role);
        Assert.Empty(apply.Switches);
        Assert.Equal("ApplyBuffer", apply.BufferMethod);
        Assert.Equal("ApplyBlock512", KernelFlavor.Vector(ElementKind.Single, 512).BlockMethodOf(apply.Method));

        var first = new KernelBuilder(ElementKind.Single, State, new StateStorage(StatePrecision.Float32, false), new[] { routine });
        LocalValue grad = first.LoadGradient();
        first.Store("u", grad + first.Load("u"));
        first.Store("w", grad);
        Assert.Equal(new[] { "g", "u", "w" }, first.Build().Buffers.Select(b => b.Reference));
    }

    /// <summary>The value of test case <paramref name="index"/>, spelled as <c>var x = ...;</c> by <paramref name="flavor"/>.</summary>
    private static string Spell(int index, KernelFlavor flavor)
    {
        KernelDescription kernel = Build(k =>
        {
            LocalValue grad = k.Let("grad", k.Load("g"));
            LocalValue param = k.Let("param", k.Load("p"));
            k.Let("x", index switch
            {
                0 => (grad + param) * 2,
                1 => grad - (param - grad) - grad,
                2 => grad / (param * grad) * param,
                3 => -(grad + param),
                4 => -(KernelValue)(-1.0) + param * -1.0,
                5 => Abs(grad) + Sqrt(grad + param),
                6 => new SelectValue(Comparison.LessThan, grad, param, grad + param, -grad) * 2,
                7 => new SwitchValue(KernelSwitch.CoupledDecay, grad + param, grad) * 2,
                9 => Sign(grad),
                10 => param - StepBranch(grad * k.Scalar(Branch), grad),
                11 => IfEqual(grad, param, grad + param, -grad) * 2,
                12 => StepBranch(grad, k.Load("p") * 2),
                _ => NegatedMultiplyAdd(grad, param, ReciprocalSqrtEstimate(grad)),
            });
        }, flavor.Element);
        return flavor.Write(kernel.Statements[2], kernel);
    }

    private static KernelDescription Build(Action<KernelBuilder> describe, ElementKind element = ElementKind.Single)
    {
        var builder = new KernelBuilder(element, State, new StateStorage(StatePrecision.Float32, false));
        describe(builder);
        return builder.Build();
    }

    /// <summary>
    /// Emits the kernel's methods as the generator does for an optimizer with state buffers v and u and
    /// the step scalars negLr, wd and gradientScale, plus <c>Run(width, p, g, v, u, negLr, wd, scale)</c>, which runs
    /// the kernel compiled with every switch on (coupled decay, the gradient scale, clearing the gradient): width 0
    /// element by element, 1 the whole cascade (UpdateBuffer), 512/256/128 that width's block (when accelerated),
    /// then elements.
    /// </summary>
    private static Type CompileKernel(Action<KernelBuilder> describe)
    {
        KernelDescription kernel = Build(describe);
        var layout = new OptimizerLayout(
            "Test", "Test", 0.1, 0.01, new PublicConstant[0].ToEquatableArray(), State.ToEquatableArray(),
            new[] { StepScalar.NegativeLearningRate, StepScalar.WeightDecay(WeightDecayMode.L2), StepScalar.GradientScale }.ToEquatableArray(),
            new[] { "(every operation)" }.ToEquatableArray(), new[] { kernel }.ToEquatableArray());
        var w = new IndentedTextWriter();
        using (w.Block("public static class Kernel"))
        {
            KernelEmitter.Write(w, layout, kernel, KernelTarget.Intrinsics);
            w.Lines("""
                public static void Run(int width, float[] p, float[] g, float[] v, float[] u, float negLr, float wd, float scale)
                {
                    if (width == 1)
                    {
                        UpdateBuffer<global::Gen.__Internals.WithCoupledDecay, global::Gen.__Internals.ScaledGradient, global::Gen.__Internals.ClearedGradient>(p, g, v, u, negLr, wd, scale);
                        return;
                    }

                    ref float rp = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(p);
                    ref float rg = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(g);
                    ref float rv = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(v);
                    ref float ru = ref global::System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(u);
                    nuint i = 0, length = (nuint)p.Length;
                    if (width == 512 && global::System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                    {
                        for (; i + 16 <= length; i += 16)
                        {
                            UpdateBlock512<global::Gen.__Internals.WithCoupledDecay, global::Gen.__Internals.ScaledGradient, global::Gen.__Internals.ClearedGradient>(ref rp, ref rg, ref rv, ref ru, i, global::System.Runtime.Intrinsics.Vector512.Create(negLr), global::System.Runtime.Intrinsics.Vector512.Create(wd), global::System.Runtime.Intrinsics.Vector512.Create(scale));
                        }
                    }

                    if (width == 256 && global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
                    {
                        for (; i + 8 <= length; i += 8)
                        {
                            UpdateBlock256<global::Gen.__Internals.WithCoupledDecay, global::Gen.__Internals.ScaledGradient, global::Gen.__Internals.ClearedGradient>(ref rp, ref rg, ref rv, ref ru, i, global::System.Runtime.Intrinsics.Vector256.Create(negLr), global::System.Runtime.Intrinsics.Vector256.Create(wd), global::System.Runtime.Intrinsics.Vector256.Create(scale));
                        }
                    }

                    if (width == 128 && global::System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
                    {
                        for (; i + 4 <= length; i += 4)
                        {
                            UpdateBlock128<global::Gen.__Internals.WithCoupledDecay, global::Gen.__Internals.ScaledGradient, global::Gen.__Internals.ClearedGradient>(ref rp, ref rg, ref rv, ref ru, i, global::System.Runtime.Intrinsics.Vector128.Create(negLr), global::System.Runtime.Intrinsics.Vector128.Create(wd), global::System.Runtime.Intrinsics.Vector128.Create(scale));
                        }
                    }

                    for (; i < length; i++)
                    {
                        UpdateElement<global::Gen.__Internals.WithCoupledDecay, global::Gen.__Internals.ScaledGradient, global::Gen.__Internals.ClearedGradient>(ref rp, ref rg, ref rv, ref ru, i, negLr, wd, scale);
                    }
                }
                """);
        }

        return GeneratorHarness.EmitAndLoad(GeneratorHarness.Compilation(w.ToString()), "Kernel");
    }
}
