namespace CrossMargin.Engine.Accounts;

/// <summary>Settle a perpetual's funding against the account's position (a no-op payment when it holds none).</summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Symbol">A perpetual.</param>
/// <param name="Rate">Rate per settlement, at most <see cref="Risk.Ledger.FundingPayment.MaxAbsoluteRate"/> in magnitude.</param>
/// <param name="MarkPrice">The funding reference price, positive.</param>
public sealed record SettleFunding(string MessageId, string Source, long Sequence, string Symbol, decimal Rate, decimal MarkPrice)
    : IAccountCommand;
