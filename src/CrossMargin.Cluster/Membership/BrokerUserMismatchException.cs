namespace CrossMargin.Cluster.Membership;

/// <summary>
/// A node would join a cluster whose live members log in to RabbitMQ as another user. Every node must use the same
/// user: a shard owner takes the coordinator's commands only from its own user, so a node with another one would have
/// its coordinator's commands refused everywhere else. Not retried: the node's credentials must change.
/// </summary>
public sealed class BrokerUserMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerUserMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BrokerUserMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public BrokerUserMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
