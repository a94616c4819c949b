using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>A hypothetical order to check before it goes to the book: answered from memory, nothing is written.</summary>
public sealed record PreTradeMessage
{
    /// <summary>An id for the check (echoed in logs).</summary>
    public string? MessageId { get; set; }

    /// <summary>The account.</summary>
    public string? AccountId { get; set; }

    /// <summary>The instrument.</summary>
    public string? Symbol { get; set; }

    /// <summary><c>buy</c> or <c>sell</c>.</summary>
    public string? Side { get; set; }

    /// <summary>Contracts, positive.</summary>
    public decimal? Quantity { get; set; }

    /// <summary>Limit price, positive.</summary>
    public decimal? Price { get; set; }

    /// <summary>Expected fee in the settlement asset (zero when absent).</summary>
    public decimal? Fee { get; set; }

    /// <summary>Checks the message and builds the query.</summary>
    public ContractResult<CheckPreTrade> ToQuery()
    {
        var check = new FieldCheck();
        var id = check.Id("messageId", MessageId);
        var account = check.Id("accountId", AccountId);
        var query = new CheckPreTrade(id, check.Id("symbol", Symbol), check.Side(Side), check.Positive("quantity", Quantity),
            check.Positive("price", Price), Fee ?? 0m);
        return check.Ok ? new(account, query, []) : new(null, null, check.Violations);
    }
}
