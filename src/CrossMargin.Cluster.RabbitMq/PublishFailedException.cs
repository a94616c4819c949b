namespace CrossMargin.Cluster.RabbitMq;

/// <summary>A publish the broker did not confirm: nacked, returned as unroutable, to a missing exchange, or timed out.</summary>
public sealed class PublishFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PublishFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PublishFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PublishFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failed publish.</summary>
    public PublishFailedException(PublishFailure failure, string exchange, string routingKey, string? messageId, string detail, Exception? innerException = null)
        : base($"Publish of message '{messageId}' to exchange '{exchange}' (routing key '{routingKey}') failed: {failure}: {detail}", innerException)
    {
        Failure = failure;
        Exchange = exchange;
        RoutingKey = routingKey;
        PublishedMessageId = messageId;
    }

    /// <summary>Why it failed.</summary>
    public PublishFailure Failure { get; }

    /// <summary>The exchange published to.</summary>
    public string Exchange { get; } = "";

    /// <summary>The routing key.</summary>
    public string RoutingKey { get; } = "";

    /// <summary>The message id of the failed message.</summary>
    public string? PublishedMessageId { get; }
}
