using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Ledger;

/// <summary>
/// Two accounts that trade only with each other (a closed set, the venue outside it receiving the fees) in every kind of
/// instrument, paying each other funding on a perpetual, until they close at a price or a dated contract settles at
/// expiry: the money the two hold in the settlement asset changes by exactly minus the fees, less the dust each booking
/// rounds down (<see cref="LedgerRounding.Book"/>, under one unit of 1e-8 a booking, which the venue keeps). So the books
/// never create money and lose at most a unit per booking, whatever the averaging of entries (harmonic for inverse
/// futures) and however the fills cross through zero.
/// </summary>
public class ClosedBooksPropertiesTests
{
    private sealed record Step(OrderSide SideOfA, decimal Quantity, decimal Price, decimal FeeOfA, decimal FeeOfB, decimal? FundingRate, decimal FundingMark);

    private static Gen<Step> StepOf(Instrument instrument) =>
        from side in LedgerGen.Side
        from quantity in LedgerGen.Quantity(instrument)
        from price in LedgerGen.Price(instrument)
        from fees in Gen.Two(LedgerGen.Fee)
        from funds in Gen.Elements(true, false)
        from rate in Gen.Choose(-10_000, 10_000)
        from mark in LedgerGen.Price(instrument)
        select new Step(side, quantity, price, fees.Item1, fees.Item2, instrument is Perpetual && funds ? rate * 0.000001m : null, mark);

    [Fact]
    public void Two_accounts_trading_only_with_each_other_hold_exactly_what_they_had_less_the_fees_and_under_a_unit_per_booking()
    {
        var gen =
            from instrument in LedgerGen.Instrument
            from steps in Gen.ArrayOf(StepOf(instrument), 8)
            from count in Gen.Choose(1, 8)
            from exit in LedgerGen.Price(instrument)
            from settlementCents in Gen.Choose(3_000_000, 9_000_000)
            select (instrument, steps: steps.Take(count).ToArray(), exit, settlement: settlementCents * 0.01m);
        PropertyCheck.ForAll(gen, c =>
        {
            Position? a = null;
            Position? b = null;
            var cash = 0m;
            var fees = 0m;
            var bookings = 0;
            foreach (var step in c.steps)
            {
                var ofA = TradeAccounting.Apply(a, c.instrument, new Fill(c.instrument.Symbol, step.SideOfA, step.Quantity, step.Price, step.FeeOfA));
                var ofB = TradeAccounting.Apply(b, c.instrument, new Fill(c.instrument.Symbol, Opposite(step.SideOfA), step.Quantity, step.Price, step.FeeOfB));
                (a, b) = (ofA.Position, ofB.Position);
                cash += ofA.BalanceChange + ofB.BalanceChange;
                fees += step.FeeOfA + step.FeeOfB;
                bookings += 2;
                if (step.FundingRate is { } rate && a is not null && b is not null)
                {
                    cash += FundingPayment.Of(a, c.instrument, step.FundingMark, rate).CashFlow + FundingPayment.Of(b, c.instrument, step.FundingMark, rate).CashFlow;
                    bookings += 2;
                }
            }

            Assert.Equal(-(a?.Quantity ?? 0m), b?.Quantity ?? 0m);
            if (a is not null && b is not null)
            {
                if (c.instrument.Expiry is null)
                {
                    var side = a.Quantity > 0 ? OrderSide.Sell : OrderSide.Buy;
                    cash += TradeAccounting.Apply(a, c.instrument, new Fill(c.instrument.Symbol, side, Math.Abs(a.Quantity), c.exit)).BalanceChange
                            + TradeAccounting.Apply(b, c.instrument, new Fill(c.instrument.Symbol, Opposite(side), Math.Abs(b.Quantity), c.exit)).BalanceChange;
                }
                else
                {
                    cash += ExpirySettlement.Of(a, c.instrument, c.settlement).BalanceChange + ExpirySettlement.Of(b, c.instrument, c.settlement).BalanceChange;
                }

                bookings += 2;
            }

            var dust = -fees - cash;
            Assert.InRange(dust, 0m, bookings * LedgerRounding.Unit);
        }, cases: 500);
    }

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
}
