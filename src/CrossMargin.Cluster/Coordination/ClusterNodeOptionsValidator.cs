using Microsoft.Extensions.Options;

namespace CrossMargin.Cluster.Coordination;

/// <summary>Checks <see cref="ClusterNodeOptions"/> at start, naming the setting that is wrong.</summary>
public sealed class ClusterNodeOptionsValidator : IValidateOptions<ClusterNodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.NodeId) || options.NodeId.Any(char.IsWhiteSpace))
        {
            failures.Add("Cluster:NodeId must be a non-empty name without spaces, unique in the cluster.");
        }

        if (string.IsNullOrWhiteSpace(options.Region) || options.Region.Contains('/', StringComparison.Ordinal))
        {
            failures.Add("Cluster:Region must be a non-empty name without '/'.");
        }

        if (options.ShardCount is < 1 or > 10_000)
        {
            failures.Add($"Cluster:ShardCount must be between 1 and 10000 (was {options.ShardCount}).");
        }

        if (options.TickInterval <= TimeSpan.Zero)
        {
            failures.Add("Cluster:TickInterval must be positive.");
        }

        // Three renewals per lease lifetime: one slow or failed renewal must not cost a healthy node its shards.
        if (options.LeaseTtl < options.TickInterval * 3)
        {
            failures.Add($"Cluster:LeaseTtl ({options.LeaseTtl}) must be at least three TickIntervals ({options.TickInterval * 3}).");
        }

        if (options.HeartbeatTimeout < options.TickInterval * 2)
        {
            failures.Add($"Cluster:HeartbeatTimeout ({options.HeartbeatTimeout}) must be at least two TickIntervals ({options.TickInterval * 2}).");
        }

        if (options.MaxConcurrentMoves < 1)
        {
            failures.Add("Cluster:MaxConcurrentMoves must be at least 1.");
        }

        if (options.HandOffTimeout <= TimeSpan.Zero)
        {
            failures.Add("Cluster:HandOffTimeout must be positive.");
        }

        if (options.Roles.Any(r => string.IsNullOrWhiteSpace(r) || r.Contains(',', StringComparison.Ordinal)))
        {
            failures.Add("Cluster:Roles must be names without commas.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
