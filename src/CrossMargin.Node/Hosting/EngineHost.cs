using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Actors.Shutdown;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Metrics;
using CrossMargin.Node.Clustering;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Parameters;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Risk.Serialization;
using Microsoft.Extensions.Options;
using Npgsql;

using CrossMargin.Node.Rejections;

namespace CrossMargin.Node.Hosting;

/// <summary>
/// Starts and stops the engine with the host: opens the SQLite journal under the data directory, loads the market and
/// the risk parameters, starts the actor system and <see cref="RiskEngine"/>; on shutdown stops the actors first (so
/// every write in flight finishes), then the journal writer, then the store.
/// </summary>
public sealed class EngineHost : IHostedService, IAsyncDisposable
{
    private readonly NodeOptions _node;
    private readonly string _configDirectory;
    private readonly IOptions<ActorSystemOptions> _actors;
    private readonly IOptions<PersistenceOptions> _persistence;
    private readonly IOptions<JournalOptions> _journal;
    private readonly IOptions<PriceOptions> _prices;
    private readonly IOptions<LiquidationOptions> _liquidation;
    private readonly IOptions<ClusterModeOptions> _clusterMode;
    private readonly IOptions<ClusterNodeOptions> _cluster;
    private readonly IOptions<RabbitMqOptions> _rabbit;
    private readonly IOptions<SqlitePersistenceOptions> _sqlite;
    private readonly RejectionLog _rejections;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<EngineHost> _log;
    private readonly TaskCompletionSource<RiskEngine> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SqlitePersistence? _store;
    private BatchingJournalWriter? _writer;
    private ActorSystem? _system;
    private NpgsqlDataSource? _parameterSource;

    /// <summary>Created by the host's container.</summary>
    public EngineHost(IOptions<NodeOptions> node, IConfiguration configuration, IOptions<ActorSystemOptions> actors, IOptions<PersistenceOptions> persistence,
        IOptions<JournalOptions> journal, IOptions<PriceOptions> prices, IOptions<LiquidationOptions> liquidation, ILoggerFactory loggerFactory, TimeProvider time,
        IOptions<ClusterModeOptions> clusterMode, IOptions<ClusterNodeOptions> cluster, IOptions<RabbitMqOptions> rabbit, IOptions<SqlitePersistenceOptions> sqlite,
        RejectionLog rejections)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _node = node.Value;
        _configDirectory = configuration["ConfigDirectory"] ?? Directory.GetCurrentDirectory();
        _actors = actors;
        _persistence = persistence;
        _journal = journal;
        _prices = prices;
        _liquidation = liquidation;
        _clusterMode = clusterMode;
        _cluster = cluster;
        _rabbit = rabbit;
        _sqlite = sqlite;
        _rejections = rejections ?? throw new ArgumentNullException(nameof(rejections));
        _loggerFactory = loggerFactory;
        _time = time;
        _log = loggerFactory.CreateLogger<EngineHost>();
    }

    /// <summary>The engine once started; null before.</summary>
    public RiskEngine? Engine => _started.Task.IsCompletedSuccessfully ? _started.Task.Result : null;

    /// <summary>The node's part in the cluster when <c>Cluster:Enabled</c>; null on an embedded node.</summary>
    public ClusterRuntime? Cluster { get; private set; }

    /// <summary>How long a caller waits for an account (locally or through the broker) to answer.</summary>
    public TimeSpan AskTimeout => _actors.Value.AskTimeout;

    /// <summary>The node's own options.</summary>
    public NodeOptions Node => _node;

    /// <summary>The configuration directory the node was started from.</summary>
    public string ConfigDirectory => _configDirectory;

    /// <summary>Every asset with an index price (a snapshot cannot list them); empty before start.</summary>
    public IReadOnlyList<string> Assets { get; private set; } = [];

    /// <summary>The calculators the accounts margin with now; null before start.</summary>
    public AccountMarginModels? Models => Engine?.Models.Current;

    /// <summary>The risk parameters in force per slot and their history; null before start.</summary>
    public ParameterSlots? Parameters { get; private set; }

    /// <summary>The risk parameter sets in force, one per slot; empty before start.</summary>
    public IReadOnlyList<RiskParameterSet> ParameterSets => Parameters?.Sets ?? [];

    /// <summary>When the engine started.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>Completes when the engine has started.</summary>
    public Task<RiskEngine> Started => _started.Task;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Counted from now: the gauges skip a host whose engine has not started.
        PriceMetrics.Track(this);
        var marketPath = ConfigurationDirectory.Under(_configDirectory, _node.MarketFile);
        var market = MarketFile.Load(marketPath);
        var listing = MarketFile.LoadListing(marketPath);
        var assets = AssetsOf(marketPath);
        var now = _time.GetUtcNow();
        IParameterHistory history;
        if (_clusterMode.Value.Enabled)
        {
            // The history is shared by every node: its own small pool, so reading it never waits behind journal writes.
            _parameterSource = NpgsqlDataSource.Create(_clusterMode.Value.PostgresConnectionString);
            await PostgresPersistence.MigrateAsync(_parameterSource, _time, cancellationToken);
            history = PostgresPersistence.ParameterHistoryOn(_parameterSource, _time);
        }
        else
        {
            var dataDirectory = _node.DataPath(_configDirectory);
            Directory.CreateDirectory(dataDirectory);
            var sqlite = _sqlite.Value;
            sqlite.DataDirectory = dataDirectory;
            _store = await SqlitePersistence.OpenAsync(sqlite, _time, _loggerFactory.CreateLogger<SqlitePersistence>(), cancellationToken);
            history = _store.ParameterHistory;
        }

        Parameters = await ParameterSlots.LoadAsync(_node, _configDirectory, history, _time, _log, cancellationToken);
        Assets = assets;
        var models = Parameters.Models;
        StartedAt = now;

        if (_clusterMode.Value.Enabled)
        {
            var cluster = _cluster.Value;
            if (string.IsNullOrWhiteSpace(cluster.NodeId))
            {
                cluster.NodeId = _node.Name;
            }

            if (string.IsNullOrWhiteSpace(cluster.HttpAddress))
            {
                cluster.HttpAddress = _node.HttpUrl;
            }

            // Every coordinator-role node may take the liquidation singleton; whichever takes its lease first runs it.
            if (!cluster.Singletons.Contains(ShardQueueHost.LiquidationSingletonName, StringComparer.Ordinal))
            {
                cluster.Singletons.Add(ShardQueueHost.LiquidationSingletonName);
            }

            Cluster = await ClusterRuntime.StartAsync(cluster, _clusterMode.Value, _rabbit.Value, _journal.Value, _persistence.Value, (services, fence, breaches) =>
            {
                var system = ActorSystem.Create("crossmargin", _actors, _loggerFactory, _time);
                var settings = new RiskEngineSettings(market, assets, models, services, cluster.ShardCount, _prices.Value, _liquidation.Value, _actors.Value.AskTimeout)
                {
                    ShardFence = fence,
                    RunLiquidation = false,
                    BreachReports = breaches,
                    MaxSequenceJump = _node.MaxSequenceJump,
                    Listing = listing,
                };
                return (system, RiskEngine.Start(system, settings));
            }, _rejections, _loggerFactory, _time, cancellationToken);
            _log.LogInformation("Engine started as cluster node {Node}: {Instruments} instruments, {Shards} shards", cluster.NodeId, market.Instruments.Count(), cluster.ShardCount);
            _started.TrySetResult(Cluster.Engine);
            return;
        }

        var store = _store!;
        _writer = new BatchingJournalWriter(store.Journal, _journal.Value, _time);
        var registry = RiskEngine.RegisterEvents(new EventTypeRegistry());
        var services = new PersistenceServices(store.Journal, _writer, store.SnapshotStore, registry, _node.Name, _persistence.Value);

        _system = ActorSystem.Create("crossmargin", _actors, _loggerFactory, _time);
        var engine = RiskEngine.Start(_system, new RiskEngineSettings(market, assets, models, services,
            _node.ShardCount, _prices.Value, _liquidation.Value, _actors.Value.AskTimeout) { MaxSequenceJump = _node.MaxSequenceJump, Listing = listing });
        _log.LogInformation("Engine started: {Instruments} instruments, {Shards} shards, journal in {DataDirectory}",
            engine.Market.Current.Instruments.Count(), _node.ShardCount, Path.GetDirectoryName(store.DatabasePath));

        // Every account the journal knows runs again before the first mark, not on its next message: a crash right after
        // a restart must find them all.
        var woken = await engine.WakeAccountsAsync(AccountTags.Opened, cancellationToken: cancellationToken);
        _log.LogInformation("Woke {Accounts} accounts from the journal", woken);
        _started.TrySetResult(engine);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_system is not null)
        {
            await _system.CoordinatedShutdown.RunAsync(ShutdownReason.ProcessExit);
        }

        await DisposeAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        PriceMetrics.Untrack(this);
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
            Cluster = null;
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }

        Parameters?.Dispose();
        if (_parameterSource is not null)
        {
            await _parameterSource.DisposeAsync();
            _parameterSource = null;
        }
    }

    /// <summary>The version of a parameter text: the first 12 hex digits of its SHA-256.</summary>
    public static string VersionOf(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>The asset names of a market file (a snapshot cannot list them).</summary>
    private static string[] AssetsOf(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("assets").EnumerateObject().Select(p => p.Name).ToArray();
    }
}
