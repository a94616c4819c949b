namespace CrossMargin.Cluster.RabbitMq;

/// <summary>The AMQP header names the transport reads and writes.</summary>
public static class TransportHeaders
{
    /// <summary>Set by a quorum queue on a redelivery: how many times the message was returned before.</summary>
    public const string DeliveryCount = "x-delivery-count";

    /// <summary>On a dead-lettered message: why the last attempt failed (the handler's exception type and message).</summary>
    public const string FailureReason = "x-cm-failure-reason";

    /// <summary>On a dead-lettered message: how many attempts it had.</summary>
    public const string Attempts = "x-cm-attempts";

    /// <summary>On a dead-lettered message: the queue it came from.</summary>
    public const string SourceQueue = "x-cm-source-queue";

    /// <summary>On a dead-lettered message: the routing key it was published with (the account id).</summary>
    public const string OriginalRoutingKey = "x-cm-routing-key";
}
