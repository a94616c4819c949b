using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using Xunit.Abstractions;

namespace CrossMargin.Cluster.Tests.Sharding;

/// <summary>What a node's region does when the cluster moves a shard: explicit shard ids from the transport, and stopping a shard.</summary>
public sealed class ShardHandOffTests(ITestOutputHelper output) : TestKit(output)
{
    private int _incarnations;

    private IActorRef StartRegion(List<(int Shard, string Id)>? started = null) =>
        ShardRegion.Start(Sys, new ShardRegionSettings("echo", 8, id => throw new InvalidOperationException("per-shard props expected"))
        {
            ShardEntityProps = (shard, id) =>
            {
                lock (started ?? [])
                {
                    started?.Add((shard, id));
                }

                return Props.Create(() => new EchoEntity(id, Interlocked.Increment(ref _incarnations)));
            },
        });

    [Fact]
    public void An_envelope_naming_its_shard_is_hosted_in_that_shard_and_the_entity_is_made_knowing_it()
    {
        var started = new List<(int, string)>();
        var region = StartRegion(started);
        var other = (ShardIds.Of("acc-1", 8) + 3) % 8;

        var client = CreateTestProbe();

        client.Send(region, new ShardEnvelope("acc-1", "hi") { ShardId = other });

        client.ExpectMsg<Echo>();
        Assert.EndsWith($"/echo/shard-{other}/acc-1", client.LastSender!.Path.ToString(), StringComparison.Ordinal);
        Assert.Equal([(other, "acc-1")], started);
    }

    [Fact]
    public void An_envelope_naming_a_shard_outside_the_region_reaches_nobody()
    {
        var region = StartRegion();

        region.Tell(new ShardEnvelope("acc-1", "hi") { ShardId = 8 }, TestActor);

        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Stopping_a_shard_stops_its_entities_answers_when_they_are_gone_and_spares_other_shards()
    {
        var region = StartRegion();
        region.Tell(new ShardEnvelope("acc-1", "a") { ShardId = 2 }, TestActor);
        region.Tell(new ShardEnvelope("acc-2", "b") { ShardId = 2 }, TestActor);
        region.Tell(new ShardEnvelope("acc-3", "c") { ShardId = 5 }, TestActor);
        var entities = ReceiveN(3).Cast<Echo>().ToArray();

        region.Tell(new StopShard(2), TestActor);

        Assert.Equal(2, ExpectMsg<ShardStopped>().ShardId);
        region.Tell(GetShardRegionStats.Instance, TestActor);
        var stats = ExpectMsg<ShardRegionStats>();
        Assert.False(stats.Stats.ContainsKey(2));
        Assert.Equal(1, stats.Stats[5]);
        region.Tell(new ShardEnvelope("acc-1", "again") { ShardId = 2 }, TestActor);
        var restarted = ExpectMsg<Echo>();
        Assert.NotEqual(entities.Single(e => e.EntityId == "acc-1").Incarnation, restarted.Incarnation);
    }

    [Fact]
    public void Stopping_a_shard_that_is_not_running_answers_at_once()
    {
        var region = StartRegion();

        region.Tell(new StopShard(4), TestActor);

        Assert.Equal(4, ExpectMsg<ShardStopped>().ShardId);
    }
}
