using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace QuickStart;

/// <summary>
/// A small line chart written as SVG: a linear x axis, a logarithmic y axis (a loss falls through
/// several decades, and on a log scale equal ratios look equal), one line per series and a legend to the
/// right of the plot.
/// The file is plain SVG 1.1 that a browser, an image viewer or a Markdown preview opens.
/// </summary>
/// <remarks>
/// Deliberately minimal: no dependencies, one pass over the data, invariant number formatting so the
/// same data gives the same file on every machine.
/// </remarks>
public sealed class SvgLineChart
{
    // Canvas and margins around the plot area, in SVG user units (pixels at 100% zoom).
    private const double CanvasWidth = 960;
    private const double CanvasHeight = 480;
    private const double MarginLeft = 72;   // y tick labels and the y axis title
    private const double MarginRight = 24;  // right of the legend, and between the plot and the legend
    private const double MarginTop = 44;    // the chart title
    private const double MarginBottom = 56; // x tick labels and the x axis title
    private const double FontSize = 13;

    // The Okabe–Ito palette: colors that stay distinct for the common forms of color blindness. After the seventh
    // series the colors come round again, dashed, then dotted.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
    private static readonly string[] Dashes = ["", "7 4", "2 3"];

    private readonly string _title;
    private readonly string _xTitle;
    private readonly string _yTitle;
    private readonly List<Series> _series = [];

    /// <summary>Creates an empty chart with a title and the titles of its axes.</summary>
    public SvgLineChart(string title, string xTitle, string yTitle)
    {
        _title = title;
        _xTitle = xTitle;
        _yTitle = yTitle;
    }

    /// <summary>
    /// Adds a line through the points <c>(x[i], y[i])</c>, in the next palette color and dash. Points whose y is
    /// not positive and finite cannot be drawn on a log scale: the line breaks there and resumes after.
    /// </summary>
    public void AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"The series '{name}' has {x.Count} x values and {y.Count} y values.", nameof(y));
        }

        int k = _series.Count;
        _series.Add(new Series(name, x, y, Palette[k % Palette.Length], Dashes[k / Palette.Length % Dashes.Length]));
    }

    /// <summary>Writes the chart to <paramref name="path"/> (UTF-8).</summary>
    public void Save(string path) => File.WriteAllText(path, ToSvg());

    /// <summary>The chart as SVG text.</summary>
    public string ToSvg()
    {
        // Data ranges: x over every point; y over the points a log scale can show.
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity;
        double yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (Series s in _series)
        {
            for (int i = 0; i < s.X.Count; i++)
            {
                xMin = Math.Min(xMin, s.X[i]);
                xMax = Math.Max(xMax, s.X[i]);
                if (IsDrawable(s.Y[i]))
                {
                    yMin = Math.Min(yMin, s.Y[i]);
                    yMax = Math.Max(yMax, s.Y[i]);
                }
            }
        }

        if (!(xMin <= xMax && yMin <= yMax))
        {
            throw new InvalidOperationException("The chart has no drawable point.");
        }

        // The x axis runs between multiples of a "nice" step; the y axis between whole decades.
        double xStep = NiceStep(xMax > xMin ? xMax - xMin : 1, targetIntervals: 6);
        double xLow = Math.Floor(xMin / xStep) * xStep;
        double xHigh = Math.Max(Math.Ceiling(xMax / xStep) * xStep, xLow + xStep);
        int lowDecade = (int)Math.Floor(Math.Log10(yMin));
        int highDecade = Math.Max((int)Math.Ceiling(Math.Log10(yMax)), lowDecade + 1);

        // The legend, right of the plot: as wide as its longest name needs.
        const double RowHeight = 20, SwatchLength = 28, Padding = 10;
        int longestName = 0;
        foreach (Series s in _series)
        {
            longestName = Math.Max(longestName, s.Name.Length);
        }

        double legendWidth = (2 * Padding) + SwatchLength + 8 + (longestName * FontSize * 0.62); // 0.62 em: a generous average glyph width
        double legendHeight = (2 * Padding) + (_series.Count * RowHeight) - 6;
        double legendLeft = CanvasWidth - MarginRight - legendWidth;

        double plotLeft = MarginLeft, plotRight = legendLeft - MarginRight;
        double plotTop = MarginTop, plotBottom = CanvasHeight - MarginBottom;
        double ToX(double x) => plotLeft + ((x - xLow) / (xHigh - xLow) * (plotRight - plotLeft));
        double ToY(double y) => plotBottom - ((Math.Log10(y) - lowDecade) / (highDecade - lowDecade) * (plotBottom - plotTop));

        var svg = new StringBuilder();
        svg.AppendLine($"""<svg xmlns="http://www.w3.org/2000/svg" width="{N(CanvasWidth)}" height="{N(CanvasHeight)}" viewBox="0 0 {N(CanvasWidth)} {N(CanvasHeight)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="{N(FontSize)}">""");
        svg.AppendLine("""  <rect width="100%" height="100%" fill="white"/>""");
        svg.AppendLine($"""  <text x="{N(plotLeft)}" y="{N(MarginTop - 16)}" font-size="{N(FontSize + 3)}" font-weight="bold">{Escape(_title)}</text>""");

        // Grid and ticks of the y axis: a labeled line at each decade, a faint one at 2..9 times it.
        svg.AppendLine("""  <g class="grid">""");
        for (int decade = lowDecade; decade <= highDecade; decade++)
        {
            double y = ToY(Math.Pow(10, decade));
            svg.AppendLine($"""    <line x1="{N(plotLeft - 5)}" y1="{N(y)}" x2="{N(plotRight)}" y2="{N(y)}" stroke="#c8c8c8"/>""");
            svg.AppendLine($"""    <text x="{N(plotLeft - 8)}" y="{N(y + (FontSize * 0.35))}" text-anchor="end">{DecadeLabel(decade)}</text>""");
            for (int m = 2; m <= 9 && decade < highDecade; m++)
            {
                double ym = ToY(m * Math.Pow(10, decade));
                svg.AppendLine($"""    <line x1="{N(plotLeft - 3)}" y1="{N(ym)}" x2="{N(plotRight)}" y2="{N(ym)}" stroke="#ececec"/>""");
            }
        }

        // Grid and ticks of the x axis.
        int xTicks = (int)Math.Round((xHigh - xLow) / xStep);
        for (int k = 0; k <= xTicks; k++)
        {
            double value = xLow + (k * xStep);
            double x = ToX(value);
            svg.AppendLine($"""    <line x1="{N(x)}" y1="{N(plotTop)}" x2="{N(x)}" y2="{N(plotBottom + 5)}" stroke="#e0e0e0"/>""");
            svg.AppendLine($"""    <text x="{N(x)}" y="{N(plotBottom + 8 + FontSize)}" text-anchor="middle">{N(value)}</text>""");
        }

        svg.AppendLine("  </g>");

        // The plot frame (drawn over the grid), then the axis titles.
        svg.AppendLine($"""  <rect x="{N(plotLeft)}" y="{N(plotTop)}" width="{N(plotRight - plotLeft)}" height="{N(plotBottom - plotTop)}" fill="none" stroke="#333333"/>""");
        svg.AppendLine($"""  <text x="{N((plotLeft + plotRight) / 2)}" y="{N(CanvasHeight - 14)}" text-anchor="middle">{Escape(_xTitle)}</text>""");
        svg.AppendLine($"""  <text transform="translate({N(18)} {N((plotTop + plotBottom) / 2)}) rotate(-90)" text-anchor="middle">{Escape(_yTitle)}</text>""");

        // One path per series: "M x y" starts a run of drawable points, "L x y" continues it.
        foreach (Series s in _series)
        {
            var d = new StringBuilder();
            bool inRun = false;
            for (int i = 0; i < s.X.Count; i++)
            {
                if (!IsDrawable(s.Y[i]))
                {
                    inRun = false;
                    continue;
                }

                d.Append(inRun ? " L" : (d.Length == 0 ? "M" : " M")).Append(N(ToX(s.X[i]))).Append(' ').Append(N(ToY(s.Y[i])));
                inRun = true;
            }

            svg.AppendLine($"""  <path d="{d}" fill="none" stroke="{s.Color}" stroke-width="2" stroke-linejoin="round"{DashAttribute(s)}><title>{Escape(s.Name)}</title></path>""");
        }

        double legendTop = plotTop;
        svg.AppendLine($"""  <rect x="{N(legendLeft)}" y="{N(legendTop)}" width="{N(legendWidth)}" height="{N(legendHeight)}" fill="white" stroke="#999999"/>""");
        for (int i = 0; i < _series.Count; i++)
        {
            double rowMiddle = legendTop + Padding + 7 + (i * RowHeight);
            double swatchLeft = legendLeft + Padding;
            svg.AppendLine($"""  <line x1="{N(swatchLeft)}" y1="{N(rowMiddle)}" x2="{N(swatchLeft + SwatchLength)}" y2="{N(rowMiddle)}" stroke="{_series[i].Color}" stroke-width="3"{DashAttribute(_series[i])}/>""");
            svg.AppendLine($"""  <text x="{N(swatchLeft + SwatchLength + 8)}" y="{N(rowMiddle + (FontSize * 0.35))}">{Escape(_series[i].Name)}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static bool IsDrawable(double y) => y > 0 && double.IsFinite(y);

    private static string DashAttribute(Series s) => s.Dash.Length == 0 ? string.Empty : $" stroke-dasharray=\"{s.Dash}\"";

    /// <summary>A tick step of 1, 2 or 5 times a power of ten that cuts <paramref name="range"/> into about <paramref name="targetIntervals"/> parts.</summary>
    private static double NiceStep(double range, int targetIntervals)
    {
        double raw = range / targetIntervals;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / magnitude; // in [1, 10)
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>10^decade as people write it: 0.001, 0.01, ..., 1000; 1e-5 and 1e4 beyond that.</summary>
    private static string DecadeLabel(int decade) => decade is >= -4 and <= 3
        ? Math.Pow(10, decade).ToString("0.####", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"1e{decade}");

    /// <summary>A coordinate or tick value with at most two decimals, invariant culture.</summary>
    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Text content escaped for XML.</summary>
    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    private sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, string Color, string Dash);
}
