using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Ledger;

/// <summary>
/// Properties of fills over linear and inverse perpetuals, a future and linear and inverse options. Decimal keeps 28
/// significant digits, so where an average entry or a division is involved "equal" means within 1e-24 of the
/// notional in the settlement asset (each operation errs by at most 5e-28 of it; a handful of them stay far inside);
/// booked cash may differ by one unit (1e-8) per extra booking.
/// </summary>
public class TradeAccountingPropertiesTests
{
    private const decimal Relative = 1e-24m;

    private static Fill Closing(Position position, decimal quantity, decimal price, decimal fee = 0m) =>
        new(position.Symbol, position.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy, quantity, price, fee);

    [Fact]
    public void Opening_and_closing_at_the_same_price_realizes_exactly_zero_and_costs_exactly_the_fees()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from side in LedgerGen.Side
            from quantity in LedgerGen.Quantity(instrument)
            from price in LedgerGen.Price(instrument)
            from fees in Gen.Two(LedgerGen.Fee)
            select (instrument, side, quantity, price, fees);
        PropertyCheck.ForAll(gen, c =>
        {
            var open = TradeAccounting.Apply(null, c.instrument, new Fill(c.instrument.Symbol, c.side, c.quantity, c.price, c.fees.Item1));
            var close = TradeAccounting.Apply(open.Position, c.instrument, Closing(open.Position!, c.quantity, c.price, c.fees.Item2));

            Assert.Null(close.Position);
            Assert.Equal(0m, close.RealizedPnl);
            Assert.Equal(-(c.fees.Item1 + c.fees.Item2), open.CashFlow + close.CashFlow);
        }, cases: 300);
    }

    [Fact]
    public void Closing_an_averaged_position_at_its_own_entry_realizes_exactly_zero()
    {
        var gen = from instrument in LedgerGen.Instrument from position in LedgerGen.Position(instrument) select (instrument, position);
        PropertyCheck.ForAll(gen, c =>
        {
            var close = TradeAccounting.Apply(c.position, c.instrument, Closing(c.position, Math.Abs(c.position.Quantity), c.position.EntryPrice));

            Assert.Equal(0m, close.RealizedPnl);
        }, cases: 300);
    }

    [Fact]
    public void Closing_at_a_price_realizes_exactly_what_valuation_at_that_mark_says()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from position in LedgerGen.Position(instrument)
            from price in LedgerGen.Price(instrument)
            select (instrument, position, price);
        PropertyCheck.ForAll(gen, c =>
        {
            var close = TradeAccounting.Apply(c.position, c.instrument, Closing(c.position, Math.Abs(c.position.Quantity), c.price));
            var value = PositionValuation.Of(c.position, LedgerGen.MarkedAt(c.instrument, c.price)).Value;

            // Same expression, same operand order: bit-for-bit, even with a 28-digit average entry.
            if (c.instrument is not OptionContract)
            {
                Assert.Equal(value, close.RealizedPnl);
            }

            // An option is worth its mark: selling it at the mark brings in exactly that premium.
            Assert.Equal(LedgerRounding.Book(value), close.CashFlow);
        }, cases: 300);
    }

    [Fact]
    public void Splitting_a_fill_in_two_at_the_same_price_gives_the_same_position_and_cash()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from start in Gen.OneOf(Gen.Constant((Position?)null), LedgerGen.Position(instrument).Select(p => (Position?)p))
            from side in LedgerGen.Side
            from units in Gen.Choose(2, 1_000)
            from cut in Gen.Choose(1, units - 1)
            from price in LedgerGen.Price(instrument)
            from fees in Gen.Two(LedgerGen.Fee)
            select (instrument, start, side, total: PortfolioGen.Contracts(instrument, units), first: PortfolioGen.Contracts(instrument, cut), price, fees);
        PropertyCheck.ForAll(gen, c =>
        {
            var symbol = c.instrument.Symbol;
            var whole = TradeAccounting.Apply(c.start, c.instrument, new Fill(symbol, c.side, c.total, c.price, c.fees.Item1 + c.fees.Item2));
            var a = TradeAccounting.Apply(c.start, c.instrument, new Fill(symbol, c.side, c.first, c.price, c.fees.Item1));
            var b = TradeAccounting.Apply(a.Position, c.instrument, new Fill(symbol, c.side, c.total - c.first, c.price, c.fees.Item2));

            var reach = Math.Abs(c.start?.Quantity ?? 0m) + c.total;
            var tolerance = Relative * (LedgerGen.Scale(c.instrument, reach, c.price) + LedgerGen.Scale(c.instrument, reach, c.start?.EntryPrice ?? c.price));
            Assert.Equal(whole.Position?.Quantity, b.Position?.Quantity);
            Assert.Equal(whole.Position?.IsolatedMargin, b.Position?.IsolatedMargin);
            Assert.InRange(Math.Abs((whole.Position?.EntryPrice ?? 0m) - (b.Position?.EntryPrice ?? 0m)), 0m, Relative * (whole.Position?.EntryPrice ?? 0m));
            Assert.InRange(Math.Abs(whole.RealizedPnl - (a.RealizedPnl + b.RealizedPnl)), 0m, tolerance);
            Assert.InRange(Math.Abs(whole.CashFlow - (a.CashFlow + b.CashFlow)), 0m, LedgerRounding.Unit);
            Assert.Equal(whole.ClosedQuantity, a.ClosedQuantity + b.ClosedQuantity);
            Assert.Equal(whole.OpenedQuantity, a.OpenedQuantity + b.OpenedQuantity);
        }, cases: 500);
    }

    [Fact]
    public void Crossing_through_zero_equals_a_close_followed_by_an_open()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from position in LedgerGen.Position(instrument)
            from extra in LedgerGen.Quantity(instrument)
            from price in LedgerGen.Price(instrument)
            from fee in LedgerGen.Fee
            select (instrument, position, extra, price, fee);
        PropertyCheck.ForAll(gen, c =>
        {
            var size = Math.Abs(c.position.Quantity);
            var crossed = TradeAccounting.Apply(c.position, c.instrument, Closing(c.position, size + c.extra, c.price, c.fee));
            var close = TradeAccounting.Apply(c.position, c.instrument, Closing(c.position, size, c.price, c.fee));
            var open = TradeAccounting.Apply(close.Position, c.instrument, Closing(c.position, c.extra, c.price));

            Assert.Null(close.Position);
            Assert.Equal(open.Position, crossed.Position);
            Assert.Equal(close.RealizedPnl, crossed.RealizedPnl);
            Assert.Equal(close.CashFlow + open.CashFlow, crossed.CashFlow);
            Assert.Equal((close.ClosedQuantity, open.OpenedQuantity), (crossed.ClosedQuantity, crossed.OpenedQuantity));
        }, cases: 300);
    }

    [Fact]
    public void Averaging_keeps_the_cost_basis_additive_and_the_position_worth_the_sum_of_its_lots()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from side in LedgerGen.Side
            from count in Gen.Choose(2, 12)
            from quantities in Gen.ArrayOf(LedgerGen.Quantity(instrument), count)
            from prices in Gen.ArrayOf(LedgerGen.Price(instrument), count)
            from mark in LedgerGen.Price(instrument)
            select (instrument, side, lots: quantities.Zip(prices).ToArray(), mark);
        PropertyCheck.ForAll(gen, c =>
        {
            var sign = c.side == OrderSide.Buy ? 1m : -1m;
            var position = c.lots.Aggregate((Position?)null, (p, lot) =>
                TradeAccounting.Apply(p, c.instrument, new Fill(c.instrument.Symbol, c.side, lot.First, lot.Second)).Position)!;

            var inverse = c.instrument is not OptionContract && c.instrument.Settlement == SettlementKind.Inverse;
            var basis = c.lots.Sum(l => inverse ? l.First / l.Second : l.First * l.Second);
            var held = inverse ? Math.Abs(position.Quantity) / position.EntryPrice : Math.Abs(position.Quantity) * position.EntryPrice;
            Assert.Equal(sign * c.lots.Sum(l => l.First), position.Quantity);
            Assert.InRange(Math.Abs(held - basis), 0m, Relative * basis);

            var lots = c.lots.Sum(l => TradeAccounting.Realized(c.instrument, sign * l.First, l.Second, c.mark));
            var whole = TradeAccounting.Realized(c.instrument, position.Quantity, position.EntryPrice, c.mark);
            var scale = c.lots.Sum(l => LedgerGen.Scale(c.instrument, l.First, l.Second) + LedgerGen.Scale(c.instrument, l.First, c.mark));
            Assert.InRange(Math.Abs(whole - lots), 0m, Relative * scale);
        }, cases: 300);
    }

    [Fact]
    public void Isolated_margin_is_neither_created_nor_lost_by_a_reduction()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from position in LedgerGen.Position(instrument)
            from cents in Gen.Choose(0, 100_000_000)
            from fraction in Gen.Choose(1, 999)
            from price in LedgerGen.Price(instrument)
            select (instrument, isolated: position with { IsolatedMargin = cents * 0.01m }, fraction, price);
        PropertyCheck.ForAll(gen, c =>
        {
            var quantity = Math.Abs(c.isolated.Quantity) * c.fraction / 1_000m;
            var reduce = TradeAccounting.Apply(c.isolated, c.instrument, Closing(c.isolated, quantity, c.price));

            Assert.Equal(c.isolated.IsolatedMargin, reduce.ReleasedIsolatedMargin + reduce.Position!.IsolatedMargin);
            Assert.InRange(reduce.ReleasedIsolatedMargin, 0m, c.isolated.IsolatedMargin!.Value);
            Assert.Equal(reduce.ReleasedIsolatedMargin, LedgerRounding.Book(reduce.ReleasedIsolatedMargin));
        }, cases: 300);
    }
}
