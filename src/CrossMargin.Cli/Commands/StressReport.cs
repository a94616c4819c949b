using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Cli.Commands;

/// <summary>Renders stress outcomes as text or JSON (fixed field order, so the same run gives the same bytes).</summary>
public static class StressReport
{
    /// <summary>The outcomes as text.</summary>
    public static string Text(Portfolio portfolio, string model, IReadOnlyList<(StressScenario Scenario, StressOutcome Outcome)> outcomes, ReverseStressResult? reverse)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(c, $"Account {portfolio.AccountId}, model {model}");
        foreach (var (scenario, o) in outcomes)
        {
            s.AppendLine();
            s.AppendLine(c, $"Stress {scenario.Name}: {Describe(scenario)}");
            s.AppendLine(c, $"  {"",-26} {"before",18} {"after",18}");
            Row(s, "Status", Status(o.Before.Status), Status(o.After.Status));
            Row(s, "Equity", Usd(o.Before.EquityUsd), Usd(o.After.EquityUsd));
            Row(s, "Initial margin", Usd(o.Before.InitialMarginUsd), Usd(o.After.InitialMarginUsd));
            Row(s, "Maintenance margin", Usd(o.Before.MaintenanceMarginUsd), Usd(o.After.MaintenanceMarginUsd));
            Row(s, "Available margin", Usd(o.Before.AvailableMarginUsd), Usd(o.After.AvailableMarginUsd));
            s.AppendLine(c, $"  {"P&L",-26} {"",18} {Usd(o.PnlUsd),18}");
            s.AppendLine(c, $"  {"Shortfall to maintenance",-26} {"",18} {Usd(o.ShortfallUsd),18}");
            s.AppendLine(c, $"  {"Deficit (equity below 0)",-26} {"",18} {Usd(o.DeficitUsd),18}");
        }

        if (reverse is not null)
        {
            s.AppendLine();
            s.AppendLine(c, $"Reverse stress: every underlying moved alike, vols unchanged; {reverse.GridStep:P0} grid, then bisection to {reverse.Tolerance:G2}");
            s.AppendLine(c, $"  down: {Point(reverse.Down, "-99%")}");
            s.AppendLine(c, $"  up:   {Point(reverse.Up, "+500%")}");
        }

        return s.ToString().TrimEnd();
    }

    /// <summary>The outcomes as indented JSON.</summary>
    public static string Json(Portfolio portfolio, string model, IReadOnlyList<(StressScenario Scenario, StressOutcome Outcome)> outcomes, ReverseStressResult? reverse)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("accountId", portfolio.AccountId);
            w.WriteString("model", model);
            w.WriteStartArray("stresses");
            foreach (var (scenario, o) in outcomes)
            {
                var shock = scenario.ToShock();
                w.WriteStartObject();
                w.WriteString("name", scenario.Name);
                w.WriteStartObject("spotMoves");
                foreach (var (u, m) in shock.SpotMoves.OrderBy(x => x.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(u, m);
                }

                w.WriteNumber("*", shock.OtherSpotMove);
                w.WriteEndObject();
                w.WriteStartObject("volShifts");
                foreach (var (u, v) in shock.VolShifts.OrderBy(x => x.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(u, v);
                }

                w.WriteNumber("*", shock.OtherVolShift);
                w.WriteEndObject();
                w.WriteNumber("pnl", o.PnlUsd);
                w.WriteNumber("shortfall", o.ShortfallUsd);
                w.WriteNumber("deficit", o.DeficitUsd);
                State(w, "before", o.Before);
                State(w, "after", o.After);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (reverse is not null)
            {
                w.WriteStartObject("reverse");
                w.WriteNumber("tolerance", reverse.Tolerance);
                w.WriteNumber("gridStep", reverse.GridStep);
                ReversePoint(w, "down", reverse.Down);
                ReversePoint(w, "up", reverse.Up);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void State(Utf8JsonWriter w, string name, AccountMargin m)
    {
        w.WriteStartObject(name);
        w.WriteString("status", char.ToLowerInvariant(m.Status.ToString()[0]) + m.Status.ToString()[1..]);
        w.WriteNumber("equity", m.EquityUsd);
        w.WriteNumber("initialMargin", m.InitialMarginUsd);
        w.WriteNumber("maintenanceMargin", m.MaintenanceMarginUsd);
        w.WriteNumber("availableMargin", m.AvailableMarginUsd);
        w.WriteEndObject();
    }

    private static void ReversePoint(Utf8JsonWriter w, string name, ReverseStressPoint? p)
    {
        if (p is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteNumber("move", p.Move);
        w.WriteNumber("solventMove", p.SolventMove);
        w.WriteNumber("equity", p.EquityUsd);
        w.WriteEndObject();
    }

    internal static string Describe(StressScenario scenario)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = scenario.Shocks.Select(x => string.Create(c, $"{x.Underlying} {x.SpotMove:+0.##%;-0.##%;0%}, vol {x.VolShift * 100:+0.##;-0.##;0} pts"))
            .Concat((scenario.Follows ?? []).Select(f => string.Create(c, $"{f.Underlying} follows {f.Leader} x {f.Beta}")))
            .Append(string.Create(c, $"others {scenario.OtherSpotMove:+0.##%;-0.##%;0%}, vol {scenario.OtherVolShift * 100:+0.##;-0.##;0} pts"));
        return string.Join("; ", parts);
    }

    private static string Point(ReverseStressPoint? p, string limit) => p is null
        ? $"not bankrupt up to {limit}"
        : string.Create(CultureInfo.InvariantCulture, $"bankrupt at {p.Move:+0.00000%;-0.00000%;0%} (solvent at {p.SolventMove:+0.00000%;-0.00000%;0%}), equity {p.EquityUsd:N6}");

    private static void Row(StringBuilder s, string name, string before, string after) =>
        s.AppendLine(CultureInfo.InvariantCulture, $"  {name,-26} {before,18} {after,18}");

    private static string Usd(decimal v) => v.ToString("N2", CultureInfo.InvariantCulture);

    private static string Status(MarginStatus status) => status switch
    {
        MarginStatus.Healthy => "healthy",
        MarginStatus.MarginCall => "MARGIN CALL",
        MarginStatus.Liquidation => "LIQUIDATION",
        _ => "BANKRUPT",
    };
}
