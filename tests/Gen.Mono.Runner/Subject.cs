using System;
using System.Collections.Generic;
using System.IO;
using Gen;
using QuickStart;

namespace Gen.Mono.Runner;

/// <summary>
/// One model with one generated optimizer, seen through the runtime's common API only, so the runs,
/// the checkpoints and the comparison are written once for every model and kind.
/// </summary>
internal abstract class Subject
{
    protected Subject(string name) => Name = name;

    /// <summary>The run's name: file names and report lines.</summary>
    public string Name { get; }

    public abstract ITrainable Model { get; }

    public abstract long StepCount { get; }

    /// <summary>One step with the gradients <see cref="Synthetic"/> makes for <paramref name="step"/>.</summary>
    public abstract void StepSynthetic(int step);

    public abstract void SetLearningRate(double fractionOfBase);

    public abstract void Save(string directory);

    public abstract void Load(string directory);

    /// <summary>Every parameter, then every optimizer state buffer (named <c>member.key</c>), in a fixed order.</summary>
    public abstract IEnumerable<KeyValuePair<string, TensorRef>> Tensors();

    protected string ModelPath(string directory) => Path.Combine(directory, Name + ".model.safetensors");

    protected string OptimizerPath(string directory) => Path.Combine(directory, Name + ".optimizer.safetensors");

    /// <summary>The runs that must agree bit for bit: each model and kind stepped with synthetic gradients.</summary>
    public static Subject[] Exact() => new Subject[]
    {
        Spiral("exact.SpiralNet.RmsProp", m => new SpiralNet.RmsPropOptimizer(m)),
        Spiral("exact.SpiralNet.Adam", m => new SpiralNet.AdamOptimizer(m)),
        Spiral("exact.SpiralNet.Sgd", m => new SpiralNet.SgdOptimizer(m)),
        Spiral("exact.SpiralNet.Adagrad", m => new SpiralNet.AdagradOptimizer(m)),
        FamilyRun("exact.Family.RmsPropCenteredMomentum", m => new Family.RmsPropCenteredMomentum(m)),
        FamilyRun("exact.Family.RmsPropInsideSqrtDecoupled", m => new Family.RmsPropInsideSqrtDecoupled(m)),
        FamilyRun("exact.Family.NesterovSgd", m => new Family.NesterovSgd(m)),
        FamilyRun("exact.Family.Adagrad", m => new Family.AdagradOptimizer(m)),
        FamilyRun("exact.Family.Adam", m => new Family.AdamOptimizer(m)),
        FamilyRun("exact.Family.AdamW", m => new Family.AdamWOptimizer(m)),
        FamilyRun("exact.Family.Adadelta", m => new Family.AdadeltaOptimizer(m)),
        FamilyRun("exact.Family.Lion", m => new Family.LionOptimizer(m)),
        FamilyRun("exact.Family.NAdam", m => new Family.NAdamOptimizer(m)),
        FamilyRun("exact.Family.RAdamDecoupled", m => new Family.RAdamDecoupled(m)),
        FamilyRun("exact.Family.Adamax", m => new Family.AdamaxOptimizer(m)),
        FamilyRun("exact.Family.Rprop", m => new Family.RpropOptimizer(m)),
        FamilyRun("exact.Family.Asgd", m => new Family.AsgdOptimizer(m)),
        FamilyRun("exact.Family.ScheduleFreeAdamW", m => new Family.ScheduleFreeAdamWOptimizer(m)),
        FamilyRun("exact.Family.ScheduleFreeSgd", m => new Family.ScheduleFreeSgdOptimizer(m)),
        FamilyRun("exact.Family.AdEMAMix", m => new Family.AdEMAMixOptimizer(m)),
        FamilyRun("exact.Family.Adopt", m => new Family.AdoptOptimizer(m)),
        FamilyRun("exact.Family.Lamb", m => new Family.LambOptimizer(m)),
        FamilyRun("exact.Family.Lars", m => new Family.LarsOptimizer(m)),
        FamilyRun("exact.Family.Adafactor", m => new Family.AdafactorOptimizer(m)),
        LeanRun("exact.LeanFamily.AdamBFloat16Stochastic", m => new LeanFamily.AdamBFloat16Stochastic(m) { StochasticRoundingSeed = 5, GlobalNormClip = 0.5 }),
        LeanRun("exact.LeanFamily.RmsPropBFloat16", m => new LeanFamily.RmsPropBFloat16(m)),
        LeanRun("exact.LeanFamily.AdagradFloat16", m => new LeanFamily.AdagradFloat16(m)),
        LeanRun("exact.LeanFamily.SgdFloat16Stochastic", m => new LeanFamily.SgdFloat16Stochastic(m) { StochasticRoundingSeed = 6 }),
    };

    /// <summary>The QuickStart's training with each of its optimizers (real gradients from its backward pass).</summary>
    public static Subject<SpiralNet.Gradients>[] Training() => new[]
    {
        Spiral("train.SpiralNet.RmsProp", m => new SpiralNet.RmsPropOptimizer(m)),
        Spiral("train.SpiralNet.Adam", m => new SpiralNet.AdamOptimizer(m)),
        Spiral("train.SpiralNet.Sgd", m => new SpiralNet.SgdOptimizer(m)),
        Spiral("train.SpiralNet.Adagrad", m => new SpiralNet.AdagradOptimizer(m)),
    };

    /// <summary>Every run by name, for the comparison.</summary>
    public static Subject Create(string name)
    {
        foreach (Subject subject in Exact())
        {
            if (subject.Name == name)
            {
                return subject;
            }
        }

        foreach (Subject subject in Training())
        {
            if (subject.Name == name)
            {
                return subject;
            }
        }

        throw new ArgumentException($"No run is named '{name}'.", nameof(name));
    }

    // The QuickStart's initial weights: Xavier-uniform from Random(42), as its Program does. Random's seeded
    // sequence and MathF.Sqrt (IEEE, correctly rounded) are the same on Mono and .NET.
    private static Subject<SpiralNet.Gradients> Spiral(string name, Func<SpiralNet, Optimizer<SpiralNet.Gradients>> create)
    {
        var model = new SpiralNet(new Random(42));
        return new Subject<SpiralNet.Gradients>(name, model, new SpiralNet.Gradients(model), create(model));
    }

    private static Subject<LeanFamily.Gradients> LeanRun(string name, Func<LeanFamily, Optimizer<LeanFamily.Gradients>> create)
    {
        var model = new LeanFamily();
        Synthetic.Fill(model, seed: 8);
        return new Subject<LeanFamily.Gradients>(name, model, new LeanFamily.Gradients(model), create(model));
    }

    private static Subject<Family.Gradients> FamilyRun(string name, Func<Family, Optimizer<Family.Gradients>> create)
    {
        var model = new Family();
        Synthetic.Fill(model, seed: 7);
        return new Subject<Family.Gradients>(name, model, new Family.Gradients(model), create(model));
    }
}

/// <summary>A <see cref="Subject"/> for one generated Gradients type.</summary>
internal sealed class Subject<TGradients> : Subject
    where TGradients : GradientsBase
{
    private readonly double _baseLearningRate;

    public Subject(string name, ITrainable model, TGradients gradients, Optimizer<TGradients> optimizer)
        : base(name)
    {
        Model = model;
        Gradients = gradients;
        Optimizer = optimizer;
        _baseLearningRate = optimizer.LearningRate;
    }

    public override ITrainable Model { get; }

    public TGradients Gradients { get; }

    public Optimizer<TGradients> Optimizer { get; }

    public override long StepCount => Optimizer.StepCount;

    public override void StepSynthetic(int step)
    {
        Synthetic.Fill(Gradients, seed: step + 1);
        Optimizer.Step(Gradients);
    }

    // The learning rate is a runtime double: the same arithmetic on both runtimes.
    public override void SetLearningRate(double fractionOfBase) => Optimizer.LearningRate = _baseLearningRate * fractionOfBase;

    public override void Save(string directory)
    {
        Checkpoint.SaveModel(Model, ModelPath(directory));
        Checkpoint.SaveOptimizer(Optimizer, OptimizerPath(directory));
    }

    public override void Load(string directory)
    {
        Checkpoint.LoadModel(Model, ModelPath(directory));
        Checkpoint.LoadOptimizer(Optimizer, OptimizerPath(directory));
    }

    public override IEnumerable<KeyValuePair<string, TensorRef>> Tensors()
    {
        for (int p = 0; p < Model.ParameterCount; p++)
        {
            TensorRef parameter = Model.GetParameter(p);
            yield return new KeyValuePair<string, TensorRef>(parameter.Name, parameter);
        }

        for (int s = 0; s < Optimizer.StateCount; s++)
        {
            OptimizerState state = Optimizer.GetState(s);
            yield return new KeyValuePair<string, TensorRef>(state.Buffer.Name + "." + state.Key, state.Buffer);
        }
    }
}
