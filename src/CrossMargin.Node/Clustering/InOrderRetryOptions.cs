namespace CrossMargin.Node.Clustering;

/// <summary>How <see cref="InOrderShardHandler"/> retries a shard's held deliveries.</summary>
public sealed record InOrderRetryOptions
{
    /// <summary>The wait before the first retry round; longer than an account's refusal after a failed write (1 s) is wasted less.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between rounds (the wait doubles after each failed round).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Failed retries of one delivery before it is handed back to the queue as a failure. A journal outage longer than
    /// the lease ends sooner: the node stops the shard, and its held deliveries go back to the queue unacknowledged.
    /// </summary>
    public int MaxAttempts { get; init; } = 30;
}
