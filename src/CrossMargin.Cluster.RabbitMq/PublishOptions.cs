namespace CrossMargin.Cluster.RabbitMq;

/// <summary>Per-message settings of a publish beyond exchange, routing key, id and type.</summary>
public sealed record PublishOptions
{
    /// <summary>The default: mandatory, no reply.</summary>
    public static PublishOptions Default { get; } = new();

    /// <summary>Fail with <see cref="PublishFailure.Unroutable"/> when no queue receives the message (true by default).</summary>
    public bool Mandatory { get; init; } = true;

    /// <summary>Correlation id (requests and replies).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Where the answer should go (requests).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Per-message TTL: the broker drops the message if it waits longer (a request nobody awaits any more).</summary>
    public TimeSpan? Expiration { get; init; }

    /// <summary>
    /// The AMQP <c>user_id</c>: the broker refuses the publish (closing the channel) unless it is the connection's own
    /// user (<see cref="RabbitMqConnection.UserName"/>), so a consumer can trust it to say who published.
    /// </summary>
    public string? UserId { get; init; }

    /// <summary>Extra headers.</summary>
    public IReadOnlyDictionary<string, object?>? Headers { get; init; }

    /// <summary>Retry through a lost connection until <see cref="RabbitMqOptions.PublishRetryTimeout"/> (true by default).</summary>
    public bool RetryThroughOutage { get; init; } = true;
}
