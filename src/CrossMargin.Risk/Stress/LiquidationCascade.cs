using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Stress;

/// <summary>
/// A liquidation cascade: shock the market, liquidate every account whose equity falls below maintenance margin
/// (all its cross positions closed at the round's marks; a deficit is paid by the insurance fund while it lasts),
/// move each underlying by the linear impact of the net forced notional, and repeat on the moved market with the
/// accounts still open, until a round liquidates nobody or <see cref="CascadeParameters.MaxRounds"/> is reached.
/// A simplification of the engine's incremental liquidation, for what-if analysis: closing happens at mark, in full.
/// </summary>
public static class LiquidationCascade
{
    /// <summary>
    /// Runs the cascade of <paramref name="book"/> after <paramref name="shock"/>; <paramref name="progress"/>, when
    /// given, hears every <paramref name="progressEvery"/> accounts assessed and at the end of each round.
    /// </summary>
    public static CascadeResult Run(MarginCalculator calculator, IReadOnlyList<Portfolio> book, MarketSnapshot market, MarketShock shock, CascadeParameters parameters,
        Action<CascadeProgress>? progress = null, int progressEvery = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameters.MaxRounds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(progressEvery);
        var names = market.UnderlyingMarkets.Select(u => u.Name).Order(StringComparer.Ordinal).ToArray();
        var moves = names.ToDictionary(n => n, n => shock.SpotFactor(n) - 1, StringComparer.Ordinal);
        var open = book.ToList();
        var fund = parameters.InsuranceFundUsd;
        var rounds = new List<CascadeRound>();
        var stable = false;
        for (var round = 1; round <= parameters.MaxRounds; round++)
        {
            var shocked = new MarketShock(moves, names.ToDictionary(n => n, shock.VolShift, StringComparer.Ordinal)).Apply(market);
            var volume = names.ToDictionary(n => n, _ => 0m, StringComparer.Ordinal);
            var netSell = names.ToDictionary(n => n, _ => 0m, StringComparer.Ordinal);
            var trades = new SortedDictionary<string, ForcedTrade>(StringComparer.Ordinal);
            var liquidated = new List<string>();
            decimal used = 0, uncovered = 0;
            var toAssess = open.ToArray();
            var still = new List<Portfolio>(toAssess.Length);
            for (var i = 0; i < toAssess.Length; i++)
            {
                if (progress is not null && i > 0 && i % progressEvery == 0)
                {
                    progress(new CascadeProgress(round, i, toAssess.Length, liquidated.Count, false));
                }

                var portfolio = toAssess[i];
                var m = calculator.Assess(portfolio, shocked);
                if (m.Status is not (MarginStatus.Liquidation or MarginStatus.Bankrupt))
                {
                    still.Add(portfolio);
                    continue;
                }

                liquidated.Add(portfolio.AccountId);
                foreach (var p in m.Positions)
                {
                    var deltaNotional = DeltaNotionalUsd(p.Instrument, p.Position.Quantity, shocked);
                    volume[p.Instrument.Underlying] += Math.Abs(deltaNotional);
                    netSell[p.Instrument.Underlying] += deltaNotional;
                    var prior = trades.GetValueOrDefault(p.Instrument.Symbol) ?? new ForcedTrade(p.Instrument.Symbol, p.Instrument.Underlying, 0, 0);
                    trades[p.Instrument.Symbol] = prior with { Contracts = prior.Contracts - p.Position.Quantity, NotionalUsd = prior.NotionalUsd + Math.Abs(deltaNotional) };
                }

                var deficit = Math.Max(0, -ReverseStress.Equity(m));
                var cover = Math.Min(deficit, fund);
                fund -= cover;
                used += cover;
                uncovered += deficit - cover;
            }

            // Removing the liquidated from a list as they are found is quadratic on a large book; rebuild it instead.
            open = still;
            progress?.Invoke(new CascadeProgress(round, toAssess.Length, toAssess.Length, liquidated.Count, true));
            rounds.Add(new CascadeRound(round, new Dictionary<string, double>(moves, StringComparer.Ordinal), liquidated, volume, netSell, used, uncovered, trades.Values.ToArray()));
            if (liquidated.Count == 0)
            {
                stable = true;
                break;
            }

            foreach (var n in names)
            {
                // Impact compounds on the moved price, and never takes it to zero.
                var impact = -parameters.ImpactOf(n) * (double)netSell[n] / 1_000_000.0;
                moves[n] = Math.Max(((1 + moves[n]) * (1 + impact)) - 1, StressScenario.FloorMove);
            }
        }

        return new CascadeResult(rounds, stable, moves, rounds.Sum(r => r.ForcedVolumeUsd.Values.Sum()),
            rounds.Sum(r => r.InsuranceFundUsedUsd), fund, rounds.Sum(r => r.UncoveredUsd));
    }

    /// <summary>
    /// Signed USD notional that closing <paramref name="quantity"/> sells (a long sells, positive; a short buys,
    /// negative): futures at their notional, options at delta x underlying notional.
    /// </summary>
    public static decimal DeltaNotionalUsd(Instrument instrument, decimal quantity, MarketSnapshot market)
    {
        var index = market.PriceOf(instrument.Underlying);
        switch (instrument)
        {
            case OptionContract option:
            {
                var o = market.OptionInputsOf(option.Symbol);
                var delta = Black76.Greeks(option.Kind, o.Forward, (double)option.Strike, o.Years, o.Volatility, o.Rate).Delta;
                return quantity * option.ContractSize * index * (decimal)delta;
            }

            case { Settlement: SettlementKind.Linear }:
                return quantity * instrument.ContractSize * market.MarkOf(instrument.Symbol).MarkPrice * market.PriceOf(instrument.QuoteAsset);
            default:
                // An inverse contract's size is in USD of quote.
                return quantity * instrument.ContractSize * market.PriceOf(instrument.QuoteAsset);
        }
    }
}
