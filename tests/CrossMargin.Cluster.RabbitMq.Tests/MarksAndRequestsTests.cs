using System.Collections.Concurrent;
using System.Globalization;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class MarksAndRequestsTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task Every_mark_reaches_every_node_queue()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        var nodeA = new ConcurrentQueue<string>();
        var nodeB = new ConcurrentQueue<string>();
        await using var a = await MarksSubscriber.StartAsync(connection, "node-a", m => { nodeA.Enqueue(m.MessageId!); return Task.CompletedTask; }).Within();
        await using var b = await MarksSubscriber.StartAsync(connection, "node-b", m => { nodeB.Enqueue(m.MessageId!); return Task.CompletedTask; }).Within();
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);

        var ids = Enumerable.Range(0, 20).Select(i => "mark-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var id in ids)
        {
            await publisher.PublishAsync(connection.Names.Marks, "", Bodies.Utf8("{\"instrument\":\"BTC-PERP\"}"), id, "prices").Within();
        }

        await Bounded.UntilAsync(() => nodeA.Count == ids.Length && nodeB.Count == ids.Length, "both nodes have every mark");
        Assert.Equal(ids, nodeA.ToArray());
        Assert.Equal(ids, nodeB.ToArray());
        Assert.Equal(connection.Names.MarksQueue("node-a"), a.QueueName);
    }

    [Fact]
    public async Task An_exchange_subscriber_hears_every_exchange_it_is_bound_to_in_order_and_no_other()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        var heard = new ConcurrentQueue<string>();
        var names = connection.Names;
        await using var subscriber = await ExchangeSubscriber.StartAsync(connection, names.Prefix + ".test.venue", [names.LiquidationOrders, names.Adl],
            m => { heard.Enqueue($"{m.Type}:{m.MessageId}"); return Task.CompletedTask; }).Within();
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var unbound = new PublishOptions { Mandatory = false };

        await publisher.PublishAsync(names.LiquidationOrders, "acc-1", Bodies.Utf8("{}"), "o-1", "order").Within();
        await publisher.PublishAsync(names.MarginCalls, "acc-1", Bodies.Utf8("{}"), "s-1", "status", unbound).Within();
        await publisher.PublishAsync(names.Adl, "acc-2", Bodies.Utf8("{}"), "a-1", "adl").Within();
        await publisher.PublishAsync(names.LiquidationOrders, "acc-3", Bodies.Utf8("{}"), "o-2", "order").Within();

        await Bounded.UntilAsync(() => heard.Count >= 3, "the three messages on the bound exchanges");
        await Task.Delay(200);
        Assert.Equal(["order:o-1", "adl:a-1", "order:o-2"], heard.ToArray());
        Assert.Equal(names.Prefix + ".test.venue", subscriber.QueueName);
    }

    /// <summary>
    /// Every query waits out a collect window before it answers: ten queries held open at once must all be taken, where
    /// answered one at a time the second is taken only when the first has answered (in a crash, a window too late).
    /// </summary>
    [Fact]
    public async Task A_request_subscriber_answers_queries_side_by_side_not_one_after_another()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        var started = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscriber = await RequestSubscriber.StartAsync(connection, "node-busy", [TopologyNames.AccountViewsKey], async _ =>
        {
            Interlocked.Increment(ref started);
            await release.Task;
        }).Within();
        await PublishQueriesAsync(connection, 0, 10);

        try
        {
            await Bounded.UntilAsync(() => Volatile.Read(ref started) == 10, "all ten queries taken while none has answered", TimeSpan.FromSeconds(15));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_stopped_request_subscriber_lets_the_queries_it_is_answering_finish()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        var started = 0;
        var finished = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = await RequestSubscriber.StartAsync(connection, "node-slow", [TopologyNames.AccountViewsKey], async _ =>
        {
            Interlocked.Increment(ref started);
            await release.Task;
            Interlocked.Increment(ref finished);
        }).Within();
        await PublishQueriesAsync(connection, 0, 3);
        await Bounded.UntilAsync(() => Volatile.Read(ref started) == 3, "three queries being answered", TimeSpan.FromSeconds(15));

        var stop = subscriber.DisposeAsync().AsTask();
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            Assert.False(stop.IsCompleted, "the stop waits for the queries being answered");
        }
        finally
        {
            release.TrySetResult();
        }

        await stop.Within();
        Assert.Equal(3, Volatile.Read(ref finished));
    }

    /// <summary>
    /// A node answers an auto-deleverage query at once; the asker hands the answer on as it comes, long before its window
    /// closes: the round that asked closes a window of its own, shorter than the time the query stays open.
    /// </summary>
    [Fact]
    public async Task A_collected_answer_is_handed_on_as_it_arrives_not_when_the_window_closes()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var replier = await ConfirmingPublisher.CreateAsync(connection);
        await using var subscriber = await RequestSubscriber.StartAsync(connection, "node-quick", [TopologyNames.AccountViewsKey],
            m => replier.ReplyAsync(m.ReplyTo!, m.CorrelationId!, Bodies.Utf8("{\"views\":[]}"), "answer-" + m.MessageId, "reply")).Within();
        await using var client = await RequestClient.StartAsync(connection, "node-asking").Within();
        var arrived = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        var collect = client.CollectAsync(connection.Names.Requests, TopologyNames.AccountViewsKey, Bodies.Utf8("{}"), "views-1", "query",
            TimeSpan.FromSeconds(5), a => arrived.TrySetResult(a));
        var first = await arrived.Task.Within();

        Assert.False(collect.IsCompleted, "the answer was handed on before the window closed");
        Assert.Equal("answer-views-1", first.MessageId);
        Assert.Equal(["answer-views-1"], (await collect.Within()).Select(a => a.MessageId));
    }

    private static async Task PublishQueriesAsync(RabbitMqConnection connection, int first, int count)
    {
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        for (var i = first; i < first + count; i++)
        {
            await publisher.PublishAsync(connection.Names.Requests, TopologyNames.AccountViewsKey, Bodies.Utf8("{}"), "q-" + i.ToString(CultureInfo.InvariantCulture),
                "query").Within();
        }
    }

    [Fact]
    public async Task A_pre_trade_check_is_answered_by_the_consumer_of_the_accounts_shard()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 4));
        await using var replier = await ConfirmingPublisher.CreateAsync(connection);
        var consumers = new List<ShardConsumer>();
        for (var shard = 0; shard < 4; shard++)
        {
            consumers.Add(await ShardConsumer.StartAsync(connection, shard, async (d, ct) =>
            {
                if (d.ReplyTo is not null && d.CorrelationId is not null)
                {
                    var answer = $"{{\"account\":\"{d.AccountId}\",\"shard\":{d.Shard.ToString(CultureInfo.InvariantCulture)},\"accepted\":true}}";
                    await replier.ReplyAsync(d.ReplyTo, d.CorrelationId, Bodies.Utf8(answer), "reply-" + d.MessageId, "pre-trade-result", ct);
                }
            }).Within());
        }

        await using var client = await RequestClient.StartAsync(connection, "node-a").Within();
        var reply = await client.RequestAsync(connection.Names.Accounts, "acct-77", Bodies.Utf8("{}"), "check-1", "pre-trade", TimeSpan.FromSeconds(10)).Within();

        Assert.Equal("pre-trade-result", reply.Type);
        Assert.Contains("\"account\":\"acct-77\"", Bodies.Text(reply.Body), StringComparison.Ordinal);
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_request_nobody_answers_times_out_with_a_clear_message()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var client = await RequestClient.StartAsync(connection, "node-a").Within();

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            client.RequestAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "check-1", "pre-trade", TimeSpan.FromMilliseconds(500)).Within());

        Assert.Contains("check-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_whose_publish_outlasts_its_timeout_still_names_the_request()
    {
        // A slow broker confirm (a loaded machine) used to surface as a bare "The operation has timed out.".
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var client = await RequestClient.StartAsync(connection, "node-a").Within();

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            client.RequestAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "check-2", "pre-trade", TimeSpan.FromTicks(1)).Within());

        Assert.Contains("check-2", e.Message, StringComparison.Ordinal);
        Assert.Contains("pre-trade", e.Message, StringComparison.Ordinal);
    }
}
