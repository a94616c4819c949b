using System.Text.Json;
using CrossMargin.Risk.Portfolios;
using static CrossMargin.Risk.Serialization.JsonFields;

namespace CrossMargin.Risk.Serialization;

/// <summary>Reads a portfolio file (see config/examples/portfolio-*.json and the README).</summary>
public static class PortfolioFile
{
    /// <summary>Reads and checks the portfolio in <paramref name="path"/>.</summary>
    public static Portfolio Load(string path) => Parse(FileText.Read(path, "portfolio"), path);

    /// <summary>Parses and checks a portfolio; <paramref name="source"/> names it in errors.</summary>
    public static Portfolio Parse(string json, string source)
    {
        using var document = JsonFields.Parse(json, source);
        try
        {
            return Read(document.RootElement, "");
        }
        catch (RiskInputException e)
        {
            throw new RiskInputException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Reads the portfolio object <paramref name="root"/> found at <paramref name="path"/> of a larger document.</summary>
    internal static Portfolio Read(JsonElement root, string path)
    {
        OnlyKnown(root, path, "accountId", "balances", "positions", "openOrders");
        var account = String(root, "accountId", path);
        var balances = Array(root, "balances", path).Select(x =>
        {
            OnlyKnown(x.Item, x.Path, "asset", "amount");
            return new CollateralBalance(String(x.Item, "asset", x.Path), Decimal(x.Item, "amount", x.Path));
        }).ToArray();
        var positions = Array(root, "positions", path).Select(x => Position(x.Item, x.Path)).ToArray();
        var orders = Array(root, "openOrders", path, required: false).Select(x => Order(x.Item, x.Path)).ToArray();
        return Build(path, () => new Portfolio(account, balances, positions, orders));
    }

    private static Position Position(JsonElement e, string path)
    {
        OnlyKnown(e, path, "symbol", "quantity", "entryPrice", "isolatedMargin");
        var entry = Decimal(e, "entryPrice", path);
        if (entry < 0)
        {
            throw new RiskInputException($"{path}.entryPrice: must not be negative.");
        }

        var isolated = OptionalDecimal(e, "isolatedMargin", path);
        if (isolated < 0)
        {
            throw new RiskInputException($"{path}.isolatedMargin: must not be negative.");
        }

        return new Position(String(e, "symbol", path), Decimal(e, "quantity", path), entry, isolated);
    }

    private static OpenOrder Order(JsonElement e, string path)
    {
        OnlyKnown(e, path, "orderId", "symbol", "side", "quantity", "price");
        var quantity = Decimal(e, "quantity", path);
        var price = Decimal(e, "price", path);
        if (quantity <= 0)
        {
            throw new RiskInputException($"{path}.quantity: must be positive.");
        }

        if (price <= 0)
        {
            throw new RiskInputException($"{path}.price: must be positive.");
        }

        return new OpenOrder(String(e, "orderId", path), String(e, "symbol", path),
            Enum(e, "side", path, ("buy", OrderSide.Buy), ("sell", OrderSide.Sell)), quantity, price);
    }
}
