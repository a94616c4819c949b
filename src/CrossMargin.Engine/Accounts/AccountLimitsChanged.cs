namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Published on the event stream when an account's available margin changes (in USD, or in any settlement asset
/// because its price moved): what the matching engine may let the account commit to new orders. After a mark, the
/// accounts a re-margin pass margins have theirs published together in an <see cref="AccountLimitsBatch"/>.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="AvailableUsd">Equity less initial margin, USD (negative in a margin call).</param>
/// <param name="AvailableBySettlementAsset">
/// For each settlement asset of the market's instruments: <paramref name="AvailableUsd"/> / the asset's price, rounded
/// down to 1e-8 (never in the account's favour).
/// </param>
public sealed record AccountLimitsChanged(string AccountId, decimal AvailableUsd, IReadOnlyDictionary<string, decimal> AvailableBySettlementAsset)
{
    /// <summary>True when both carry the same numbers (records compare dictionaries by reference).</summary>
    public bool SameNumbersAs(AccountLimitsChanged? other) =>
        other is not null
        && other.AvailableUsd == AvailableUsd
        && other.AvailableBySettlementAsset.Count == AvailableBySettlementAsset.Count
        && AvailableBySettlementAsset.All(kv => other.AvailableBySettlementAsset.TryGetValue(kv.Key, out var amount) && amount == kv.Value);
}
