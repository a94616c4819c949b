using CrossMargin.Contracts.Inbound;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Simulator.Tests;

public sealed class SimulatorTests
{
    private static readonly MarketSnapshot Opening = MarketFile.Load(Path.Combine(AppContext.BaseDirectory, "venue-market.json"));
    private static readonly Dictionary<string, decimal> OpeningIndex = new(StringComparer.Ordinal) { ["BTC"] = 60000m, ["ETH"] = 3000m };

    [Fact]
    public void The_same_seed_replays_the_same_price_path()
    {
        var options = new SimulatorOptions();
        var first = new PricePath(options, OpeningIndex);
        var second = new PricePath(options, OpeningIndex);

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(first.Step(TimeSpan.FromMilliseconds(250)), second.Step(TimeSpan.FromMilliseconds(250)));
        }
    }

    [Fact]
    public void Without_noise_the_crash_moves_each_underlying_by_its_configured_fraction_over_its_duration()
    {
        var options = new SimulatorOptions { AnnualVolatility = 0, JumpsPerHour = 0, CrashAfter = TimeSpan.FromSeconds(2), CrashDuration = TimeSpan.FromSeconds(4) };
        var path = new PricePath(options, OpeningIndex);

        var before = path.Step(TimeSpan.FromSeconds(2));
        var halfway = path.Step(TimeSpan.FromSeconds(2));
        var after = path.Step(TimeSpan.FromSeconds(3));

        Assert.Equal(60000m, before["BTC"]);
        // Half the crash in log space: 60,000 x sqrt(0.7) = 50,199.60159...
        Assert.Equal(50199.6015, Math.Round((double)halfway["BTC"], 4), 3);
        Assert.Equal(42000m, Math.Round(after["BTC"], 6));
        Assert.Equal(1950m, Math.Round(after["ETH"], 6));
    }

    [Fact]
    public void Futures_keep_their_basis_and_options_are_repriced_on_the_tick()
    {
        var model = new MarkModel(Opening);
        var at = Opening.MarkOf("BTC-PERP").MarkPrice;

        var marks = model.MarksAt(new Dictionary<string, decimal> { ["BTC"] = 54000m }, Opening.ValuationTime).ToDictionary(m => m.Symbol);

        // Opening perp 60,010.5 at index 60,000; 10% lower index -> 54,009.45 on the 0.1 tick = 54,009.5 (away from zero).
        Assert.Equal(60010.5m, at);
        Assert.Equal(54009.5m, marks["BTC-PERP"].Price);
        Assert.DoesNotContain("ETH-PERP", marks.Keys);
        Assert.True(marks["BTC-25DEC26-55000-P"].Price > Opening.MarkOf("BTC-25DEC26-55000-P").MarkPrice, "a put gains when the index falls");
        Assert.True(marks["BTC-25DEC26-70000-C-INV"].Price < 0.0151m, "an inverse call is quoted in coin and loses value");
        foreach (var mark in marks.Values)
        {
            Assert.Equal(0m, mark.Price % Opening.GetInstrument(mark.Symbol).TickSize);
        }
    }

    /// <summary>
    /// A contract the venue lists after it opened is marked relative to the market it was first seen in: a June future
    /// seen at 50,250 on an index of 50,000 is marked 50,250 x 55,000 / 50,000 = 55,275.0 at an index of 55,000, while the
    /// perpetual keeps its opening basis (60,010.5 x 55,000 / 60,000 = 55,009.625, 55,009.6 on the tick).
    /// </summary>
    [Fact]
    public void A_contract_listed_after_the_opening_is_marked_from_the_market_it_was_first_seen_in()
    {
        var june = new Risk.Instruments.Future("BTC-25JUN27", "BTC", "USDT", "USDT", Risk.Instruments.SettlementKind.Linear, 0.001m, 0.1m,
            new DateTimeOffset(2027, 6, 25, 8, 0, 0, TimeSpan.Zero));
        var seen = new MarketSnapshot(Opening.ValuationTime, [june], new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 50000m, ["USDT"] = 1m },
            [new UnderlyingMarket("BTC", 0)], [new InstrumentMark("BTC-25JUN27", 50250m)]);
        var model = new MarkModel(Opening);

        Assert.Equal([june], model.Adopt(seen));
        Assert.Empty(model.Adopt(seen));
        Assert.Empty(model.Adopt(Opening));
        var marks = model.MarksAt(new Dictionary<string, decimal> { ["BTC"] = 55000m }, Opening.ValuationTime).ToDictionary(m => m.Symbol, m => m.Price);
        Assert.Equal((55275.0m, 55009.6m), (marks["BTC-25JUN27"], marks["BTC-PERP"]));
    }

    [Fact]
    public void The_opening_book_nets_to_zero_per_instrument_and_sequences_count_from_one_per_account()
    {
        var factory = new TradeFactory(Opening, () => Opening.ValuationTime);
        var book = new BookGenerator(new SimulatorOptions { Traders = 60 }, Opening, factory);

        var messages = book.Open();

        var executions = messages.OfType<ExecutionMessage>().ToArray();
        Assert.NotEmpty(executions);
        foreach (var group in executions.GroupBy(e => e.Symbol))
        {
            Assert.Equal(0m, group.Sum(e => e.Side == "buy" ? e.Quantity!.Value : -e.Quantity!.Value));
        }

        foreach (var group in messages.OfType<AccountMessage<Engine.Accounts.ApplyExecution>>().GroupBy(m => m.AccountId))
        {
            Assert.Equal(Enumerable.Range(1, group.Count()).Select(i => (long?)i), group.Select(m => m.Sequence));
        }

        Assert.All(messages.OfType<DepositMessage>(), d => Assert.True(d.ToCommand().IsValid));
        var opened = new HashSet<string?>();
        foreach (var message in messages.OfType<IInboundAccountMessage>())
        {
            Assert.True(message is OpenAccountMessage ? opened.Add(message.AccountId) : opened.Contains(message.AccountId),
                $"{message.MessageId}: an account is opened once, before anything else reaches it");
        }

        Assert.Equal(book.Traders.Count + book.MarketMakers.Count, opened.Count);
        Assert.All(executions, e => Assert.True(e.ToCommand().IsValid, e.ToCommand().Describe()));
        Assert.Equal(executions.Length, executions.Select(e => e.MessageId).Distinct().Count());
        Assert.Contains(book.Traders, t => t.Profile == TraderProfile.LeveragedLong);
    }

    [Fact]
    public void Live_trades_of_a_session_use_their_own_source_and_ids_so_a_restart_does_not_collide_with_the_opening()
    {
        var opening = new TradeFactory(Opening, () => Opening.ValuationTime);
        var live = new TradeFactory(Opening, () => Opening.ValuationTime, "run-2");

        var (first, _) = opening.Trade("trader-0001", "mm-1", "BTC-PERP", true, 1m, 60_000m);
        var (second, _) = live.Trade("trader-0001", "mm-1", "BTC-PERP", true, 1m, 60_000m);

        Assert.Equal(("sim-matching", 1L, "sim-1-t"), (first.Source, first.Sequence!.Value, first.MessageId));
        Assert.Equal(("sim-matching-run-2", 1L, "sim-run-2-1-t"), (second.Source, second.Sequence!.Value, second.MessageId));
    }
    [Fact]
    public void An_orders_pre_trade_check_is_the_takers_side_with_the_fee_its_execution_carries_and_takes_no_sequence()
    {
        var trades = new TradeFactory(Opening, () => Opening.ValuationTime, "run-3");
        var order = new SimulatedOrder("trader-0001", "mm-1", "BTC-PERP", false, 3m, 60_000m);

        var check = trades.PreTrade(order);
        var (taker, _) = trades.Trade(order);

        Assert.Equal(("trader-0001", "BTC-PERP", "sell", 3m, 60_000m), (check.AccountId, check.Symbol, check.Side, check.Quantity!.Value, check.Price!.Value));
        Assert.Equal(taker.Fee, check.Fee);
        Assert.True(check.ToQuery().IsValid);
        Assert.Equal(1L, taker.Sequence);
    }

    [Fact]
    public void A_random_order_is_a_traders_against_a_market_maker_at_the_mark()
    {
        var options = new SimulatorOptions { Traders = 12 };
        var book = new BookGenerator(options, Opening, new TradeFactory(Opening, () => Opening.ValuationTime));
        book.Open();
        var marks = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC-PERP"] = 61_000m, ["ETH-PERP"] = 3_100m };

        var orders = Enumerable.Range(0, 50).Select(_ => book.RandomOrder(marks)!).ToArray();

        Assert.All(orders, o =>
        {
            Assert.Contains(book.Traders, t => t.AccountId == o.Taker);
            Assert.Contains(book.MarketMakers, m => m.AccountId == o.Maker);
            Assert.Equal(marks[o.Symbol], o.Price);
            Assert.InRange(o.Quantity, 1m, 5m);
        });
        Assert.Null(book.RandomOrder(new Dictionary<string, decimal>(StringComparer.Ordinal)));
    }

    [Fact]
    public void Settings_out_of_range_are_each_named_and_none_is_checked_while_the_simulator_is_off()
    {
        var bad = new SimulatorOptions
        {
            Traders = 0, TickInterval = TimeSpan.Zero, AnnualVolatility = double.NaN, CrashMoves = new(StringComparer.Ordinal) { ["BTC"] = -1.0 },
            LiquidationSlippage = 1,
        };

        Assert.Equal(
        [
            "Simulator:Traders must be from 1 to 100,000, not 0.",
            "Simulator:TickInterval must be more than zero and at most 00:01:00, not 00:00:00.",
            "Simulator:AnnualVolatility must be from 0 to 10, not NaN.",
            "Simulator:CrashMoves:BTC must be more than -1 and at most 10, not -1.",
            "Simulator:LiquidationSlippage must be from 0 to less than 1, not 1.",
        ], bad.Validate());
        Assert.Empty(new SimulatorOptions().Validate());
        bad.Enabled = false;
        Assert.Empty(bad.Validate());
    }
}
