namespace MyDocker.Engine.Common;

/// <summary>An id as Docker prints it: its first 12 characters (all of a shorter one, such as a name in a damaged row).</summary>
public static class ShortId
{
    public static string Of(string id) => id.Length > 12 ? id[..12] : id;
}
