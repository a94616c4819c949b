namespace CrossMargin.Cluster.RabbitMq;

/// <summary>One message from a shard queue, as handed to a <see cref="ShardDeliveryHandler"/>.</summary>
public sealed class ShardDelivery
{
    /// <summary>The message body (the JSON inbound contract); a copy, valid after the handler returns.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The AMQP message id; the account actor drops a message whose id it has already applied.</summary>
    public required string? MessageId { get; init; }

    /// <summary>The AMQP type (the contract's message type).</summary>
    public required string? Type { get; init; }

    /// <summary>
    /// The AMQP <c>user_id</c>: the RabbitMQ user that published it when set (the broker refuses a publish under
    /// another user's name); null when the publisher did not set it.
    /// </summary>
    public string? UserId { get; init; }

    /// <summary>The routing key: the account id the message is for.</summary>
    public required string AccountId { get; init; }

    /// <summary>The shard whose queue it came from.</summary>
    public required int Shard { get; init; }

    /// <summary>
    /// True when the broker delivered it before (to this or another consumer) without an ack: it may already be
    /// applied, so deduplicate by <see cref="MessageId"/>.
    /// </summary>
    public required bool Redelivered { get; init; }

    /// <summary>Which attempt this is, from 1 (counted by the broker across consumers and nodes).</summary>
    public required int Attempt { get; init; }

    /// <summary>The correlation id of a request (pre-trade check) that expects an answer; null otherwise.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Where to send the answer to a request (<see cref="ConfirmingPublisher.ReplyAsync"/>); null otherwise.</summary>
    public string? ReplyTo { get; init; }
}
