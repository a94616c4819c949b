namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Settle a perpetual's funding against the position the venue states, or else the account's position (a no-op payment
/// when it holds none).
/// </summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Symbol">A perpetual.</param>
/// <param name="Rate">Rate per settlement, at most <see cref="Risk.Ledger.FundingPayment.MaxAbsoluteRate"/> in magnitude.</param>
/// <param name="MarkPrice">The funding reference price, positive.</param>
/// <param name="PositionQuantity">
/// The position (signed contracts) the venue settled the funding on, at the funding time; null for the position the
/// account holds when the message is applied. Stated, it is what the payment is computed on: a fill from another source
/// may reach the account before or after the funding message, whatever side of the funding time it traded.
/// </param>
public sealed record SettleFunding(string MessageId, string Source, long Sequence, string Symbol, decimal Rate, decimal MarkPrice,
    decimal? PositionQuantity = null) : IAccountCommand;
