using System.Globalization;
using System.Text;
using CrossMargin.Risk.Margin;

namespace CrossMargin.Cli.Commands;

/// <summary>Renders an assessment as a readable table for a terminal.</summary>
public static class MarginReportText
{
    /// <summary>The assessment as text.</summary>
    public static string Write(AccountMargin m, string parametersDescription)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"Account {m.AccountId} at {m.ValuationTime.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z, model {m.Model}{(parametersDescription.Length > 0 ? $" ({parametersDescription})" : "")}");
        s.AppendLine();
        Row(s, "Status", Status(m.Status));
        Row(s, "Equity", Usd(m.EquityUsd));
        Row(s, "Initial margin", Usd(m.InitialMarginUsd));
        Row(s, "Maintenance margin", Usd(m.MaintenanceMarginUsd));
        Row(s, "Available margin", Usd(m.AvailableMarginUsd));
        Row(s, "Margin ratio (MM/equity)", m.MarginRatio is { } r ? r.ToString("P2", c) : "n/a");
        s.AppendLine("  (USD; equity rounded down, requirements rounded up, to the cent)");
        s.AppendLine();
        s.AppendLine("Equity");
        foreach (var l in m.Collateral)
        {
            s.AppendLine(c, $"  {l.Asset,-10} {l.Amount,16:0.########} x {l.PriceUsd,12:0.########} = {l.MarketValueUsd,16:N2}  haircut {l.HaircutUsd,12:N2}  -> {l.CollateralValueUsd,16:N2}{(l.Eligible ? "" : "  (not eligible)")}");
        }

        foreach (var p in m.Positions)
        {
            s.AppendLine(c, $"  {p.Position.Symbol,-24} {p.Position.Quantity,12:0.########} @ {p.MarkPrice,12:0.########}  {(p.Instrument is Risk.Instruments.OptionContract ? "option value" : "unrealised P&L"),-14} {p.ValueUsd,16:N2}");
        }

        s.AppendLine();
        s.AppendLine("Requirement");
        if (m.Requirement.Standard is { } standard)
        {
            foreach (var l in standard.Lines)
            {
                s.AppendLine(c, $"  {l.Symbol,-24} IM {l.InitialMarginUsd,14:N2}  MM {l.MaintenanceMarginUsd,14:N2}");
                s.AppendLine(c, $"      {l.Basis}");
            }
        }

        if (m.Requirement.Portfolio is { } portfolio)
        {
            s.AppendLine(c, $"  initial margin from: {portfolio.OpenOrderCase}; MM = {portfolio.MaintenanceFactor} x IM of positions ({portfolio.PositionsInitialMarginUsd:N2})");
            foreach (var u in portfolio.Underlyings)
            {
                s.AppendLine(c, $"  {u.Underlying}: risk {u.RiskUsd:N2} = max(scan {u.ScanRiskUsd:N2}, short option minimum {u.ShortOptionMinimumUsd:N2}) + roll {u.RollShockUsd:N2}");
                s.AppendLine(c, $"      binding scenario #{u.BindingScenario}: {u.BindingLabel}, P&L {u.ScenarioPnlUsd:N2}");
                foreach (var k in u.Contributions)
                {
                    s.AppendLine(c, $"        {k.Symbol,-24} {k.Quantity,12:0.########}  {k.PnlUsd,16:N2}");
                }
            }

            foreach (var o in portfolio.Offsets)
            {
                s.AppendLine(c, $"  offset {string.Join('+', o.Underlyings)}: credit {o.CreditUsd:N2} = {o.CreditRate} x ({o.StandaloneScanRiskUsd:N2} standalone - {o.JointScanRiskUsd:N2} joint)");
            }
        }

        foreach (var i in m.Isolated)
        {
            s.AppendLine(c, $"  isolated {i.Symbol}: equity {i.EquityUsd:N2}, IM {i.InitialMarginUsd:N2}, MM {i.MaintenanceMarginUsd:N2}, {Status(i.Status)}, liquidation price {(i.LiquidationPrice is { } lp ? lp.ToString("N2", c) : "none")}");
        }

        return s.ToString().TrimEnd();
    }

    private static void Row(StringBuilder s, string name, string value) => s.AppendLine(CultureInfo.InvariantCulture, $"  {name,-26} {value,18}");

    private static string Usd(decimal v) => v.ToString("N2", CultureInfo.InvariantCulture);

    private static string Status(MarginStatus status) => status switch
    {
        MarginStatus.Healthy => "healthy",
        MarginStatus.MarginCall => "MARGIN CALL (equity < IM)",
        MarginStatus.Liquidation => "LIQUIDATION (equity < MM)",
        _ => "BANKRUPT (equity < 0)",
    };
}
