using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// A message whose id's fingerprint matches a recently applied one but whose sequence is new: the account asks its
/// journal (a real SQLite one) whether the id itself was applied.
/// </summary>
public sealed class RenumberedRetryTests(ITestOutputHelper output) : TestKit(output)
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
    public async Task A_retry_its_source_renumbered_is_found_in_the_journal_and_acknowledged_even_after_a_restart()
    {
        var settings = (await Host()).Settings();
        var first = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        Open(first);
        first.Tell(new Deposit("d-1", Venue, 1, "USDT", 100m), TestActor);
        first.Tell(new Deposit("d-2", Venue, 2, "USDT", 10m), TestActor);
        ReceiveN(2);

        first.Tell(new Deposit("d-1", Venue, 3, "USDT", 100m), TestActor);
        Assert.Equal(new CommandDuplicate("d-1"), ExpectMsg<CommandDuplicate>());
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        var second = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        second.Tell(new Deposit("d-1", Venue, 7, "USDT", 100m), TestActor);
        Assert.Equal(new CommandDuplicate("d-1"), ExpectMsg<CommandDuplicate>());

        // The renumbered retries used up no sequence: the next message at 3 is in order.
        second.Tell(new Deposit("d-3", Venue, 3, "USDT", 1m), TestActor);
        Assert.Null(ExpectMsg<CommandAccepted>().Gap);
        var view = await second.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(111m, view.Balances.Single(b => b.Asset == "USDT").Amount);
    }

    [Fact]
    public async Task A_new_id_sharing_the_fingerprint_of_a_remembered_one_is_confirmed_new_by_the_journal_and_applied()
    {
        var (remembered, newcomer) = IdsSharingAFingerprint();
        var account = Sys.ActorOf(AccountActor.Props("acc-1", (await Host()).Settings()));
        Open(account);
        account.Tell(new Deposit(remembered, Venue, 1, "USDT", 100m), TestActor);
        ExpectMsg<CommandAccepted>();

        account.Tell(new Deposit(newcomer, Venue, 2, "USDT", 5m), TestActor);
        // Sent while the account reads its journal: it must wait, then be decided after the newcomer.
        account.Tell(new Deposit("d-3", Venue, 3, "USDT", 1m), TestActor);

        Assert.Equal(newcomer, ExpectMsg<CommandAccepted>().MessageId);
        Assert.Null(ExpectMsg<CommandAccepted>(m => m.MessageId == "d-3").Gap);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(106m, view.Balances.Single(b => b.Asset == "USDT").Amount);
        // Now both are applied, and each is a duplicate at its own sequence.
        account.Tell(new Deposit(remembered, Venue, 1, "USDT", 100m), TestActor);
        account.Tell(new Deposit(newcomer, Venue, 2, "USDT", 5m), TestActor);
        ExpectMsg<CommandDuplicate>();
        ExpectMsg<CommandDuplicate>();
    }

    [Fact]
    public async Task A_renumbered_retry_whose_events_were_deleted_after_a_snapshot_is_refused_not_applied_twice()
    {
        var host = await Host(snapshotEvery: 2, deleteEventsOnSnapshot: true);
        var account = Sys.ActorOf(AccountActor.Props("acc-1", host.Settings()));
        Open(account);
        account.Tell(new Deposit("d-1", Venue, 1, "USDT", 100m), TestActor);
        account.Tell(new Deposit("d-2", Venue, 2, "USDT", 10m), TestActor);
        account.Tell(new Deposit("d-3", Venue, 3, "USDT", 1m), TestActor);
        ReceiveN(3);
        // The snapshots after the second and the fourth event deleted every event up to them, d-1's among them.
        AwaitAssert(() => Assert.Equal(0, CountEventsAsync(host, "account-acc-1", 1, 4).GetAwaiter().GetResult()));

        account.Tell(new Deposit("d-1", Venue, 4, "USDT", 100m), TestActor);

        var refused = ExpectMsg<CommandRejected>();
        Assert.Equal(RejectionCode.PossibleDuplicate, refused.Rejection.Code);
        Assert.Contains("nothing was applied", refused.Rejection.Message, StringComparison.Ordinal);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(111m, view.Balances.Single(b => b.Asset == "USDT").Amount);
    }

    [Fact]
    public void The_two_ids_the_tests_use_differ_and_share_a_fingerprint()
    {
        var (a, b) = IdsSharingAFingerprint();

        Assert.NotEqual(a, b);
        Assert.Equal(MessageLedger.FingerprintOf(a), MessageLedger.FingerprintOf(b));
    }

    /// <summary>
    /// Two ids with the same 32-bit fingerprint, found by a birthday search over "c-0", "c-1", ... (about 80,000 hashes
    /// on average; the same pair every run).
    /// </summary>
    internal static (string First, string Second) IdsSharingAFingerprint()
    {
        var seen = new Dictionary<uint, string>();
        for (var n = 0; ; n++)
        {
            var id = $"c-{n}";
            if (seen.TryGetValue(MessageLedger.FingerprintOf(id), out var earlier))
            {
                return (earlier, id);
            }

            seen.Add(MessageLedger.FingerprintOf(id), id);
        }
    }

    private static async Task<int> CountEventsAsync(AccountHost host, string persistenceId, long from, long to)
    {
        var count = 0;
        await foreach (var _ in host.Services.Journal.ReplayMessagesAsync(persistenceId, from, to))
        {
            count++;
        }

        return count;
    }

    private async Task<AccountHost> Host(int snapshotEvery = 1000, bool deleteEventsOnSnapshot = false)
    {
        var host = await AccountHost.OpenAsync(snapshotEvery, deleteEventsOnSnapshot);
        _hosts.Add(host);
        return host;
    }

    private void Open(IActorRef account)
    {
        account.Tell(new OpenAccount("open", AccountFixture.Accounts, 1), TestActor);
        ExpectMsg<CommandAccepted>();
    }
}
