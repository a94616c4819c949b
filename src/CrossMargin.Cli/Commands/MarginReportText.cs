using System.Globalization;
using System.Text;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Serialization;

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
        WriteRequirement(s, m.Requirement, "  ");
        foreach (var i in m.Isolated)
        {
            s.AppendLine(c, $"  isolated {i.Symbol}: equity {i.EquityUsd:N2}, IM {i.InitialMarginUsd:N2}, MM {i.MaintenanceMarginUsd:N2}, {Status(i.Status)}, liquidation price {(i.LiquidationPrice is { } lp ? lp.ToString("N2", c) : "none")}");
        }

        return s.ToString().TrimEnd();
    }

    /// <summary>Writes how <paramref name="requirement"/> came about, each line starting with <paramref name="indent"/>.</summary>
    public static void WriteRequirement(StringBuilder s, MarginRequirement requirement, string indent)
    {
        var c = CultureInfo.InvariantCulture;
        if (requirement.Standard is { } standard)
        {
            foreach (var l in standard.Lines)
            {
                s.AppendLine(c, $"{indent}{l.Symbol,-24} IM {l.InitialMarginUsd,14:N2}  MM {l.MaintenanceMarginUsd,14:N2}");
                s.AppendLine(c, $"{indent}    {l.Basis}");
            }
        }

        if (requirement.Portfolio is { } portfolio)
        {
            s.AppendLine(c, $"{indent}initial margin from: {portfolio.OpenOrderCase}; MM = {portfolio.MaintenanceFactor} x IM of positions ({portfolio.PositionsInitialMarginUsd:N2})");
            foreach (var u in portfolio.Underlyings)
            {
                s.AppendLine(c, $"{indent}{u.Underlying}: risk {u.RiskUsd:N2} = max(scan {u.ScanRiskUsd:N2}, short option minimum {u.ShortOptionMinimumUsd:N2}) + roll {u.RollShockUsd:N2}");
                s.AppendLine(c, $"{indent}    binding scenario #{u.BindingScenario}: {u.BindingLabel}, P&L {u.ScenarioPnlUsd:N2}");
                foreach (var k in u.Contributions)
                {
                    s.AppendLine(c, $"{indent}      {k.Symbol,-24} {k.Quantity,12:0.########}  {k.PnlUsd,16:N2}");
                }
            }

            foreach (var o in portfolio.Offsets)
            {
                s.AppendLine(c, $"{indent}offset {string.Join('+', o.Underlyings)}: credit {o.CreditUsd:N2} = {o.CreditRate} x ({o.StandaloneScanRiskUsd:N2} standalone - {o.JointScanRiskUsd:N2} joint)");
            }
        }

        if (requirement.Simm is { } simm)
        {
            s.AppendLine(c, $"{indent}initial margin from: {simm.OpenOrderCase}; IM = delta {simm.Delta.MarginUsd:N2} + vega {simm.Vega.MarginUsd:N2} + curvature {simm.Curvature.MarginUsd:N2}; MM = {simm.MaintenanceFactor} x IM of positions ({simm.PositionsInitialMarginUsd:N2})");
            foreach (var x in simm.Sensitivities)
            {
                s.AppendLine(c, $"{indent}  {x.Underlying}: delta {x.DeltaUsd:N2} per 1%, vega {x.VegaUsd:N2} per vol point, SF-weighted vega {x.CurvatureVegaUsd:N2}");
            }

            foreach (var rc in new[] { simm.Delta, simm.Vega, simm.Curvature })
            {
                s.AppendLine(c, $"{indent}  {rc.RiskClass} margin {rc.MarginUsd:N2}{(rc.RiskClass == "curvature" ? string.Create(c, $" (lambda {rc.Lambda:F4}, theta {rc.Theta:F4})") : "")}");
                foreach (var b in rc.Buckets)
                {
                    var factors = string.Join("; ", b.Factors.Select(f => string.Create(c, $"{f.Underlying} weighted {f.Weighted:N2} (CR {f.Concentration:F2})")));
                    s.AppendLine(c, $"{indent}    bucket {b.Bucket}: K {b.K:N2}, S {b.S:N2}; {factors}");
                }
            }
        }

        if (requirement.Historical is { } h)
        {
            s.AppendLine(c, $"{indent}initial margin from: {h.OpenOrderCase}; IM = {h.Measure}{(h.StressedVarUsd is null ? "" : ", floored by the stressed period")}; MM = {h.MaintenanceFactor} x IM of positions ({h.PositionsInitialMarginUsd:N2})");
            s.AppendLine(c, $"{indent}  {h.Scenarios} scenarios, {h.HorizonDays}-day horizon ({(h.Horizon == Risk.Historical.HorizonMethod.SquareRootOfTime ? "sqrt-time scaled" : "overlapping windows")}){(h.Filtered ? ", EWMA-filtered" : "")}");
            s.AppendLine(c, $"{indent}  VaR {h.VarConfidence:P1} {h.VarUsd:N2}, ES {h.EsConfidence:P1} {h.EsUsd:N2}");
            if (h.StressedVarUsd is { } sv)
            {
                s.AppendLine(c, $"{indent}  stressed period: VaR {sv:N2}, ES {h.StressedEsUsd:N2}");
            }

            s.AppendLine(c, $"{indent}  worst scenario ending {h.WorstScenario:yyyy-MM-dd}: loss {h.WorstLossUsd:N2}");
        }

        if (requirement.Composite is { } composite)
        {
            s.AppendLine(c, $"{indent}IM = max of {string.Join(", ", composite.Components.Select(x => x.Model))}: {composite.InitialBinding} binds; MM from {composite.MaintenanceBinding}");
            foreach (var component in composite.Components)
            {
                s.AppendLine(c, $"{indent}{component.Model}: IM {component.Requirement.InitialMarginUsd:N2}, MM {component.Requirement.MaintenanceMarginUsd:N2}");
                WriteRequirement(s, component.Requirement, indent + "    ");
            }
        }
    }

    /// <summary>Every model's assessment of one portfolio side by side, then how each came about.</summary>
    public static string WriteAll(IReadOnlyList<ModelAssessment> models, string parametersDescription)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var first = models.First(m => m.Margin is not null).Margin!;
        s.AppendLine(c, $"Account {first.AccountId} at {first.ValuationTime.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z, {models.Count} models{(parametersDescription.Length > 0 ? $" ({parametersDescription})" : "")}");
        s.AppendLine();
        s.AppendLine(c, $"  {"Model",-36} {"Initial margin",16} {"Maintenance",16} {"Available",16}  Status");
        foreach (var a in models)
        {
            if (a.Margin is { } m)
            {
                s.AppendLine(c, $"  {m.Model,-36} {Usd(m.InitialMarginUsd),16} {Usd(m.MaintenanceMarginUsd),16} {Usd(m.AvailableMarginUsd),16}  {Status(m.Status)}");
            }
            else
            {
                s.AppendLine(c, $"  {a.Model,-36} {"n/a",16} {"n/a",16} {"n/a",16}  {a.Error}");
            }
        }

        s.AppendLine(c, $"  Equity {Usd(first.EquityUsd)} under every model (collateral after haircuts + unrealised P&L + option value)");
        s.AppendLine("  (USD; equity rounded down, requirements rounded up, to the cent)");
        foreach (var m in models.Select(a => a.Margin).OfType<AccountMargin>())
        {
            s.AppendLine();
            s.AppendLine(c, $"{m.Model}");
            WriteRequirement(s, m.Requirement, "  ");
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
