using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>Collateral credited by the wallet service.</summary>
public sealed record DepositMessage : AccountMessage<Deposit>
{
    /// <summary>The asset, e.g. USDT or BTC.</summary>
    public string? Asset { get; set; }

    /// <summary>Amount, positive.</summary>
    public decimal? Amount { get; set; }

    private protected override Deposit Build(FieldCheck check, string messageId, string source, long sequence) =>
        new(messageId, source, sequence, check.Id("asset", Asset), check.Positive("amount", Amount));
}
