using System.Globalization;
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
            var buys = openOrders.Where(o => o.Symbol == symbol && o.Side == OrderSide.Buy).Sum(o => o.Quantity);
            var sells = openOrders.Where(o => o.Symbol == symbol && o.Side == OrderSide.Sell).Sum(o => o.Quantity);
            lines.Add(Line(market.GetInstrument(symbol), quantity, buys, sells, position?.Position.IsIsolated ?? false, market));
        }

        return new MarginRequirement(
            lines.Sum(l => l.InitialMarginUsd),
            lines.Sum(l => l.MaintenanceMarginUsd),
            Standard: new StandardMarginExplanation(lines));
    }

    private StandardPositionLine Line(Instrument instrument, decimal quantity, decimal buys, decimal sells, bool isolated, MarketSnapshot market)
    {
        var mark = market.MarkOf(instrument.Symbol).MarkPrice;
        (decimal Quantity, string Case)[] cases = [(quantity, "position"), (quantity + buys, "position + buy orders"), (quantity - sells, "position + sell orders")];
        var (im, mm, notional, basis) = instrument is OptionContract option
            ? OptionMargin(option, mark, quantity, cases, market)
            : FutureMargin(instrument, mark, quantity, cases, market);
        return new StandardPositionLine(instrument.Symbol, quantity, mark, notional, im, mm, basis, isolated);
    }

    private (decimal Im, decimal Mm, decimal Notional, string Basis) FutureMargin(
        Instrument instrument, decimal mark, decimal quantity, (decimal Quantity, string Case)[] cases, MarketSnapshot market)
    {
        var schedule = Parameters.ScheduleFor(instrument);
        var quote = market.PriceOf(instrument.QuoteAsset);
        decimal NotionalOf(decimal q) => instrument.Settlement == SettlementKind.Linear
            ? Math.Abs(q) * instrument.ContractSize * mark * quote
            : Math.Abs(q) * instrument.ContractSize * quote;

        var binding = cases.MaxBy(c => schedule.BracketFor(NotionalOf(c.Quantity)).InitialMargin(NotionalOf(c.Quantity)));
        var imNotional = NotionalOf(binding.Quantity);
        var imBracket = schedule.BracketFor(imNotional);
        var notional = NotionalOf(quantity);
        var mmIndex = schedule.IndexOf(notional);
        var mmBracket = schedule.Brackets[mmIndex];
        var im = imBracket.InitialMargin(imNotional);
        var mm = mmBracket.MaintenanceMargin(notional);
        var basis = string.Create(CultureInfo.InvariantCulture,
            $"bracket {mmIndex + 1} [{mmBracket.NotionalFloorUsd:N0}, {(mmBracket.NotionalCapUsd is { } cap ? cap.ToString("N0", CultureInfo.InvariantCulture) : "inf")}): " +
            $"MM = {mmBracket.MaintenanceRate:P2} x {notional:N2} - {mmBracket.MaintenanceAmountUsd:N2}; " +
            $"IM = {imBracket.InitialRate:P2} x {imNotional:N2} - {imBracket.InitialAmountUsd:N2} ({binding.Case})");
        return (im, mm, notional, basis);
    }

    private (decimal Im, decimal Mm, decimal Notional, string Basis) OptionMargin(
        OptionContract option, decimal mark, decimal quantity, (decimal Quantity, string Case)[] cases, MarketSnapshot market)
    {
        var p = Parameters.Options;
        var settlement = market.PriceOf(option.SettlementAsset);
        var valuePerContract = option.ContractSize * mark * settlement;
        var forward = (decimal)market.ForwardOf(option.Underlying, option.Expiry!.Value);
        var otm = option.OutOfTheMoneyAmount(forward);
        var shortIm = (Math.Max(p.InitialBase - (otm / forward), p.InitialFloor) * forward * option.ContractSize) + valuePerContract;
        var shortMm = (Math.Max(p.MaintenanceBase - (otm / forward), p.MaintenanceFloor) * forward * option.ContractSize) + valuePerContract;
        decimal ImOf(decimal q) => q >= 0 ? q * valuePerContract : -q * shortIm;

        var binding = cases.MaxBy(c => ImOf(c.Quantity));
        var im = ImOf(binding.Quantity);
        var mm = quantity >= 0 ? quantity * valuePerContract : -quantity * shortMm;
        var notional = Math.Abs(quantity) * option.ContractSize * market.PriceOf(option.Underlying);
        var basis = string.Create(CultureInfo.InvariantCulture,
            $"option: long = premium {valuePerContract:N2}/contract; short IM = max({p.InitialBase} - {otm:N2}/{forward:N2}, {p.InitialFloor}) x F + mark = {shortIm:N2}/contract, " +
            $"short MM = max({p.MaintenanceBase} - OTM/F, {p.MaintenanceFloor}) x F + mark = {shortMm:N2}/contract ({binding.Case})");
        return (im, mm, notional, basis);
    }
}
