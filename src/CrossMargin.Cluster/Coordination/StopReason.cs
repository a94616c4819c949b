namespace CrossMargin.Cluster.Coordination;

/// <summary>Why a node stops serving a shard or singleton.</summary>
public enum StopReason
{
    /// <summary>Moving to another node in an orderly hand-off: finish in-flight work, persist, stop; the lease is released after.</summary>
    HandOff,

    /// <summary>The lease was lost (expired while the node was frozen or cut off, or taken over): stop at once; writes would be fenced off anyway.</summary>
    Lost,

    /// <summary>The node is shutting down.</summary>
    Shutdown,
}
