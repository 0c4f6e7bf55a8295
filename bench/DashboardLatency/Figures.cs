static class Figures
{
    public static string Stats(List<double> v)
    {
        var s = v.Order().ToList();
        double median = s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        double p95 = s[Math.Min(s.Count - 1, (int)Math.Ceiling(0.95 * s.Count) - 1)];
        return $"median {median:F1}  p95 {p95:F1}  min {s[0]:F1}  max {s[^1]:F1}  n {s.Count}";
    }
}
