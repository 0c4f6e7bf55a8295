namespace MyDocker.Cli.Output;

/// <summary>
/// "Natural" string order, as the docker CLI sorts <c>docker port</c> lines (github.com/fvbommel/sortorder):
/// runs of digits compare as numbers (<c>80/tcp</c> before <c>443/tcp</c>), a digit sorts before any other
/// character, other characters compare by code unit, and of two equal numbers the one with fewer leading zeros
/// comes first. Ordinal otherwise, so the order does not depend on the culture.
/// </summary>
public sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            bool dx = char.IsAsciiDigit(x[i]), dy = char.IsAsciiDigit(y[j]);
            if (dx != dy) return dx ? -1 : 1;
            if (!dx)
            {
                if (x[i] != y[j]) return x[i].CompareTo(y[j]);
                i++;
                j++;
                continue;
            }
            int zx = i, zy = j;
            while (i < x.Length && x[i] == '0') i++;
            while (j < y.Length && y[j] == '0') j++;
            int sx = i, sy = j;
            while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
            while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
            // Without leading zeros, the longer number is the larger; of equal length, the digits decide.
            if (i - sx != j - sy) return (i - sx).CompareTo(j - sy);
            int digits = string.CompareOrdinal(x, sx, y, sy, i - sx);
            if (digits != 0) return digits;
            if (sx - zx != sy - zy) return (sx - zx).CompareTo(sy - zy);
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
