using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Tests.Api;
using Npgsql;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Whole nodes (Program's composition on test servers) forming one cluster in a fresh database and broker prefix of
/// <see cref="ClusterServers"/>, with what the tests do to them: open accounts, read accounts back,
/// read balances, and read the journal behind them.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly ClusterServers _servers;
    private readonly List<NodeUnderTest> _nodes = [];

    private TestCluster(ClusterServers servers, string connectionString, string prefix, int shards)
    {
        _servers = servers;
        ConnectionString = connectionString;
        Prefix = prefix;
        Shards = shards;
    }

    /// <summary>The cluster's database.</summary>
    public string ConnectionString { get; }

    /// <summary>The cluster's broker prefix.</summary>
    public string Prefix { get; }

    /// <summary>The fixed number of shards.</summary>
    public int Shards { get; }

    /// <summary>The nodes started and not disposed, in start order.</summary>
    public IReadOnlyList<NodeUnderTest> Nodes => _nodes;

    /// <summary>A new cluster with no nodes yet.</summary>
    public static async Task<TestCluster> CreateAsync(ClusterServers servers, int shards = 8)
    {
        var (connectionString, prefix) = await servers.NewClusterAsync();
        return new TestCluster(servers, connectionString, prefix, shards);
    }

    /// <summary>The broker settings a venue (or a node) of this cluster uses.</summary>
    public RabbitMqOptions Broker() => new() { Uri = _servers.RabbitMq.AmqpUri, Prefix = Prefix, ShardCount = Shards };

    /// <summary>Starts node <paramref name="name"/> with short lease timings (3 s lease, 250 ms tick) and any extra settings.</summary>
    public async Task<NodeUnderTest> StartNodeAsync(string name, params string[] settings)
    {
        var shards = Shards.ToString(CultureInfo.InvariantCulture);
        var node = await NodeUnderTest.StartAsync(null, [
            "--Node:Name=" + name,
            "--Cluster:Enabled=true",
            "--Cluster:NodeId=" + name,
            "--Cluster:PostgresConnectionString=" + ConnectionString,
            "--Cluster:ShardCount=" + shards,
            "--Cluster:LeaseTtl=00:00:03",
            "--Cluster:TickInterval=00:00:00.250",
            "--Cluster:HeartbeatTimeout=00:00:01",
            "--RabbitMq:Uri=" + _servers.RabbitMq.AmqpUri,
            "--RabbitMq:Prefix=" + Prefix,
            "--RabbitMq:ShardCount=" + shards,
            .. settings]);
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// A membership row for a member that is not a node of this process (a stand-in web app, or an address nobody
    /// listens on): status <c>leaving</c>, so no shard is assigned to it, and a heartbeat an hour ahead, so cluster-wide
    /// operations ask it.
    /// </summary>
    public async Task AddStandInMemberAsync(string name, string address)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO cluster_member (node_id, http_address, roles, version, status, joined_at, heartbeat_at) " +
            "VALUES ($1, $2, '', 'test', 'leaving', now(), now() + interval '1 hour')", connection);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = address });
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>The node's engine host (its cluster runtime, engine and options).</summary>
    public static EngineHost HostOf(NodeUnderTest node) => (EngineHost)node.Services.GetService(typeof(EngineHost))!;

    /// <summary>Polls <paramref name="condition"/> every 100 ms; fails with <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < within, $"not within {within}: {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until every shard is served by exactly one of <paramref name="nodes"/> and the spread is even.</summary>
    public Task AllShardsServedAsync(IEnumerable<NodeUnderTest> nodes, TimeSpan within) =>
        EventuallyAsync(() =>
        {
            var held = nodes.Select(n => HostOf(n).Cluster!.Node.Shards.Keys.ToArray()).ToArray();
            return Task.FromResult(held.SelectMany(h => h).Order().SequenceEqual(Enumerable.Range(0, Shards)) && held.Max(h => h.Length) - held.Min(h => h.Length) <= 1);
        }, within, "every shard served exactly once, evenly spread");

    /// <summary>Opens <paramref name="account"/> through <paramref name="via"/> (any node).</summary>
    public static async Task OpenAsync(NodeUnderTest via, string account)
    {
        var response = await via.Client.PostAsJsonAsync("/api/v1/accounts",
            new { messageId = $"open-{account}", source = "accounts", sequence = 1, accountId = account, mode = "standard" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The account's view as <paramref name="via"/> reports it, or null when it cannot answer now.</summary>
    public static async Task<JsonElement?> AccountAsync(NodeUnderTest via, string account)
    {
        var response = await via.Client.GetAsync($"/api/v1/accounts/{account}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.Clone();
    }

    /// <summary>What a request's answer is so far, for a failure message: status, answering node and body, a failure, or none yet.</summary>
    public static string Describe(Task<AccountReply> reply) => reply.IsCompletedSuccessfully
        ? $"{reply.Result.Status} from {reply.Result.Node}: {reply.Result.Body}"
        : reply.IsCompleted ? $"failed: {reply.Exception?.GetBaseException().Message}" : "none yet";

    /// <summary>The account's USDT balance in <paramref name="view"/>.</summary>
    public static decimal UsdtOf(JsonElement view) => view.GetProperty("balances").EnumerateArray()
        .Where(b => b.GetProperty("asset").GetString() == "USDT").Select(b => b.GetProperty("amount").GetDecimal()).SingleOrDefault();

    /// <summary>The account's net contracts of <paramref name="symbol"/> in <paramref name="view"/>.</summary>
    public static decimal PositionOf(JsonElement view, string symbol) => view.GetProperty("positions").EnumerateArray()
        .Where(p => p.GetProperty("symbol").GetString() == symbol).Select(p => p.GetProperty("quantity").GetDecimal()).SingleOrDefault();

    /// <summary>
    /// Waits until <paramref name="check"/> finds nothing wrong (answers null) with any of <paramref name="accounts"/>,
    /// read through <paramref name="via"/>; fails naming every account still wrong after <paramref name="within"/>.
    /// </summary>
    public static async Task AccountsMatchAsync(NodeUnderTest via, IEnumerable<string> accounts, Func<string, JsonElement, string?> check, TimeSpan within)
    {
        var all = accounts.ToArray();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var wrong = new List<string>();
            foreach (var account in all)
            {
                var view = await AccountAsync(via, account);
                var problem = view is { } v ? check(account, v) : "no answer";
                if (problem is not null)
                {
                    wrong.Add($"{account}: {problem}");
                }
            }

            if (wrong.Count == 0)
            {
                return;
            }

            Assert.True(clock.Elapsed < within, $"not within {within}: {string.Join("; ", wrong)}");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until every account's USDT balance, read through <paramref name="via"/>, equals <paramref name="ledger"/>.</summary>
    public static Task BalancesEqualAsync(NodeUnderTest via, IReadOnlyDictionary<string, decimal> ledger, TimeSpan within) =>
        AccountsMatchAsync(via, ledger.Keys, (account, view) => UsdtOf(view) == ledger[account]
            ? null
            : $"{UsdtOf(view).ToString(CultureInfo.InvariantCulture)} USDT (ledger {ledger[account].ToString(CultureInfo.InvariantCulture)})", within);

    /// <summary>The contract JSON of a deposit of <paramref name="amount"/> USDT, id <c>dep-{account}-{sequence}</c>.</summary>
    public static byte[] Deposit(string account, int sequence, decimal amount) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
        new { messageId = DepositId(account, sequence), source = "wallet", sequence, accountId = account, asset = "USDT", amount }));

    /// <summary>The message id <see cref="Deposit"/> gives.</summary>
    public static string DepositId(string account, int sequence) => $"dep-{account}-{sequence.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Every event of <paramref name="manifest"/> in the journal, by persistence id, with its sequence numbers and message
    /// ids: what the history actually holds, read straight from the database.
    /// </summary>
    public async Task<Dictionary<string, List<(long SequenceNr, string MessageId)>>> MessageIdsInJournalAsync(string manifest)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT persistence_id, sequence_nr, payload FROM event_journal WHERE manifest = $1 ORDER BY persistence_id, sequence_nr", connection)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = manifest } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var events = new Dictionary<string, List<(long, string)>>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            using var payload = JsonDocument.Parse(reader.GetFieldValue<byte[]>(2));
            var id = payload.RootElement.EnumerateObject().Single(p => p.NameEquals("messageId") || p.NameEquals("MessageId")).Value.GetString()!;
            var pid = reader.GetString(0);
            if (!events.TryGetValue(pid, out var list))
            {
                events[pid] = list = [];
            }

            list.Add((reader.GetInt64(1), id));
        }

        return events;
    }

    /// <summary>
    /// The journal's account histories never fork and hold each message once: per account, sequence numbers 1..N
    /// without gaps, and exactly the ids of <paramref name="expected"/> among its events of <paramref name="manifest"/>, each once.
    /// </summary>
    public async Task AssertHistoriesAsync(IReadOnlyDictionary<string, IReadOnlyCollection<string>> expected, string manifest = "account.deposited")
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand(
            "SELECT persistence_id, count(*), max(sequence_nr) FROM event_journal WHERE persistence_id LIKE 'account-%' GROUP BY persistence_id", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                Assert.True(reader.GetInt64(1) == reader.GetInt64(2), $"{reader.GetString(0)}: {reader.GetInt64(1)} events up to sequence {reader.GetInt64(2)}");
            }
        }

        var applied = await MessageIdsInJournalAsync(manifest);
        foreach (var (account, ids) in expected)
        {
            var held = applied.TryGetValue("account-" + account, out var list) ? list.Select(d => d.MessageId).ToArray() : [];
            Assert.Equal(ids.Order(StringComparer.Ordinal), held.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Stops every node still running.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
