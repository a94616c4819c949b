using CrossMargin.Cluster.Coordination;

namespace CrossMargin.Cluster.Tests.Coordination;

public sealed class ShardAllocatorTests
{
    private static Dictionary<string, int> Counts(IReadOnlyDictionary<int, string> plan) =>
        plan.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Count());

    private static Dictionary<int, string> Apply(IReadOnlyDictionary<int, string> plan, IReadOnlyList<KeyValuePair<int, string>> changes)
    {
        var next = new Dictionary<int, string>(plan);
        foreach (var (shard, node) in changes)
        {
            next[shard] = node;
        }

        return next;
    }

    [Fact]
    public void Unassigned_shards_spread_evenly_over_serving_nodes()
    {
        var changes = ShardAllocator.Plan(30, new Dictionary<int, string>(), ["a", "b", "c"], movesInFlight: 0, maxConcurrentMoves: 2);

        Assert.Equal(30, changes.Count);
        Assert.All(Counts(Apply(new Dictionary<int, string>(), changes)).Values, n => Assert.Equal(10, n));
    }

    [Fact]
    public void A_joining_node_receives_at_most_the_move_limit_per_round_until_balanced()
    {
        var plan = Apply(new Dictionary<int, string>(), ShardAllocator.Plan(12, new Dictionary<int, string>(), ["a", "b", "c"], 0, 2));

        var rounds = 0;
        while (true)
        {
            var changes = ShardAllocator.Plan(12, plan, ["a", "b", "c", "d"], movesInFlight: 0, maxConcurrentMoves: 2);
            if (changes.Count == 0)
            {
                break;
            }

            Assert.True(changes.Count <= 2, $"round {rounds} moved {changes.Count} shards");
            Assert.All(changes, c => Assert.Equal("d", c.Value));
            plan = Apply(plan, changes);
            rounds++;
        }

        Assert.Equal(2, rounds);
        Assert.All(Counts(plan).Values, n => Assert.Equal(3, n));
    }

    [Fact]
    public void Moves_already_in_flight_use_up_the_limit()
    {
        var plan = Apply(new Dictionary<int, string>(), ShardAllocator.Plan(12, new Dictionary<int, string>(), ["a", "b", "c"], 0, 2));

        Assert.Empty(ShardAllocator.Plan(12, plan, ["a", "b", "c", "d"], movesInFlight: 2, maxConcurrentMoves: 2));
        Assert.Single(ShardAllocator.Plan(12, plan, ["a", "b", "c", "d"], movesInFlight: 1, maxConcurrentMoves: 2));
    }

    [Fact]
    public void Shards_of_a_node_that_is_gone_move_at_once_regardless_of_the_limit()
    {
        var plan = Apply(new Dictionary<int, string>(), ShardAllocator.Plan(12, new Dictionary<int, string>(), ["a", "b", "c"], 0, 1));

        var changes = ShardAllocator.Plan(12, plan, ["a", "c"], movesInFlight: 0, maxConcurrentMoves: 1);

        Assert.Equal(plan.Where(p => p.Value == "b").Select(p => p.Key).Order(), changes.Select(c => c.Key).Order());
        Assert.All(Counts(Apply(plan, changes)).Values, n => Assert.Equal(6, n));
    }

    [Fact]
    public void A_balanced_plan_changes_nothing()
    {
        var plan = Apply(new Dictionary<int, string>(), ShardAllocator.Plan(10, new Dictionary<int, string>(), ["a", "b", "c"], 0, 3));

        Assert.Empty(ShardAllocator.Plan(10, plan, ["a", "b", "c"], 0, 3));
    }

    [Fact]
    public void Without_serving_nodes_nothing_is_planned()
    {
        Assert.Empty(ShardAllocator.Plan(10, new Dictionary<int, string> { [0] = "a" }, [], 0, 3));
    }

    [Fact]
    public void The_same_inputs_give_the_same_plan_whatever_the_order_of_nodes()
    {
        var one = ShardAllocator.Plan(17, new Dictionary<int, string>(), ["c", "a", "b"], 0, 2);
        var two = ShardAllocator.Plan(17, new Dictionary<int, string>(), ["b", "c", "a"], 0, 2);

        Assert.Equal(one, two);
    }
}
