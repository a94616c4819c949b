using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Api;
using CrossMargin.Node.Metrics;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Takes what only nodes send from the cluster's own RabbitMQ user (the one every node logs in as) and from nobody
/// else: the coordinator's commands and view requests on the shard queues (<c>internal.*</c>), everything on the
/// liquidation queue (breach reports, the liquidation reports and operator requests a node relays from its HTTP API)
/// and the account-views query on the requests exchange. The sender is the AMQP <c>user_id</c>, which the broker
/// refuses unless it is the publisher's own user, so only a holder of the cluster's credentials can send these. Any
/// other is refused <c>forbidden</c>: not applied, not answered (a foreign query gets no data), acked (redelivery
/// cannot change who sent it), logged, counted and published on the rejections exchange.
/// </summary>
public sealed class ClusterUserCheck
{
    /// <summary>The code of a message refused because a RabbitMQ user other than the cluster's published it.</summary>
    public const string ForbiddenCode = "forbidden";

    private readonly ShardRejections _rejections;
    private readonly ILogger _log;

    /// <summary>Admits only <paramref name="clusterUser"/>'s messages; refusals go to <paramref name="rejections"/>.</summary>
    public ClusterUserCheck(string clusterUser, ShardRejections rejections, ILogger log)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterUser);
        ClusterUser = clusterUser;
        _rejections = rejections ?? throw new ArgumentNullException(nameof(rejections));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <summary>The RabbitMQ user every node of the cluster logs in as (this node's connection's).</summary>
    public string ClusterUser { get; }

    /// <summary>
    /// True when <paramref name="delivery"/>, come by <paramref name="path"/>, was published by the cluster's user;
    /// otherwise refuses it and returns false. Its type is counted under its name when in <paramref name="knownTypes"/>.
    /// </summary>
    public async Task<bool> AdmitAsync(ShardDelivery delivery, string path, IReadOnlySet<string> knownTypes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (Forbidden(delivery.Type, delivery.MessageId, delivery.UserId, ClusterUser) is not { } refusal)
        {
            return true;
        }

        // A queue that is not a shard's (shard -1) is routed by its own name, not by an account.
        var fromShard = delivery.Shard >= 0;
        await RefuseAsync(path, delivery.Type, delivery.UserId, fromShard ? delivery.AccountId : null, fromShard ? delivery.Shard : null, refusal, knownTypes,
            cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// True when <paramref name="message"/>, come by <paramref name="path"/>, was published by the cluster's user;
    /// otherwise refuses it and returns false. Its type is counted under its name when in <paramref name="knownTypes"/>.
    /// </summary>
    public async Task<bool> AdmitAsync(ReceivedMessage message, string path, IReadOnlySet<string> knownTypes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Forbidden(message.Type, message.MessageId, message.UserId, ClusterUser) is not { } refusal)
        {
            return true;
        }

        await RefuseAsync(path, message.Type, message.UserId, null, null, refusal, knownTypes, cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// The refusal of a message of <paramref name="type"/> whose AMQP <c>user_id</c> (<paramref name="userId"/>) is not
    /// <paramref name="clusterUser"/>, or null when it is.
    /// </summary>
    internal static MessageOutcome? Forbidden(string? type, string? messageId, string? userId, string clusterUser) =>
        string.Equals(userId, clusterUser, StringComparison.Ordinal)
            ? null
            : new MessageOutcome("rejected", messageId, ForbiddenCode,
                $"'{type}' is the cluster's own message type, taken only from RabbitMQ user '{clusterUser}', not from " +
                (userId is null ? "a publish without user_id." : $"user '{userId}'."));

    private async Task RefuseAsync(
        string path, string? type, string? userId, string? accountId, int? shard, MessageOutcome refusal, IReadOnlySet<string> knownTypes, CancellationToken cancellationToken)
    {
        var sent = type ?? "unknown";
        _log.LogWarning("{Path}: message {MessageId} ({Type}) for {Account} from RabbitMQ user {User} refused: only the cluster's user {ClusterUser} sends it",
            path, refusal.MessageId, sent, accountId, userId, ClusterUser);

        // Counted under the type's name only when a node sends it, so a foreign publisher cannot add a metric series each.
        NodeMetrics.Record(path, knownTypes.Contains(sent) ? sent : "unknown", refusal.Outcome, refusal.Code, TimeSpan.Zero);
        await _rejections.RecordAsync(path, sent, refusal.MessageId, accountId, shard, refusal, cancellationToken).ConfigureAwait(false);
    }
}
