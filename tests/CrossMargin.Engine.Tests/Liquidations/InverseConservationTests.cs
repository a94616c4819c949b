using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
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
public sealed class InverseConservationTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string FundAccountId = "fund";
    private const string Perp = TestMarket.BtcInversePerp;

    /// <summary>Decimal's own error on the positions' values (28 significant digits of amounts below 1 BTC).</summary>
    private const decimal Noise = 1e-20m;

    private static readonly Func<object, bool>[] AccountDrops =
    [
        m => m is ChargeLiquidationFee,
        m => m is CoverDeficit,
        m => m is ApplyExecution { Source: LiquidationCoordinator.AdlSource },
        m => m is Withdraw,
        m => m is CancelAllOrders,
    ];

    private static readonly Func<object, bool>[] FundDrops =
    [
        m => m is CollectLiquidationFee,
        m => m is CoverLiquidationDeficit,
        m => m is DepositToInsuranceFund,
        m => m is GetInsuranceFund,
    ];

    private readonly ITestOutputHelper _output = output;
    private readonly List<string> _accounts = [];
    private readonly List<(decimal Signed, decimal Price)> _external = [];
    private decimal _deposited;
    private long _fundVenueSequence;

    protected override string? FundAccount => FundAccountId;

    /// <summary>The kit's parameters, with the inverse perpetual closed in whole contracts, 200 an interval.</summary>
    protected override LiquidationParameters Parameters { get; } = new(0.05m, 0.25m, 0.001m, 0.02m, 10m,
        liquidityBudgets: new Dictionary<string, decimal>(StringComparer.Ordinal) { [Perp] = 200m },
        quantityIncrements: new Dictionary<string, decimal>(StringComparer.Ordinal) { [Perp] = 1m });

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
            _deposited += fundSeed;
        }

        var accountDrop = AccountDrops[random.Next(AccountDrops.Length)];
        var fundDrop = FundDrops[random.Next(FundDrops.Length)];
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => accountDrop(c)))),
            fund: Sys.ActorOf(Props.Create(() => new DroppingFund(Fund, fundDrop))));

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
        _output.WriteLine($"seed {seed}: fund {fundSeed} BTC, BTC at {btc}, crash at step {crashAt}, accounts {string.Join(", ", _accounts)}");

        MoveBtc(btc);
        var mark = Market.Current.MarkOf(Perp).MarkPrice;
        for (var step = 0; step < 300; step++)
        {
            if (step == crashAt)
            {
                RestartCoordinator();
            }

            while (venue.QueuedCount > 0)
            {
                if (venue.ExpectMsg<object>() is LiquidationOrderIssued order)
                {
                    FillOrReport(order, mark, random);
                }
            }

            if (step > crashAt && AllCompleted())
            {
                break;
            }

            AdvanceAndSettle(TimeSpan.FromMilliseconds(250));
        }

        Assert.True(AllCompleted(), "Every liquidation ends.");
        foreach (var id in LiquidationIds())
        {
            _output.WriteLine($"{id}: {string.Join(", ", History(id).Steps.Select(e => e.GetType().Name.Replace("Liquidation", string.Empty, StringComparison.Ordinal)))}");
        }

        var adlSides = LiquidationIds().SelectMany(id => History(id).Steps).OfType<AutoDeleverageExecuted>().Sum(e => 2 * e.Fills.Count);
        AssertCoinBooksBalance(mark, bookedFills: _external.Count + adlSides);
    }

    private void Open(string account, decimal btc, decimal signed, decimal price)
    {
        _accounts.Add(account);
        ToAccount(account, (id, seq) => new Deposit(id, Venue, seq, "BTC", btc));
        _deposited += btc;
        Trade(account, signed > 0 ? OrderSide.Buy : OrderSide.Sell, Math.Abs(signed), price, symbol: Perp);
        _external.Add((signed, price));
    }

    /// <summary>As a venue: nothing, half or all of the order, at its limit or at the mark, to the account first, then the report.</summary>
    private void FillOrReport(LiquidationOrderIssued order, decimal mark, Random random)
    {
        var quantity = random.Next(3) switch
        {
            0 => 0m,
            1 => Math.Floor(order.Quantity / 2m),
            _ => order.Quantity,
        };
        var price = random.Next(2) == 0 ? order.LimitPrice : mark;
        if (order.Side == OrderSide.Sell ? price < order.LimitPrice : price > order.LimitPrice)
        {
            price = order.LimitPrice;
        }

        if (quantity > 0)
        {
            if (order.AccountId == FundAccountId)
            {
                // The fund's account was opened by the coordinator; the venue's messages to it count from 1.
                Region.Tell(new ShardEnvelope(FundAccountId, new ApplyExecution($"venue-{order.OrderId}", Venue, ++_fundVenueSequence, "x" + order.OrderId,
                    order.OrderId, order.Symbol, order.Side, quantity, price, 0m, Liquidity.Taker, TestMarket.ValuationTime, IsLiquidation: true)), TestActor);
                Assert.IsType<CommandAccepted>(ExpectMsg<object>());
            }
            else
            {
                Trade(order.AccountId, order.Side, quantity, price, liquidation: true, orderId: order.OrderId, symbol: Perp);
            }

            _external.Add((order.Side == OrderSide.Buy ? quantity : -quantity, price));
        }

        Coordinator.Tell(new LiquidationOrderReport(order.OrderId, quantity, price), TestActor);
    }

    private IReadOnlyList<LiquidationSummary> Liquidations()
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(GetLiquidations.Instance, probe.Ref);
        return probe.ExpectMsg<LiquidationList>().Liquidations;
    }

    private IEnumerable<string> LiquidationIds() => Liquidations().Select(l => l.LiquidationId);

    private bool AllCompleted() => Liquidations() is { Count: > 0 } list && list.All(l => l.Status == LiquidationStatus.Completed);

    private void AssertCoinBooksBalance(decimal mark, int bookedFills)
    {
        var instrument = Market.Current.GetInstrument(Perp);
        var expected = _deposited + _external.Sum(t => TradeAccounting.Realized(instrument, t.Signed, t.Price, mark));
        AwaitAssert(() =>
        {
            var heldBtc = 0m;
            var heldOther = 0m;
            var net = 0m;
            foreach (var id in _accounts.Append(FundAccountId))
            {
                var probe = CreateTestProbe();
                Region.Tell(new ShardEnvelope(id, GetAccount.Instance), probe.Ref);
                if (probe.ExpectMsg<object>() is not AccountView view)
                {
                    // The fund's account is opened by the first take-over only.
                    continue;
                }

                heldBtc += view.Balances.Where(b => b.Asset == "BTC").Sum(b => b.Amount)
                    + view.Positions.Sum(p => TradeAccounting.Realized(instrument, p.Quantity, p.EntryPrice, mark));
                heldOther += view.Balances.Where(b => b.Asset != "BTC").Sum(b => Math.Abs(b.Amount));
                net += view.Positions.Sum(p => p.Quantity);
                _output.WriteLine($"{id}: {string.Join(", ", view.Balances)} {string.Join(", ", view.Positions)}");
            }

            var fund = FundView();
            heldBtc += fund.Balances.GetValueOrDefault("BTC");
            heldOther += fund.Balances.Where(b => b.Key != "BTC").Sum(b => Math.Abs(b.Value));
            var dust = expected - heldBtc;
            _output.WriteLine($"fund: {string.Join(", ", fund.Balances)}; held {heldBtc} BTC, expected {expected}, dust {dust}, {bookedFills} fills booked");
            Assert.Equal(_external.Sum(t => t.Signed), net);
            Assert.Equal(0m, heldOther);
            Assert.InRange(dust, -Noise, bookedFills * LedgerRounding.Unit);
        });
    }
}
