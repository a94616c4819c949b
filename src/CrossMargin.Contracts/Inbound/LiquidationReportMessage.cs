using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Contracts.Inbound;

/// <summary>The venue's outcome of a liquidation IOC: what filled, at what average price (the rest was cancelled).</summary>
public sealed record LiquidationReportMessage
{
    /// <summary>The liquidation order's id, as issued.</summary>
    public string? OrderId { get; set; }

    /// <summary>Contracts filled, zero or more; required (a missing one must not read as "nothing filled").</summary>
    public decimal? FilledQuantity { get; set; }

    /// <summary>Average fill price, positive; required when something filled, may be left out when nothing did.</summary>
    public decimal? AveragePrice { get; set; }

    /// <summary>Checks the report and builds the coordinator's message, or lists every violation.</summary>
    public ContractResult<LiquidationOrderReport> ToReport()
    {
        var check = new FieldCheck();
        var order = check.Id("orderId", OrderId);
        var filled = FilledQuantity ?? 0m;
        if (FilledQuantity is null)
        {
            check.Fail("filledQuantity", "is required (zero when nothing filled).");
        }
        else if (filled < 0)
        {
            check.Fail("filledQuantity", $"must be zero or more, not {filled}.");
        }

        var price = filled > 0 ? check.Positive("averagePrice", AveragePrice) : AveragePrice ?? 0m;
        if (filled <= 0 && price < 0)
        {
            check.Fail("averagePrice", $"must be zero or more, not {price}.");
        }

        return check.Ok ? new(null, new LiquidationOrderReport(order, filled, price), []) : new(null, null, check.Violations);
    }
}
