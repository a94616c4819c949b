namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Published on the event stream by a re-margin pass: the <see cref="AccountLimitsChanged"/> of up to
/// <see cref="MaxCount"/> accounts whose limits one market change moved, in one message instead of one per account.
/// Carries exactly what those facts would (<see cref="At"/> and <see cref="Changes"/> give them back), so a subscriber
/// to account limits subscribes to both types; accounts changed by their own commands still publish
/// <see cref="AccountLimitsChanged"/> one by one.
/// </summary>
/// <remarks>
/// A pass's batch keeps each account's USD figure and the snapshot's <see cref="SettlementPrices"/> (immutable, shared by
/// every batch of the move) rather than the amounts in each asset: those follow from the two, so <see cref="At"/> states
/// them when asked. At 1,000,000 accounts the amounts' own arrays were 48 of the 72 bytes a move allocated per account
/// (a gen0 GC or two per move), and working them out took ~8-15% of the pass.
/// </remarks>
public sealed class AccountLimitsBatch
{
    /// <summary>The most accounts one batch carries (so that its arrays stay small objects).</summary>
    public const int MaxCount = 1_024;

    private readonly string[] _accountIds;
    private readonly decimal[] _availableUsd;
    private readonly string[] _assets;
    // Either the amounts themselves, or the prices they are stated at (a pass's batch).
    private readonly decimal[]? _amounts;
    private readonly SettlementPrices? _settlement;

    /// <summary>A batch over the given arrays, which it keeps: the caller must not change them afterwards.</summary>
    /// <param name="accountIds">The accounts.</param>
    /// <param name="availableUsd">Each account's available margin, USD.</param>
    /// <param name="assets">The settlement assets, ordinally sorted.</param>
    /// <param name="amounts">Each account's amounts, one row of <paramref name="assets"/>' length per account.</param>
    public AccountLimitsBatch(string[] accountIds, decimal[] availableUsd, string[] assets, decimal[] amounts)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        ArgumentNullException.ThrowIfNull(availableUsd);
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(amounts);
        if (availableUsd.Length != accountIds.Length || amounts.Length != accountIds.Length * assets.Length)
        {
            throw new ArgumentException("One available amount per account and one row of amounts per account are required.", nameof(amounts));
        }

        (_accountIds, _availableUsd, _assets, _amounts) = (accountIds, availableUsd, assets, amounts);
    }

    /// <summary>A pass's batch over the given arrays, which it keeps: each account's amounts are those of its available USD at <paramref name="settlement"/>.</summary>
    internal AccountLimitsBatch(string[] accountIds, decimal[] availableUsd, SettlementPrices settlement)
    {
        if (availableUsd.Length != accountIds.Length)
        {
            throw new ArgumentException("One available amount per account is required.", nameof(availableUsd));
        }

        (_accountIds, _availableUsd, _assets, _settlement) = (accountIds, availableUsd, settlement.Assets, settlement);
    }

    /// <summary>How many accounts the batch carries.</summary>
    public int Count => _accountIds.Length;

    /// <summary>The account at <paramref name="index"/>.</summary>
    public string AccountIdAt(int index) => _accountIds[index];

    /// <summary>The limits fact of the account at <paramref name="index"/>, as it would have been published alone.</summary>
    public AccountLimitsChanged At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var amounts = _settlement is not null ? _settlement.AmountsOf(_availableUsd[index])
            : _amounts.AsSpan(index * _assets.Length, _assets.Length).ToArray();
        return new AccountLimitsChanged(_accountIds[index], _availableUsd[index], new AssetAmounts(_assets, amounts));
    }

    /// <summary>Every account's limits fact, in the batch's order.</summary>
    public IEnumerable<AccountLimitsChanged> Changes()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return At(i);
        }
    }
}
