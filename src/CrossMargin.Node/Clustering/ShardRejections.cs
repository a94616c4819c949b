using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Api;
using CrossMargin.Node.Rejections;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// What a node does with a shard delivery it refused: records it in the node's <see cref="RejectionLog"/> and publishes
/// it as <see cref="MessageRejected"/> on the rejections exchange, confirmed, before the delivery is acked. If the
/// publish fails the delivery fails with it and is redelivered (and refused again, with the same record id), so a
/// refusal reaches the exchange at least once.
/// </summary>
public sealed class ShardRejections
{
    /// <summary>The routing key of a refusal for a message that named no account.</summary>
    public const string UnknownAccountKey = "unknown";

    private readonly RejectionLog _log;
    private readonly ConfirmingPublisher _publisher;
    private readonly string _exchange;
    private readonly string _nodeId;
    private readonly TimeProvider _time;

    /// <summary>Records into <paramref name="log"/> and publishes through <paramref name="publisher"/> to <paramref name="exchange"/>, as node <paramref name="nodeId"/>.</summary>
    public ShardRejections(RejectionLog log, ConfirmingPublisher publisher, string exchange, string nodeId, TimeProvider time)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _exchange = exchange ?? throw new ArgumentNullException(nameof(exchange));
        _nodeId = nodeId ?? throw new ArgumentNullException(nameof(nodeId));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Records and publishes the refusal of <paramref name="delivery"/> (of <paramref name="type"/>), answered <paramref name="outcome"/>.</summary>
    /// <exception cref="PublishFailedException">The broker did not confirm the record.</exception>
    public Task RecordAsync(ShardDelivery delivery, string type, MessageOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return RecordAsync(MessageRejected.ShardPath, type, delivery.MessageId, delivery.AccountId, delivery.Shard, outcome, cancellationToken);
    }

    /// <summary>
    /// Records and publishes the refusal of a message of <paramref name="type"/> that came by <paramref name="path"/>
    /// (<see cref="MessageRejected.Path"/>), for <paramref name="accountId"/> when it names one, from <paramref name="shard"/>'s queue when it came from one.
    /// </summary>
    /// <exception cref="PublishFailedException">The broker did not confirm the record.</exception>
    public async Task RecordAsync(string path, string type, string? messageId, string? accountId, int? shard, MessageOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        messageId = outcome.MessageId ?? messageId;
        var rejected = new MessageRejected(_time.GetUtcNow(), path, type, messageId, accountId, outcome.Code ?? "unknown",
            outcome.Reason ?? "", _nodeId, shard, outcome.Violations);
        _log.Record(rejected);

        // Not mandatory: with no queue bound to the exchange nobody has asked for the records, and the refusal is in the
        // node's log either way. The record id is the message's (when it has one), so a consumer can drop the repeats a
        // redelivery makes.
        var recordId = "rejected:" + (messageId ?? Guid.NewGuid().ToString("N"));
        var body = JsonSerializer.SerializeToUtf8Bytes(rejected, ClusterWireJsonContext.Default.MessageRejected);
        await _publisher.PublishAsync(_exchange, string.IsNullOrEmpty(accountId) ? UnknownAccountKey : accountId, body, recordId,
            nameof(MessageRejected), new PublishOptions { Mandatory = false }, cancellationToken).ConfigureAwait(false);
    }
}
