using System.Collections.Concurrent;
using System.Globalization;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class BrokerRestartTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task A_broker_restart_under_load_loses_nothing_publishers_retry_and_consumers_resume()
    {
        const int messages = 3_000;
        var options = fixture.Options(shardCount: 2, o => o.Prefetch = 32);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var consumers = new List<ShardConsumer>();
        for (var shard = 0; shard < 2; shard++)
        {
            consumers.Add(await ShardConsumer.StartAsync(connection, shard, async (d, _) =>
            {
                await Task.Delay(1, CancellationToken.None); // a journal write
                seen.AddOrUpdate(d.MessageId!, 1, (_, n) => n + 1);
            }).Within());
        }

        // Publish from 8 concurrent streams; each publish retries through the outage on its own.
        var next = -1;
        var published = 0;
        var streams = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < messages)
            {
                var id = "exec-" + i.ToString(CultureInfo.InvariantCulture);
                await publisher.PublishAsync(connection.Names.Accounts, "acct-" + (i % 101).ToString(CultureInfo.InvariantCulture), Bodies.Utf8(id), id, "execution");
                Interlocked.Increment(ref published);
                await Task.Delay(2);
            }
        })).ToArray();

        await Bounded.UntilAsync(() => Volatile.Read(ref published) >= messages / 3, "a third published before the restart");
        await fixture.Broker.RestartAsync(TimeSpan.FromSeconds(1)).WaitAsync(TimeSpan.FromSeconds(120));
        await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(120));
        await Bounded.UntilAsync(() => seen.Count == messages, $"every id consumed after the restart (have {seen.Count})", TimeSpan.FromSeconds(120));

        // The handler records an id before its delivery is acked, so the last acks may trail the last ids by a moment.
        await Bounded.UntilAsync(() => consumers.Sum(c => c.Acknowledged) >= messages, "every message acked once its handler finished");
        Assert.Equal(messages, seen.Count);
        Assert.True(connection.Recoveries >= 1, "the connection recovered");
        Assert.All(consumers, c => Assert.False(c.Completion.IsCompleted, "an outage the connection recovers from does not end a consumer"));
        Assert.Equal(0u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)) + await Bodies.ReadyAsync(connection, connection.Names.Shard(1)));
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_publish_during_an_outage_completes_once_the_broker_is_back()
    {
        var options = fixture.Options(shardCount: 1);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await fixture.Broker.StopNodeAsync().WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            var failFast = await Assert.ThrowsAsync<PublishFailedException>(() =>
                publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-0", "execution", new PublishOptions { RetryThroughOutage = false }).Within());
            Assert.Equal(PublishFailure.Timeout, failFast.Failure);

            var publish = publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-1", "execution");
            await Task.Delay(1_000);
            Assert.False(publish.IsCompleted, "a publish cannot be confirmed while the broker is down");
            await fixture.Broker.StartNodeAsync().WaitAsync(TimeSpan.FromSeconds(120));
            await publish.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await fixture.Broker.StartNodeAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }

        Assert.Equal(1u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)));
    }

    [Fact]
    public async Task A_handler_that_finishes_after_a_broker_restart_does_not_break_its_consumer()
    {
        var options = fixture.Options(shardCount: 1);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = new ConcurrentQueue<ShardDelivery>();
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, async (d, _) =>
        {
            deliveries.Enqueue(d);
            if (d.MessageId == "exec-1" && !d.Redelivered)
            {
                await release.Task; // still persisting while the broker goes down
            }
        }).Within();
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-1", "execution").Within();
        await Bounded.UntilAsync(() => consumer.InFlight == 1, "exec-1 in its handler");

        await fixture.Broker.RestartAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await Bounded.UntilAsync(() => connection.Recoveries >= 1 && deliveries.Count >= 2, "exec-1 redelivered after recovery");
        release.SetResult(); // its ack now carries a delivery tag from before the outage: dropped, not a channel error
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-2", "execution").Within();
        await Bounded.UntilAsync(() => deliveries.Any(d => d.MessageId == "exec-2"), "the consumer still consumes after the stale ack");

        Assert.False(consumer.Completion.IsCompleted, "the outage did not end the consumer");
        var redelivery = deliveries.First(d => d.MessageId == "exec-1" && d.Redelivered);
        Assert.True(redelivery.Attempt >= 2);
        await Bounded.UntilAsync(() => consumer.InFlight == 0, "everything settled");
        Assert.Equal(0u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)));
    }

    [Fact]
    public async Task Each_account_stays_on_its_shard_queue_across_a_broker_restart()
    {
        // Why the accounts exchange is x-modulus-hash by default: the consistent-hash exchange keeps its ring in memory
        // and rebuilds it at boot in the order it recovers the bindings, and with this very test (16 shards, so names
        // sort differently from numbers) accounts moved between shard queues across the restart on 3.10.8.
        const int accounts = 4_000;
        var options = fixture.Options(shardCount: 16, o => o.Prefetch = 200);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);

        var before = await ShardOfEveryAccountAsync(connection, publisher, accounts, "before");
        await fixture.Broker.RestartAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await Bounded.UntilAsync(() => connection.Recoveries >= 1 && connection.IsOpen, "the connection recovered");
        var after = await ShardOfEveryAccountAsync(connection, publisher, accounts, "after");

        var moved = before.Where(pair => after[pair.Key] != pair.Value).Select(pair => $"{pair.Key}: {pair.Value} -> {after[pair.Key]}").Take(5).ToArray();
        Assert.True(moved.Length == 0, "accounts moved shard across the restart, e.g. " + string.Join(", ", moved));
    }

    [Fact]
    public async Task Mark_subscriptions_and_reply_queues_come_back_after_a_broker_restart()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        var marks = new ConcurrentQueue<string>();
        await using var subscriber = await MarksSubscriber.StartAsync(connection, "node-a", m => { marks.Enqueue(m.MessageId!); return Task.CompletedTask; }).Within();
        await using var replier = await ConfirmingPublisher.CreateAsync(connection);
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (d, ct) =>
            replier.ReplyAsync(d.ReplyTo!, d.CorrelationId!, Bodies.Utf8("{\"accepted\":true}"), "reply-" + d.MessageId, "pre-trade-result", ct)).Within();
        await using var requests = await RequestClient.StartAsync(connection, "node-a").Within();

        await fixture.Broker.RestartAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await Bounded.UntilAsync(() => connection.Recoveries >= 1 && connection.IsOpen, "the connection recovered");

        // The exclusive queues died with the old connection; recovery re-declared and re-bound them.
        await replier.PublishAsync(connection.Names.Marks, "", Bodies.Utf8("{}"), "mark-after", "prices").Within();
        await Bounded.UntilAsync(() => marks.Contains("mark-after"), "a mark published after the restart arrives");
        var reply = await requests.RequestAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "check-after", "pre-trade", TimeSpan.FromSeconds(20)).Within();
        Assert.Equal("pre-trade-result", reply.Type);
        Assert.False(consumer.Completion.IsCompleted, "the outage did not end the consumer");
    }

    private static async Task<Dictionary<string, int>> ShardOfEveryAccountAsync(RabbitMqConnection connection, ConfirmingPublisher publisher, int accounts, string round)
    {
        var shardOf = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var consumers = new List<ShardConsumer>();
        for (var shard = 0; shard < connection.Options.ShardCount; shard++)
        {
            consumers.Add(await ShardConsumer.StartAsync(connection, shard, (d, _) =>
            {
                shardOf[d.AccountId] = d.Shard;
                return Task.CompletedTask;
            }).Within());
        }

        var publishes = new List<Task>(accounts);
        for (var i = 0; i < accounts; i++)
        {
            var account = "acct-" + i.ToString(CultureInfo.InvariantCulture);
            publishes.Add(publisher.PublishAsync(connection.Names.Accounts, account, Bodies.Utf8(account), $"{round}-{account}", "execution"));
        }

        await Task.WhenAll(publishes).Within();
        await Bounded.UntilAsync(() => shardOf.Count == accounts, $"every account consumed ({round})");
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }

        return new Dictionary<string, int>(shardOf, StringComparer.Ordinal);
    }
}
