using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Whatever a liquidation does (book steps, fees, covers, auto-deleveraging, the fund's take-over and unwind) and
/// whenever the coordinator crashes, money is only moved, never made or lost. Linear USDT contracts only, so the books
/// balance exactly: every account's (the fund's own included) balance plus its positions' value at the final mark, plus
/// the fund, equals what was deposited plus what the trades with the outside world (the opening trades and the venue's
/// fills of liquidation orders) are worth at that mark; fees, covers, auto-deleverage fills and sweeps move money only
/// between them. Each seed picks the counterparties, the fund, the crash's mark, the venue's fills, one message lost on
/// its way (as a crash loses a mailbox) and when the coordinator restarts.
/// </summary>
public sealed class ConservationTests(ITestOutputHelper output) : ConservationTestKit(output)
{
    protected override string Symbol => Btc;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void The_books_balance_to_the_cent_through_a_liquidation_and_a_coordinator_crash(int seed)
    {
        var random = new Random(seed);
        var venue = VenueProbe();
        var fundSeed = random.Next(0, 4) * 500m;
        if (fundSeed > 0)
        {
            SeedFund(fundSeed);
            Deposited += fundSeed;
        }

        LoseOneMessageEach(random);
        for (var i = 0; i < random.Next(1, 5); i++)
        {
            var size = random.Next(1, 21) / 10m;
            var entry = random.Next(5_700, 6_100) * 10m;
            Open($"acc-{(char)('b' + i)}", size * random.Next(1_000, 6_000), -size, entry);
        }

        Open("acc-1", 1_000m, 1m, 60_000m);
        var mark = random.Next(5_700, 5_960) * 10m;
        var crashAt = random.Next(1, 12);
        Output.WriteLine($"seed {seed}: fund {fundSeed}, mark {mark}, crash at step {crashAt}, accounts {string.Join(", ", Accounts)}");

        MoveBtc(mark);
        RunUntilEveryLiquidationEnds(venue, mark, random, crashAt);
        AssertBooksBalance(mark);
    }

    protected override decimal PartOf(decimal quantity) => Math.Floor(quantity * 5m) / 10m;

    private void Open(string account, decimal usdt, decimal signed, decimal price)
    {
        Deposit(account, usdt);
        Deposited += usdt;
        Open(account, signed, price);
    }

    private void AssertBooksBalance(decimal mark)
    {
        var expected = Deposited + External.Sum(t => t.Signed * (mark - t.Price));
        AwaitAssert(() =>
        {
            var held = 0m;
            var net = 0m;
            foreach (var view in AccountViews())
            {
                held += view.Balances.Sum(b => b.Amount) + view.Positions.Sum(p => p.Quantity * (mark - p.EntryPrice));
                net += view.Positions.Sum(p => p.Quantity);
            }

            var fund = FundView();
            held += fund.Balances.Values.Sum();
            Output.WriteLine($"fund: {string.Join(", ", fund.Balances)}; held {held}, expected {expected}");
            Assert.Equal(External.Sum(t => t.Signed), net);
            Assert.Equal(expected, held);
        });
    }
}
