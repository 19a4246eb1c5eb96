using System;

namespace QuickStart;

/// <summary>The classic two-spirals task: two interleaved arms, one per class.</summary>
public static class TwoSpirals
{
    /// <summary>
    /// Makes <paramref name="perClass"/> points per class: <c>X[n, 0..1]</c> is a point,
    /// <c>Y[n]</c> its class (0 or 1). Class 0 lies on the arm <c>(x, y) = (−r·cos θ, r·sin θ)</c>
    /// with <c>r = radius · θ / θmax</c> for θ in [0, θmax], about 2.2 turns; class 1 is the same
    /// arm rotated by 180°. Each coordinate gets Gaussian noise of standard deviation <paramref name="noise"/>.
    /// </summary>
    public static (float[,] X, float[] Y) Make(int perClass, double radius, double noise, Random random)
    {
        const double maxTheta = 780 * Math.PI / 180; // 780°: a bit more than two turns
        var x = new float[2 * perClass, 2];
        var y = new float[2 * perClass];
        for (int n = 0; n < perClass; n++)
        {
            // sqrt spreads the points evenly along the arm (the outer turns are longer).
            double theta = Math.Sqrt(random.NextDouble()) * maxTheta;
            double r = radius * theta / maxTheta;
            double px = -r * Math.Cos(theta);
            double py = r * Math.Sin(theta);

            x[n, 0] = (float)(px + noise * Gaussian(random));
            x[n, 1] = (float)(py + noise * Gaussian(random));
            y[n] = 0;

            int m = perClass + n; // the opposite arm
            x[m, 0] = (float)(-px + noise * Gaussian(random));
            x[m, 1] = (float)(-py + noise * Gaussian(random));
            y[m] = 1;
        }

        return (x, y);
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    private static double Gaussian(Random random)
    {
        double u1 = 1 - random.NextDouble(); // in (0, 1], so the log is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
