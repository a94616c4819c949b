namespace CrossMargin.Actors.Shutdown;

/// <summary>Why a coordinated shutdown ran; logged, and visible to shutdown tasks.</summary>
/// <param name="Description">A short explanation.</param>
public sealed record ShutdownReason(string Description)
{
    /// <summary>The process was asked to stop (SIGTERM, Ctrl+C, host stopping).</summary>
    public static ShutdownReason ProcessExit { get; } = new("process exit");

    /// <summary>The actor system was disposed.</summary>
    public static ShutdownReason ActorSystemDisposed { get; } = new("actor system disposed");

    /// <summary>This node left its cluster.</summary>
    public static ShutdownReason ClusterLeaving { get; } = new("cluster leaving");

    /// <summary>An operator asked for it.</summary>
    public static ShutdownReason OperatorRequest { get; } = new("operator request");
}
