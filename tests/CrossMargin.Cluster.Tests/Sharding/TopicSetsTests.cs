using CrossMargin.Cluster.Sharding;

namespace CrossMargin.Cluster.Tests.Sharding;

public sealed class TopicSetsTests
{
    [Fact]
    public void Equal_sets_made_separately_come_back_as_one_array()
    {
        var pool = new TopicSets(maxShared: 8);
        var first = pool.Share(["BTC", new string("USDT".AsSpan())]);

        var second = pool.Share([new string("BTC".AsSpan()), "USDT"]);

        Assert.Same(first, second);
        Assert.Equal(["BTC", "USDT"], second);
    }

    [Fact]
    public void Sets_that_differ_in_a_topic_or_its_order_or_length_stay_apart()
    {
        var pool = new TopicSets(maxShared: 8);
        var set = pool.Share(["BTC", "USDT"]);

        Assert.NotSame(set, pool.Share(["BTC", "USDC"]));
        Assert.NotSame(set, pool.Share(["USDT", "BTC"]));
        Assert.NotSame(set, pool.Share(["BTC"]));
        Assert.NotSame(set, pool.Share(["BTC", "USDT", "ETH"]));
        Assert.Equal(["BTC", "USDT"], pool.Share(["BTC", "USDT"]));
    }

    [Fact]
    public void Past_its_limit_a_pool_gives_a_new_set_back_as_given_and_keeps_sharing_the_sets_it_has()
    {
        var pool = new TopicSets(maxShared: 1);
        var kept = pool.Share(["BTC"]);
        string[] unusual = ["DOGE"];

        Assert.Same(unusual, pool.Share(unusual));
        Assert.NotSame(unusual, pool.Share(["DOGE"]));
        Assert.Same(kept, pool.Share(["BTC"]));
    }
}
