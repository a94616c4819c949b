using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// <see cref="ConservationTests"/> for a coin-margined (inverse) perpetual, whose P&amp;L is in BTC and never a whole
/// number of satoshis: through a liquidation, its fees, the fund's covers (paid in BTC), auto-deleveraging at the
/// bankruptcy price and the fund's take-over and unwind, every BTC held by the accounts (their balances and positions'
/// value at the final mark) and the fund is what was deposited plus what the trades with the outside world (the
/// opening trades and the venue's fills of liquidation orders) are worth at that mark, less the dust each booking
/// rounds down (<see cref="LedgerRounding"/>: under one satoshi a booking, which the venue keeps). So the books never
/// hold more than that, and less by under a satoshi per fill booked (the trades with the outside world and both sides of
/// each auto-deleverage fill; fees and covers are whole satoshis, paid and received alike); no USDT appears from anywhere.
/// As there, each seed loses one of the coordinator's messages on its way and restarts the coordinator at some step.
/// </summary>
public sealed class InverseConservationTests(ITestOutputHelper output) : ConservationTestKit(output)
{
    private const string Perp = TestMarket.BtcInversePerp;

    /// <summary>Decimal's own error on the positions' values (28 significant digits of amounts below 1 BTC).</summary>
    private const decimal Noise = 1e-20m;

    /// <summary>The kit's parameters, with the inverse perpetual closed in whole contracts, 200 an interval.</summary>
    protected override LiquidationParameters Parameters { get; } = new(0.05m, 0.25m, 0.001m, 0.02m, 10m,
        liquidityBudgets: new Dictionary<string, decimal>(StringComparer.Ordinal) { [Perp] = 200m },
        quantityIncrements: new Dictionary<string, decimal>(StringComparer.Ordinal) { [Perp] = 1m });

    protected override string Symbol => Perp;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void The_coin_books_balance_to_the_satoshi_booked_down_through_a_liquidation_of_an_inverse_position(int seed)
    {
        var random = new Random(seed);
        var venue = VenueProbe();
        var fundSeed = random.Next(0, 4) * 0.005m;
        if (fundSeed > 0)
        {
            Fund.Tell(new DepositToInsuranceFund("seed", "BTC", fundSeed), TestActor);
            ExpectMsg<InsuranceFundDeposited>();
            Deposited += fundSeed;
        }

        LoseOneMessageEach(random);
        for (var i = 0; i < random.Next(1, 5); i++)
        {
            // Shorts of 100 to 600 contracts (10 USD each) at 57,000 to 61,000, with 100 to 600 USD of BTC apiece.
            var contracts = random.Next(10, 61) * 10m;
            var entry = random.Next(114_000, 122_000) * 0.5m;
            Open($"acc-{(char)('b' + i)}", decimal.Round(contracts * 10m * random.Next(1_000, 6_000) / 60_000m / 60_000m, 8), -contracts, entry);
        }

        Open("acc-1", 0.00166667m, 600m, 60_000m);
        var btc = random.Next(5_700, 5_900) * 10m;
        var crashAt = random.Next(1, 12);
        Output.WriteLine($"seed {seed}: fund {fundSeed} BTC, BTC at {btc}, crash at step {crashAt}, accounts {string.Join(", ", Accounts)}");

        MoveBtc(btc);
        var mark = Market.Current.MarkOf(Perp).MarkPrice;
        RunUntilEveryLiquidationEnds(venue, mark, random, crashAt);
        var adlSides = LiquidationIds().SelectMany(id => History(id).Steps).OfType<AutoDeleverageExecuted>().Sum(e => 2 * e.Fills.Count);
        AssertCoinBooksBalance(mark, bookedFills: External.Count + adlSides);
    }

    protected override decimal PartOf(decimal quantity) => Math.Floor(quantity / 2m);

    private void Open(string account, decimal btc, decimal signed, decimal price)
    {
        ToAccount(account, (id, seq) => new Deposit(id, Venue, seq, "BTC", btc));
        Deposited += btc;
        Open(account, signed, price);
    }

    private void AssertCoinBooksBalance(decimal mark, int bookedFills)
    {
        var instrument = Market.Current.GetInstrument(Perp);
        var expected = Deposited + External.Sum(t => TradeAccounting.Realized(instrument, t.Signed, t.Price, mark));
        AwaitAssert(() =>
        {
            var heldBtc = 0m;
            var heldOther = 0m;
            var net = 0m;
            foreach (var view in AccountViews())
            {
                heldBtc += view.Balances.Where(b => b.Asset == "BTC").Sum(b => b.Amount)
                    + view.Positions.Sum(p => TradeAccounting.Realized(instrument, p.Quantity, p.EntryPrice, mark));
                heldOther += view.Balances.Where(b => b.Asset != "BTC").Sum(b => Math.Abs(b.Amount));
                net += view.Positions.Sum(p => p.Quantity);
            }

            var fund = FundView();
            heldBtc += fund.Balances.GetValueOrDefault("BTC");
            heldOther += fund.Balances.Where(b => b.Key != "BTC").Sum(b => Math.Abs(b.Value));
            var dust = expected - heldBtc;
            Output.WriteLine($"fund: {string.Join(", ", fund.Balances)}; held {heldBtc} BTC, expected {expected}, dust {dust}, {bookedFills} fills booked");
            Assert.Equal(External.Sum(t => t.Signed), net);
            Assert.Equal(0m, heldOther);
            Assert.InRange(dust, -Noise, bookedFills * LedgerRounding.Unit);
        });
    }
}
