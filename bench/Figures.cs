using System.Globalization;

namespace MyDocker.Bench;

/// <summary>Summary statistics as the C# benchmarks print them (linked into each project, like DashboardBrowser.cs).
/// Invariant culture, so the figures read the same whatever the machine's locale.</summary>
public static class Figures
{
    /// <summary>"median M  p95 P  min A  max B  n N" with one decimal; "n 0" for no samples.</summary>
    public static string Stats(IReadOnlyCollection<double> v)
    {
        if (v.Count == 0) return "n 0";
        var s = v.Order().ToList();
        double median = s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        double p95 = s[Math.Min(s.Count - 1, (int)Math.Ceiling(0.95 * s.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"median {median:F1}  p95 {p95:F1}  min {s[0]:F1}  max {s[^1]:F1}  n {s.Count}");
    }
}
