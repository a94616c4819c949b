using CrossMargin.Actors;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Contracts;
using CrossMargin.Engine;
using CrossMargin.Node.Rejections;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Serialization;
using Npgsql;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// A node as a cluster member: the journal in the shared PostgreSQL database (writes fenced by shard leases), the
/// engine's accounts fed from the shard queues this node holds leases for, marks from the fanout exchange, and account
/// requests (messages, account queries, pre-trade checks) from any node relayed through the broker to the owner.
/// Liquidation runs as a cluster singleton: accounts' breach reports go to the liquidation queue, the node holding the
/// singleton lease runs the coordinator and the insurance fund (see <see cref="ShardQueueHost"/>), and the engine's
/// facts for the venue go to the outbound exchanges (<see cref="OutboundBridge"/>).
/// </summary>
public sealed class ClusterRuntime : IAsyncDisposable
{
    private readonly PostgresPersistence _store;
    private readonly NpgsqlDataSource _coordination;
    private readonly BatchingJournalWriter _writer;
    private readonly ShardQueueHost _host;
    private readonly ILogger _log;
    private ActorSystem? _system;
    private RabbitMqConnection? _connection;
    private ConfirmingPublisher? _publisher;
    private RequestClient? _requests;
    private MarksSubscriber? _marks;
    private RequestSubscriber? _queries;
    private OutboundBridge? _outbound;
    private ClusterNode? _node;
    private int _disposed;

    private ClusterRuntime(PostgresPersistence store, NpgsqlDataSource coordination, BatchingJournalWriter writer, ShardQueueHost host, ILogger log)
    {
        _store = store;
        _coordination = coordination;
        _writer = writer;
        _host = host;
        _log = log;
    }

    /// <summary>The engine on this node.</summary>
    public RiskEngine Engine { get; private set; } = null!;

    /// <summary>This node's part in the cluster: its shards, leases and singletons.</summary>
    public ClusterNode Node => _node!;

    /// <summary>Membership rows and the cluster's event history.</summary>
    public PostgresMembership Membership { get; private set; } = null!;

    /// <summary>The shard leases.</summary>
    public PostgresLeaseStore Leases { get; private set; } = null!;

    /// <summary>Deliveries from shard queues this node acknowledged, each once its effects were durable.</summary>
    public long DeliveriesAcknowledged => _host.Acknowledged;

    /// <summary>basic.ack frames sent for <see cref="DeliveriesAcknowledged"/>.</summary>
    public long AckFrames => _host.AckFrames;

    /// <summary>Venue messages this node held because they skipped ahead of their source (<see cref="SequenceHold.Held"/>).</summary>
    public long DeliveriesHeld => _host.Holds?.Held ?? 0;

    /// <summary>Facts the outbound bridge published (confirmed) so far; 0 before the node has started.</summary>
    public long OutboundPublished => _outbound?.Published ?? 0;

    /// <summary>Broker messages the outbound bridge published (confirmed) so far: limits go many accounts to a message.</summary>
    public long OutboundMessages => _outbound?.MessagesPublished ?? 0;

    /// <summary>This node's cluster settings.</summary>
    public ClusterNodeOptions Options { get; private set; } = null!;

    /// <summary>The broker's names for this deployment.</summary>
    public TopologyNames Names => _connection!.Names;

    /// <summary>The node's broker connection, for read-only questions such as queue depths.</summary>
    public RabbitMqConnection Broker => _connection!;

    /// <summary>
    /// Opens the shared stores, starts the engine through <paramref name="startEngine"/> (with fenced persistence), connects
    /// to the broker, declares the topology and joins the cluster. Messages from its shard queues that are refused are
    /// recorded in <paramref name="rejections"/> and published on the rejections exchange.
    /// </summary>
    public static async Task<ClusterRuntime> StartAsync(
        ClusterNodeOptions cluster, ClusterModeOptions mode, RabbitMqOptions rabbit, JournalOptions journal, PersistenceOptions persistence,
        Func<PersistenceServices, Func<int, WriteFence>, IActorRef, (ActorSystem System, RiskEngine Engine)> startEngine,
        RejectionLog rejections, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(rejections);
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(rabbit);
        ArgumentNullException.ThrowIfNull(startEngine);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        CheckOptions(cluster, mode, rabbit);
        var log = loggerFactory.CreateLogger<ClusterRuntime>();
        var store = await PostgresPersistence.OpenAsync(mode.ToPostgresPersistenceOptions(), time,
            loggerFactory.CreateLogger<PostgresPersistence>(), cancellationToken).ConfigureAwait(false);
        var coordination = NpgsqlDataSource.Create(mode.PostgresConnectionString);
        var writer = new BatchingJournalWriter(store.Journal, mode.ToJournalOptions(journal), time);
        var runtime = new ClusterRuntime(store, coordination, writer, new ShardQueueHost(log), log);
        try
        {
            await runtime.StartAsync(cluster, mode, rabbit, persistence, startEngine, rejections, loggerFactory, time, cancellationToken).ConfigureAwait(false);
            return runtime;
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Refuses settings of the three sections that do not fit together: a shard count the queues do not share, and a shard
    /// consumer's stop (cancel, drain, close: the longest an old owner may keep deliveries before they go back to the
    /// queue) longer than the hand-off timeout plus the next owner's hold on a message that skips ahead. The next owner
    /// consumes once the lease is released, at the latest at <see cref="ClusterNodeOptions.HandOffTimeout"/>; were the
    /// earlier messages returned after its hold had ended, it would have applied the later one with the gap and then refuse
    /// them as out of order: lost. A hold of zero applies gaps at once by choice and is not checked.
    /// </summary>
    /// <exception cref="ArgumentException">The settings do not fit together; the message names them and their values.</exception>
    public static void CheckOptions(ClusterNodeOptions cluster, ClusterModeOptions mode, RabbitMqOptions rabbit)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(rabbit);
        if (rabbit.ShardCount != cluster.ShardCount)
        {
            throw new ArgumentException($"RabbitMq:ShardCount ({rabbit.ShardCount}) must equal Cluster:ShardCount ({cluster.ShardCount}): one queue per shard.");
        }

        var stop = rabbit.ConsumerCancelTimeout + rabbit.HandlerDrainTimeout + rabbit.ChannelCloseTimeout;
        if (mode.SequenceGapHold > TimeSpan.Zero && stop > cluster.HandOffTimeout + mode.SequenceGapHold)
        {
            throw new ArgumentException(
                $"RabbitMq:ConsumerCancelTimeout + HandlerDrainTimeout + ChannelCloseTimeout ({stop}) must not exceed Cluster:HandOffTimeout + " +
                $"Cluster:SequenceGapHold ({cluster.HandOffTimeout + mode.SequenceGapHold}): a shard's next owner would stop holding a message that " +
                "skips ahead before its old owner has returned the earlier ones, which would then be refused as out of order (lost). " +
                "Shorten the stop's timeouts or lengthen the hand-off timeout or the hold.");
        }
    }

    /// <summary>
    /// Sends an account message (contract JSON of AMQP type <paramref name="type"/>) to whichever node owns the account,
    /// through the broker, and returns that node's answer.
    /// </summary>
    public async Task<AccountReply> RequestAsync(string accountId, ReadOnlyMemory<byte> body, string messageId, string type, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await _requests!.RequestAsync(Names.Accounts, accountId, body, messageId, type, timeout, cancellationToken).ConfigureAwait(false);
        return AccountReply.Parse(reply.Body);
    }

    /// <summary>The coordinator and the fund while this node holds the liquidation singleton; null otherwise.</summary>
    public Engine.Liquidations.LiquidationSingleton? Liquidation => _host.Liquidation;

    /// <summary>What handles this node's shard deliveries.</summary>
    internal ShardDeliveries? Deliveries => _host.Deliveries;

    /// <summary>Where this node's accounts report breaches (to the liquidation queue).</summary>
    public BreachForwarder Breaches { get; private set; } = null!;

    /// <summary>
    /// Sends an operator's request of AMQP type <paramref name="type"/> (<see cref="ClusterMessageTypes"/>) through the
    /// liquidation queue to the node holding the liquidation singleton and returns its answer.
    /// </summary>
    /// <exception cref="TimeoutException">No node answered in time: none holds the singleton, or it is moving.</exception>
    public async Task<AccountReply> RequestLiquidationAsync(string type, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await _requests!.RequestAsync("", Names.Liquidation, body, Guid.NewGuid().ToString("N"), type, timeout, cancellationToken).ConfigureAwait(false);
        return AccountReply.Parse(reply.Body);
    }

    /// <summary>Publishes the venue's report of a liquidation order to the liquidation queue; done once the broker confirmed it.</summary>
    public Task PublishLiquidationReportAsync(Engine.Liquidations.LiquidationOrderReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(report, ClusterWireJsonContext.Default.LiquidationOrderReport);
        var id = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"report:{report.OrderId}:{report.FilledQuantity}:{report.AveragePrice}");
        return _publisher!.PublishAsync("", Names.Liquidation, body, id, ClusterMessageTypes.OrderReport, new PublishOptions { UserId = _publisher.UserName }, cancellationToken);
    }

    /// <summary>Publishes a prices message to every node (each validates and applies it to its own price actors).</summary>
    public Task PublishPricesAsync(ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken) =>
        _publisher!.PublishAsync(Names.Marks, "", body, messageId, "prices", new PublishOptions { Mandatory = false }, cancellationToken);

    /// <summary>
    /// Publishes an operator's <see cref="Engine.Prices.AcceptNextIndex"/> for <paramref name="asset"/> on the marks
    /// exchange as the cluster's user: every node applies it in the stream it takes prices from. <paramref name="id"/> (made
    /// where the command was taken; also the message id) lets every node arm it once, though it reaches a starting node
    /// both in the stored state it loads and in its marks queue.
    /// </summary>
    public Task PublishAcceptNextIndexAsync(string asset, decimal? near, string id, CancellationToken cancellationToken) =>
        _publisher!.PublishAsync(Names.Marks, "", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Engine.Prices.AcceptNextIndex(asset, near, id),
            ClusterWireJsonContext.Default.AcceptNextIndex), id, ClusterMessageTypes.AcceptNextIndex,
            new PublishOptions { Mandatory = false, UserId = _publisher.UserName }, cancellationToken);

    /// <summary>Leaves gracefully: hands every shard off, then stops (see <see cref="ClusterNode.LeaveAsync"/>).</summary>
    public Task<bool> LeaveAsync(TimeSpan timeout, CancellationToken cancellationToken) => _node!.LeaveAsync(timeout, cancellationToken);

    /// <summary>
    /// Stops the way a killed process would, for tests: no hand-off, no lease released, deliveries left unacked (the
    /// broker returns them to the queues); the leases expire and other nodes take the shards.
    /// </summary>
    internal async Task CrashAsync()
    {
        if (_node is not null)
        {
            await _node.AbandonAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        await _host.AbandonAsync().ConfigureAwait(false);
        if (_system is not null)
        {
            await _system.Terminate().ConfigureAwait(false);
            _system = null;
        }

        _node = null;
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops serving (releasing the leases), then closes the broker connection, the actors and the stores.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_node is not null)
        {
            await _node.DisposeAsync().ConfigureAwait(false);
            _node = null;
        }

        if (_host.Holds is { } holds)
        {
            Metrics.ClusterMetrics.Untrack(holds);
        }

        Metrics.ClusterMetrics.UntrackRefusedPlanWrites(this);

        await DisposeQuietlyAsync(_queries);
        await DisposeQuietlyAsync(_outbound);
        await DisposeQuietlyAsync(_marks);
        await DisposeQuietlyAsync(_requests);
        await DisposeQuietlyAsync(_publisher);
        await DisposeQuietlyAsync(_connection);
        _marks = null;
        _queries = null;
        _outbound = null;
        _requests = null;
        _publisher = null;
        _connection = null;
        if (_system is not null)
        {
            await _system.CoordinatedShutdown.RunAsync(CrossMargin.Actors.Shutdown.ShutdownReason.ProcessExit).ConfigureAwait(false);
            _system = null;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        await _coordination.DisposeAsync().ConfigureAwait(false);
    }

    private async Task StartAsync(
        ClusterNodeOptions cluster, ClusterModeOptions mode, RabbitMqOptions rabbit, PersistenceOptions persistence,
        Func<PersistenceServices, Func<int, WriteFence>, IActorRef, (ActorSystem System, RiskEngine Engine)> startEngine,
        RejectionLog rejections, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        Options = cluster;
        Membership = new PostgresMembership(_coordination);
        Leases = new PostgresLeaseStore(_coordination);
        _node = new ClusterNode(cluster, Membership, Leases, new PostgresShardAssignments(_coordination), _host, loggerFactory.CreateLogger<ClusterNode>());
        var registry = RiskEngine.RegisterEvents(new EventTypeRegistry());
        var services = new PersistenceServices(_store.Journal, _writer, _store.SnapshotStore, registry, cluster.NodeId, persistence);
        var node = _node;
        Metrics.ClusterMetrics.TrackRefusedPlanWrites(this, () => node.RefusedPlanWrites);
        Breaches = new BreachForwarder(() => _publisher, new TopologyNames(rabbit.Prefix).Liquidation, mode.BreachReportInterval, time,
            loggerFactory.CreateLogger<BreachForwarder>());
        _connection = await RabbitMqConnection.ConnectAsync(rabbit, loggerFactory, cancellationToken).ConfigureAwait(false);
        await Topology.DeclareAsync(_connection, cancellationToken).ConfigureAwait(false);
        // Bound before the engine's feed reads the stored index references, taken once the engine is up: an operator's
        // override published while this node starts is then either in the stored state the feed reads or in this queue
        // (both, when a node saved it in between: the copy's id is known then and it is not armed twice). Bound after,
        // an override published in the gap reached the other nodes only, and this one refused the jump they accepted.
        await MarksSubscriber.DeclareAsync(_connection, cluster.NodeId, cancellationToken).ConfigureAwait(false);
        (_system, Engine) = startEngine(services, node.FenceFor, Breaches);

        _publisher = await ConfirmingPublisher.CreateAsync(_connection, cancellationToken).ConfigureAwait(false);
        _requests = await RequestClient.StartAsync(_connection, cluster.NodeId, cancellationToken).ConfigureAwait(false);
        _host.Attach(Engine, _connection, _publisher, cluster.NodeId, mode.SequenceGapHold, rejections, time, () => node.LeasesCurrent);
        var liquidation = Engine.Settings.Liquidation;
        // The coordinator ranks what reached it within AdlCollectWindow; each node answers with what its accounts sent within
        // a quarter of it. The relay waits four fifths: the rest of the window is for the two broker hops, which on a loaded
        // machine took more than the quarter that half the window left them (whole crashes' rounds collected no view).
        _host.AttachLiquidation(services, _requests, Engine.Settings.AskTimeout, liquidation.AdlCollectWindow * 0.8);
        _outbound = new OutboundBridge(_publisher, _connection.Names, loggerFactory.CreateLogger<OutboundBridge>());
        foreach (var fact in OutboundBridge.Facts)
        {
            _system.EventStream.Subscribe(_outbound, fact);
        }

        _queries = await RequestSubscriber.StartAsync(_connection, cluster.NodeId, [TopologyNames.AccountViewsKey],
            m => AnswerAccountViewsAsync(m, liquidation.AdlCollectWindow / 4), cancellationToken).ConfigureAwait(false);
        _marks = await MarksSubscriber.StartAsync(_connection, cluster.NodeId, ApplyPricesAsync, cancellationToken).ConfigureAwait(false);
        // Recorded with the membership row: a node logging in as another user than the live members' does not join.
        cluster.BrokerUser = _connection.UserName;
        await _node.JoinAsync(startLoop: true, cancellationToken).ConfigureAwait(false);
        _log.LogInformation("Node {Node} joined the cluster: {Shards} shards over PostgreSQL leases and RabbitMQ queues", cluster.NodeId, cluster.ShardCount);
    }

    private async Task ApplyPricesAsync(ReceivedMessage message)
    {
        if (string.Equals(message.Type, ClusterMessageTypes.AcceptNextIndex, StringComparison.Ordinal))
        {
            await ApplyAcceptNextIndexAsync(message).ConfigureAwait(false);
            return;
        }

        var (prices, violation) = ContractReader.Read(message.Body.Span, ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);
        var updates = prices?.ToUpdates();
        if (prices is null || updates is not { IsValid: true })
        {
            _log.LogWarning("Prices message {MessageId} from the marks exchange refused: {Problem}", message.MessageId,
                violation?.ToString() ?? string.Join("; ", updates?.Violations ?? []));
            return;
        }

        foreach (var update in updates.Command!)
        {
            await Engine.UpdatePriceAsync(update).ConfigureAwait(false);
        }
    }

    // Stored with the band's state, a few per asset: a GUID is 32 characters.
    private const int MaxOverrideIdLength = 64;

    // An operator's override, relayed by the node that took the HTTP call: from the cluster's user only (a venue that may
    // publish prices on this exchange must not be able to lift the index move band).
    private async Task ApplyAcceptNextIndexAsync(ReceivedMessage message)
    {
        if (!await _host.ClusterUsers!.AdmitAsync(message, MessageRejected.MarksPath, ClusterMessageTypes.MarksNames, CancellationToken.None).ConfigureAwait(false))
        {
            return;
        }

        Engine.Prices.AcceptNextIndex? command;
        try
        {
            command = System.Text.Json.JsonSerializer.Deserialize(message.Body.Span, ClusterWireJsonContext.Default.AcceptNextIndex);
        }
        catch (System.Text.Json.JsonException)
        {
            command = null;
        }

        if (command?.Asset is not { Length: > 0 } asset)
        {
            _log.LogWarning("Index override {MessageId} from the marks exchange names no asset; ignored", message.MessageId);
            return;
        }

        // An older node's override has no id in its body: its message id (a GUID as well) stands in for it.
        var id = command.Id ?? message.MessageId;
        if (id is { Length: > MaxOverrideIdLength })
        {
            _log.LogWarning("Index override {MessageId} from the marks exchange has an id of {Length} characters (at most {Max}); ignored",
                id[..MaxOverrideIdLength], id.Length, MaxOverrideIdLength);
            return;
        }

        var answer = await Engine.AcceptNextIndexAsync(asset, command.Near, string.IsNullOrEmpty(id) ? null : id).ConfigureAwait(false);
        _log.LogWarning("Index override from the marks exchange: {Answer}", answer);
    }

    // Auto-deleveraging on the singleton's node asks every node for its accounts in an underlying: answered with the
    // views this node's live accounts send within the window. Only a node asks: anyone else gets no account data.
    private async Task AnswerAccountViewsAsync(ReceivedMessage message, TimeSpan window)
    {
        if (!await _host.ClusterUsers!.AdmitAsync(message, MessageRejected.RequestsPath, ClusterMessageTypes.RequestNames, CancellationToken.None).ConfigureAwait(false))
        {
            return;
        }

        if (message.ReplyTo is not { } replyTo || message.CorrelationId is not { } correlation)
        {
            return;
        }

        var query = System.Text.Json.JsonSerializer.Deserialize(message.Body.Span, ClusterWireJsonContext.Default.AccountViewsQuery);
        if (query is null)
        {
            return;
        }

        var collector = new LocalViewCollector();
        Engine.Accounts.Tell(new Cluster.Sharding.ShardBroadcast(CrossMargin.Engine.Accounts.GetAccount.Instance, query.Topics.ToHashSet(StringComparer.Ordinal)), collector);
        await Task.Delay(window).ConfigureAwait(false);
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new AccountViewList(collector.Views), ClusterWireJsonContext.Default.AccountViewList);
        await _publisher!.ReplyAsync(replyTo, correlation, body, message.MessageId ?? correlation, "reply").ConfigureAwait(false);
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncDisposable? disposable)
    {
        if (disposable is not null)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }
}
