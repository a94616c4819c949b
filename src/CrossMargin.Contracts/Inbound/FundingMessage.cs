using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>A perpetual's funding settlement for the account's position: longs pay a positive rate.</summary>
public sealed record FundingMessage : AccountMessage<SettleFunding>
{
    /// <summary>The perpetual.</summary>
    public string? Symbol { get; set; }

    /// <summary>Funding rate for the interval, e.g. 0.0001.</summary>
    public decimal? Rate { get; set; }

    /// <summary>Mark price the payment is computed at, positive.</summary>
    public decimal? MarkPrice { get; set; }

    /// <summary>
    /// The position (signed contracts: negative for a short) the venue settled the funding on, at the funding time;
    /// optional. When given the payment is computed on it, so that a fill reaching the account before or after the
    /// funding message, whichever side of the funding time it traded, cannot make the two books differ; when absent, on
    /// the position the account holds when the message is applied.
    /// </summary>
    public decimal? PositionQuantity { get; set; }

    private protected override SettleFunding Build(FieldCheck check, string messageId, string source, long sequence) =>
        new(messageId, source, sequence, check.Id("symbol", Symbol), check.Any("rate", Rate), check.Positive("markPrice", MarkPrice), PositionQuantity);
}
