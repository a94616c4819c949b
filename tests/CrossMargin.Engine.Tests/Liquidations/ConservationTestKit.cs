using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// What the conservation tests share (<see cref="ConservationTests"/>, <see cref="InverseConservationTests"/>): one of
/// the coordinator's messages lost on its way, accounts opened against the outside world, a venue that fills
/// liquidation orders nothing, part or all, the coordinator restarted at some step, and the books read back at the end.
/// Every trade with the outside world (opening trades and the venue's fills) is kept in <see cref="External"/>.
/// </summary>
public abstract class ConservationTestKit(ITestOutputHelper output) : LiquidationTestKit(output)
{
    /// <summary>The insurance fund's own account, which the coordinator opens at its first take-over.</summary>
    protected const string FundAccountId = "fund";

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

    private long _fundVenueSequence;

    /// <inheritdoc />
    protected override string? FundAccount => FundAccountId;

    /// <summary>The test's output.</summary>
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>The accounts opened, in order.</summary>
    protected List<string> Accounts { get; } = [];

    /// <summary>The trades with the outside world: signed quantity and price.</summary>
    protected List<(decimal Signed, decimal Price)> External { get; } = [];

    /// <summary>What was deposited, in the settlement asset.</summary>
    protected decimal Deposited { get; set; }

    /// <summary>The instrument traded.</summary>
    protected abstract string Symbol { get; }

    /// <summary>The part of an order the venue fills when it fills part of it.</summary>
    protected abstract decimal PartOf(decimal quantity);

    /// <summary>Restarts the coordinator with one account command and one fund message, drawn from <paramref name="random"/>, lost on their way.</summary>
    protected void LoseOneMessageEach(Random random)
    {
        var accountDrop = AccountDrops[random.Next(AccountDrops.Length)];
        var fundDrop = FundDrops[random.Next(FundDrops.Length)];
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => accountDrop(c)))),
            fund: Sys.ActorOf(Props.Create(() => new DroppingFund(Fund, fundDrop))));
    }

    /// <summary>Opens <paramref name="account"/> (its deposit made) with a position of <paramref name="position"/> (signed) at <paramref name="price"/> against the outside world.</summary>
    protected void Open(string account, decimal position, decimal price)
    {
        Accounts.Add(account);
        Trade(account, position > 0 ? OrderSide.Buy : OrderSide.Sell, Math.Abs(position), price, symbol: Symbol);
        External.Add((position, price));
    }

    /// <summary>
    /// Plays the venue for up to 300 steps of 250 ms, restarting the coordinator at <paramref name="crashAt"/>, until every
    /// liquidation has completed; asserts they all did and prints each one's steps.
    /// </summary>
    protected void RunUntilEveryLiquidationEnds(TestProbe venue, decimal mark, Random random, int crashAt)
    {
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
            Output.WriteLine($"{id}: {string.Join(", ", History(id).Steps.Select(e => e.GetType().Name.Replace("Liquidation", string.Empty, StringComparison.Ordinal)))}");
        }
    }

    /// <summary>The ids of every liquidation the coordinator knows.</summary>
    protected IEnumerable<string> LiquidationIds() => Liquidations().Select(l => l.LiquidationId);

    /// <summary>The views of the opened accounts and of the fund's account (when the coordinator opened it), each printed.</summary>
    protected IEnumerable<AccountView> AccountViews()
    {
        foreach (var id in Accounts.Append(FundAccountId))
        {
            var probe = CreateTestProbe();
            Region.Tell(new ShardEnvelope(id, GetAccount.Instance), probe.Ref);
            if (probe.ExpectMsg<object>() is not AccountView view)
            {
                // The fund's account is opened by the first take-over only.
                continue;
            }

            Output.WriteLine($"{id}: {string.Join(", ", view.Balances)} {string.Join(", ", view.Positions)}");
            yield return view;
        }
    }

    /// <summary>As a venue: nothing, part or all of the order, at its limit or at the mark, to the account first, then the report.</summary>
    private void FillOrReport(LiquidationOrderIssued order, decimal mark, Random random)
    {
        var quantity = random.Next(3) switch
        {
            0 => 0m,
            1 => PartOf(order.Quantity),
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
                Trade(order.AccountId, order.Side, quantity, price, liquidation: true, orderId: order.OrderId, symbol: Symbol);
            }

            External.Add((order.Side == OrderSide.Buy ? quantity : -quantity, price));
        }

        Coordinator.Tell(new LiquidationOrderReport(order.OrderId, quantity, price), TestActor);
    }

    private IReadOnlyList<LiquidationSummary> Liquidations()
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(GetLiquidations.Instance, probe.Ref);
        return probe.ExpectMsg<LiquidationList>().Liquidations;
    }

    private bool AllCompleted() => Liquidations() is { Count: > 0 } list && list.All(l => l.Status == LiquidationStatus.Completed);
}
