namespace CrossMargin.Cluster.RabbitMq;

/// <summary>Why a publish failed for good.</summary>
public enum PublishFailure
{
    /// <summary>The broker nacked the message (it did not take responsibility for it).</summary>
    Nacked,

    /// <summary>The message was mandatory and no queue is bound to receive it (basic.return).</summary>
    Unroutable,

    /// <summary>The exchange does not exist (the broker closed the channel with 404).</summary>
    ExchangeNotFound,

    /// <summary>No confirm arrived, and the connection did not come back, within the retry time-out.</summary>
    Timeout,
}
