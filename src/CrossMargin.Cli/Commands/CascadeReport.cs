using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Cli.Commands;

/// <summary>Renders a liquidation cascade as text or JSON (fixed field order, so the same run gives the same bytes).</summary>
public static class CascadeReport
{
    /// <summary>Liquidated accounts named per round in the text; the rest are counted.</summary>
    public const int NamedAccounts = 8;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The cascade as text: a table of rounds, forced volume per instrument, then the totals.</summary>
    public static string Text(CascadeRun run)
    {
        var (p, r) = (run.Parameters, run.Result);
        var underlyings = r.FinalSpotMoves.Keys.Order(StringComparer.Ordinal).ToArray();
        var s = new StringBuilder();
        s.AppendLine(C, $"Book {Path.GetFileName(run.BookPath)}: {run.Accounts:N0} accounts, model {run.Model}");
        s.AppendLine(C, $"Shock {run.Scenario.Name}: {StressReport.Describe(run.Scenario)}");
        var impacts = p.ImpactPerMillionUsd.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {Percent(x.Value)}")
            .Append($"others {Percent(p.DefaultImpactPerMillionUsd)}");
        s.AppendLine(C, $"Impact per 1,000,000 USD of net forced notional: {string.Join(", ", impacts)}; insurance fund {Usd(p.InsuranceFundUsd)}; at most {p.MaxRounds} rounds");
        s.AppendLine();
        s.Append(C, $"  {"Round",5}");
        foreach (var u in underlyings)
        {
            s.Append(C, $" {u + " move",10}");
        }

        s.AppendLine(C, $" {"Liquidated",10} {"Forced volume",16} {"Fund used",14} {"Uncovered",14}");
        foreach (var round in r.Rounds)
        {
            s.Append(C, $"  {round.Round,5}");
            foreach (var u in underlyings)
            {
                s.Append(C, $" {Move(round.SpotMoves[u]),10}");
            }

            s.AppendLine(C, $" {round.Liquidated.Count,10:N0} {Usd(round.ForcedVolumeUsd.Values.Sum()),16} {Usd(round.InsuranceFundUsedUsd),14} {Usd(round.UncoveredUsd),14}");
        }

        s.AppendLine();
        foreach (var round in r.Rounds.Where(x => x.Liquidated.Count > 0))
        {
            var named = string.Join(", ", round.Liquidated.Take(NamedAccounts));
            var more = round.Liquidated.Count > NamedAccounts ? $" and {round.Liquidated.Count - NamedAccounts:N0} more" : "";
            s.AppendLine(C, $"  Round {round.Round} liquidated: {named}{more}");
        }

        s.AppendLine(r.Stable
            ? $"  Stable: round {r.Rounds[^1].Round} liquidated nobody."
            : $"  Not stable: stopped at the round limit ({p.MaxRounds}) with round {r.Rounds[^1].Round} still liquidating.");
        s.AppendLine();
        s.AppendLine("Forced volume per instrument, all rounds");
        s.AppendLine(C, $"  {"Instrument",-26} {"Contracts",16} {"Notional USD",18}");
        foreach (var t in Trades(r))
        {
            s.AppendLine(C, $"  {t.Symbol,-26} {t.Contracts.ToString("#,0.########", C),16} {Usd(t.NotionalUsd),18}");
        }

        s.AppendLine();
        s.AppendLine(C, $"  {"Final moves",-26} {string.Join(", ", underlyings.Select(u => $"{u} {Move(r.FinalSpotMoves[u])}"))}");
        s.AppendLine(C, $"  {"Forced volume",-26} {Usd(r.ForcedVolumeUsd),18}");
        s.AppendLine(C, $"  {"Insurance fund used",-26} {Usd(r.InsuranceFundUsedUsd),18}  (left {Usd(r.InsuranceFundLeftUsd)} of {Usd(p.InsuranceFundUsd)})");
        s.AppendLine(C, $"  {"Final shortfall",-26} {Usd(r.UncoveredUsd),18}  (deficits beyond the fund: left to auto-deleveraging)");
        return s.ToString().TrimEnd();
    }

    /// <summary>The cascade as indented JSON.</summary>
    public static string Json(CascadeRun run)
    {
        var (p, r) = (run.Parameters, run.Result);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("book", Path.GetFileName(run.BookPath));
            w.WriteNumber("accounts", run.Accounts);
            w.WriteString("model", run.Model);
            w.WriteString("shock", run.Scenario.Name);
            w.WriteStartObject("impactPerMillionUsd");
            foreach (var (u, v) in p.ImpactPerMillionUsd.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(u, v);
            }

            w.WriteNumber("*", p.DefaultImpactPerMillionUsd);
            w.WriteEndObject();
            w.WriteNumber("insuranceFund", p.InsuranceFundUsd);
            w.WriteNumber("maxRounds", p.MaxRounds);
            w.WriteStartArray("rounds");
            foreach (var round in r.Rounds)
            {
                w.WriteStartObject();
                w.WriteNumber("round", round.Round);
                Numbers(w, "spotMoves", round.SpotMoves.ToDictionary(x => x.Key, x => (decimal)x.Value));
                w.WriteStartArray("liquidated");
                foreach (var a in round.Liquidated)
                {
                    w.WriteStringValue(a);
                }

                w.WriteEndArray();
                Numbers(w, "forcedVolume", round.ForcedVolumeUsd);
                Numbers(w, "netForcedSell", round.NetForcedSellUsd);
                Trades(w, round.ForcedTrades);
                w.WriteNumber("insuranceFundUsed", round.InsuranceFundUsedUsd);
                w.WriteNumber("uncovered", round.UncoveredUsd);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("stable", r.Stable);
            Numbers(w, "finalSpotMoves", r.FinalSpotMoves.ToDictionary(x => x.Key, x => (decimal)x.Value));
            Trades(w, Trades(r));
            w.WriteNumber("forcedVolume", r.ForcedVolumeUsd);
            w.WriteNumber("insuranceFundUsed", r.InsuranceFundUsedUsd);
            w.WriteNumber("insuranceFundLeft", r.InsuranceFundLeftUsd);
            w.WriteNumber("finalShortfall", r.UncoveredUsd);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Forced trades of all rounds, summed per instrument, by symbol.</summary>
    public static IReadOnlyList<ForcedTrade> Trades(CascadeResult result) => result.Rounds.SelectMany(x => x.ForcedTrades)
        .GroupBy(t => t.Symbol, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => new ForcedTrade(g.Key, g.First().Underlying, g.Sum(t => t.Contracts), g.Sum(t => t.NotionalUsd))).ToArray();

    private static void Trades(Utf8JsonWriter w, IReadOnlyList<ForcedTrade> trades)
    {
        w.WriteStartArray("forcedTrades");
        foreach (var t in trades)
        {
            w.WriteStartObject();
            w.WriteString("symbol", t.Symbol);
            w.WriteString("underlying", t.Underlying);
            w.WriteNumber("contracts", t.Contracts);
            w.WriteNumber("notional", t.NotionalUsd);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Numbers(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, decimal> values)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in values.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(k, v);
        }

        w.WriteEndObject();
    }

    private static string Usd(decimal v) => v.ToString("N2", C);

    private static string Move(double v) => v.ToString("+0.00%;-0.00%;0.00%", C);

    private static string Percent(double v) => v.ToString("0.####%", C);
}
