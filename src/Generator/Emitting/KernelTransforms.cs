using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Gen.Generator.Models;

namespace Gen.Generator.Emitting;

/// <summary>
/// Transformations of a kernel's statements for the unrolled main loop, on the description rather than
/// on text: one copy per register (<see cref="ForRegister"/>), interleaved statement by statement
/// (<see cref="Stage"/>), then, as the width's <see cref="LoopShape"/> says, every load moved to the top
/// (<see cref="LoadsFirst"/>); <see cref="MainLoop"/> applies them in that order. Each
/// element still sees the same operations in the same order, so results are unchanged bit for bit.
/// </summary>
internal static class KernelTransforms
{
    /// <summary>
    /// The unrolled main loop's statements in <paramref name="shape"/>: one copy of <paramref name="statements"/> per register,
    /// staged, and (<see cref="LoadOrder.LoadsFirst"/>) every load moved to the top.
    /// </summary>
    public static IReadOnlyList<KernelStatement> MainLoop(IEnumerable<KernelStatement> statements, LoopShape shape)
    {
        IReadOnlyList<KernelStatement> staged = Stage(Enumerable.Range(0, shape.Unroll).Select(register => ForRegister(statements, register)).ToList());
        return shape.Order == LoadOrder.LoadsFirst ? LoadsFirst(staged) : staged;
    }

    /// <summary>
    /// The statements for register <paramref name="register"/> of an unrolled iteration: its locals get the
    /// register's number as a suffix (<c>grad2</c>) and its loads and stores the register's offset.
    /// </summary>
    public static IReadOnlyList<KernelStatement> ForRegister(IEnumerable<KernelStatement> statements, int register)
    {
        string Rename(string name) => name + register.ToString(CultureInfo.InvariantCulture);
        KernelValue Move(KernelValue value) => KernelValues.Rewrite(value, node => node switch
        {
            LocalValue local => new LocalValue(Rename(local.Name)),
            LoadValue load => load with { Register = register },
            _ => null,
        });

        return statements.Select(statement => statement switch
        {
            LetStatement let => new LetStatement(Rename(let.Name), Move(let.Value)),
            AssignStatement assign => new AssignStatement(Rename(assign.Name), Move(assign.Value)),
            StoreStatement store => (KernelStatement)(store with { Value = Move(store.Value), Register = register }),
            _ => statement,
        }).ToList();
    }

    /// <summary>
    /// Each statement for every register before the next statement. So each buffer's loads come before
    /// its stores, and no load waits on a store of the same iteration to another buffer whose address
    /// merely matches in its low bits (4K aliasing) unless the rule itself puts that store first: the
    /// register-by-register form was up to twice as slow in cache, depending on where the arrays lay.
    /// </summary>
    public static IReadOnlyList<KernelStatement> Stage(IReadOnlyList<IReadOnlyList<KernelStatement>> registers)
    {
        var staged = new List<KernelStatement>();
        for (int line = 0; line < registers[0].Count; line++)
        {
            staged.AddRange(registers.Select(copy => copy[line]));
        }

        return staged;
    }

    /// <summary>
    /// Moves every load to the top, in the order the code reads them: a statement that is only a load moves
    /// whole, a load inside an expression becomes a local named after its buffer (<c>vOld0</c>, <c>vOld1</c>,
    /// ...), and a buffer read twice at one offset is read once. A load that follows a store to its own
    /// buffer stays where it is, so each element still sees the same values in the same order, and so does a load
    /// in a switch's term (<see cref="SwitchValue"/>), which only one instantiation of the kernel makes.
    /// </summary>
    public static IReadOnlyList<KernelStatement> LoadsFirst(IReadOnlyList<KernelStatement> staged)
    {
        var loads = new List<KernelStatement>();
        var body = new List<KernelStatement>();
        var locals = new Dictionary<LoadValue, string>();
        var perBuffer = new Dictionary<string, int>();
        var stored = new HashSet<string>();
        foreach (KernelStatement statement in staged)
        {
            if (statement is LetStatement { Value: LoadValue whole } let && !stored.Contains(whole.Buffer) && !locals.ContainsKey(whole))
            {
                locals.Add(whole, let.Name);
                loads.Add(statement);
                continue;
            }

            KernelValue Hoist(KernelValue value) => KernelValues.Rewrite(value, node =>
            {
                // A switch's terms keep their loads: hoisted, a load only one instantiation needs would run in both.
                if (node is SwitchValue)
                {
                    return node;
                }

                if (node is not LoadValue load || stored.Contains(load.Buffer))
                {
                    return null;
                }

                if (!locals.TryGetValue(load, out string? local))
                {
                    perBuffer.TryGetValue(load.Buffer, out int count);
                    perBuffer[load.Buffer] = count + 1;
                    local = load.Buffer + "Old" + count.ToString(CultureInfo.InvariantCulture);
                    locals.Add(load, local);
                    loads.Add(new LetStatement(local, load));
                }

                return new LocalValue(local);
            });

            body.Add(statement switch
            {
                LetStatement declared => declared with { Value = Hoist(declared.Value) },
                AssignStatement assign => assign with { Value = Hoist(assign.Value) },
                StoreStatement store => store with { Value = Hoist(store.Value) },
                _ => statement,
            });

            if (statement is StoreStatement written)
            {
                stored.Add(written.Buffer);
            }
        }

        return loads.Concat(body).ToList();
    }
}
