namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// The broker already holds an exchange or queue of the same name declared differently (another type, other
/// arguments, another shard layout): this node's configuration disagrees with the cluster's. Not retried.
/// </summary>
public sealed class TopologyConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TopologyConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TopologyConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the broker's error.</summary>
    public TopologyConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
