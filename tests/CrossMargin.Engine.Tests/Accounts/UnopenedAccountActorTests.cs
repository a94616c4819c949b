using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class UnopenedAccountActorTests : AccountHostTestKit
{

    [Fact]
    public void A_query_for_an_unknown_account_is_answered_and_leaves_no_actor_behind()
    {
        var region = ShardRegion.Start(Sys, AccountActor.RegionSettings(Host.Settings(), shardCount: 2));

        region.Tell(new ShardEnvelope("nobody", GetAccount.Instance), TestActor);
        region.Tell(new ShardEnvelope("nobody-2", new Deposit("d1", "wallet", 1, "USDT", 5m)), TestActor);

        // Two accounts, two actors: their replies may come in either order.
        var replies = ReceiveN(2);
        Assert.Contains(new AccountNotOpen("nobody"), replies);
        Assert.Equal(RejectionCode.UnknownAccount, Assert.Single(replies.OfType<CommandRejected>()).Rejection.Code);
        AwaitAssert(() =>
        {
            region.Tell(GetShardRegionStats.Instance, TestActor);
            Assert.Equal(0, ExpectMsg<ShardRegionStats>().TotalEntities);
        });
    }
}
