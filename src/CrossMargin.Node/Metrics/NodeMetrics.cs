using System.Diagnostics.Metrics;

namespace CrossMargin.Node.Metrics;

/// <summary>
/// What the node measures of inbound messages: messages by path, type and outcome, rejections by reason, and how long
/// each took. The path is <c>api</c> for an HTTP call to this node and <c>shard</c> for a delivery from one of its shard
/// queues, so in a cluster a message posted over HTTP is counted once on each: by the node it was posted to, and by
/// its account's owner, which received it through the shard queue.
/// </summary>
public static class NodeMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CrossMargin.Node";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Messages = Meter.CreateCounter<long>("crossmargin.messages", description: "Inbound messages by type and outcome");

    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>("crossmargin.rejections", description: "Inbound messages rejected, by type and reason");

    private static readonly Histogram<double> Latency = Meter.CreateHistogram("crossmargin.message.latency", "ms",
        "Time from receiving a message to its answer (persisted and margined for account messages)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000] });

    /// <summary>Counts one message of <paramref name="type"/> that came by <paramref name="path"/>, answered with <paramref name="outcome"/> after <paramref name="elapsed"/>.</summary>
    public static void Record(string path, string type, string outcome, string? reason, TimeSpan elapsed)
    {
        var via = new KeyValuePair<string, object?>("path", path);
        Messages.Add(1, via, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));
        if (reason is not null)
        {
            Rejections.Add(1, via, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("reason", reason));
        }

        Latency.Record(elapsed.TotalMilliseconds, via, new KeyValuePair<string, object?>("type", type));
    }
}
