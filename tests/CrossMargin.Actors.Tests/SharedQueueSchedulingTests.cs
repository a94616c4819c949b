using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// The same guarantees with <see cref="ActorSystemOptions.PreferLocalQueue"/> off, where an actor with new mail goes on
/// the thread pool's shared queue instead of the sending thread's own.
/// </summary>
public sealed class SharedQueueSchedulingTests(ITestOutputHelper output)
    : TestKit.TestKit(output, new TestKitSettings { Options = new ActorSystemOptions { PreferLocalQueue = false } })
{
    [Fact]
    public void The_system_under_test_queues_actors_on_the_shared_queue()
    {
        Assert.False(Sys.Options.PreferLocalQueue);
    }

    [Fact]
    public void Chains_of_actors_keep_each_senders_order_and_lose_nothing()
    {
        const int Relays = 8;
        const int PerRelay = 5_000;
        var sink = Sys.ActorOf(Props.Create(() => new OrderingTests.PerSenderChecker()), "sink");
        var relays = Enumerable.Range(0, Relays).Select(i => Sys.ActorOf(Props.Create(() => new Relay(sink)).WithThroughput(3), "relay" + i)).ToList();
        for (var n = 0; n < PerRelay; n++)
        {
            foreach (var relay in relays)
            {
                relay.Tell(n, ActorRefs.NoSender);
            }
        }

        AwaitAssert(() =>
        {
            sink.Tell("report", TestActor);
            var report = ExpectMsg<OrderingTests.Report>();
            Assert.Equal(Relays * PerRelay, report.Received);
            Assert.Equal(0, report.OutOfOrder);
            Assert.Equal(Relays, report.Producers);
        }, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Asks_from_many_concurrent_callers_are_all_answered()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async caller =>
        {
            var sum = 0;
            for (var i = 0; i < 500; i++)
            {
                sum += await echo.Ask<int>(i, TimeSpan.FromSeconds(10));
            }

            return sum;
        }));
        Assert.All(answers, sum => Assert.Equal(500 * 499 / 2, sum));
    }

    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef sink) => Receive<int>(n => sink.Tell(n, Self));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<int>(n => Sender.Tell(n));
    }
}
