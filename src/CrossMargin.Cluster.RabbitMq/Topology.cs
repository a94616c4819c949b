using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Declares the cluster's exchanges, queues and bindings. Idempotent: every node declares the whole topology at start,
/// and declaring what already exists with the same settings is a no-op. An existing declaration with other settings
/// fails with a <see cref="TopologyConflictException"/> naming the entity and the broker's reason.
/// </summary>
/// <remarks>
/// Shard queues are quorum queues, not classic ones: they are the buffer that holds an account's executions while its
/// shard moves between nodes, so they must survive the loss of a broker node (quorum queues replicate through Raft;
/// classic mirroring is deprecated), and the broker counts each message's deliveries (<c>x-delivery-count</c>), so the
/// bounded redelivery policy holds across consumer crashes and hand-offs, where a count kept in a consumer would be
/// lost. Single active consumer is on as a second fence behind the shard lease: should two nodes briefly both consume
/// a shard, only one receives deliveries.
/// </remarks>
public static class Topology
{
    /// <summary>The x-consistent-hash exchange type (plugin <c>rabbitmq_consistent_hash_exchange</c>).</summary>
    public const string ConsistentHashExchangeType = "x-consistent-hash";

    /// <summary>A quorum queue (replicated through Raft, broker-side delivery count): the default shard queue type.</summary>
    public const string QuorumQueueType = "quorum";

    /// <summary>A durable classic queue, declared as version 2 (its index and store on one node).</summary>
    public const string ClassicQueueType = "classic";

    /// <summary>The x-modulus-hash exchange type (plugin <c>rabbitmq_sharding</c>): hash of the routing key modulo the bound queues.</summary>
    public const string ModulusHashExchangeType = "x-modulus-hash";

    /// <summary>Declares everything shared by the cluster (not the per-node marks and reply queues).</summary>
    /// <exception cref="TopologyConflictException">Something exists with other settings, or the consistent-hash plugin is not enabled.</exception>
    public static async Task DeclareAsync(RabbitMqConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var names = connection.Names;
        var options = connection.Options;
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            var step = "";
            try
            {
                step = $"exchange '{names.DeadLetter}' (fanout)";
                await channel.ExchangeDeclareAsync(names.DeadLetter, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                step = $"queue '{names.DeadLetter}' (quorum)";
                await channel.QueueDeclareAsync(names.DeadLetter, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(names.DeadLetter, names.DeadLetter, "", cancellationToken: cancellationToken).ConfigureAwait(false);

                step = $"exchange '{names.Accounts}' ({options.AccountsExchangeType})";
                await channel.ExchangeDeclareAsync(names.Accounts, options.AccountsExchangeType, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var shard = 0; shard < options.ShardCount; shard++)
                {
                    step = $"queue '{names.Shard(shard)}' ({options.ShardQueueType})";
                    await DeclareShardQueueAsync(channel, connection, shard, cancellationToken).ConfigureAwait(false);
                }

                step = $"queue '{names.Liquidation}' ({options.ShardQueueType})";
                await channel.QueueDeclareAsync(names.Liquidation, durable: true, exclusive: false, autoDelete: false, arguments: ShardQueueArguments(connection), cancellationToken: cancellationToken).ConfigureAwait(false);

                step = $"exchange '{names.Marks}' (fanout)";
                await channel.ExchangeDeclareAsync(names.Marks, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                step = $"exchange '{names.Requests}' (direct)";
                await channel.ExchangeDeclareAsync(names.Requests, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var outbound in names.Outbound)
                {
                    step = $"exchange '{outbound}' (topic)";
                    await channel.ExchangeDeclareAsync(outbound, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 406 or 503 or 404 })
            {
                throw new TopologyConflictException(
                    $"RabbitMQ refused to declare {step}: {e.ShutdownReason.ReplyText}. Another node (or an older version) declared it " +
                    $"with other settings, or the plugin of exchange type {options.AccountsExchangeType} (rabbitmq_sharding for x-modulus-hash, " +
                    "rabbitmq_consistent_hash_exchange for x-consistent-hash) is not enabled; " +
                    "check RabbitMq:Prefix, AccountsExchangeType, ShardCount, ShardQueueType and BrokerDeliveryLimit against the running cluster.", e);
            }

            if (channel.IsOpen)
            {
                await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Declares shard <paramref name="shard"/>'s queue and binds it to the accounts exchange, as <see cref="DeclareAsync"/>
    /// does: a node does so before it consumes the shard, so a queue deleted since the topology was declared (by an
    /// operator, or a broker that lost it) is there again for the shard's next consumer rather than failing every start.
    /// </summary>
    /// <exception cref="TopologyConflictException">The queue exists with other settings.</exception>
    public static async Task DeclareShardAsync(RabbitMqConnection connection, int shard, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, connection.Options.ShardCount);
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await DeclareShardQueueAsync(channel, connection, shard, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 406 or 404 })
            {
                throw new TopologyConflictException(
                    $"RabbitMQ refused to declare queue '{connection.Names.Shard(shard)}' ({connection.Options.ShardQueueType}): {e.ShutdownReason.ReplyText}. " +
                    "check RabbitMq:Prefix, ShardQueueType and BrokerDeliveryLimit against the running cluster.", e);
            }

            if (channel.IsOpen)
            {
                await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task DeclareShardQueueAsync(IChannel channel, RabbitMqConnection connection, int shard, CancellationToken cancellationToken)
    {
        var names = connection.Names;
        await channel.QueueDeclareAsync(names.Shard(shard), durable: true, exclusive: false, autoDelete: false, arguments: ShardQueueArguments(connection), cancellationToken: cancellationToken).ConfigureAwait(false);

        // The consistent-hash exchange reads the binding key as the queue's weight on the hash ring; the modulus-hash
        // exchange ignores it.
        var weight = connection.Options.ShardWeight.ToString(CultureInfo.InvariantCulture);
        await channel.QueueBindAsync(names.Shard(shard), names.Accounts, weight, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The arguments of a shard queue and of the liquidation queue; every node must use the same, or declaring fails.</summary>
    internal static Dictionary<string, object?> ShardQueueArguments(RabbitMqConnection connection) =>
        ShardQueueArguments(connection.Options, connection.Names.DeadLetter);

    /// <summary>The arguments of a queue of <see cref="RabbitMqOptions.ShardQueueType"/> shaped like a shard queue.</summary>
    internal static Dictionary<string, object?> ShardQueueArguments(RabbitMqOptions options, string deadLetterExchange) =>
        options.ShardQueueType == ClassicQueueType
            ? new()
            {
                // Version 2 keeps small messages in a per-queue store and its index off the shared message store, the
                // cheaper layout in 3.10 for queues that are mostly empty; classic queues know no delivery limit and no
                // at-least-once dead-lettering (x-delivery-limit and x-dead-letter-strategy are quorum arguments).
                ["x-queue-type"] = ClassicQueueType,
                ["x-queue-version"] = 2,
                ["x-single-active-consumer"] = true,
                ["x-dead-letter-exchange"] = deadLetterExchange,
                ["x-overflow"] = "reject-publish",
            }
            : new()
            {
                ["x-queue-type"] = QuorumQueueType,
                ["x-single-active-consumer"] = true,
                ["x-delivery-limit"] = options.BrokerDeliveryLimit,
                ["x-dead-letter-exchange"] = deadLetterExchange,
                ["x-dead-letter-strategy"] = "at-least-once",
                ["x-overflow"] = "reject-publish",
            };
}
