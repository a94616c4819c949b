using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CrossMargin.Risk.Margin;

namespace CrossMargin.Risk.Serialization;

/// <summary>
/// Writes an <see cref="AccountMargin"/> as JSON: the figures, then the explanation. Field order is fixed and numbers
/// are written as decimals, so the same assessment always gives the same bytes.
/// </summary>
public static class MarginReportJson
{
    /// <summary>The assessment as indented JSON text.</summary>
    public static string Write(AccountMargin m) => Written(w => WriteAccount(w, m));

    /// <summary>Several models' assessments of one portfolio: <c>{"accountId", "valuationTime", "models": [...]}</c>.</summary>
    /// <remarks>A model that could not assess the portfolio appears as <c>{"model": name, "error": why}</c>.</remarks>
    public static string WriteAll(IReadOnlyList<ModelAssessment> models) => Written(w =>
    {
        var first = models.First(m => m.Margin is not null).Margin!;
        w.WriteStartObject();
        w.WriteString("accountId", first.AccountId);
        w.WriteString("valuationTime", first.ValuationTime.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteStartArray("models");
        foreach (var m in models)
        {
            if (m.Margin is { } margin)
            {
                WriteAccount(w, margin);
            }
            else
            {
                w.WriteStartObject();
                w.WriteString("model", m.Model);
                w.WriteString("error", m.Error);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteAccount(Utf8JsonWriter w, AccountMargin m)
    {
        {
            w.WriteStartObject();
            w.WriteString("accountId", m.AccountId);
            w.WriteString("valuationTime", m.ValuationTime.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("model", m.Model);
            w.WriteString("status", Camel(m.Status.ToString()));
            w.WriteNumber("equity", m.EquityUsd);
            w.WriteNumber("initialMargin", m.InitialMarginUsd);
            w.WriteNumber("maintenanceMargin", m.MaintenanceMarginUsd);
            w.WriteNumber("availableMargin", m.AvailableMarginUsd);
            w.WriteNumber("collateralValue", m.CollateralValueUsd);
            w.WriteNumber("unrealisedPnl", m.UnrealisedPnlUsd);
            w.WriteNumber("optionValue", m.OptionValueUsd);
            w.WriteString("rounding", "USD; equity rounded down, requirements rounded up, to 0.01");
            WriteCollateral(w, m);
            WritePositions(w, m);
            WriteExplanation(w, m.Requirement);
            WriteIsolated(w, m);
            w.WriteEndObject();
        }
    }

    private static void WriteCollateral(Utf8JsonWriter w, AccountMargin m)
    {
        w.WriteStartArray("collateral");
        foreach (var c in m.Collateral)
        {
            w.WriteStartObject();
            w.WriteString("asset", c.Asset);
            w.WriteNumber("amount", c.Amount);
            w.WriteNumber("price", c.PriceUsd);
            w.WriteNumber("marketValue", c.MarketValueUsd);
            w.WriteNumber("haircut", c.HaircutUsd);
            w.WriteNumber("value", c.CollateralValueUsd);
            w.WriteBoolean("eligible", c.Eligible);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WritePositions(Utf8JsonWriter w, AccountMargin m)
    {
        w.WriteStartArray("positions");
        foreach (var p in m.Positions)
        {
            w.WriteStartObject();
            w.WriteString("symbol", p.Position.Symbol);
            w.WriteNumber("quantity", p.Position.Quantity);
            w.WriteNumber("mark", p.MarkPrice);
            w.WriteNumber("notional", p.NotionalUsd);
            w.WriteNumber("value", p.ValueUsd);
            w.WriteString("settlementAsset", p.Instrument.SettlementAsset);
            w.WriteNumber("valueInSettlementAsset", p.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteExplanation(Utf8JsonWriter w, MarginRequirement r)
    {
        w.WriteStartObject("explanation");
        WriteExplanationFields(w, r);
        w.WriteEndObject();
    }

    private static void WriteExplanationFields(Utf8JsonWriter w, MarginRequirement r)
    {
        w.WriteNumber("initialMarginUnrounded", r.InitialMarginUsd);
        w.WriteNumber("maintenanceMarginUnrounded", r.MaintenanceMarginUsd);
        if (r.Standard is { } s)
        {
            w.WriteStartArray("positions");
            foreach (var l in s.Lines)
            {
                w.WriteStartObject();
                w.WriteString("symbol", l.Symbol);
                w.WriteNumber("quantity", l.Quantity);
                w.WriteNumber("notional", l.NotionalUsd);
                w.WriteNumber("initialMargin", l.InitialMarginUsd);
                w.WriteNumber("maintenanceMargin", l.MaintenanceMarginUsd);
                w.WriteString("basis", l.Basis);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (r.Portfolio is { } p)
        {
            w.WriteString("openOrderCase", p.OpenOrderCase);
            w.WriteNumber("positionsInitialMargin", p.PositionsInitialMarginUsd);
            w.WriteNumber("maintenanceFactor", p.MaintenanceFactor);
            w.WriteStartArray("underlyings");
            foreach (var u in p.Underlyings)
            {
                w.WriteStartObject();
                w.WriteString("underlying", u.Underlying);
                w.WriteNumber("bindingScenario", u.BindingScenario);
                w.WriteString("bindingLabel", u.BindingLabel);
                w.WriteNumber("scenarioPnl", u.ScenarioPnlUsd);
                w.WriteNumber("scanRisk", u.ScanRiskUsd);
                w.WriteNumber("shortOptionMinimum", u.ShortOptionMinimumUsd);
                w.WriteNumber("rollShock", u.RollShockUsd);
                w.WriteNumber("risk", u.RiskUsd);
                w.WriteStartArray("contributions");
                foreach (var c in u.Contributions)
                {
                    w.WriteStartObject();
                    w.WriteString("symbol", c.Symbol);
                    w.WriteNumber("quantity", c.Quantity);
                    w.WriteNumber("pnl", c.PnlUsd);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("offsets");
            foreach (var o in p.Offsets)
            {
                w.WriteStartObject();
                w.WriteString("underlyings", string.Join('+', o.Underlyings));
                w.WriteNumber("standaloneScanRisk", o.StandaloneScanRiskUsd);
                w.WriteNumber("jointScanRisk", o.JointScanRiskUsd);
                w.WriteNumber("creditRate", o.CreditRate);
                w.WriteNumber("credit", o.CreditUsd);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (r.Simm is { } simm)
        {
            w.WriteStartObject("simm");
            w.WriteString("openOrderCase", simm.OpenOrderCase);
            w.WriteNumber("positionsInitialMargin", simm.PositionsInitialMarginUsd);
            w.WriteNumber("maintenanceFactor", simm.MaintenanceFactor);
            w.WriteStartArray("sensitivities");
            foreach (var x in simm.Sensitivities)
            {
                w.WriteStartObject();
                w.WriteString("underlying", x.Underlying);
                w.WriteNumber("delta", x.DeltaUsd);
                w.WriteNumber("vega", x.VegaUsd);
                w.WriteNumber("curvatureVega", x.CurvatureVegaUsd);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            foreach (var rc in new[] { simm.Delta, simm.Vega, simm.Curvature })
            {
                w.WriteStartObject(rc.RiskClass);
                w.WriteNumber("margin", rc.MarginUsd);
                if (rc.RiskClass == "curvature")
                {
                    w.WriteNumber("lambda", rc.Lambda);
                    w.WriteNumber("theta", rc.Theta);
                }

                w.WriteStartArray("buckets");
                foreach (var b in rc.Buckets)
                {
                    w.WriteStartObject();
                    w.WriteString("bucket", b.Bucket);
                    w.WriteNumber("k", b.K);
                    w.WriteNumber("s", b.S);
                    w.WriteStartArray("factors");
                    foreach (var f in b.Factors)
                    {
                        w.WriteStartObject();
                        w.WriteString("underlying", f.Underlying);
                        w.WriteNumber("sensitivity", f.Sensitivity);
                        w.WriteNumber("concentration", f.Concentration);
                        w.WriteNumber("weighted", f.Weighted);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        if (r.Historical is { } h)
        {
            w.WriteStartObject("historical");
            w.WriteString("measure", h.Measure);
            w.WriteString("openOrderCase", h.OpenOrderCase);
            w.WriteNumber("scenarios", h.Scenarios);
            w.WriteNumber("varConfidence", h.VarConfidence);
            w.WriteNumber("esConfidence", h.EsConfidence);
            w.WriteNumber("horizonDays", h.HorizonDays);
            w.WriteString("horizon", h.Horizon == Historical.HorizonMethod.SquareRootOfTime ? "squareRootOfTime" : "overlapping");
            w.WriteBoolean("ewmaFiltered", h.Filtered);
            w.WriteStartArray("volatilityMoves");
            foreach (var u in h.VolatilityMoves ?? [])
            {
                w.WriteStringValue(u);
            }

            w.WriteEndArray();
            w.WriteNumber("var", h.VarUsd);
            w.WriteNumber("es", h.EsUsd);
            WriteNullable(w, "stressedVar", h.StressedVarUsd);
            WriteNullable(w, "stressedEs", h.StressedEsUsd);
            w.WriteString("worstScenario", h.WorstScenario.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("worstLoss", h.WorstLossUsd);
            w.WriteNumber("positionsInitialMargin", h.PositionsInitialMarginUsd);
            w.WriteNumber("maintenanceFactor", h.MaintenanceFactor);
            w.WriteEndObject();
        }

        if (r.Composite is { } composite)
        {
            w.WriteStartObject("composite");
            w.WriteString("initialBinding", composite.InitialBinding);
            w.WriteString("maintenanceBinding", composite.MaintenanceBinding);
            w.WriteStartArray("components");
            foreach (var c in composite.Components)
            {
                w.WriteStartObject();
                w.WriteString("model", c.Model);
                w.WriteNumber("initialMargin", c.Requirement.InitialMarginUsd);
                w.WriteNumber("maintenanceMargin", c.Requirement.MaintenanceMarginUsd);
                w.WriteStartObject("explanation");
                WriteExplanationFields(w, c.Requirement);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteIsolated(Utf8JsonWriter w, AccountMargin m)
    {
        w.WriteStartArray("isolated");
        foreach (var i in m.Isolated)
        {
            w.WriteStartObject();
            w.WriteString("symbol", i.Symbol);
            w.WriteNumber("equity", i.EquityUsd);
            w.WriteNumber("initialMargin", i.InitialMarginUsd);
            w.WriteNumber("maintenanceMargin", i.MaintenanceMarginUsd);
            w.WriteString("status", Camel(i.Status.ToString()));
            if (i.LiquidationPrice is { } lp)
            {
                w.WriteNumber("liquidationPrice", lp);
            }
            else
            {
                w.WriteNull("liquidationPrice");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string Camel(string s) => char.ToLowerInvariant(s[0]) + s[1..];
}
