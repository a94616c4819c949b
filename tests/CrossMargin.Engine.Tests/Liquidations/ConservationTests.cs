using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
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
public sealed class ConservationTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string FundAccountId = "fund";

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
    private decimal _deposited;
    private readonly List<(decimal Signed, decimal Price)> _external = [];
    private long _fundVenueSequence;

    protected override string? FundAccount => FundAccountId;

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
            _deposited += fundSeed;
        }

        var accountDrop = AccountDrops[random.Next(AccountDrops.Length)];
        var fundDrop = FundDrops[random.Next(FundDrops.Length)];
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => accountDrop(c)))),
            fund: Sys.ActorOf(Props.Create(() => new DroppingFund(Fund, fundDrop))));
        for (var i = 0; i < random.Next(1, 5); i++)
        {
            var size = random.Next(1, 21) / 10m;
            var entry = random.Next(5_700, 6_100) * 10m;
            Open($"acc-{(char)('b' + i)}", size * random.Next(1_000, 6_000), -size, entry);
        }

        Open("acc-1", 1_000m, 1m, 60_000m);
        var mark = random.Next(5_700, 5_960) * 10m;
        var crashAt = random.Next(1, 12);
        _output.WriteLine($"seed {seed}: fund {fundSeed}, mark {mark}, crash at step {crashAt}, accounts {string.Join(", ", _accounts)}");

        MoveBtc(mark);
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

        AssertBooksBalance(mark);
    }

    private void Open(string account, decimal usdt, decimal signed, decimal price)
    {
        _accounts.Add(account);
        Deposit(account, usdt);
        _deposited += usdt;
        Trade(account, signed > 0 ? OrderSide.Buy : OrderSide.Sell, Math.Abs(signed), price);
        _external.Add((signed, price));
    }

    /// <summary>As a venue: nothing, part or all of the order, at its limit or at the mark, to the account first, then the report.</summary>
    private void FillOrReport(LiquidationOrderIssued order, decimal mark, Random random)
    {
        var quantity = random.Next(3) switch
        {
            0 => 0m,
            1 => Math.Floor(order.Quantity * 5m) / 10m,
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
                Trade(order.AccountId, order.Side, quantity, price, liquidation: true, orderId: order.OrderId);
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

    private void AssertBooksBalance(decimal mark)
    {
        var expected = _deposited + _external.Sum(t => t.Signed * (mark - t.Price));
        AwaitAssert(() =>
        {
            var held = 0m;
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

                held += view.Balances.Sum(b => b.Amount) + view.Positions.Sum(p => p.Quantity * (mark - p.EntryPrice));
                net += view.Positions.Sum(p => p.Quantity);
                _output.WriteLine($"{id}: {string.Join(", ", view.Balances)} {string.Join(", ", view.Positions)}");
            }

            var fund = FundView();
            held += fund.Balances.Values.Sum();
            _output.WriteLine($"fund: {string.Join(", ", fund.Balances)}; held {held}, expected {expected}");
            Assert.Equal(_external.Sum(t => t.Signed), net);
            Assert.Equal(expected, held);
        });
    }
}
