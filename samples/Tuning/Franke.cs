using System;

namespace Tuning;

/// <summary>
/// The regression task: Franke's function, a standard test surface for scattered-data fitting
/// (R. Franke, 1979) with two peaks, a ridge and a dip on the unit square. Smooth but not trivial: a
/// small network needs a well-chosen optimizer and learning rate to fit it closely in a short budget.
/// </summary>
public static class Franke
{
    /// <summary>Franke's function at (<paramref name="x"/>, <paramref name="y"/>) in [0, 1]²; its values lie in about [0, 1.2].</summary>
    public static double Value(double x, double y)
    {
        double a = 9 * x, b = 9 * y;
        return (0.75 * Math.Exp(-((((a - 2) * (a - 2)) + ((b - 2) * (b - 2))) / 4)))
            + (0.75 * Math.Exp((-((a + 1) * (a + 1)) / 49) - ((b + 1) / 10)))
            + (0.5 * Math.Exp(-((((a - 7) * (a - 7)) + ((b - 3) * (b - 3))) / 4)))
            - (0.2 * Math.Exp(-((a - 4) * (a - 4)) - ((b - 7) * (b - 7))));
    }

    /// <summary>
    /// <paramref name="count"/> points drawn uniformly from the unit square, for training. Row n of
    /// <c>X</c> holds the inputs, mapped to [−1, 1]² (inputs centered on 0 suit tanh units); <c>Y[n]</c> is
    /// the function's value there.
    /// </summary>
    public static (float[,] X, float[] Y) RandomPoints(int count, Random random)
    {
        var x = new float[count, 2];
        var y = new float[count];
        for (int n = 0; n < count; n++)
        {
            Set(x, y, n, random.NextDouble(), random.NextDouble());
        }

        return (x, y);
    }

    /// <summary>
    /// A <paramref name="side"/> × <paramref name="side"/> grid over the unit square, cell centers
    /// only, for validation: it covers the whole square evenly and shares no point with the training draw.
    /// </summary>
    public static (float[,] X, float[] Y) Grid(int side)
    {
        var x = new float[side * side, 2];
        var y = new float[side * side];
        for (int i = 0; i < side; i++)
        {
            for (int j = 0; j < side; j++)
            {
                Set(x, y, (i * side) + j, (i + 0.5) / side, (j + 0.5) / side);
            }
        }

        return (x, y);
    }

    private static void Set(float[,] x, float[] y, int n, double u, double v)
    {
        x[n, 0] = (float)((2 * u) - 1);
        x[n, 1] = (float)((2 * v) - 1);
        y[n] = (float)Value(u, v);
    }
}
