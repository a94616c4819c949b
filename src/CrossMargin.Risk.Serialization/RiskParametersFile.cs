using System.Text.Json;
using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;
using static CrossMargin.Risk.Serialization.JsonFields;

namespace CrossMargin.Risk.Serialization;

/// <summary>Reads a risk parameter file (config/risk/*.json).</summary>
public static class RiskParametersFile
{
    /// <summary>Reads and checks the parameters in <paramref name="path"/>.</summary>
    public static RiskParameters Load(string path) => Parse(FileText.Read(path, "risk parameter"), path);

    /// <summary>Parses and checks parameters; <paramref name="source"/> names them in errors.</summary>
    public static RiskParameters Parse(string json, string source)
    {
        using var document = JsonFields.Parse(json, source);
        var root = document.RootElement;
        try
        {
            OnlyKnown(root, "", "model", "description", "collateral", "standard", "portfolio");
            var model = Enum(root, "model", "", ("standard", false), ("portfolio", true));
            var description = Optional(root, "description") is { ValueKind: JsonValueKind.String } d ? d.GetString()! : "";
            var collateral = Build("collateral", () => new CollateralSchedule(Array(root, "collateral", "").Select(x => Rule(x.Item, x.Path)).ToArray()));
            var standard = Standard(Required(root, "standard", ""), "standard");
            var portfolio = model ? Portfolio(Required(root, "portfolio", ""), "portfolio") : null;
            if (!model && Optional(root, "portfolio") is not null)
            {
                throw new RiskInputException("portfolio: given, but model is \"standard\"; set model to \"portfolio\" or remove it.");
            }

            return new RiskParameters(description, collateral, standard, portfolio);
        }
        catch (RiskInputException e)
        {
            throw new RiskInputException($"{source}: {e.Message}", e);
        }
    }

    private static CollateralRule Rule(JsonElement e, string path)
    {
        OnlyKnown(e, path, "asset", "tiers");
        var tiers = Array(e, "tiers", path).Select(t =>
        {
            OnlyKnown(t.Item, t.Path, "upToValueUsd", "haircut");
            return new HaircutTier(OptionalDecimal(t.Item, "upToValueUsd", t.Path), Decimal(t.Item, "haircut", t.Path));
        }).ToArray();
        var asset = String(e, "asset", path);
        return Build(path, () => new CollateralRule(asset, tiers));
    }

    private static StandardMarginParameters Standard(JsonElement e, string path)
    {
        OnlyKnown(e, path, "riskLimits", "options");
        var schedules = new Dictionary<string, RiskLimitSchedule>(StringComparer.Ordinal);
        foreach (var (key, value, keyPath) in Map(e, "riskLimits", path))
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw new RiskInputException($"{keyPath}: must be an array of brackets.");
            }

            var brackets = value.EnumerateArray().Select((b, i) =>
            {
                var p = $"{keyPath}[{i}]";
                OnlyKnown(b, p, "floor", "cap", "initialRate", "maintenanceRate", "maintenanceAmount");
                return (Decimal(b, "floor", p), OptionalDecimal(b, "cap", p), Decimal(b, "initialRate", p), Decimal(b, "maintenanceRate", p), OptionalDecimal(b, "maintenanceAmount", p));
            }).ToArray();
            schedules[key] = Build(keyPath, () => new RiskLimitSchedule(brackets));
        }

        var o = Required(e, "options", path);
        var op = Join(path, "options");
        OnlyKnown(o, op, "initialBase", "initialFloor", "maintenanceBase", "maintenanceFloor");
        var options = new OptionMarginParameters(Decimal(o, "initialBase", op), Decimal(o, "initialFloor", op), Decimal(o, "maintenanceBase", op), Decimal(o, "maintenanceFloor", op));
        if (options.InitialBase < 0 || options.InitialFloor < 0 || options.MaintenanceBase < 0 || options.MaintenanceFloor < 0)
        {
            throw new RiskInputException($"{op}: option margin parameters must not be negative.");
        }

        return Build(path, () => new StandardMarginParameters(schedules, options));
    }

    private static PortfolioMarginParameters Portfolio(JsonElement e, string path)
    {
        OnlyKnown(e, path, "maintenanceFactor", "lookAheadDays", "volatilityDynamics", "gainFactor", "grid", "scenarios", "underlyings", "offsets");
        var scenarios = new List<Scenario>();
        if (Optional(e, "grid") is { } grid)
        {
            var gp = Join(path, "grid");
            OnlyKnown(grid, gp, "moves", "unit", "vols", "weight");
            var unit = Unit(grid, gp);
            var weight = OptionalDouble(grid, "weight", gp, 1);
            var vols = Array(grid, "vols", gp).Select(v => VolOf(v.Item, v.Path)).ToArray();
            foreach (var (move, movePath) in Array(grid, "moves", gp))
            {
                scenarios.AddRange(vols.Select(v => new Scenario(AsDouble(move, movePath), unit, v, weight)));
            }
        }

        foreach (var (s, sp) in Array(e, "scenarios", path, required: false))
        {
            OnlyKnown(s, sp, "move", "unit", "vol", "weight");
            scenarios.Add(new Scenario(Double(s, "move", sp), Unit(s, sp), VolOf(Required(s, "vol", sp), Join(sp, "vol")), OptionalDouble(s, "weight", sp, 1)));
        }

        var underlyings = new Dictionary<string, UnderlyingRiskParameters>(StringComparer.Ordinal);
        foreach (var (name, u, up) in Map(e, "underlyings", path))
        {
            OnlyKnown(u, up, "priceRange", "volShock", "shortOptionMinimum", "annualisedMoveRisk", "minAnnualisedMove");
            var v = Required(u, "volShock", up);
            var vp = Join(up, "volShock");
            OnlyKnown(v, vp, "relative", "up", "down", "referenceDays", "shortTermPower", "longTermPower", "minShockedUpVol");
            var relative = Required(v, "relative", vp).ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new RiskInputException($"{vp}.relative: must be true or false."),
            };
            var shock = new VolShockRule(relative, Double(v, "up", vp), Double(v, "down", vp), OptionalDouble(v, "referenceDays", vp, 30),
                OptionalDouble(v, "shortTermPower", vp, 0), OptionalDouble(v, "longTermPower", vp, 0), OptionalDouble(v, "minShockedUpVol", vp, 0));
            underlyings[name] = new UnderlyingRiskParameters(Double(u, "priceRange", up), shock, OptionalDouble(u, "shortOptionMinimum", up, 0),
                OptionalDouble(u, "annualisedMoveRisk", up, 0), OptionalDouble(u, "minAnnualisedMove", up, 0));
        }

        var offsets = Array(e, "offsets", path, required: false).Select(o =>
        {
            OnlyKnown(o.Item, o.Path, "underlyings", "creditRate");
            var names = Array(o.Item, "underlyings", o.Path).Select(n => n.Item.ValueKind == JsonValueKind.String ? n.Item.GetString()! : throw new RiskInputException($"{n.Path}: must be a string.")).ToArray();
            return new CorrelationOffset(names, Double(o.Item, "creditRate", o.Path));
        }).ToArray();
        var dynamics = Optional(e, "volatilityDynamics") is null
            ? VolatilityDynamics.StickyStrike
            : Enum(e, "volatilityDynamics", path, ("stickyStrike", VolatilityDynamics.StickyStrike), ("stickyMoneyness", VolatilityDynamics.StickyMoneyness));
        return Build(path, () => new PortfolioMarginParameters(scenarios, underlyings, Double(e, "maintenanceFactor", path),
            OptionalDouble(e, "lookAheadDays", path, 0), dynamics, OptionalDouble(e, "gainFactor", path, 1), offsets));
    }

    private static MoveUnit Unit(JsonElement e, string path) => Optional(e, "unit") is null
        ? MoveUnit.PriceRange
        : Enum(e, "unit", path, ("priceRange", MoveUnit.PriceRange), ("absolute", MoveUnit.Absolute));

    private static VolShockDirection VolOf(JsonElement v, string path) => v.ValueKind == JsonValueKind.String
        ? v.GetString() switch
        {
            "up" => VolShockDirection.Up,
            "down" => VolShockDirection.Down,
            "none" => VolShockDirection.None,
            var other => throw new RiskInputException($"{path}: \"{other}\" is not one of up, none, down."),
        }
        : throw new RiskInputException($"{path}: must be a string (up, none, down).");
}
