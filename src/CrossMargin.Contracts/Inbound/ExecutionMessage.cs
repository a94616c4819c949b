using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>An execution from the matching engine: one account's side of a trade.</summary>
public sealed record ExecutionMessage : AccountMessage<ApplyExecution>
{
    /// <summary>The venue's execution id.</summary>
    public string? ExecutionId { get; set; }

    /// <summary>The order filled.</summary>
    public string? OrderId { get; set; }

    /// <summary>The instrument.</summary>
    public string? Symbol { get; set; }

    /// <summary><c>buy</c> or <c>sell</c>.</summary>
    public string? Side { get; set; }

    /// <summary>Contracts filled, positive.</summary>
    public decimal? Quantity { get; set; }

    /// <summary>Fill price, positive.</summary>
    public decimal? Price { get; set; }

    /// <summary>Fee in the settlement asset; negative for a rebate.</summary>
    public decimal? Fee { get; set; }

    /// <summary><c>maker</c> or <c>taker</c>.</summary>
    public string? Liquidity { get; set; }

    /// <summary>When the venue matched it: from 1970-01-01Z and before 2262-01-01Z (<see cref="FieldCheck.RecordedTime"/>).</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>True for a forced (liquidation) fill.</summary>
    public bool IsLiquidation { get; set; }

    private protected override ApplyExecution Build(FieldCheck check, string messageId, string source, long sequence)
    {
        var execution = check.Id("executionId", ExecutionId);
        var order = check.Id("orderId", OrderId);
        var symbol = check.Id("symbol", Symbol);
        var side = check.Side(Side);
        var quantity = check.Positive("quantity", Quantity);
        var price = check.Positive("price", Price);
        var fee = check.Any("fee", Fee);
        var liquidity = Liquidity switch
        {
            "maker" => Engine.Accounts.Liquidity.Maker,
            "taker" => Engine.Accounts.Liquidity.Taker,
            _ => FailLiquidity(check),
        };
        var timestamp = check.RecordedTime("timestamp", Timestamp);
        return new ApplyExecution(messageId, source, sequence, execution, order, symbol, side, quantity, price, fee, liquidity, timestamp, IsLiquidation);
    }

    private Engine.Accounts.Liquidity FailLiquidity(FieldCheck check)
    {
        check.Fail("liquidity", Liquidity is null ? "is required (maker or taker)." : $"must be maker or taker, not '{Liquidity}'.");
        return Engine.Accounts.Liquidity.Taker;
    }
}
