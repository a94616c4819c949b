using CrossMargin.Engine.Accounts;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class SourceNamesTests
{
    [Fact]
    public void Ledgers_of_different_accounts_keep_one_copy_of_a_source_name_that_arrived_as_different_strings()
    {
        var first = new MessageLedger();
        var second = new MessageLedger();
        var name = "me-" + Guid.NewGuid().ToString("N");

        first.Record("a-1", new string(name.AsSpan()), 1);
        second.Record("b-1", new string(name.AsSpan()), 1);

        var kept = Assert.Single(first.ToSnapshot().Sources).Source;
        Assert.Same(kept, Assert.Single(second.ToSnapshot().Sources).Source);
        Assert.Equal(name, kept);
    }

    [Fact]
    public void A_ledger_restored_from_a_snapshot_shares_its_source_names_too()
    {
        var name = "me-" + Guid.NewGuid().ToString("N");
        var live = new MessageLedger();
        live.Record("a-1", new string(name.AsSpan()), 3);

        var restored = MessageLedger.FromSnapshot(new MessageLedgerSnapshot(64, [new SourceSequence(new string(name.AsSpan()), 3)], [], []));

        Assert.Same(Assert.Single(live.ToSnapshot().Sources).Source, Assert.Single(restored.ToSnapshot().Sources).Source);
        Assert.Equal(3, restored.HighestOf(name));
    }

    [Fact]
    public void Past_its_limit_a_pool_gives_a_new_name_back_as_given_and_keeps_sharing_the_names_it_has()
    {
        var pool = new SourceNames(maxShared: 2);
        var wallet = pool.Share(new string("wallet".AsSpan()));
        pool.Share("me-1");

        var flood = new string("made-up-1".AsSpan());

        Assert.Same(flood, pool.Share(flood));
        Assert.NotSame(flood, pool.Share(new string("made-up-1".AsSpan())));
        Assert.Same(wallet, pool.Share(new string("wallet".AsSpan())));
    }
}
