using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using Xunit.Abstractions;

namespace CrossMargin.Cluster.Tests.Sharding;

public sealed class ShardRouterTests(ITestOutputHelper output) : TestKit(output)
{
    private int _incarnations;

    private ShardRouter StartRouter(int shardCount = 4) =>
        ShardRouter.Start(Sys, new ShardRegionSettings("echo", shardCount, id => Props.Create(() => new EchoEntity(id, Interlocked.Increment(ref _incarnations)))));

    [Fact]
    public void Envelopes_sent_in_a_burst_while_their_shard_starts_arrive_in_order()
    {
        var router = StartRouter();

        // The first envelopes go through the region, which starts the shard; the later ones may go straight to it.
        for (var i = 0; i < 2_000; i++)
        {
            router.Tell(new ShardEnvelope("acc-1", i), TestActor);
        }

        var echoes = ReceiveN(2_000).Cast<Echo>().ToArray();
        Assert.Equal(Enumerable.Range(0, 2_000), echoes.Select(e => (int)e.Message));
        Assert.Single(echoes.Select(e => e.Incarnation).Distinct());
    }

    [Fact]
    public async Task An_envelope_for_a_running_shard_goes_straight_to_the_shard_not_through_the_region()
    {
        var router = StartRouter();
        Assert.Equal("started", (await router.Ask<Echo>(new ShardEnvelope("acc-1", "started"))).Message);

        // The entity stops without replying, so the Ask times out naming where the request was sent.
        var timeout = await Assert.ThrowsAsync<AskTimeoutException>(() => router.Ask<Echo>(new ShardEnvelope("acc-1", new StopYourself()), TimeSpan.FromMilliseconds(200)));

        Assert.Contains($"/echo/shard-{ShardIds.Of("acc-1", 4)} with ShardEnvelope", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ask_through_the_router_completes_with_the_entitys_reply_before_and_after_its_shard_runs()
    {
        var router = StartRouter();

        var first = await router.Ask<Echo>(new ShardEnvelope("acc-1", "one"));
        var second = await router.Ask<Echo>(new ShardEnvelope("acc-1", "two"));

        Assert.Equal(("acc-1", "one", "two"), (first.EntityId, (string)first.Message, (string)second.Message));
        Assert.Equal(first.Incarnation, second.Incarnation);
    }

    [Fact]
    public void After_its_shard_is_stopped_envelopes_go_through_the_region_and_start_it_afresh_in_order()
    {
        var router = StartRouter();
        router.Tell(new ShardEnvelope("acc-1", "before") { ShardId = 2 }, TestActor);
        var before = ExpectMsg<Echo>();
        router.Region.Tell(new StopShard(2), TestActor);
        Assert.Equal(2, ExpectMsg<ShardStopped>().ShardId);

        for (var i = 0; i < 500; i++)
        {
            router.Tell(new ShardEnvelope("acc-1", i) { ShardId = 2 }, TestActor);
        }

        var echoes = ReceiveN(500).Cast<Echo>().ToArray();
        Assert.Equal(Enumerable.Range(0, 500), echoes.Select(e => (int)e.Message));
        Assert.Single(echoes.Select(e => e.Incarnation).Distinct());
        Assert.NotEqual(before.Incarnation, echoes[0].Incarnation);
    }

    [Fact]
    public void An_envelope_naming_a_shard_outside_the_region_reaches_nobody()
    {
        var router = StartRouter();

        router.Tell(new ShardEnvelope("acc-1", "lost") { ShardId = 4 }, TestActor);
        router.Tell(new ShardEnvelope("acc-1", "found") { ShardId = 3 }, TestActor);

        Assert.Equal("found", ExpectMsg<Echo>().Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task An_ask_with_a_non_positive_timeout_is_refused_before_anything_is_sent()
    {
        var router = StartRouter();

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = router.Ask<Echo>(new ShardEnvelope("acc-1", "x"), TimeSpan.Zero); });

        // Nothing was left counted as on its way through the region: the next ask still goes straight to the running shard.
        await router.Ask<Echo>(new ShardEnvelope("acc-1", "start"));
        var timeout = await Assert.ThrowsAsync<AskTimeoutException>(() => router.Ask<Echo>(new ShardEnvelope("acc-1", new StopYourself()), TimeSpan.FromMilliseconds(200)));
        Assert.Contains("/echo/shard-", timeout.Message, StringComparison.Ordinal);
    }
}
