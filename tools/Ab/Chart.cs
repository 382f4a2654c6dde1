using ScottPlot;

namespace Microxen.Tools.Ab;

/// <summary>build/ab/ratios.svg: one group of bars per operation, one bar per configuration, the
/// height its median divided by native's median (1.0 = native speed), drawn by ScottPlot (SVG via
/// SkiaSharp's SVG canvas, no display needed). Throughput rows (Devices: MB/s, IOPS) are drawn as
/// native's median over this one's, the time per byte or request, so every bar reads the same way:
/// above 1 is slower than native.</summary>
public static class Chart
{
    /// <summary>Writes the chart for one clock (the wall clock when measured, else the first).</summary>
    public static void Write(string path, Results r, string clock)
    {
        var plot = new Plot();
        var configs = r.Configs.Where(c => c != Results.Native).ToList();
        var ops = r.Operations(clock).Where(op => r.Median(clock, Results.Native, op) is > 0).ToList();
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        int width = configs.Count + 1;
        for (int i = 0; i < ops.Count; i++)
        {
            double native = r.Median(clock, Results.Native, ops[i]).Value;
            bool inverse = Devices.HigherIsBetter(r.Unit(ops[i]));
            for (int j = 0; j < configs.Count; j++)
            {
                double? m = r.Median(clock, configs[j], ops[i]);
                if (m is null || (inverse && m.Value <= 0)) continue;
                bars.Add(new Bar { Position = i * width + j, Value = inverse ? native / m.Value : m.Value / native, FillColor = plot.Add.Palette.GetColor(j) });
            }
            ticks.Add(new Tick(i * width + (configs.Count - 1) / 2.0, ops[i]));
        }
        plot.Add.Bars(bars);
        var line = plot.Add.HorizontalLine(1.0);
        line.LinePattern = LinePattern.Dashed;
        line.Color = Colors.Black;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("ratio to native (median, " + clock + ")");
        plot.Title("microxen A/B: time per operation (devices: per byte or request) relative to native Linux");
        for (int j = 0; j < configs.Count; j++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = configs[j], FillColor = plot.Add.Palette.GetColor(j) });
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SaveSvg(path, 1000, 560);
    }
}
