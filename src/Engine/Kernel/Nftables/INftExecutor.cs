namespace MyDocker.Engine.Kernel.Nftables;

/// <summary>
/// Runs nft command text as one transaction (libnftables applies a buffer atomically: a batch with one bad
/// command is rejected whole). Bound to the network namespace it was created in. Thread-safe.
/// </summary>
public interface INftExecutor
{
    /// <summary>Runs <paramref name="commands"/> (nft syntax, one command per line). Returns nft's output
    /// (JSON when <paramref name="json"/> is set; a listing without the contents of sets and maps when
    /// <paramref name="terse"/> is, as <c>nft -t</c>). Throws <see cref="NftException"/> with nft's error text.</summary>
    string Run(string commands, bool json = false, bool terse = false);
}

/// <summary>libnftables rejected a batch; <see cref="Exception.Message"/> holds nft's own error text.</summary>
public sealed class NftException(string message, string commands) : Exception(message)
{
    public string Commands { get; } = commands;
}
