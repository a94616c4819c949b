using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// The account's books against a model of a few lines of plain decimal arithmetic, over seeded random sequences of
/// fills (opens, adds, partial closes, flips through zero), funding and isolated margin moved in and out, in a linear
/// perpetual (BTCUSDT, size 1, USDT), an inverse one (BTC-PERPETUAL, size 10 USD, BTC), a linear call (premium in
/// USDT) and an inverse put (premium in BTC). The model keeps each position as its quantity and its basis (sum of q x
/// price, linear and options; sum of q / price, inverse futures: the coin paid), never an average entry; options pay
/// their premium in cash at trade time and realize nothing more; every balance move is booked down to 1e-8 after
/// snapping to 1e-12, as the README's ledger rule says.
/// Balances must agree to the unit after every event; entries within 1e-20 relative (28-digit averages).
/// </summary>
public sealed class AccountLedgerModelTests
{
    private const decimal Unit = 0.00000001m;

    private sealed class ModelPosition
    {
        public decimal Quantity;
        public decimal Basis;
        public decimal? Isolated;
    }

    private static decimal Book(decimal amount) => decimal.Floor(decimal.Round(amount, 12, MidpointRounding.AwayFromZero) / Unit) * Unit;

    private static readonly string Call = TestMarket.LinearOption(Risk.Instruments.OptionKind.Call, 60000);
    private static readonly string Put = TestMarket.InverseOption(Risk.Instruments.OptionKind.Put, 60000);
    private static readonly string[] Symbols = [TestMarket.BtcUsdt, TestMarket.BtcInversePerp, Call, Put];

    /// <summary>Settlement asset, contract size, inverse (harmonic basis), option (premium in cash).</summary>
    private static (string Asset, decimal Size, bool Inverse, bool Option) Terms(string symbol) =>
        symbol == TestMarket.BtcUsdt ? ("USDT", 1m, false, false)
        : symbol == TestMarket.BtcInversePerp ? ("BTC", 10m, true, false)
        : symbol == Call ? ("USDT", 1m, false, true)
        : ("BTC", 1m, false, true);

    private static decimal PriceOf(Random random, string symbol) =>
        symbol == TestMarket.BtcUsdt ? 50_000m + (random.Next(0, 2_000_000) * 0.01m)
        : symbol == TestMarket.BtcInversePerp ? 50_000m + (random.Next(0, 40_000) * 0.5m)
        : symbol == Call ? 500m + (random.Next(0, 500_000) * 0.01m)
        : 0.005m + (random.Next(0, 1_000) * 0.0001m);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Balances_positions_and_isolated_margin_agree_with_a_plain_decimal_model_after_every_event(int seed)
    {
        var random = new Random(seed);
        var account = new AccountFixture();
        var wallet = new Dictionary<string, decimal> { ["USDT"] = 0m, ["BTC"] = 0m };
        var model = new Dictionary<string, ModelPosition>();
        long sequence = 100;

        for (var step = 0; step < 400; step++)
        {
            var symbol = Symbols[random.Next(Symbols.Length)];
            var (asset, size, inverse, option) = Terms(symbol);
            var held = model.TryGetValue(symbol, out var p) ? p : null;
            var roll = random.Next(10);
            IAccountEvent @event;
            var id = $"e{step}";
            if (roll < 7 || held is null || (option && roll < 9))
            {
                var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
                var quantity = inverse ? random.Next(1, 400) : random.Next(1, 3_000) * (option ? 0.01m : 0.001m);
                if (held is not null && random.Next(4) == 0)
                {
                    // Close exactly what is held, or flip by a little: the boundary cases of the position's sign.
                    side = held.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy;
                    quantity = Math.Abs(held.Quantity) + (random.Next(2) == 0 ? 0m : inverse ? 1m : option ? 0.01m : 0.001m);
                }

                var price = PriceOf(random, symbol);
                var fee = random.Next(3) switch
                {
                    0 => 0m,
                    1 => random.Next(-50_000, 300_000) * Unit * (asset == "BTC" ? 1m : 1_000m),
                    _ => random.Next(1, 1_000_000) * 0.0000000001m,
                };
                @event = new ExecutionApplied(id, AccountFixture.Venue, ++sequence, "x" + id, "o" + id, symbol, side, quantity, price, fee, Liquidity.Taker,
                    TestMarket.ValuationTime, IsLiquidation: false);
                wallet[asset] += Fill(model, symbol, size, inverse, option, side == OrderSide.Buy ? quantity : -quantity, price, fee);
            }
            else if (roll < 9)
            {
                var rate = random.Next(-3_000, 3_000) * 0.000001m;
                var mark = 55_000m + (random.Next(0, 1_000_000) * 0.01m);
                @event = new FundingSettled(id, "funding", ++sequence, symbol, rate, mark);
                var amount = inverse ? -(held.Quantity * size / mark * rate) : -(held.Quantity * size * mark * rate);
                wallet[asset] += Book(amount);
            }
            else
            {
                decimal? margin = random.Next(3) == 0 ? null : random.Next(0, 100_000_000) * Unit * (asset == "BTC" ? 1m : 10_000m);
                @event = new MarginModeChanged(id, AccountFixture.Accounts, ++sequence, MarginMode.StandardCross, symbol, margin);
                wallet[asset] += (held.Isolated ?? 0m) - (margin ?? 0m);
                held.Isolated = margin;
            }

            account.State.Apply(@event, account.Market.FindInstrument);

            foreach (var (a, expected) in wallet)
            {
                Assert.True(expected == account.State.BalanceOf(a), $"seed {seed} step {step} {@event}: {a} balance {account.State.BalanceOf(a)}, model {expected}");
            }

            Assert.Equal(model.Keys.Order(StringComparer.Ordinal), account.State.Positions.Keys);
            foreach (var (s, m) in model)
            {
                var actual = account.State.Positions[s];
                var entry = Terms(s).Inverse ? m.Quantity / m.Basis : m.Basis / m.Quantity;
                Assert.Equal(m.Quantity, actual.Quantity);
                Assert.True(Math.Abs(actual.EntryPrice - entry) <= entry * 1e-20m, $"seed {seed} step {step}: {s} entry {actual.EntryPrice}, model {entry}");
                Assert.Equal(m.Isolated, actual.IsolatedMargin);
            }
        }
    }

    /// <summary>The model's fill: what it moves in the wallet; the position is changed in <paramref name="model"/>.</summary>
    private static decimal Fill(Dictionary<string, ModelPosition> model, string symbol, decimal size, bool inverse, bool option, decimal signed, decimal price,
        decimal fee)
    {
        var lot = inverse ? signed / price : signed * price;
        var premium = option ? Book(-(signed * size * price) - fee) : 0m;
        if (!model.TryGetValue(symbol, out var p))
        {
            model[symbol] = new ModelPosition { Quantity = signed, Basis = lot };
            return option ? premium : Book(-fee);
        }

        if (Math.Sign(p.Quantity) == Math.Sign(signed))
        {
            p.Quantity += signed;
            p.Basis += lot;
            return option ? premium : Book(-fee);
        }

        // Close min(|held|, |fill|) at the basis per contract; whatever is left of the fill opens at its price.
        var closing = Math.Min(Math.Abs(p.Quantity), Math.Abs(signed)) * Math.Sign(p.Quantity);
        var basisClosed = p.Basis * closing / p.Quantity;
        var realized = inverse ? (basisClosed - (closing / price)) * size : ((closing * price) - basisClosed) * size;
        var cash = option ? premium : Book(realized - fee);
        var remaining = p.Quantity + signed;
        if (remaining == 0)
        {
            model.Remove(symbol);
            return cash + (p.Isolated ?? 0m);
        }

        if (Math.Sign(remaining) == Math.Sign(p.Quantity))
        {
            var released = p.Isolated is { } m ? Book(m * Math.Abs(closing) / Math.Abs(p.Quantity)) : 0m;
            p.Basis -= basisClosed;
            p.Quantity = remaining;
            p.Isolated -= released;
            return cash + released;
        }

        var all = p.Isolated ?? 0m;
        p.Quantity = remaining;
        p.Basis = inverse ? remaining / price : remaining * price;
        p.Isolated = p.Isolated is null ? null : 0m;
        return cash + all;
    }
}
