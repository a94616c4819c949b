using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Tests.Liquidations;

public sealed class PendingAdlFillsTests
{
    private const string Btc = "BTC-PERP";

    // acc-1 (bankrupt, long 1) closed against acc-b (short 0.6, "adl" sequence 3) and acc-c (short 2, sequence 1);
    // acc-1's own executions are "adl" sequences 1 and 2.
    private static readonly AutoDeleverageExecuted Round = new("liq-acc-1-1", 1, "acc-1", Btc, 59_000m,
    [
        new AdlExecution("acc-b", OrderSide.Buy, 0.6m, 59_000m, 0.36m, 3, 1),
        new AdlExecution("acc-c", OrderSide.Buy, 0.4m, 59_000m, 0.04m, 1, 2),
    ], DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_view_that_misses_a_fill_sent_to_its_account_shows_the_position_after_it()
    {
        var pending = new PendingAdlFills();
        pending.Add(Round);

        var stale = View("acc-b", new Position(Btc, -0.6m, 60_000m), adlApplied: 2);

        Assert.True(pending.Awaits(stale));
        Assert.Null(pending.PositionAfter(stale, Btc));
        Assert.Equal(new Position(Btc, -1.6m, 60_000m), pending.PositionAfter(View("acc-c", new Position(Btc, -2m, 60_000m), adlApplied: 0), Btc));
    }

    [Fact]
    public void A_fill_the_view_shows_applied_is_not_counted_again_and_an_older_view_arriving_later_is_still_corrected()
    {
        var pending = new PendingAdlFills();
        pending.Add(Round);

        var current = View("acc-c", new Position(Btc, -1.6m, 60_000m), adlApplied: 1);

        Assert.False(pending.Awaits(current));
        Assert.Equal(new Position(Btc, -1.6m, 60_000m), pending.PositionAfter(current, Btc));

        Assert.Equal(new Position(Btc, -1.6m, 60_000m), pending.PositionAfter(View("acc-c", new Position(Btc, -2m, 60_000m), adlApplied: 0), Btc));
    }

    [Fact]
    public void A_position_the_unshown_fills_open_is_entered_at_their_price_not_at_zero()
    {
        var pending = new PendingAdlFills();
        pending.Add(Round);

        // acc-c closed its short by other means since; the 0.4 bought from acc-1 will open a long at 59,000 when applied.
        var closed = View("acc-c", null, adlApplied: 0);

        Assert.Equal(new Position(Btc, 0.4m, 59_000m), pending.PositionAfter(closed, Btc));
    }

    [Fact]
    public void A_view_without_sequences_is_taken_as_it_is()
    {
        var pending = new PendingAdlFills();
        pending.Add(Round);

        var unversioned = View("acc-c", new Position(Btc, -2m, 60_000m), adlApplied: null);

        Assert.False(pending.Awaits(unversioned));
        Assert.Equal(new Position(Btc, -2m, 60_000m), pending.PositionAfter(unversioned, Btc));
    }

    [Fact]
    public void The_bankrupt_accounts_view_awaits_its_own_side_of_every_fill()
    {
        var pending = new PendingAdlFills();
        pending.Add(Round);

        Assert.True(pending.Awaits(View("acc-1", new Position(Btc, 0.4m, 60_000m), adlApplied: 1)));
        Assert.Null(pending.PositionAfter(View("acc-1", new Position(Btc, 1m, 60_000m), adlApplied: 0), Btc));
        Assert.False(pending.Awaits(View("acc-1", null, adlApplied: 2)));
    }

    [Fact]
    public void A_fill_its_account_refused_is_no_longer_awaited_nor_counted()
    {
        var pending = new PendingAdlFills();
        pending.Add(Round);

        Assert.True(pending.Refused("liq-acc-1-1:adl-1:acc-b"));
        Assert.False(pending.Refused("liq-acc-1-1:cancel"));

        var unchanged = View("acc-b", new Position(Btc, -0.6m, 60_000m), adlApplied: 2);
        Assert.False(pending.Awaits(unchanged));
        Assert.Equal(new Position(Btc, -0.6m, 60_000m), pending.PositionAfter(unchanged, Btc));
        Assert.True(pending.Awaits(View("acc-1", new Position(Btc, 1m, 60_000m), adlApplied: 0)));
    }

    private static AccountView View(string account, Position? position, long? adlApplied) =>
        new(account, MarginMode.StandardCross, [new CollateralBalance("USDT", 1_000m)], position is null ? [] : [position], [], null,
            adlApplied is { } applied ? [new SourceSequence("adl", applied), new SourceSequence("venue", 7)] : null);
}
