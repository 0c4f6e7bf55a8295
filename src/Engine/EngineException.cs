namespace MyDocker.Engine;

/// <summary>What kind of failure an <see cref="EngineException"/> is; the API maps it to an HTTP status.</summary>
public enum ErrorKind
{
    /// <summary>The request is malformed or names impossible values (HTTP 400).</summary>
    InvalidArgument,
    /// <summary>The named object does not exist (HTTP 404).</summary>
    NotFound,
    /// <summary>The request clashes with existing state: a duplicate name, an overlap, objects still attached (HTTP 409).</summary>
    Conflict,
    /// <summary>The engine or the kernel failed (HTTP 500).</summary>
    Internal,
    /// <summary>The operation is not allowed on the object as it is: a container already on the network, or not on it
    /// (HTTP 403, as Docker answers `network connect`/`disconnect`).</summary>
    Forbidden,
}

/// <summary>
/// A failure the engine reports to its user. The message says what failed, on which object, and what to do;
/// it is shown verbatim by the API, the CLI and the dashboard.
/// </summary>
public class EngineException(ErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;

    public static EngineException Invalid(string message) => new(ErrorKind.InvalidArgument, message);
    public static EngineException NotFound(string message) => new(ErrorKind.NotFound, message);
    public static EngineException Conflict(string message) => new(ErrorKind.Conflict, message);
    public static EngineException Forbidden(string message) => new(ErrorKind.Forbidden, message);
}
