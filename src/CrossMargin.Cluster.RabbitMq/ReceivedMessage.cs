namespace CrossMargin.Cluster.RabbitMq;

/// <summary>A message received outside the shard queues: a mark from the fanout exchange, a reply to a request, or a cluster-wide query.</summary>
/// <param name="Body">The body (a copy).</param>
/// <param name="MessageId">The AMQP message id.</param>
/// <param name="Type">The AMQP type.</param>
public sealed record ReceivedMessage(ReadOnlyMemory<byte> Body, string? MessageId, string? Type)
{
    /// <summary>The correlation id of a request that expects an answer; null otherwise.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Where the answer to a request goes; null otherwise.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>
    /// The AMQP <c>user_id</c>: the RabbitMQ user that published it when set (the broker refuses a publish under another
    /// user's name); null when the publisher did not set it.
    /// </summary>
    public string? UserId { get; init; }
}
