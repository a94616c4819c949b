namespace CrossMargin.Cluster.RabbitMq;

/// <summary>What <see cref="RawRateProbe"/> measured.</summary>
/// <param name="Messages">Messages published and consumed.</param>
/// <param name="MessageSize">Bytes per message body.</param>
/// <param name="Elapsed">From the first publish to the last consumer ack.</param>
public sealed record RawRateResult(int Messages, int MessageSize, TimeSpan Elapsed)
{
    /// <summary>Messages per second, publish to consume.</summary>
    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;

    /// <summary>Body megabytes (10^6) per second.</summary>
    public double MegabytesPerSecond => MessagesPerSecond * MessageSize / 1e6;
}
