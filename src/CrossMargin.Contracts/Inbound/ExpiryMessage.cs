using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>
/// The cash settlement of the account's holding in an expired dated future or option at the venue's settlement price of
/// its underlying: the position is paid out and ends, and orders resting in the instrument are dropped.
/// </summary>
public sealed record ExpiryMessage : AccountMessage<SettleExpiry>
{
    /// <summary>The expired future or option.</summary>
    public string? Symbol { get; set; }

    /// <summary>The underlying's settlement (delivery) price in the instrument's quote asset per unit of underlying, positive.</summary>
    public decimal? SettlementPrice { get; set; }

    private protected override SettleExpiry Build(FieldCheck check, string messageId, string source, long sequence) =>
        new(messageId, source, sequence, check.Id("symbol", Symbol), check.Positive("settlementPrice", SettlementPrice));
}
