using System.Text.Json;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using static CrossMargin.Risk.Serialization.JsonFields;

namespace CrossMargin.Risk.Serialization;

/// <summary>Reads a market snapshot file (see config/examples/market.json and the README).</summary>
public static class MarketFile
{
    /// <summary>Reads and checks the snapshot in <paramref name="path"/>.</summary>
    public static MarketSnapshot Load(string path) => Parse(FileText.Read(path, "market"), path);

    /// <summary>Parses and checks a snapshot; <paramref name="source"/> names it in errors.</summary>
    public static MarketSnapshot Parse(string json, string source)
    {
        using var document = JsonFields.Parse(json, source);
        var root = document.RootElement;
        try
        {
            OnlyKnown(root, "", "valuationTime", "assets", "underlyings", "instruments", "marks", "listing");
            var time = Instant(root, "valuationTime", "");
            var assets = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var (asset, value, path) in Map(root, "assets", ""))
            {
                var price = AsDecimal(value, path);
                assets[asset] = price > 0 ? price : throw new RiskInputException($"{path}: price must be positive.");
            }

            var underlyings = Array(root, "underlyings", "").Select(x => Underlying(x.Item, x.Path)).ToArray();
            var instruments = Array(root, "instruments", "").Select(x => Instrument(x.Item, x.Path)).ToArray();
            var marks = Array(root, "marks", "").Select(x => Mark(x.Item, x.Path)).ToArray();
            return Build("", () => new MarketSnapshot(time, instruments, assets, underlyings, marks));
        }
        catch (RiskInputException e)
        {
            throw new RiskInputException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Reads and checks the listing schedules in <paramref name="path"/> (none when it has no <c>listing</c>).</summary>
    public static IReadOnlyList<ListingSchedule> LoadListing(string path) => ParseListing(FileText.Read(path, "market"), path);

    /// <summary>
    /// Parses and checks the file's <c>listing</c>: the schedules by which the venue lists dated contracts as time passes
    /// (see the README). A strike grid is centred on the file's index of its underlying unless it names a reference;
    /// a schedule lists the contracts expiring after the file's valuation time unless it names another <c>after</c>.
    /// <paramref name="source"/> names the file in errors.
    /// </summary>
    public static IReadOnlyList<ListingSchedule> ParseListing(string json, string source)
    {
        var market = Parse(json, source);
        using var document = JsonFields.Parse(json, source);
        var root = document.RootElement;
        try
        {
            var schedules = Array(root, "listing", "", required: false).Select(x => Schedule(x.Item, x.Path, market)).ToArray();
            // Two schedules listing one symbol, or a schedule and the instruments on other terms, are refused now rather
            // than when the contract comes to be listed: over the longest span any schedule covers.
            var span = TimeSpan.FromDays(400 * ListingSchedule.MaxCount / 4);
            var until = schedules.Select(s => s.After).Append(market.ValuationTime).Max() + span;
            Build("", () => ListingSchedule.ContractsUntil(schedules, market.Instruments.Concat(market.ExpiredInstruments), until));
            return schedules;
        }
        catch (RiskInputException e)
        {
            throw new RiskInputException($"{source}: {e.Message}", e);
        }
    }

    private static ListingSchedule Schedule(JsonElement e, string path, MarketSnapshot market)
    {
        OnlyKnown(e, path, "type", "underlying", "quote", "settlement", "contractSize", "tickSize", "lotSize", "cycle", "count", "after", "strikes");
        var options = Enum(e, "type", path, ("future", false), ("option", true));
        var underlying = String(e, "underlying", path);
        var quote = String(e, "quote", path);
        var settlement = Enum(e, "settlement", path, ("linear", SettlementKind.Linear), ("inverse", SettlementKind.Inverse));
        if (!market.UnderlyingMarkets.Any(u => u.Name == underlying))
        {
            throw new RiskInputException($"{path}.underlying: {underlying} has no entry in underlyings (its forwards and rate).");
        }

        foreach (var asset in new[] { underlying, quote })
        {
            if (!market.HasPrice(asset))
            {
                throw new RiskInputException($"{path}: asset {asset} has no price in assets.");
            }
        }

        var cycle = Enum(e, "cycle", path, ("monthly", ListingCycle.Monthly), ("quarterly", ListingCycle.Quarterly));
        var countValue = Required(e, "count", path);
        if (countValue.ValueKind != JsonValueKind.Number || !countValue.TryGetInt32(out var count))
        {
            throw new RiskInputException($"{path}.count: must be a whole number of expiries.");
        }

        var after = Optional(e, "after") is null ? market.ValuationTime : Instant(e, "after", path);
        OptionStrikes? strikes = null;
        if (Optional(e, "strikes") is { } grid)
        {
            var at = path + ".strikes";
            if (!options)
            {
                throw new RiskInputException($"{at}: only an option schedule has strikes.");
            }

            OnlyKnown(grid, at, "step", "eachSide", "reference", "openingVol");
            var eachSide = Required(grid, "eachSide", at);
            if (eachSide.ValueKind != JsonValueKind.Number || !eachSide.TryGetInt32(out var sides))
            {
                throw new RiskInputException($"{at}.eachSide: must be a whole number of strikes.");
            }

            strikes = new OptionStrikes(OptionalDecimal(grid, "reference", at) ?? market.PriceOf(underlying), Decimal(grid, "step", at), sides, Double(grid, "openingVol", at));
        }
        else if (options)
        {
            throw new RiskInputException($"{path}.strikes: an option schedule needs its strike grid (step, eachSide, openingVol).");
        }

        var lot = OptionalDecimal(e, "lotSize", path) ?? Instruments.Instrument.DefaultLotSize;
        return Build(path, () => new ListingSchedule(underlying, quote, settlement, Decimal(e, "contractSize", path), Decimal(e, "tickSize", path), cycle, count, after, strikes)
        {
            LotSize = lot,
        });
    }

    private static UnderlyingMarket Underlying(JsonElement e, string path)
    {
        OnlyKnown(e, path, "name", "rate", "forwards");
        var name = String(e, "name", path);
        var rate = OptionalDouble(e, "rate", path, 0);
        var forwards = Array(e, "forwards", path, required: false).Select(f =>
        {
            OnlyKnown(f.Item, f.Path, "expiry", "price");
            return new ForwardPoint(Instant(f.Item, "expiry", f.Path), Decimal(f.Item, "price", f.Path));
        }).ToArray();
        return Build(path, () => new UnderlyingMarket(name, rate, forwards));
    }

    private static Instrument Instrument(JsonElement e, string path)
    {
        OnlyKnown(e, path, "symbol", "type", "underlying", "quote", "settlement", "contractSize", "tickSize", "lotSize", "expiry", "optionKind", "strike");
        var symbol = String(e, "symbol", path);
        var type = Enum(e, "type", path, ("perpetual", 0), ("future", 1), ("option", 2));
        var underlying = String(e, "underlying", path);
        var quote = String(e, "quote", path);
        var settlement = Enum(e, "settlement", path, ("linear", SettlementKind.Linear), ("inverse", SettlementKind.Inverse));
        var settlementAsset = settlement == SettlementKind.Linear ? quote : underlying;
        var size = Decimal(e, "contractSize", path);
        var tick = Decimal(e, "tickSize", path);
        var lot = OptionalDecimal(e, "lotSize", path) ?? Instruments.Instrument.DefaultLotSize;
        return type switch
        {
            0 => Build<Instrument>(path, () => new Perpetual(symbol, underlying, quote, settlementAsset, settlement, size, tick) { LotSize = lot }),
            1 => Build<Instrument>(path, () => new Future(symbol, underlying, quote, settlementAsset, settlement, size, tick, Instant(e, "expiry", path)) { LotSize = lot }),
            _ => Build<Instrument>(path, () => new OptionContract(symbol, underlying, quote, settlementAsset, settlement, size, tick,
                Instant(e, "expiry", path), Enum(e, "optionKind", path, ("call", OptionKind.Call), ("put", OptionKind.Put)), Decimal(e, "strike", path)) { LotSize = lot }),
        };
    }

    private static InstrumentMark Mark(JsonElement e, string path)
    {
        OnlyKnown(e, path, "symbol", "price", "vol");
        var price = Decimal(e, "price", path);
        if (price < 0)
        {
            throw new RiskInputException($"{path}.price: must not be negative.");
        }

        double? vol = Optional(e, "vol") is { } v ? AsDouble(v, path + ".vol") : null;
        if (vol is <= 0 or > 10)
        {
            throw new RiskInputException($"{path}.vol: {vol} must be above 0 and at most 10 (1000%).");
        }

        return new InstrumentMark(String(e, "symbol", path), price, vol);
    }
}
