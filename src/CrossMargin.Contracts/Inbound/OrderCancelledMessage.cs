using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>An open order left the book without (further) fills.</summary>
public sealed record OrderCancelledMessage : AccountMessage<CancelOrder>
{
    /// <summary>The order.</summary>
    public string? OrderId { get; set; }

    private protected override CancelOrder Build(FieldCheck check, string messageId, string source, long sequence) =>
        new(messageId, source, sequence, check.Id("orderId", OrderId));
}
