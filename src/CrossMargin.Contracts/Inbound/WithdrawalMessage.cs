using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>A withdrawal request; refused when it would leave equity below initial margin.</summary>
public sealed record WithdrawalMessage : AccountMessage<Withdraw>
{
    /// <summary>The asset.</summary>
    public string? Asset { get; set; }

    /// <summary>Amount, positive.</summary>
    public decimal? Amount { get; set; }

    private protected override Withdraw Build(FieldCheck check, string messageId, string source, long sequence) =>
        new(messageId, source, sequence, check.Id("asset", Asset), check.Positive("amount", Amount));
}
