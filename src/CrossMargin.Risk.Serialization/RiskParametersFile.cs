using System.Text.Json;
using System.Globalization;
using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Simm;
using CrossMargin.Risk.Stress;
using static CrossMargin.Risk.Serialization.JsonFields;

namespace CrossMargin.Risk.Serialization;

/// <summary>Reads a risk parameter file (config/risk/*.json).</summary>
public static class RiskParametersFile
{
    /// <summary>Reads and checks the parameters in <paramref name="path"/>.</summary>
    public static RiskParameters Load(string path) => Parse(FileText.Read(path, "risk parameter"), path);

    /// <summary>
    /// Parses and checks parameters; <paramref name="source"/> names them in errors, and a relative price-history path
    /// is read from <paramref name="directory"/> (default: the directory of <paramref name="source"/>).
    /// </summary>
    public static RiskParameters Parse(string json, string source, string? directory = null)
    {
        using var document = JsonFields.Parse(json, source);
        var root = document.RootElement;
        try
        {
            OnlyKnown(root, "", "model", "description", "collateral", "standard", "portfolio", "simm", "historical", "composite", "stress");
            var model = String(root, "model", "");
            if (!RiskParameters.ModelNames.Contains(model))
            {
                throw new RiskInputException($"model: \"{model}\" is not one of {string.Join(", ", RiskParameters.ModelNames)}.");
            }

            var description = Optional(root, "description") is { ValueKind: JsonValueKind.String } d ? d.GetString()! : "";
            var collateral = Build("collateral", () => new CollateralSchedule(Array(root, "collateral", "").Select(x => Rule(x.Item, x.Path)).ToArray()));
            var standard = Standard(Required(root, "standard", ""), "standard");
            var portfolio = Optional(root, "portfolio") is { } pe ? Portfolio(pe, "portfolio") : null;
            var simm = Optional(root, "simm") is { } se ? Simm(se, "simm") : null;
            var historical = Optional(root, "historical") is { } he ? Historical(he, "historical", directory ?? Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".") : null;
            var composite = Array(root, "composite", "", required: false).Select(c => c.Item.ValueKind == JsonValueKind.String && c.Item.GetString() is { } n && n is not ("composite" or "")
                ? n : throw new RiskInputException($"{c.Path}: must be a model name other than composite.")).ToArray();
            var stress = Optional(root, "stress") is { } st ? StressScenarios(st, "stress") : [];
            var parameters = new RiskParameters(description, collateral, standard, portfolio, simm, historical, composite.Length > 0 ? composite : null, stress, model);
            foreach (var name in composite.Append(model).Distinct(StringComparer.Ordinal))
            {
                if (!parameters.AvailableModels.Contains(name))
                {
                    throw new RiskInputException(name == "composite" ? "composite: required when model is composite (the models to take the max of)." : $"{(name == model ? "model" : "composite")}: {name} needs a \"{(name is "var" or "es" ? "historical" : name)}\" section.");
                }
            }

            return parameters;
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

    private static SimmParameters Simm(JsonElement e, string path)
    {
        OnlyKnown(e, path, "maintenanceFactor", "buckets", "underlyings", "defaultBucket", "interBucket", "defaultInterBucketCorrelation", "historicalVolatilityRatio");
        var buckets = Array(e, "buckets", path).Select(b =>
        {
            OnlyKnown(b.Item, b.Path, "name", "deltaRiskWeight", "vegaRiskWeight", "correlation", "deltaThreshold", "vegaThreshold", "residual");
            return new SimmBucket(String(b.Item, "name", b.Path), Double(b.Item, "deltaRiskWeight", b.Path), Double(b.Item, "vegaRiskWeight", b.Path),
                Double(b.Item, "correlation", b.Path), Double(b.Item, "deltaThreshold", b.Path), Double(b.Item, "vegaThreshold", b.Path),
                OptionalBool(b.Item, "residual", b.Path));
        }).ToArray();
        var underlyings = Map(e, "underlyings", path).ToDictionary(
            m => m.Key, m => m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw new RiskInputException($"{m.Path}: must be a bucket name."), StringComparer.Ordinal);
        var gammas = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (g, gp) in Array(e, "interBucket", path, required: false))
        {
            OnlyKnown(g, gp, "buckets", "correlation");
            var pair = Array(g, "buckets", gp).Select(x => x.Item.ValueKind == JsonValueKind.String ? x.Item.GetString()! : throw new RiskInputException($"{x.Path}: must be a bucket name.")).ToArray();
            if (pair.Length != 2)
            {
                throw new RiskInputException($"{gp}.buckets: must name exactly two buckets.");
            }

            gammas[$"{pair[0]}|{pair[1]}"] = Double(g, "correlation", gp);
        }

        var defaultBucket = Optional(e, "defaultBucket") is not null ? String(e, "defaultBucket", path) : null;
        return Build(path, () => new SimmParameters(buckets, underlyings, gammas, OptionalDouble(e, "defaultInterBucketCorrelation", path, 0),
            defaultBucket, Double(e, "maintenanceFactor", path), OptionalDouble(e, "historicalVolatilityRatio", path, 1)).Validate());
    }

    private static HistoricalSettings Historical(JsonElement e, string path, string directory)
    {
        OnlyKnown(e, path, "history", "varConfidence", "esConfidence", "horizonDays", "horizon", "lookbackDays", "ewmaLambda", "stressedPeriod", "maintenanceFactor");
        var file = String(e, "history", path);
        var horizon = Optional(e, "horizon") is null
            ? HorizonMethod.SquareRootOfTime
            : Enum(e, "horizon", path, ("squareRootOfTime", HorizonMethod.SquareRootOfTime), ("overlapping", HorizonMethod.OverlappingWindows));
        DateOnly? from = null, to = null;
        if (Optional(e, "stressedPeriod") is { } sp)
        {
            var spp = Join(path, "stressedPeriod");
            OnlyKnown(sp, spp, "from", "to");
            from = Date(sp, "from", spp);
            to = Date(sp, "to", spp);
        }

        var parameters = Build(path, () => new HistoricalSimulationParameters(RiskMeasure.ExpectedShortfall,
            OptionalDouble(e, "varConfidence", path, 0.99), OptionalDouble(e, "esConfidence", path, 0.975), Int(e, "horizonDays", path, 1), horizon,
            Int(e, "lookbackDays", path, 500), Optional(e, "ewmaLambda") is null ? null : Double(e, "ewmaLambda", path), from, to,
            Double(e, "maintenanceFactor", path)).Validate());
        var historyPath = Path.IsPathRooted(file) ? file : Path.Combine(directory, file);
        var history = PriceHistoryFile.Load(historyPath);
        // Build the scenarios once here so a lookback or stressed period the history cannot serve fails at load.
        _ = Build(path, () => new HistoricalSimulationModel(parameters, history));
        return new HistoricalSettings(parameters, history, historyPath);
    }

    private static StressScenario[] StressScenarios(JsonElement e, string path)
    {
        OnlyKnown(e, path, "scenarios");
        return Array(e, "scenarios", path).Select(s =>
        {
            OnlyKnown(s.Item, s.Path, "name", "shocks", "follows", "otherSpotMove", "otherVolShift");
            var shocks = Array(s.Item, "shocks", s.Path).Select(x =>
            {
                OnlyKnown(x.Item, x.Path, "underlying", "spotMove", "volShift");
                return new UnderlyingShock(String(x.Item, "underlying", x.Path), Double(x.Item, "spotMove", x.Path), OptionalDouble(x.Item, "volShift", x.Path, 0));
            }).ToArray();
            var follows = Array(s.Item, "follows", s.Path, required: false).Select(x =>
            {
                OnlyKnown(x.Item, x.Path, "underlying", "leader", "beta", "volShift");
                return new CorrelatedMove(String(x.Item, "underlying", x.Path), String(x.Item, "leader", x.Path), Double(x.Item, "beta", x.Path),
                    Optional(x.Item, "volShift") is null ? null : Double(x.Item, "volShift", x.Path));
            }).ToArray();
            var scenario = new StressScenario(String(s.Item, "name", s.Path), shocks, follows, OptionalDouble(s.Item, "otherSpotMove", s.Path, 0), OptionalDouble(s.Item, "otherVolShift", s.Path, 0));
            _ = Build(s.Path, scenario.ToShock);
            return scenario;
        }).ToArray();
    }

    private static int Int(JsonElement e, string name, string path, int fallback)
    {
        if (Optional(e, name) is not { } v)
        {
            return fallback;
        }

        var d = AsDouble(v, Join(path, name));
        return d == Math.Floor(d) && d is >= 1 and <= int.MaxValue ? (int)d : throw new RiskInputException($"{Join(path, name)}: must be a positive whole number.");
    }

    private static DateOnly Date(JsonElement e, string name, string path)
    {
        var text = String(e, name, path);
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new RiskInputException($"{Join(path, name)}: \"{text}\" is not a date (yyyy-MM-dd).");
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
