using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>An order resting on the book: open orders count toward initial margin until filled or cancelled.</summary>
public sealed record OrderAcceptedMessage : AccountMessage<AcceptOrder>
{
    /// <summary>The order.</summary>
    public string? OrderId { get; set; }

    /// <summary>The instrument.</summary>
    public string? Symbol { get; set; }

    /// <summary><c>buy</c> or <c>sell</c>.</summary>
    public string? Side { get; set; }

    /// <summary>Open contracts, positive.</summary>
    public decimal? Quantity { get; set; }

    /// <summary>Limit price, positive.</summary>
    public decimal? Price { get; set; }

    private protected override AcceptOrder Build(FieldCheck check, string messageId, string source, long sequence) =>
        new(messageId, source, sequence, check.Id("orderId", OrderId), check.Id("symbol", Symbol), check.Side(Side),
            check.Positive("quantity", Quantity), check.Positive("price", Price));
}
