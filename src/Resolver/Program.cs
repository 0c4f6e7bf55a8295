namespace MyDocker.Resolver;

/// <summary>
/// Entry point of <c>mydocker-resolver</c>. Only the pure core exists so far (wire format, name table, responder);
/// the sockets, the control protocol and the snapshot come with the next step of issue 13, so the binary refuses to
/// run rather than pretend to serve.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--version"])
        {
            Console.Out.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "unknown");
            return 0;
        }
        Console.Error.WriteLine("mydocker-resolver: serving is not built yet (issue 13); only --version is supported.");
        return 2;
    }
}
