namespace CrossMargin.Risk.Liquidation;

/// <summary>One movement (or event) in the insurance fund's history.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Asset">The asset that moved ("USD" for an auto-deleverage, where nothing moves).</param>
/// <param name="Amount">Units of <paramref name="Asset"/>: received for a fee, paid for a cover, uncovered for ADL; positive.</param>
/// <param name="AmountUsd">The same in USD at the market the caller gave (the fee's own USD amount for a fee).</param>
/// <param name="AccountId">The liquidated account.</param>
/// <param name="LiquidationId">The liquidation it belongs to.</param>
/// <param name="Time">When, as the caller says (the fund has no clock).</param>
public sealed record InsuranceFundEntry(
    InsuranceFundEntryKind Kind, string Asset, decimal Amount, decimal AmountUsd, string AccountId, string LiquidationId, DateTimeOffset Time);
