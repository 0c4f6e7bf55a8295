using System.Text;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// The kernel's rules for network device names (net/core/dev.c, dev_valid_name): 1 to 15 bytes (IFNAMSIZ - 1),
/// not "." or "..", and no '/', ':' or whitespace. Checked before a request is sent so the error names the rule
/// instead of the kernel's bare EINVAL.
/// </summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ - 1: the longest device name in bytes (UTF-8).</summary>
    public const int MaxLength = RtNetlinkConstants.IFNAMSIZ - 1;

    /// <summary>Null when <paramref name="name"/> is a valid device name, otherwise the reason it is not.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return $"an interface name must be 1 to {MaxLength} bytes long, got an empty name";
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxLength)
            return $"interface name '{name}' is {bytes} bytes long; Linux allows at most {MaxLength} (IFNAMSIZ-1)";
        if (name is "." or "..") return $"'{name}' is not a valid interface name";
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            // The kernel's isspace() also counts 0xA0 (Latin-1 no-break space), a byte that can occur inside UTF-8.
            bool space = b is (byte)' ' or (>= 0x09 and <= 0x0d) or 0xa0;
            if (space || b is (byte)'/' or (byte)':' or 0)
                return $"interface name '{name}' contains '/', ':', whitespace or NUL, which Linux does not allow";
        }
        return null;
    }

    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule that <paramref name="name"/> breaks.</summary>
    public static void Validate(string? name, string parameterName = "name")
    {
        if (Problem(name) is { } problem) throw new ArgumentException(char.ToUpperInvariant(problem[0]) + problem[1..], parameterName);
    }
}
