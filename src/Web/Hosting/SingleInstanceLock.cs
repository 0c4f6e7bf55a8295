namespace MyDocker.Web.Hosting;

/// <summary>
/// Refuses a second daemon on the same data root: holds an exclusive lock on DATA-ROOT/mydockerd.lock for the life
/// of the process. .NET takes flock(LOCK_EX|LOCK_NB) for FileShare.None on Unix, so the kernel drops the lock when
/// the process dies, even by SIGKILL — no stale lock after a crash.
/// </summary>
public sealed class SingleInstanceLock : IDisposable
{
    private readonly FileStream _lock;

    private SingleInstanceLock(FileStream lockFile) => _lock = lockFile;

    public static SingleInstanceLock Acquire(string dataRoot)
    {
        string path = Path.Combine(dataRoot, "mydockerd.lock");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder = ReadHolderPid(path);
            throw new InvalidOperationException(
                $"another mydockerd{(holder.Length > 0 ? $" (pid {holder})" : "")} is already running with data root {dataRoot}; stop it first, or pass a different --data-root");
        }
        stream.SetLength(0);
        var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString());
        stream.Write(pid);
        stream.Flush();
        return new SingleInstanceLock(stream);
    }

    /// <summary>Reads the pid without a lock: .NET would take a shared flock for a normal open, which the holder blocks.</summary>
    private static string ReadHolderPid(string path)
    {
        try
        {
            using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[32];
            int n = RandomAccess.Read(h, buffer, 0);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n).Trim();
        }
        catch (IOException) { return ""; }
    }

    public void Dispose() => _lock.Dispose();
}
