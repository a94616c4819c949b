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
            OnlyKnown(root, "", "valuationTime", "assets", "underlyings", "instruments", "marks");
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
        OnlyKnown(e, path, "symbol", "type", "underlying", "quote", "settlement", "contractSize", "tickSize", "expiry", "optionKind", "strike");
        var symbol = String(e, "symbol", path);
        var type = Enum(e, "type", path, ("perpetual", 0), ("future", 1), ("option", 2));
        var underlying = String(e, "underlying", path);
        var quote = String(e, "quote", path);
        var settlement = Enum(e, "settlement", path, ("linear", SettlementKind.Linear), ("inverse", SettlementKind.Inverse));
        var settlementAsset = settlement == SettlementKind.Linear ? quote : underlying;
        var size = Decimal(e, "contractSize", path);
        var tick = Decimal(e, "tickSize", path);
        return type switch
        {
            0 => Build<Instrument>(path, () => new Perpetual(symbol, underlying, quote, settlementAsset, settlement, size, tick)),
            1 => Build<Instrument>(path, () => new Future(symbol, underlying, quote, settlementAsset, settlement, size, tick, Instant(e, "expiry", path))),
            _ => Build<Instrument>(path, () => new OptionContract(symbol, underlying, quote, settlementAsset, settlement, size, tick,
                Instant(e, "expiry", path), Enum(e, "optionKind", path, ("call", OptionKind.Call), ("put", OptionKind.Put)), Decimal(e, "strike", path))),
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
