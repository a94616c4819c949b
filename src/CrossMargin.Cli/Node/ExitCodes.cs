namespace CrossMargin.Cli.Node;

/// <summary>What <c>cm</c>'s exit code means, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>Done; the answer is on standard output.</summary>
    public const int Ok = 0;

    /// <summary>The node answered, and the answer is negative: not found, refused (no cluster in embedded mode, a parameter apply that would liquidate or lost a version race).</summary>
    public const int Negative = 1;

    /// <summary>Usage or input error: bad arguments, an unreadable or invalid file, a request the node called malformed.</summary>
    public const int Usage = 2;

    /// <summary>The node could not be asked: unreachable, timed out, refused the token (401/403), or failed (5xx, not ready).</summary>
    public const int Unavailable = 3;

    /// <summary>The answer printed is partial: some members of the cluster did not answer, or some shards had no owner.</summary>
    public const int Partial = 4;
}
