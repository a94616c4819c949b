using System.Text;
using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// An account whose latest snapshot does not read (a damaged write, a newer node's form) recovers from its journal, which
/// still holds every event, to the state the snapshot would have given: holdings and the message ledger alike.
/// </summary>
public sealed class UnreadableSnapshotRecoveryTests(ITestOutputHelper output) : TestKit(output)
{
    private const string Venue = AccountFixture.Venue;
    private const string PersistenceId = "account-acc-1";

    [Fact]
    public async Task An_account_whose_snapshot_does_not_read_recovers_from_its_journal_to_the_state_the_snapshot_would_have_given()
    {
        // Two journals with the same history, an execution before the snapshot at 3 and two after it; in the second the
        // snapshot is then overwritten in a form only a newer node reads.
        await using var intact = await AccountHost.OpenAsync(snapshotEvery: 3);
        await using var damaged = await AccountHost.OpenAsync(snapshotEvery: 3);
        WriteHistory(intact);
        WriteHistory(damaged);
        await damaged.Services.SnapshotStore.SaveAsync(PersistenceId, 3,
            new SerializedPayload(AccountEvents.SnapshotManifest, AccountEvents.Version + 1, "{\"AccountId\":\"acc-1\"}"u8.ToArray()));

        var fromSnapshot = await RecoverAndSnapshotAsync(intact);
        var fromJournal = await RecoverAndSnapshotAsync(damaged);

        Assert.Equal(fromSnapshot.View.Balances, fromJournal.View.Balances);
        Assert.Equal(fromSnapshot.View.Positions, fromJournal.View.Positions);
        Assert.Equal(fromSnapshot.View.OpenOrders, fromJournal.View.OpenOrders);
        Assert.Equal(fromSnapshot.View.Margin, fromJournal.View.Margin);
        Assert.Equal(fromSnapshot.Snapshot, fromJournal.Snapshot);
        Assert.Contains(Logs.Entries, e => e.Message.Contains($"Recovery of {PersistenceId} passes over its snapshot at sequence number 3", StringComparison.Ordinal));
    }

    // Sequence numbers: opened 1, deposit 2, buy 3 (the snapshot), buy 4, sell 5.
    private void WriteHistory(AccountHost host)
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", host.Settings()));
        account.Tell(new OpenAccount("open", AccountFixture.Accounts, 1), TestActor);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 5_000m), TestActor);
        account.Tell(Execution("m2", 2, OrderSide.Buy, 1m, 60_000m), TestActor);
        account.Tell(Execution("m3", 3, OrderSide.Buy, 0.5m, 61_000m, fee: 3m), TestActor);
        account.Tell(Execution("m4", 4, OrderSide.Sell, 0.75m, 62_000m, fee: 2m), TestActor);
        foreach (var answer in ReceiveN(5))
        {
            Assert.IsType<CommandAccepted>(answer);
        }

        Watch(account);
        Sys.Stop(account);
        ExpectTerminated(account);
    }

    // Recovers the account, checks that it still knows an execution from before the snapshot as a duplicate, then makes it
    // write one more event, after which it saves a snapshot at 6: the whole state it recovered, message ledger included.
    private async Task<(AccountView View, string Snapshot)> RecoverAndSnapshotAsync(AccountHost host)
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", host.Settings()));
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));

        account.Tell(Execution("m2", 2, OrderSide.Buy, 1m, 60_000m), TestActor);
        Assert.Equal(new CommandDuplicate("m2"), ExpectMsg<CommandDuplicate>());
        account.Tell(new Deposit("m5", Venue, 5, "USDT", 1m), TestActor);
        ExpectMsg<CommandAccepted>();

        // The snapshot is saved after the write is answered.
        string? saved = null;
        AwaitAssert(() =>
        {
            var snapshot = host.Services.SnapshotStore.LoadAsync(PersistenceId).GetAwaiter().GetResult();
            Assert.Equal(6, snapshot?.Metadata.SequenceNr);
            saved = Encoding.UTF8.GetString(snapshot!.Snapshot.Bytes.Span);
        });

        Watch(account);
        Sys.Stop(account);
        ExpectTerminated(account);
        return (view, saved!);
    }

    private static ApplyExecution Execution(string id, long sequence, OrderSide side, decimal quantity, decimal price, decimal fee = 0m) =>
        new(id, Venue, sequence, "x" + id, "o" + id, TestMarket.BtcUsdt, side, quantity, price, fee, Liquidity.Taker, TestMarket.ValuationTime);
}
