using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence.Journal;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// An account whose journal write fails: the command is answered with the failure at once, what follows is refused
/// for a moment rather than applied ahead of it, and the account then recovers from its journal with nothing lost.
/// </summary>
public sealed class AccountWriteFailureTests : AccountHostTestKit
{
    private AccountHost _host = null!;
    private volatile bool _outage;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _host = await AccountHost.OpenAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Host.DisposeAsync();
    }

    [Fact]
    public void A_failed_write_is_answered_at_once_later_messages_are_refused_not_applied_and_a_retry_after_recovery_applies_once()
    {
        // The embedded SQLite journal refuses every fenced write: a fence during the "outage" makes each append fail.
        var services = Host.Services with { Fence = () => _outage ? new WriteFence("shard/accounts/0", "elsewhere", 1) : null };
        var region = ShardRegion.Start(Sys, AccountActor.RegionSettings(new AccountActorSettings(services, AccountFixture.Models, Host.Market, ActorRefs.Nobody), shardCount: 1));
        Send(region, new OpenAccount("open", "accounts", 1));
        Assert.IsType<CommandAccepted>(ExpectMsg<object>());
        Send(region, new Deposit("d1", "wallet", 1, "USDT", 100m));
        Assert.IsType<CommandAccepted>(ExpectMsg<object>());

        _outage = true;
        Send(region, new Deposit("d2", "wallet", 2, "USDT", 20m));
        var failed = ExpectMsg<Status.Failure>(timeout: TimeSpan.FromSeconds(3));
        Assert.IsType<AccountUnavailableException>(failed.Cause);

        // The journal is back, but the account still refuses: d3 must not be applied before d2 is retried.
        _outage = false;
        Send(region, new Deposit("d3", "wallet", 3, "USDT", 3m));
        Assert.IsType<AccountUnavailableException>(ExpectMsg<Status.Failure>(timeout: TimeSpan.FromSeconds(3)).Cause);

        // Then it stops, and the next message finds it recovered from the journal: d2 and d3 apply once each, in order.
        AwaitAssert(() =>
        {
            Send(region, new Deposit("d2", "wallet", 2, "USDT", 20m));
            Assert.IsType<CommandAccepted>(ExpectMsg<object>(timeout: TimeSpan.FromSeconds(3)));
        }, TimeSpan.FromSeconds(10));
        Send(region, new Deposit("d3", "wallet", 3, "USDT", 3m));
        Assert.IsType<CommandAccepted>(ExpectMsg<object>());
        Send(region, new Deposit("d2", "wallet", 2, "USDT", 20m));
        Assert.IsType<CommandDuplicate>(ExpectMsg<object>());
        region.Tell(new ShardEnvelope("acc", GetAccount.Instance), TestActor);
        Assert.Equal(123m, ExpectMsg<AccountView>().Balances.Single(b => b.Asset == "USDT").Amount);
    }

    private void Send(IActorRef region, IAccountCommand command) => region.Tell(new ShardEnvelope("acc", command), TestActor);
}
