using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin.Standard;

/// <summary>
/// Standard margin: each position is margined on its own (no offsets between positions). Futures and perpetuals by
/// risk-limit bracket on notional; options by the conventional long/short option rules. Open orders count toward
/// initial margin as the worst of: the position, the position with every buy order filled, the position with every
/// sell order filled (filled at mark).
/// </summary>
public sealed class StandardMarginModel : IMarginModel
{
    // An option's per-contract rates depend only on the snapshot (mark, forward, settlement price), not on the account:
    // computed once per snapshot and option rather than once per account and assessment (the forward and its decimal
    // conversion are most of an option's cost). Snapshots are immutable, so a cached value is the value.
    private readonly ConditionalWeakTable<MarketSnapshot, ConcurrentDictionary<string, OptionRate>> _optionRates = [];

    /// <summary>Creates the model.</summary>
    public StandardMarginModel(StandardMarginParameters parameters) => Parameters = parameters;

    /// <summary>The model's parameters.</summary>
    public StandardMarginParameters Parameters { get; }

    /// <inheritdoc />
    public string Name => "standard";

    /// <inheritdoc />
    public MarginRequirement Compute(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var lines = new List<StandardPositionLine>();
        foreach (var symbol in positions.Select(p => p.Position.Symbol).Concat(openOrders.Select(o => o.Symbol)).Distinct(StringComparer.Ordinal))
        {
            var position = positions.FirstOrDefault(p => p.Position.Symbol == symbol);
            var quantity = position?.Position.Quantity ?? 0m;
            var (buys, sells) = OrderQuantities(openOrders, symbol);
            lines.Add(Line(market.GetInstrument(symbol), quantity, buys, sells, position?.Position.IsIsolated ?? false, market));
        }

        return new MarginRequirement(
            lines.Sum(l => l.InitialMarginUsd),
            lines.Sum(l => l.MaintenanceMarginUsd),
            Standard: new StandardMarginExplanation(lines));
    }

    /// <inheritdoc />
    /// <remarks>The same symbols in the same order and the same arithmetic as <see cref="Compute"/>, without the lines' text.</remarks>
    public RequirementFigures ComputeFigures(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        decimal im = 0m, mm = 0m;
        for (var i = 0; i < positions.Count; i++)
        {
            var symbol = positions[i].Position.Symbol;
            if (!SeenBefore(positions, i, symbol))
            {
                var (buys, sells) = OrderQuantities(openOrders, symbol);
                var figures = Figures(market.GetInstrument(symbol), positions[i].Position.Quantity, buys, sells, market);
                im += figures.Im;
                mm += figures.Mm;
            }
        }

        for (var i = 0; i < openOrders.Count; i++)
        {
            var symbol = openOrders[i].Symbol;
            if (!HeldIn(positions, symbol) && !SeenBefore(openOrders, i, symbol))
            {
                var (buys, sells) = OrderQuantities(openOrders, symbol);
                var figures = Figures(market.GetInstrument(symbol), 0m, buys, sells, market);
                im += figures.Im;
                mm += figures.Mm;
            }
        }

        return new RequirementFigures(im, mm);
    }

    private static bool SeenBefore(IReadOnlyList<PositionValuation> positions, int index, string symbol)
    {
        for (var i = 0; i < index; i++)
        {
            if (string.Equals(positions[i].Position.Symbol, symbol, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SeenBefore(IReadOnlyList<OpenOrder> orders, int index, string symbol)
    {
        for (var i = 0; i < index; i++)
        {
            if (string.Equals(orders[i].Symbol, symbol, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HeldIn(IReadOnlyList<PositionValuation> positions, string symbol)
    {
        for (var i = 0; i < positions.Count; i++)
        {
            if (string.Equals(positions[i].Position.Symbol, symbol, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static (decimal Buys, decimal Sells) OrderQuantities(IReadOnlyList<OpenOrder> openOrders, string symbol)
    {
        decimal buys = 0m, sells = 0m;
        for (var i = 0; i < openOrders.Count; i++)
        {
            var order = openOrders[i];
            if (string.Equals(order.Symbol, symbol, StringComparison.Ordinal))
            {
                if (order.Side == OrderSide.Buy)
                {
                    buys += order.Quantity;
                }
                else if (order.Side == OrderSide.Sell)
                {
                    sells += order.Quantity;
                }
            }
        }

        return (buys, sells);
    }

    private static string CaseName(int binding) => binding switch
    {
        0 => "position",
        1 => "position + buy orders",
        _ => "position + sell orders",
    };

    private StandardPositionLine Line(Instrument instrument, decimal quantity, decimal buys, decimal sells, bool isolated, MarketSnapshot market)
    {
        var mark = market.MarkOf(instrument.Symbol).MarkPrice;
        var figures = Figures(instrument, quantity, buys, sells, market);
        var basis = instrument is OptionContract option
            ? OptionBasis(option, mark, figures.Binding, market)
            : FutureBasis(instrument, figures);
        return new StandardPositionLine(instrument.Symbol, quantity, mark, figures.Notional, figures.Im, figures.Mm, basis, isolated);
    }

    /// <summary>
    /// The requirement of one instrument: IM is the worst of the position, the position with every buy order filled and
    /// with every sell order filled (<c>Binding</c> says which, first on ties); MM is the position's alone.
    /// </summary>
    private (decimal Im, decimal Mm, decimal Notional, decimal ImNotional, int Binding) Figures(
        Instrument instrument, decimal quantity, decimal buys, decimal sells, MarketSnapshot market)
    {
        var mark = market.MarkOf(instrument.Symbol).MarkPrice;
        return instrument is OptionContract option
            ? OptionFigures(option, mark, quantity, buys, sells, market)
            : FutureFigures(instrument, mark, quantity, buys, sells, market);
    }

    private (decimal Im, decimal Mm, decimal Notional, decimal ImNotional, int Binding) FutureFigures(
        Instrument instrument, decimal mark, decimal quantity, decimal buys, decimal sells, MarketSnapshot market)
    {
        var schedule = Parameters.ScheduleFor(instrument);
        var quote = market.PriceOf(instrument.QuoteAsset);
        decimal NotionalOf(decimal q) => instrument.Settlement == SettlementKind.Linear
            ? Math.Abs(q) * instrument.ContractSize * mark * quote
            : Math.Abs(q) * instrument.ContractSize * quote;
        decimal ImOf(decimal q)
        {
            var n = NotionalOf(q);
            return schedule.BracketFor(n).InitialMargin(n);
        }

        var (im, binding) = Worst(ImOf(quantity), ImOf(quantity + buys), ImOf(quantity - sells));
        var imNotional = NotionalOf(binding switch { 0 => quantity, 1 => quantity + buys, _ => quantity - sells });
        var notional = NotionalOf(quantity);
        var mm = schedule.BracketFor(notional).MaintenanceMargin(notional);
        return (im, mm, notional, imNotional, binding);
    }

    private (decimal Im, decimal Mm, decimal Notional, decimal ImNotional, int Binding) OptionFigures(
        OptionContract option, decimal mark, decimal quantity, decimal buys, decimal sells, MarketSnapshot market)
    {
        var rate = OptionRates(option, mark, market);
        var (valuePerContract, shortIm, shortMm) = (rate.ValuePerContract, rate.ShortIm, rate.ShortMm);
        decimal ImOf(decimal q) => q >= 0 ? q * valuePerContract : -q * shortIm;

        var (im, binding) = Worst(ImOf(quantity), ImOf(quantity + buys), ImOf(quantity - sells));
        var mm = quantity >= 0 ? quantity * valuePerContract : -quantity * shortMm;
        var notional = Math.Abs(quantity) * option.ContractSize * market.PriceOf(option.Underlying);
        return (im, mm, notional, 0m, binding);
    }

    /// <summary>
    /// One option's per-contract figures at <paramref name="market"/>, as this model margins it: a long pays the value per
    /// contract, a short the short initial or maintenance amount per contract. The same numbers the model uses itself.
    /// </summary>
    public (decimal ValuePerContract, decimal ShortInitial, decimal ShortMaintenance) OptionRatesAt(OptionContract option, MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(market);
        var rate = OptionRates(option, market.MarkOf(option.Symbol).MarkPrice, market);
        return (rate.ValuePerContract, rate.ShortIm, rate.ShortMm);
    }

    private OptionRate OptionRates(OptionContract option, decimal mark, MarketSnapshot market)
    {
        var rates = _optionRates.GetValue(market, static _ => new ConcurrentDictionary<string, OptionRate>(StringComparer.Ordinal));
        if (rates.TryGetValue(option.Symbol, out var cached) && cached.Mark == mark)
        {
            return cached;
        }

        var p = Parameters.Options;
        var settlement = market.PriceOf(option.SettlementAsset);
        var valuePerContract = option.ContractSize * mark * settlement;
        var forward = (decimal)market.ForwardOf(option.Underlying, option.Expiry!.Value);
        var otm = option.OutOfTheMoneyAmount(forward);
        var shortIm = (Math.Max(p.InitialBase - (otm / forward), p.InitialFloor) * forward * option.ContractSize) + valuePerContract;
        var shortMm = (Math.Max(p.MaintenanceBase - (otm / forward), p.MaintenanceFloor) * forward * option.ContractSize) + valuePerContract;
        var rate = new OptionRate(mark, valuePerContract, shortIm, shortMm, forward, otm);
        rates[option.Symbol] = rate;
        return rate;
    }

    // The largest of the three cases, the first on ties (as MaxBy picks).
    private static (decimal Value, int Index) Worst(decimal position, decimal withBuys, decimal withSells)
    {
        var (value, index) = (position, 0);
        if (withBuys > value)
        {
            (value, index) = (withBuys, 1);
        }

        if (withSells > value)
        {
            (value, index) = (withSells, 2);
        }

        return (value, index);
    }

    private string FutureBasis(Instrument instrument, (decimal Im, decimal Mm, decimal Notional, decimal ImNotional, int Binding) figures)
    {
        var schedule = Parameters.ScheduleFor(instrument);
        var imBracket = schedule.BracketFor(figures.ImNotional);
        var mmIndex = schedule.IndexOf(figures.Notional);
        var mmBracket = schedule.Brackets[mmIndex];
        return string.Create(CultureInfo.InvariantCulture,
            $"bracket {mmIndex + 1} [{mmBracket.NotionalFloorUsd:N0}, {(mmBracket.NotionalCapUsd is { } cap ? cap.ToString("N0", CultureInfo.InvariantCulture) : "inf")}): " +
            $"MM = {mmBracket.MaintenanceRate:P2} x {figures.Notional:N2} - {mmBracket.MaintenanceAmountUsd:N2}; " +
            $"IM = {imBracket.InitialRate:P2} x {figures.ImNotional:N2} - {imBracket.InitialAmountUsd:N2} ({CaseName(figures.Binding)})");
    }

    private string OptionBasis(OptionContract option, decimal mark, int binding, MarketSnapshot market)
    {
        var p = Parameters.Options;
        var rate = OptionRates(option, mark, market);
        var (valuePerContract, shortIm, shortMm, forward, otm) = (rate.ValuePerContract, rate.ShortIm, rate.ShortMm, rate.Forward, rate.OutOfTheMoney);
        return string.Create(CultureInfo.InvariantCulture,
            $"option: long = premium {valuePerContract:N2}/contract; short IM = max({p.InitialBase} - {otm:N2}/{forward:N2}, {p.InitialFloor}) x F + mark = {shortIm:N2}/contract, " +
            $"short MM = max({p.MaintenanceBase} - OTM/F, {p.MaintenanceFloor}) x F + mark = {shortMm:N2}/contract ({CaseName(binding)})");
    }

    /// <summary>One option's per-contract figures at one snapshot (the mark they were computed at, to be sure of the key).</summary>
    private sealed record OptionRate(decimal Mark, decimal ValuePerContract, decimal ShortIm, decimal ShortMm, decimal Forward, decimal OutOfTheMoney);
}
