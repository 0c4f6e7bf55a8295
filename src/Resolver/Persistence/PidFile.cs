using System.Globalization;

namespace MyDocker.Resolver.Persistence;

/// <summary>The <c>--pid-file</c>: this process's pid, written temp + rename so a reader never sees it half written;
/// removed at a clean exit only while it still names this process (a newer resolver may have written its own).</summary>
public sealed class PidFile(string path)
{
    private static readonly string Pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    public void Write()
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, Pid + "\n");
        File.Move(temp, path, overwrite: true);
    }

    public void Remove()
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() == Pid) File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
