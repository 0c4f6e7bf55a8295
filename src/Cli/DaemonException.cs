namespace MyDocker.Cli;

/// <summary>
/// The daemon could not be reached, or answered with an error. <see cref="Exception.Message"/> is what the
/// user sees after <c>Error: </c>: the daemon's own <c>{"message": ...}</c> text when it sent one.
/// </summary>
public sealed class DaemonException(string message, int statusCode = 0, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status of the answer, or 0 when there was no answer (connect failed, connection dropped).</summary>
    public int StatusCode { get; } = statusCode;
}
