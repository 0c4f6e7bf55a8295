using System.Text;

namespace MyDocker.Engine.Networks;

/// <summary>
/// Checks names at the edge, before anything reaches the database or the kernel (DESIGN.md §4.7).
/// A network name is a user's label; it never becomes a device name unless given explicitly as -o bridge.name.
/// </summary>
public static class NameRules
{
    /// <summary>IFNAMSIZ - 1 (include/uapi/linux/if.h): the kernel's limit, which the netlink layer enforces too.</summary>
    public const int MaxInterfaceNameBytes = Kernel.Netlink.InterfaceName.MaxLength;
    public const int MaxObjectNameLength = 64;

    /// <summary>Docker's rule for object names, [a-zA-Z0-9][a-zA-Z0-9_.-]*, with a length cap; errors say which rule broke.</summary>
    public static void ValidateObjectName(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw EngineException.Invalid($"{what} name is empty; give a name such as 'web' (letters, digits, '_', '.', '-')");
        string shown = Printable(name);
        if (name.Length > MaxObjectNameLength)
            throw EngineException.Invalid($"{what} name '{shown[..20]}…' is {name.Length} characters long; the limit is {MaxObjectNameLength}");
        foreach (char c in name)
        {
            if (char.IsControl(c))
                throw EngineException.Invalid($"{what} name '{shown}' contains a control character; use letters, digits, '_', '.' and '-'");
            if (char.IsWhiteSpace(c))
                throw EngineException.Invalid($"{what} name '{shown}' contains a space; use letters, digits, '_', '.' and '-'");
            if (c == '/')
                throw EngineException.Invalid($"{what} name '{shown}' contains '/'; use letters, digits, '_', '.' and '-'");
        }
        if (name.Contains(".."))
            throw EngineException.Invalid($"{what} name '{shown}' contains '..'; use letters, digits, '_', '.' and '-'");
        if (!char.IsAsciiLetterOrDigit(name[0]))
            throw EngineException.Invalid($"{what} name '{shown}' must start with a letter or digit");
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                throw EngineException.Invalid($"{what} name '{shown}' contains '{c}'; use letters, digits, '_', '.' and '-'");
    }

    /// <summary>A device name the user asked for (-o bridge.name=IF): 1..15 bytes of [A-Za-z0-9_.-], not "." or "..".
    /// Narrower than the kernel's own rule (<see cref="Kernel.Netlink.InterfaceName"/>), so a name that passes here is
    /// also safe inside nft text; this check gives the user-facing message.</summary>
    public static void ValidateInterfaceName(string? name, string option)
    {
        if (string.IsNullOrEmpty(name))
            throw EngineException.Invalid($"{option} is empty; give a device name of 1 to {MaxInterfaceNameBytes} characters, e.g. br-web");
        string shown = Printable(name);
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxInterfaceNameBytes)
            throw EngineException.Invalid($"{option} '{shown}' is {bytes} bytes long; Linux device names are at most {MaxInterfaceNameBytes} bytes");
        if (name is "." or ".." || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            throw EngineException.Invalid($"{option} '{shown}' is not a valid device name; use letters, digits, '_', '.' and '-'");
    }

    /// <summary>Escapes control characters so an error message never carries them to a terminal.</summary>
    public static string Printable(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return sb.ToString();
    }
}
