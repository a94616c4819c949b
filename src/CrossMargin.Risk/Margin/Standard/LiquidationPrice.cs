using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin.Standard;

/// <summary>
/// The mark at which a linear perpetual's pool reaches maintenance margin in standard mode, everything else held still.
/// </summary>
/// <remarks>
/// With equity E0 at mark M0, position q (contracts of size c, quote price u), and the other positions' maintenance
/// MMo: equity(P) = E0 + q c u (P - M0) and MM(P) = MMo + |q| c u P r - a for the bracket (r, a) holding notional
/// |q| c u P. Setting them equal gives P = (MMo - a - E0 + s Q M0) / (Q (s - r)) with s = sign(q), Q = |q| c u.
/// Each bracket is tried and the one whose notional range holds its own solution is kept: Binance's formula
/// (WB - TMM1 + UPNL1 + cum - s Q EP) / (Q r - s Q), with its bracket re-check, is the case E0 = WB + UPNL1 + s Q (M0 - EP).
/// The price is rounded to the tick against the account (up for a long, down for a short).
/// </remarks>
public static class LiquidationPrice
{
    /// <summary>
    /// The liquidation price of <paramref name="position"/>, or null when no positive price liquidates it (a long
    /// fully backed by collateral).
    /// </summary>
    /// <param name="position">A linear perpetual or future, valued.</param>
    /// <param name="schedule">Its risk-limit schedule.</param>
    /// <param name="equityUsd">Equity of its pool now (cross equity, or isolated margin plus its P&amp;L).</param>
    /// <param name="otherMaintenanceUsd">Maintenance margin of the pool's other positions (0 when isolated).</param>
    /// <param name="quotePriceUsd">USD price of the quote asset.</param>
    public static decimal? ForLinear(PositionValuation position, RiskLimitSchedule schedule, decimal equityUsd, decimal otherMaintenanceUsd, decimal quotePriceUsd)
    {
        var instrument = position.Instrument;
        if (instrument is OptionContract || instrument.Settlement != SettlementKind.Linear)
        {
            throw new ArgumentException($"{instrument.Symbol}: a liquidation price is defined here for linear futures only.", nameof(position));
        }

        var q = position.Position.Quantity;
        if (q == 0)
        {
            return null;
        }

        var side = Math.Sign(q);
        var exposure = Math.Abs(q) * instrument.ContractSize * quotePriceUsd;
        var brackets = schedule.Brackets;
        for (var i = 0; i < brackets.Count; i++)
        {
            var bracket = brackets[i];
            var denominator = exposure * (side - bracket.MaintenanceRate);
            var price = (otherMaintenanceUsd - bracket.MaintenanceAmountUsd - equityUsd + (side * exposure * position.MarkPrice)) / denominator;
            var notional = exposure * price;

            // The schedule margins a notional beyond the last cap at the last bracket's rates (RiskLimitSchedule.IndexOf),
            // so the last bracket holds every notional from its floor up, capped or not.
            var last = i == brackets.Count - 1;
            var inBracket = notional >= bracket.NotionalFloorUsd && (last || bracket.NotionalCapUsd is not { } cap || notional < cap);
            if (inBracket)
            {
                return price <= 0 ? null : MarginRounding.ToTick(price, instrument.TickSize, up: side > 0);
            }
        }

        return null;
    }
}
