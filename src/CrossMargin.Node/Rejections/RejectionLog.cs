using CrossMargin.Node.Security;

namespace CrossMargin.Node.Rejections;

/// <summary>
/// Every inbound message this node refused: each written to the <see cref="Category"/> logger as a warning (so the
/// rolling log keeps them all) and the newest kept in memory for <c>GET /api/v1/rejections</c> and <c>cm rejections</c>.
/// Counting alone (the metrics) says how many; this says which, so an operator can find the message and its source.
/// </summary>
public sealed class RejectionLog
{
    /// <summary>The logger category of rejection entries.</summary>
    public const string Category = "CrossMargin.Rejections";

    private readonly RecentRing<MessageRejected> _recent;
    private readonly ILogger _log;
    private long _recorded;

    /// <summary>A log keeping the newest <paramref name="recentEntries"/> refusals, writing each to <paramref name="loggers"/>.</summary>
    public RejectionLog(int recentEntries, ILoggerFactory loggers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recentEntries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recentEntries, RejectionOptions.MaxRecentEntries);
        ArgumentNullException.ThrowIfNull(loggers);
        Capacity = recentEntries;
        _recent = new RecentRing<MessageRejected>(recentEntries);
        _log = loggers.CreateLogger(Category);
    }

    /// <summary>How many refusals are kept in memory.</summary>
    public int Capacity { get; }

    /// <summary>Refusals recorded since the node started (kept or not).</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Records <paramref name="rejected"/>.</summary>
    public void Record(MessageRejected rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        _recent.Add(rejected);
        Interlocked.Increment(ref _recorded);
        _log.LogWarning("Rejected {Type} {MessageId} for {AccountId} via {Path}{Shard}: {Code}: {Reason}",
            rejected.Type, rejected.MessageId ?? "(no id)", rejected.AccountId ?? "(no account)", rejected.Path,
            rejected.Shard is { } shard ? $" (shard {shard})" : "", rejected.Code, rejected.Reason);
    }

    /// <summary>The newest <paramref name="count"/> refusals (all kept when null), oldest first.</summary>
    public IReadOnlyList<MessageRejected> Recent(int? count = null) => _recent.Last(count);
}
