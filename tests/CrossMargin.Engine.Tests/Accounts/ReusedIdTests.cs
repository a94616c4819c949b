using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// A message whose id was applied already: a retry with the same content is a duplicate, one with other content is
/// refused as <see cref="RejectionCode.IdReused"/> and applies nothing, however the account comes to recognise the id
/// (remembered at an old sequence, renumbered, or older than the window) and across a restart. The journal is a real
/// SQLite one.
/// </summary>
public sealed class ReusedIdTests(ITestOutputHelper output) : TestKit(output)
{
    private const string Venue = AccountFixture.Venue;
    private readonly List<AccountHost> _hosts = [];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_reused_execution_id_with_another_quantity_is_refused_and_changes_nothing_and_a_true_retry_is_a_duplicate()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", (await Host()).Settings()));
        Open(account);
        account.Tell(new Deposit("d-1", "wallet", 1, "USDT", 100_000m), TestActor);
        account.Tell(Execution("e-1", 1, 1.5m), TestActor);
        ReceiveN(2);

        account.Tell(Execution("e-1", 1, 2m), TestActor);
        var refused = ExpectMsg<CommandRejected>();
        account.Tell(Execution("e-1", 1, 1.50m), TestActor);
        var retried = ExpectMsg<object>();

        Assert.Equal(RejectionCode.IdReused, refused.Rejection.Code);
        Assert.Contains("e-1", refused.Rejection.Message, StringComparison.Ordinal);
        Assert.Equal(new CommandDuplicate("e-1"), retried);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(1.5m, view.Positions.Single().Quantity);
    }

    [Fact]
    public async Task A_reused_id_is_refused_at_a_new_sequence_as_at_its_own_and_after_a_restart()
    {
        var settings = (await Host()).Settings();
        var first = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        Open(first);
        first.Tell(new Deposit("d-1", Venue, 1, "USDT", 100m), TestActor);
        ExpectMsg<CommandAccepted>();

        first.Tell(new Deposit("d-1", Venue, 2, "USDT", 150m), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
        first.Tell(new Deposit("d-1", Venue, 1, "USDC", 100m), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
        first.Tell(new Withdraw("d-1", Venue, 1, "USDT", 100m), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var second = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        second.Tell(new Deposit("d-1", Venue, 1, "USDT", 150m), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
        second.Tell(new Deposit("d-1", Venue, 3, "USDT", 150m), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
        second.Tell(new Deposit("d-1", Venue, 1, "USDT", 100.000m), TestActor);
        Assert.Equal(new CommandDuplicate("d-1"), ExpectMsg<CommandDuplicate>());
        second.Tell(new Deposit("d-1", Venue, 3, "USDT", 100m), TestActor);
        Assert.Equal(new CommandDuplicate("d-1"), ExpectMsg<CommandDuplicate>());

        // Nothing refused used up a sequence: the next message at 2 is in order.
        second.Tell(new Deposit("d-2", Venue, 2, "USDT", 1m), TestActor);
        Assert.Null(ExpectMsg<CommandAccepted>().Gap);
        var view = await second.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(101m, view.Balances.Single(b => b.Asset == "USDT").Amount);
    }

    [Fact]
    public async Task A_reused_id_older_than_the_window_is_refused_as_reused_and_its_true_retry_is_a_duplicate()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", (await Host()).Settings()));
        Open(account);
        for (var i = 1; i <= MessageLedger.DefaultCapacity + 10; i++)
        {
            account.Tell(new Deposit($"d-{i}", Venue, i, "USDT", 1m), TestActor);
        }

        ReceiveN(MessageLedger.DefaultCapacity + 10, TimeSpan.FromSeconds(30));

        account.Tell(new Deposit("d-2", Venue, 2, "USDT", 5m), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
        account.Tell(new Deposit("d-2", Venue, 2, "USDT", 1m), TestActor);
        Assert.Equal(new CommandDuplicate("d-2"), ExpectMsg<CommandDuplicate>());
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(MessageLedger.DefaultCapacity + 10m, view.Balances.Single(b => b.Asset == "USDT").Amount);
    }

    [Fact]
    public async Task A_cancel_all_resent_under_its_id_is_a_duplicate_and_a_single_cancel_under_that_id_is_refused()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", (await Host()).Settings()));
        Open(account);
        account.Tell(new AcceptOrder("o-1", Venue, 1, "ord-1", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 50_000m), TestActor);
        account.Tell(new AcceptOrder("o-2", Venue, 2, "ord-2", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 50_000m), TestActor);
        account.Tell(new CancelAllOrders("liq-1:cancel", "liquidation", 1), TestActor);
        ReceiveN(3);

        account.Tell(new CancelAllOrders("liq-1:cancel", "liquidation", 1), TestActor);
        Assert.Equal(new CommandDuplicate("liq-1:cancel"), ExpectMsg<CommandDuplicate>());
        account.Tell(new CancelOrder("liq-1:cancel", "liquidation", 1, "ord-1"), TestActor);
        Assert.Equal(RejectionCode.IdReused, ExpectMsg<CommandRejected>().Rejection.Code);
    }

    [Fact]
    public async Task A_new_id_sharing_a_remembered_fingerprint_at_an_old_sequence_is_reported_out_of_order_once_the_journal_shows_it_new()
    {
        var (remembered, newcomer) = RenumberedRetryTests.IdsSharingAFingerprint();
        var account = Sys.ActorOf(AccountActor.Props("acc-1", (await Host()).Settings()));
        Open(account);
        account.Tell(new Deposit(remembered, Venue, 1, "USDT", 100m), TestActor);
        ExpectMsg<CommandAccepted>();

        account.Tell(new Deposit(newcomer, Venue, 1, "USDT", 100m), TestActor);

        Assert.Equal(RejectionCode.OutOfOrder, ExpectMsg<CommandRejected>().Rejection.Code);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(100m, view.Balances.Single(b => b.Asset == "USDT").Amount);
    }

    private static ApplyExecution Execution(string id, long sequence, decimal quantity) =>
        new(id, Venue, sequence, id, "o-" + id, TestMarket.BtcUsdt, OrderSide.Buy, quantity, 60_000m, 0m, Liquidity.Taker, TestMarket.ValuationTime);

    private async Task<AccountHost> Host()
    {
        var host = await AccountHost.OpenAsync();
        _hosts.Add(host);
        return host;
    }

    private void Open(IActorRef account)
    {
        account.Tell(new OpenAccount("open", AccountFixture.Accounts, 1), TestActor);
        ExpectMsg<CommandAccepted>();
    }
}
