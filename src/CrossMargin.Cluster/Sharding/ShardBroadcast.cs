namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// A message for every live entity that registered interest (<see cref="RegisterInterest"/>) in at least one of
/// <paramref name="Topics"/>: each such entity receives <paramref name="Message"/> once, however many topics match.
/// Entities not started (or passivated) receive nothing; they must read the newest state when they start.
/// </summary>
/// <param name="Message">What each interested entity receives, with the broadcast's sender as its sender.</param>
/// <param name="Topics">The topics the message concerns (e.g. the underlyings whose marks moved).</param>
public sealed record ShardBroadcast(object Message, IReadOnlySet<string> Topics);
