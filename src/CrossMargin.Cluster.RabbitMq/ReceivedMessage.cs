namespace CrossMargin.Cluster.RabbitMq;

/// <summary>A message received outside the shard queues: a mark from the fanout exchange, or a reply to a request.</summary>
/// <param name="Body">The body (a copy).</param>
/// <param name="MessageId">The AMQP message id.</param>
/// <param name="Type">The AMQP type.</param>
public sealed record ReceivedMessage(ReadOnlyMemory<byte> Body, string? MessageId, string? Type);
