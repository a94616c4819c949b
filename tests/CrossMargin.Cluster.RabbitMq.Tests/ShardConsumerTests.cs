using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using RabbitMQ.Client;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class ShardConsumerTests(RabbitMqBrokerFixture fixture)
{
    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task A_delivery_whose_handler_throws_is_redelivered_flagged_as_redelivered(string queueType)
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(queueType: queueType, shardCount: 1));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var seen = new ConcurrentQueue<ShardDelivery>();
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            seen.Enqueue(d);
            return seen.Count == 1 ? Task.FromException(new InvalidOperationException("journal write failed")) : Task.CompletedTask;
        }).Within();

        await publisher.PublishAsync(connection.Names.Accounts, "acct-7", Bodies.Utf8("{\"x\":1}"), "exec-1", "execution").Within();
        await Bounded.UntilAsync(() => consumer.Acknowledged == 1, "the second attempt acked");

        var deliveries = seen.ToArray();
        Assert.Equal(2, deliveries.Length);
        Assert.All(deliveries, d => Assert.Equal("exec-1", d.MessageId));
        Assert.All(deliveries, d => Assert.Equal("acct-7", d.AccountId));
        Assert.All(deliveries, d => Assert.Equal("execution", d.Type));
        Assert.False(deliveries[0].Redelivered);
        Assert.Equal(1, deliveries[0].Attempt);
        Assert.True(deliveries[1].Redelivered);
        Assert.Equal(2, deliveries[1].Attempt);
        Assert.Equal(1, consumer.Requeued);
        Assert.Equal("{\"x\":1}", Bodies.Text(deliveries[1].Body));
    }

    [Fact]
    public async Task A_delivery_says_which_rabbitmq_user_published_it_and_the_broker_refuses_a_publish_under_another_users_name()
    {
        var options = fixture.Options(shardCount: 1);
        await using var connection = await fixture.ConnectAsync(options);
        var user = "venue-" + options.Prefix;
        var venueOptions = fixture.Options(shardCount: 1, o => o.Prefix = options.Prefix);
        venueOptions.Uri = await fixture.Broker.AddUserAsync(user, "venue-secret").Within();
        venueOptions.PublishRetryTimeout = TimeSpan.FromSeconds(1);
        await using var venue = await RabbitMqConnection.ConnectAsync(venueOptions).Within();
        await using var publisher = await ConfirmingPublisher.CreateAsync(venue);
        await using var requests = await RequestClient.StartAsync(venue, "venue-node").Within();
        var seen = new ConcurrentQueue<ShardDelivery>();
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            seen.Enqueue(d);
            return Task.CompletedTask;
        }).Within();

        Assert.Equal((user, "guest"), (venue.UserName, connection.UserName));
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "own", "execution", new PublishOptions { UserId = user }).Within();
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "unsigned", "execution").Within();
        // A request is signed with its connection's user without asking; nobody answers it here.
        _ = await requests.SendAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "request", "preTrade", TimeSpan.FromSeconds(30), expires: false).Within();
        await Bounded.UntilAsync(() => consumer.Acknowledged == 3, "three deliveries acked");

        var byId = seen.ToDictionary(d => d.MessageId!, d => d.UserId);
        Assert.Equal(user, byId["own"]);
        Assert.Null(byId["unsigned"]);
        Assert.Equal(user, byId["request"]);

        // Claiming the cluster's user (guest) from the venue's connection: the broker closes the channel, nothing is delivered.
        await Assert.ThrowsAsync<PublishFailedException>(() => publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "forged", "execution",
            new PublishOptions { UserId = "guest", RetryThroughOutage = false }).Within());
        await Task.Delay(500);
        Assert.DoesNotContain(seen, d => d.MessageId == "forged");
    }

    [Fact]
    public async Task A_delivery_is_not_acked_while_its_handler_runs()
    {
        var options = fixture.Options(shardCount: 1);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var persisted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (_, _) =>
        {
            started.TrySetResult();
            return persisted.Task;
        }).Within();

        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-1", "execution").Within();
        await started.Task.Within();
        await Task.Delay(300);
        Assert.Equal(0, consumer.Acknowledged);
        Assert.Equal(1, consumer.InFlight);

        persisted.SetResult();
        await Bounded.UntilAsync(() => consumer.Acknowledged == 1, "acked after the handler completed");
    }

    // A journal batch completes the handlers of many deliveries at once, each continuation queued on its own; acked as
    // each ran, they went out one frame apiece (0.7 frames per execution in the cluster benchmark), every frame a
    // settlement command in the quorum queue's log.
    [Fact]
    public async Task Deliveries_whose_handlers_finish_together_are_acked_in_a_few_frames()
    {
        const int count = 60;
        // Longer than the default so that a loaded machine running the completions late still finds them in one round.
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1, o => o.AckCoalescing = TimeSpan.FromMilliseconds(200)));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var persisted = new ConcurrentQueue<TaskCompletionSource>();
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (_, _) =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            persisted.Enqueue(done);
            return done.Task;
        }).Within();

        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), $"exec-{i}", "execution").Within();
        }

        await Bounded.UntilAsync(() => persisted.Count == count, "every delivery handed to its handler");
        foreach (var done in persisted)
        {
            done.SetResult();
        }

        await Bounded.UntilAsync(() => consumer.Acknowledged == count, "every delivery acked");
        Assert.True(consumer.AckFrames <= count / 10, $"{count} deliveries finished together were acked in {consumer.AckFrames} frames");
    }

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task Handlers_start_in_delivery_order_so_each_account_keeps_its_order(string queueType)
    {
        const int messages = 500;
        await using var connection = await fixture.ConnectAsync(fixture.Options(queueType: queueType, shardCount: 1, configure: o => o.Prefetch = 100));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        for (var i = 0; i < messages; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8(id), id, "execution").Within();
        }

        // The synchronous part of the handler (an enqueue to the account) sees the queue's order; completions
        // (persistence) overlap and finish in any order.
        var order = new ConcurrentQueue<int>();
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, async (d, _) =>
        {
            order.Enqueue(int.Parse(d.MessageId!, CultureInfo.InvariantCulture));
            await Task.Delay(int.Parse(d.MessageId!, CultureInfo.InvariantCulture) % 7, CancellationToken.None);
        }).Within();
        await Bounded.UntilAsync(() => consumer.Acknowledged == messages, "every message acked");

        Assert.Equal(Enumerable.Range(0, messages), order.ToArray());
    }

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task A_consumer_stopped_mid_handler_leaves_the_delivery_to_the_next_consumer(string queueType)
    {
        var options = fixture.Options(queueType: queueType, shardCount: 1, configure: o => o.HandlerDrainTimeout = TimeSpan.FromMilliseconds(500));
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = await ShardConsumer.StartAsync(connection, 0, async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // never durable: the node lost its lease mid-write
        }).Within();
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-1", "execution").Within();
        await started.Task.Within();

        await a.StopAsync().Within();
        Assert.Equal(0, a.Acknowledged);

        var next = new TaskCompletionSource<ShardDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var b = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            next.TrySetResult(d);
            return Task.CompletedTask;
        }).Within();
        var delivery = await next.Task.Within();

        Assert.Equal("exec-1", delivery.MessageId);
        Assert.True(delivery.Redelivered);
        await a.DisposeAsync();
    }

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public Task A_stopped_consumer_gives_its_many_unsettled_deliveries_back_in_queue_order(string queueType) =>
        // More than a quorum queue hands back in order when a consumer's channel just closes (a few dozen).
        HandOffManyHeldAsync(nextSubscribedFirst: false, queueType);

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task Deliveries_that_finished_behind_a_held_one_are_acked_so_the_window_never_starves_it(string queueType)
    {
        // The first delivery waits for the last one (a sequence gap held open), and the window is far smaller than the
        // messages between them: the ones that finished meanwhile must be acked without waiting for the first, or the
        // window fills with them and the last one is never delivered.
        const int messages = 40;
        await using var connection = await fixture.ConnectAsync(fixture.Options(queueType: queueType, shardCount: 1, configure: o => o.Prefetch = 8));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        for (var i = 0; i < messages; i++)
        {
            var id = "exec-" + i.ToString("D2", CultureInfo.InvariantCulture);
            await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8(id), id, "execution").Within();
        }

        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            if (d.MessageId == "exec-00")
            {
                return last.Task;
            }

            if (d.MessageId == "exec-" + (messages - 1).ToString("D2", CultureInfo.InvariantCulture))
            {
                last.TrySetResult();
            }

            return Task.CompletedTask;
        }).Within();

        await Bounded.UntilAsync(() => consumer.Acknowledged == messages, "every message acked, the held first one last");
        Assert.Equal(0, consumer.Requeued);
    }

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task A_stop_acks_what_finished_behind_an_unfinished_delivery_and_returns_only_that_one(string queueType)
    {
        var options = fixture.Options(queueType: queueType, shardCount: 1, configure: o => o.HandlerDrainTimeout = TimeSpan.FromMilliseconds(500));
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        for (var i = 0; i < 6; i++)
        {
            var id = "exec-" + i.ToString(CultureInfo.InvariantCulture);
            await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8(id), id, "execution").Within();
        }

        var finished = 0;
        var a = await ShardConsumer.StartAsync(connection, 0, async (d, ct) =>
        {
            if (d.MessageId == "exec-0")
            {
                await Task.Delay(Timeout.Infinite, ct); // never durable
            }

            Interlocked.Increment(ref finished);
        }).Within();
        await Bounded.UntilAsync(() => Volatile.Read(ref finished) == 5, "the five after the first finished");
        await Task.Delay(200);
        Assert.Equal(0, a.Acknowledged); // behind the unfinished first one, and too few to be acked one by one

        await a.StopAsync().Within();
        Assert.Equal(5, a.Acknowledged);

        var redelivered = new ConcurrentQueue<string>();
        await using var b = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            redelivered.Enqueue(d.MessageId!);
            return Task.CompletedTask;
        }).Within();
        await Bounded.UntilAsync(() => b.Acknowledged == 1, "the unfinished one delivered again");
        await Task.Delay(300);

        Assert.Equal(["exec-0"], redelivered.ToArray());
        await a.DisposeAsync();
    }

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public Task Many_unsettled_deliveries_reach_a_waiting_next_consumer_in_queue_order(string queueType) =>
        // The next owner may already be subscribed (the queue has a single active consumer): it becomes active at the
        // cancel and takes the returned deliveries as they come back, so the queue's ready count never shows them.
        HandOffManyHeldAsync(nextSubscribedFirst: true, queueType);

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task A_hand_off_between_consumers_loses_nothing_and_applies_nothing_twice(string queueType)
    {
        const int messages = 2_000;

        // What is pinned is the drained stop, so its phases get time a loaded machine cannot run out of; a stop that
        // gives up on its handlers (the drain's time-out) returns their deliveries, which is another test's behaviour.
        var options = fixture.Options(queueType: queueType, shardCount: 1, configure: o =>
        {
            o.Prefetch = 50;
            o.ConsumerCancelTimeout = TimeSpan.FromSeconds(30);
            o.HandlerDrainTimeout = TimeSpan.FromSeconds(30);
        });
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var publishes = new List<Task>(messages);
        for (var i = 0; i < messages; i++)
        {
            var id = "exec-" + i.ToString(CultureInfo.InvariantCulture);
            publishes.Add(publisher.PublishAsync(connection.Names.Accounts, "acct-" + (i % 97).ToString(CultureInfo.InvariantCulture), Bodies.Utf8(id), id, "execution"));
        }

        await Task.WhenAll(publishes).Within();

        // "Applied" = the handler completed, so the delivery is acked; an id applied twice would be a double execution.
        // Like a real handler it gives up when its token is cancelled, and it notes a delivery it applied that late,
        // so a failure tells a stop that abandoned its handlers from an ack that never reached the broker.
        var applied = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var redeliveredDuplicates = 0;
        var appliedAfterCancel = 0;
        ShardDeliveryHandler Handler() => async (d, ct) =>
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            if (applied.AddOrUpdate(d.MessageId!, 1, (_, n) => n + 1) > 1)
            {
                Assert.True(d.Redelivered, $"{d.MessageId} came twice without the redelivered flag");
                Interlocked.Increment(ref redeliveredDuplicates);
            }

            if (ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref appliedAfterCancel);
            }
        };

        var a = await ShardConsumer.StartAsync(connection, 0, Handler()).Within();
        await Bounded.UntilAsync(() => applied.Count >= messages / 2, "consumer A has applied half");
        var stopping = Stopwatch.StartNew();
        await a.StopAsync().Within();
        var stopTook = stopping.Elapsed;
        var appliedByA = applied.Count;
        var b = await ShardConsumer.StartAsync(connection, 0, Handler()).Within();
        await Bounded.UntilAsync(() => applied.Count == messages, "every message applied");
        await b.StopAsync().Within();

        Assert.Equal(messages, applied.Count);
        Assert.True(
            Volatile.Read(ref redeliveredDuplicates) == 0, // a graceful stop drains its handlers and acks what they applied
            $"{redeliveredDuplicates} applied twice; A applied {appliedByA} and acked {a.Acknowledged} in {a.AckFrames} frames, " +
            $"its stop took {stopTook.TotalMilliseconds:F0} ms, {appliedAfterCancel} applied after their handler was cancelled");
        Assert.Equal(messages, a.Acknowledged + b.Acknowledged);
        Assert.InRange(a.Acknowledged, messages / 2, messages - 1);
        Assert.Equal(0u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)));
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task A_poison_message_goes_to_the_dead_letter_queue_with_its_reason_after_the_last_attempt(string queueType)
    {
        var options = fixture.Options(queueType: queueType, shardCount: 1, configure: o => o.MaxDeliveryAttempts = 3);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var attempts = new ConcurrentQueue<int>();
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            attempts.Enqueue(d.Attempt);
            throw new FormatException("quantity is not a number");
        }).Within();

        await publisher.PublishAsync(connection.Names.Accounts, "acct-9", Bodies.Utf8("{\"quantity\":\"x\"}"), "exec-poison", "execution").Within();
        await Bounded.UntilAsync(() => consumer.DeadLettered == 1, "the message dead-lettered");

        Assert.Equal([1, 2, 3], attempts.ToArray());
        Assert.Equal(0u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)));
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        var dead = await channel.BasicGetAsync(connection.Names.DeadLetter, autoAck: true);
        Assert.NotNull(dead);
        Assert.Equal("exec-poison", dead.BasicProperties.MessageId);
        Assert.Equal("{\"quantity\":\"x\"}", Bodies.Text(dead.Body));
        Assert.Contains("quantity is not a number", Bodies.HeaderText(dead.BasicProperties.Headers, TransportHeaders.FailureReason), StringComparison.Ordinal);
        Assert.Equal("3", Bodies.HeaderText(dead.BasicProperties.Headers, TransportHeaders.Attempts));
        Assert.Equal("acct-9", Bodies.HeaderText(dead.BasicProperties.Headers, TransportHeaders.OriginalRoutingKey));
        Assert.Equal(connection.Names.Shard(0), Bodies.HeaderText(dead.BasicProperties.Headers, TransportHeaders.SourceQueue));
    }

    [Fact]
    public async Task A_message_that_never_finishes_is_dead_lettered_by_the_broker_after_the_delivery_limit()
    {
        // A message that crashes or wedges every node that takes it never reaches a handler failure; the quorum
        // queue's own delivery limit stops it going round the cluster for ever.
        var options = fixture.Options(shardCount: 1, o =>
        {
            o.MaxDeliveryAttempts = 2;
            o.BrokerDeliveryLimit = 2;
            o.HandlerDrainTimeout = TimeSpan.FromMilliseconds(200);
        });
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "exec-wedge", "execution").Within();

        var attempts = new List<int>();
        for (var round = 0; round < 3; round++)
        {
            var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = await ShardConsumer.StartAsync(connection, 0, async (d, ct) =>
            {
                started.TrySetResult(d.Attempt);
                await Task.Delay(Timeout.Infinite, ct);
            }).Within();
            attempts.Add(await started.Task.Within());
            await consumer.DisposeAsync();
        }

        Assert.Equal([1, 2, 3], attempts);
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        BasicGetResult? dead = null;
        await Bounded.UntilAsync(() => (dead = channel.BasicGetAsync(connection.Names.DeadLetter, autoAck: true).GetAwaiter().GetResult()) is not null, "the broker dead-letters it");
        Assert.Equal("exec-wedge", dead!.BasicProperties.MessageId);
        Assert.True(dead.BasicProperties.Headers?.ContainsKey("x-death"), "the broker's dead-lettering adds x-death with the reason");
        Assert.Equal(0u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)));
    }

    [Fact]
    public async Task Completion_reports_a_consumer_the_broker_cancelled_and_stays_silent_until_then()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 2));
        await using var consumer = await ShardConsumer.StartAsync(connection, 1, (_, _) => Task.CompletedTask).Within();
        await Task.Delay(200);
        Assert.False(consumer.Completion.IsCompleted);

        await using (var channel = await connection.CreateChannelAsync(publisherConfirms: false))
        {
            await channel.QueueDeleteAsync(connection.Names.Shard(1), ifUnused: false, ifEmpty: false);
        }

        var reason = await consumer.Completion.Within();
        Assert.NotNull(reason);
        Assert.Contains(connection.Names.Shard(1), reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_is_null_after_a_requested_stop()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var consumer = await ShardConsumer.StartAsync(connection, 0, (_, _) => Task.CompletedTask).Within();

        await consumer.StopAsync().Within();

        Assert.Null(await consumer.Completion.Within());
    }

    [Fact]
    public async Task Starting_on_an_undeclared_shard_queue_says_to_declare_the_topology()
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(fixture.Options(shardCount: 2)).Within();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ShardConsumer.StartAsync(connection, 1, (_, _) => Task.CompletedTask).Within());

        Assert.Contains("Topology.DeclareAsync", e.Message, StringComparison.Ordinal);
        Assert.Contains(connection.Names.Shard(1), e.Message, StringComparison.Ordinal);
    }

    // 150 deliveries all held by a first consumer (e.g. waiting for the journal to come back), which then stops; the next
    // consumer, subscribed before or after the stop, must receive every one in queue order.
    private async Task HandOffManyHeldAsync(bool nextSubscribedFirst, string queueType)
    {
        const int messages = 150;
        var options = fixture.Options(queueType: queueType, shardCount: 1, configure: o =>
        {
            o.HandlerDrainTimeout = TimeSpan.FromMilliseconds(500);
            o.Prefetch = 256;
        });
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        for (var i = 0; i < messages; i++)
        {
            var id = "exec-" + i.ToString("D3", CultureInfo.InvariantCulture);
            await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8(id), id, "execution").Within();
        }

        var held = 0;
        var a = await ShardConsumer.StartAsync(connection, 0, async (_, ct) =>
        {
            Interlocked.Increment(ref held);
            await Task.Delay(Timeout.Infinite, ct);
        }).Within();
        await Bounded.UntilAsync(() => Volatile.Read(ref held) == messages, "every message held by the first consumer");
        if (!nextSubscribedFirst)
        {
            await a.StopAsync().Within();
        }

        var order = new ConcurrentQueue<string>();
        await using var b = await ShardConsumer.StartAsync(connection, 0, (d, _) =>
        {
            order.Enqueue(d.MessageId!);
            return Task.CompletedTask;
        }).Within();
        if (nextSubscribedFirst)
        {
            await a.StopAsync().Within();
        }

        await Bounded.UntilAsync(() => order.Count == messages, "every message delivered to the next consumer");

        Assert.Equal(Enumerable.Range(0, messages).Select(i => "exec-" + i.ToString("D3", CultureInfo.InvariantCulture)), order);
        await a.DisposeAsync();
    }
}
