using System.Diagnostics;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Clustering;
using CrossMargin.Risk.Margin;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The outbound bridge against a real broker: batches confirmed together, account limits coalesced to each account's
/// newest and published many accounts to a message, ordered facts never coalesced nor reordered, and a bounded stop.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class OutboundBridgeTests(ClusterServers servers)
{
    [Fact]
    public async Task A_burst_of_limit_changes_reaches_the_venue_as_each_accounts_newest_limits_and_waits_at_most_one_per_account()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        await using var venue = await VenueAsync(cluster, connection => connection.Names.AccountLimits);
        var bridge = new OutboundBridge(venue.Publisher, venue.Names, NullLogger.Instance);
        var accounts = Enumerable.Range(0, 10).Select(a => $"acc-{a}").ToArray();
        var peak = 0;
        for (var change = 1; change <= 500; change++)
        {
            foreach (var account in accounts)
            {
                bridge.Tell(new AccountLimitsChanged(account, change, new Dictionary<string, decimal> { ["USDT"] = change }), null);
            }

            peak = Math.Max(peak, bridge.Backlog);
        }

        await bridge.DisposeAsync();

        var messages = await venue.DrainAsync();
        var received = LimitsIn(messages);
        Assert.True(peak <= accounts.Length, $"backlog peaked at {peak}");
        Assert.Equal(0, bridge.Dropped);
        Assert.Equal(5_000, bridge.Published + bridge.Coalesced);
        Assert.Equal(bridge.Published, received.Count);
        foreach (var account in accounts)
        {
            var seen = received.Where(m => m.GetProperty("accountId").GetString() == account).Select(m => m.GetProperty("availableUsd").GetDecimal()).ToList();
            Assert.Equal(500m, seen[^1]);
            Assert.Equal(seen.Order(), seen);
        }
    }

    [Fact]
    public async Task A_re_margin_passs_limits_batch_reaches_the_venue_as_one_message_with_an_entry_per_account_as_if_each_had_changed_alone()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        await using var venue = await VenueAsync(cluster, connection => connection.Names.AccountLimits);
        var bridge = new OutboundBridge(venue.Publisher, venue.Names, NullLogger.Instance);
        var batch = new AccountLimitsBatch(["acc-x", "acc-y", "acc-z"], [120.5m, -40m, 0m], ["BTC", "USDT"],
            [0.00200833m, 120.5m, -0.00066667m, -40m, 0m, 0m]);
        Assert.True(OutboundBridge.Facts.Contains(typeof(AccountLimitsBatch)), "the bridge is subscribed to batches");

        bridge.Tell(batch, null);
        await bridge.DisposeAsync();

        var messages = await venue.DrainAsync();
        var received = LimitsIn(messages);
        Assert.Single(messages);
        Assert.Equal(3, received.Count);
        foreach (var (message, alone) in received.Zip(batch.Changes()))
        {
            Assert.Equal(alone.AccountId, message.GetProperty("accountId").GetString());
            Assert.Equal(alone.AvailableUsd, message.GetProperty("availableUsd").GetDecimal());
            var amounts = message.GetProperty("availableBySettlementAsset");
            Assert.Equal((alone.AvailableBySettlementAsset["BTC"], alone.AvailableBySettlementAsset["USDT"]),
                (amounts.GetProperty("BTC").GetDecimal(), amounts.GetProperty("USDT").GetDecimal()));
        }
    }

    [Fact]
    public async Task Status_changes_are_never_coalesced_and_reach_the_venue_in_the_order_they_happened_per_account()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        await using var venue = await VenueAsync(cluster, connection => connection.Names.MarginCalls);
        var bridge = new OutboundBridge(venue.Publisher, venue.Names, NullLogger.Instance);
        var accounts = new[] { "acc-a", "acc-b", "acc-c" };
        var start = new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 300; i++)
        {
            var (from, to) = i % 2 == 0 ? (MarginStatus.Healthy, MarginStatus.MarginCall) : (MarginStatus.MarginCall, MarginStatus.Healthy);
            bridge.Tell(new AccountStatusChanged(accounts[i % 3], from, to, i, 0m, 0m, start.AddSeconds(i)), null);
        }

        await bridge.DisposeAsync();

        var received = await venue.DrainAsync();
        Assert.Equal(300, bridge.Published);
        Assert.Equal(0, bridge.Coalesced);
        Assert.Equal(300, received.Count);
        foreach (var account in accounts)
        {
            var equities = received.Where(m => m.GetProperty("accountId").GetString() == account).Select(m => m.GetProperty("equityUsd").GetDecimal()).ToList();
            Assert.Equal(Enumerable.Range(0, 300).Where(i => accounts[i % 3] == account).Select(i => (decimal)i), equities);
        }
    }

    [Fact]
    public async Task A_bridge_whose_broker_is_gone_stops_within_its_drain_timeout_and_counts_what_it_gave_up()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        await Topology.DeclareAsync(connection);
        var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var bridge = new OutboundBridge(publisher, connection.Names, NullLogger.Instance);
        bridge.Tell(new AccountLimitsChanged("acc-1", 100m, new Dictionary<string, decimal> { ["USDT"] = 100m }), null);
        await TestCluster.EventuallyAsync(() => Task.FromResult(bridge.Published == 1), TimeSpan.FromSeconds(10), "the first fact confirmed");

        // The broker connection is gone (a crashed node) with a backlog of limit changes of 500 accounts still queued:
        // each publish would retry through the outage for the publisher's whole retry timeout.
        await connection.DisposeAsync();
        for (var i = 0; i < 500; i++)
        {
            bridge.Tell(new AccountLimitsChanged($"acc-{i}", i, new Dictionary<string, decimal> { ["USDT"] = i }), null);
        }

        var clock = Stopwatch.StartNew();
        await bridge.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(clock.Elapsed < OutboundBridge.DrainTimeout + TimeSpan.FromSeconds(10), $"stopped after {clock.Elapsed}");
        Assert.Equal(1, bridge.Published);
        Assert.Equal(500, bridge.Dropped);
        await publisher.DisposeAsync();
    }

    [Fact]
    public async Task A_venue_applying_the_limits_messages_in_order_ends_with_every_accounts_newest_limits()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        await using var venue = await VenueAsync(cluster, connection => connection.Names.AccountLimits);
        var bridge = new OutboundBridge(venue.Publisher, venue.Names, NullLogger.Instance);
        var random = new Random(6);
        var newest = new Dictionary<string, decimal>(StringComparer.Ordinal);

        // Changes of many accounts interleaved, told from a re-margin pass's batches and one by one, faster than the
        // bridge publishes (so messages hold many accounts, and some accounts change while their limits wait).
        for (var i = 0; i < 3_000; i++)
        {
            if (i % 500 == 0)
            {
                var ids = Enumerable.Range(0, 300).Select(a => $"acc-{a}").ToArray();
                var amounts = ids.Select(_ => (decimal)random.Next(-1_000, 1_000)).ToArray();
                bridge.Tell(new AccountLimitsBatch(ids, amounts, ["USDT"], amounts), null);
                for (var a = 0; a < ids.Length; a++)
                {
                    newest[ids[a]] = amounts[a];
                }
            }

            var account = $"acc-{random.Next(400)}";
            var amount = (decimal)random.Next(-1_000, 1_000) + (i / 10_000m);
            bridge.Tell(new AccountLimitsChanged(account, amount, new Dictionary<string, decimal> { ["USDT"] = amount }), null);
            newest[account] = amount;
        }

        await bridge.DisposeAsync();

        var venueBook = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var messages = await venue.DrainAsync();
        foreach (var limits in LimitsIn(messages))
        {
            venueBook[limits.GetProperty("accountId").GetString()!] = limits.GetProperty("availableUsd").GetDecimal();
        }

        Assert.Equal(0, bridge.Dropped);
        Assert.Equal(newest.OrderBy(kv => kv.Key, StringComparer.Ordinal), venueBook.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.All(messages, m => Assert.True(m.GetProperty("limits").GetArrayLength() <= OutboundBridge.BatchSize));
    }

    // The accounts' limits of AccountLimitsChangedBatch messages, in order.
    private static List<JsonElement> LimitsIn(List<JsonElement> messages) =>
        messages.SelectMany(m => m.GetProperty("limits").EnumerateArray()).ToList();

    private static async Task<Venue> VenueAsync(TestCluster cluster, Func<RabbitMqConnection, string> exchange)
    {
        var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        await Topology.DeclareAsync(connection);
        var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        var queue = $"{cluster.Prefix}.test.outbound";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue, exchange(connection), "#");
        return new Venue(connection, channel, queue, await ConfirmingPublisher.CreateAsync(connection));
    }

    /// <summary>The venue's queue bound to one outbound exchange, and a publisher for the bridge.</summary>
    private sealed class Venue(RabbitMqConnection connection, IChannel channel, string queue, ConfirmingPublisher publisher) : IAsyncDisposable
    {
        public ConfirmingPublisher Publisher => publisher;

        public TopologyNames Names => connection.Names;

        /// <summary>Everything in the queue, in queue order (the bridge has stopped, so every confirmed message is there).</summary>
        public async Task<List<JsonElement>> DrainAsync()
        {
            var received = new List<JsonElement>();
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                using var body = JsonDocument.Parse(message.Body);
                received.Add(body.RootElement.Clone());
            }

            return received;
        }

        public async ValueTask DisposeAsync()
        {
            await publisher.DisposeAsync();
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
