using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using Xunit.Abstractions;

namespace CrossMargin.Cluster.Tests.Sharding;

public sealed class ShardRegionTests(ITestOutputHelper output) : TestKit(output)
{
    private int _incarnations;

    private IActorRef StartRegion(int shardCount = 4) =>
        ShardRegion.Start(Sys, new ShardRegionSettings("echo", shardCount, id => Props.Create(() => new EchoEntity(id, Interlocked.Increment(ref _incarnations)))));

    [Fact]
    public void An_envelope_reaches_its_entity_with_the_original_sender()
    {
        var region = StartRegion();
        var client = CreateTestProbe();

        client.Send(region, new ShardEnvelope("acc-1", "hello"));

        var echo = client.ExpectMsg<Echo>();
        Assert.Equal(("acc-1", "hello"), (echo.EntityId, (string)echo.Message));
        Assert.EndsWith($"/echo/shard-{ShardIds.Of("acc-1", 4)}/acc-1", client.LastSender!.Path.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_to_one_id_reach_one_entity_in_order()
    {
        var region = StartRegion();
        for (var i = 0; i < 50; i++)
        {
            region.Tell(new ShardEnvelope("acc-1", i), TestActor);
        }

        var echoes = ReceiveN(50).Cast<Echo>().ToArray();
        Assert.Equal(Enumerable.Range(0, 50), echoes.Select(e => (int)e.Message));
        Assert.Single(echoes.Select(e => e.Incarnation).Distinct());
    }

    [Fact]
    public void Stats_count_the_live_entities_of_each_shard()
    {
        var region = StartRegion(shardCount: 3);
        var ids = Enumerable.Range(0, 20).Select(i => $"acc-{i}").ToArray();
        foreach (var id in ids)
        {
            region.Tell(new ShardEnvelope(id, "ping"), TestActor);
        }

        ReceiveN(ids.Length);
        region.Tell(GetShardRegionStats.Instance, TestActor);

        var stats = ExpectMsg<ShardRegionStats>();
        var expected = ids.GroupBy(id => ShardIds.Of(id, 3)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(kv => kv.Key), stats.Stats.OrderBy(kv => kv.Key));
        Assert.Equal(20, stats.TotalEntities);
    }

    [Fact]
    public void Stats_of_an_empty_region_are_empty()
    {
        var region = StartRegion();

        region.Tell(GetShardRegionStats.Instance, TestActor);

        Assert.Empty(ExpectMsg<ShardRegionStats>().Stats);
    }

    [Fact]
    public void An_entity_that_stopped_is_forgotten_and_started_afresh_by_the_next_message()
    {
        var region = StartRegion();
        region.Tell(new ShardEnvelope("acc-1", "first"), TestActor);
        var first = ExpectMsg<Echo>();
        Watch(Probe.LastSender!);
        region.Tell(new ShardEnvelope("acc-1", new StopYourself()), TestActor);
        ExpectTerminated(Probe.LastSender!);
        AwaitAssert(() =>
        {
            region.Tell(GetShardRegionStats.Instance, TestActor);
            Assert.Equal(0, ExpectMsg<ShardRegionStats>().TotalEntities);
        });

        region.Tell(new ShardEnvelope("acc-1", "again"), TestActor);

        var again = ExpectMsg<Echo>();
        Assert.NotEqual(first.Incarnation, again.Incarnation);
        Assert.Equal("again", again.Message);
    }

    [Fact]
    public void Messages_sent_while_an_entity_passivates_are_delivered_to_its_next_incarnation_in_order()
    {
        var region = StartRegion();
        region.Tell(new ShardEnvelope("acc-1", "first"), TestActor);
        var first = ExpectMsg<Echo>();

        // Once the entity answered, its Passivate is in the shard's mailbox ahead of everything sent from here on.
        region.Tell(new ShardEnvelope("acc-1", new PleasePassivate()), TestActor);
        Assert.Equal("passivating", ExpectMsg<Echo>().Message);
        for (var i = 0; i < 20; i++)
        {
            region.Tell(new ShardEnvelope("acc-1", i), TestActor);
        }

        var echoes = ReceiveN(20).Cast<Echo>().ToArray();
        Assert.Equal(Enumerable.Range(0, 20), echoes.Select(e => (int)e.Message));
        Assert.All(echoes, e => Assert.NotEqual(first.Incarnation, e.Incarnation));
        Assert.Equal(0, Sys.DeadLetterCount);
    }

    [Fact]
    public void A_broadcast_reaches_each_interested_live_entity_once_and_no_one_else()
    {
        var region = StartRegion(shardCount: 2);
        Register(region, "btc-only", "BTC");
        Register(region, "btc-and-eth", "BTC", "ETH");
        Register(region, "eth-only", "ETH");
        Register(region, "sol-only", "SOL");

        region.Tell(new ShardBroadcast("moved", new HashSet<string> { "BTC", "ETH" }), TestActor);

        var reached = ReceiveN(3).Cast<Echo>().Select(e => e.EntityId).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["btc-and-eth", "btc-only", "eth-only"], reached);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Registering_interest_again_replaces_the_previous_topics()
    {
        var region = StartRegion();
        Register(region, "acc-1", "BTC");
        Register(region, "acc-1", "ETH");

        region.Tell(new ShardBroadcast("btc moved", new HashSet<string> { "BTC" }), TestActor);
        region.Tell(new ShardBroadcast("eth moved", new HashSet<string> { "ETH" }), TestActor);

        Assert.Equal("eth moved", ExpectMsg<Echo>().Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_stopped_entity_loses_its_interest_and_is_not_restarted_by_a_broadcast()
    {
        var region = StartRegion();
        Register(region, "acc-1", "BTC");
        var entity = Probe.LastSender!;
        Watch(entity);
        region.Tell(new ShardEnvelope("acc-1", new StopYourself()), TestActor);
        ExpectTerminated(entity);

        AwaitAssert(() =>
        {
            region.Tell(new ShardBroadcast("moved", new HashSet<string> { "BTC" }), TestActor);
            ExpectNoMsg(TimeSpan.FromMilliseconds(100));
            region.Tell(GetShardRegionStats.Instance, TestActor);
            Assert.Equal(0, ExpectMsg<ShardRegionStats>().TotalEntities);
        });
    }

    [Fact]
    public void Interest_claimed_for_another_entity_is_ignored()
    {
        var region = StartRegion(shardCount: 1);
        region.Tell(new ShardEnvelope("acc-2", "start"), TestActor);
        ExpectMsg<Echo>();

        // acc-1 speaks for acc-2, which is live but did not ask: the shard keeps nothing, so the broadcast reaches no one.
        region.Tell(new ShardEnvelope("acc-1", new InterestFor("acc-2", new HashSet<string> { "BTC" })), TestActor);
        ExpectMsg<Echo>();
        region.Tell(new ShardBroadcast("moved", new HashSet<string> { "BTC" }), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData("", 4)]
    [InlineData("has space", 4)]
    [InlineData("echo", 0)]
    [InlineData("echo", ShardRegionSettings.MaxShardCount + 1)]
    public void Invalid_settings_are_refused_when_the_props_are_made(string typeName, int shardCount) =>
        Assert.ThrowsAny<ArgumentException>(() => ShardRegion.Props(new ShardRegionSettings(typeName, shardCount, _ => Props.Create(() => new EchoEntity("x", 0)))));

    private void Register(IActorRef region, string entityId, params string[] topics)
    {
        region.Tell(new ShardEnvelope(entityId, new Interest(topics.ToHashSet(StringComparer.Ordinal))), TestActor);
        Assert.Equal("registered", ExpectMsg<Echo>().Message);
    }
}
