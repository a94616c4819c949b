using System.Collections.Immutable;
using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// The insurance fund's ledger: a balance per asset and the history of what moved it. Immutable: every operation
/// returns a new fund, so the actor that owns it can persist the entry, then swap the state, and a replay of the
/// entries rebuilds it exactly. No balance ever goes negative.
/// </summary>
/// <remarks>
/// A deficit (USD) is paid from the assets in ordinal order of their code, each valued at the market the caller gives;
/// assets the market has no price for are not used. Given the bankrupt account's collateral rules, the assets they
/// haircut least are paid first (ordinal order among equals), and an asset they do not count is not paid at all: the
/// deficit is measured on the account's collateral value, so a cover paid in a haircut asset adds less than it costs the
/// fund (the next cover makes up the difference and the account keeps it), and one paid in an asset it cannot count adds
/// nothing. The rate that orders them is the one the account's next unit of each asset is credited at: given its
/// holdings, the tier its whole holding of the asset has reached (an account holding 1.2 M USD of BTC gets its next BTC
/// at the second tier's rate), and none on an asset it owes (repaid at full value, and paid first among equals: a debt
/// left in a coin would make the account bankrupt again as the coin rose); without them, each first tier. The last asset pays the remainder divided by its price, rounded up
/// to 1e-8 (the fund rather than the account absorbs the rounding), but never more than its balance. Whatever cannot be
/// paid is reported as uncovered and recorded as an <see cref="InsuranceFundEntryKind.AutoDeleverageTriggered"/> entry.
/// </remarks>
public sealed class InsuranceFund
{
    private readonly ImmutableSortedDictionary<string, decimal> _balances;
    private readonly ImmutableList<InsuranceFundEntry> _history;

    /// <summary>A fund holding <paramref name="balances"/> (zero or positive) with no history.</summary>
    public InsuranceFund(IReadOnlyDictionary<string, decimal> balances)
        : this(Validate(balances), ImmutableList<InsuranceFundEntry>.Empty)
    {
    }

    private InsuranceFund(ImmutableSortedDictionary<string, decimal> balances, ImmutableList<InsuranceFundEntry> history)
    {
        _balances = balances;
        _history = history;
    }

    /// <summary>A fund with nothing in it.</summary>
    public static InsuranceFund Empty { get; } = new(new Dictionary<string, decimal>());

    /// <summary>Balances by asset, in ordinal order of the asset.</summary>
    public IReadOnlyDictionary<string, decimal> Balances => _balances;

    /// <summary>Every entry, oldest first.</summary>
    public IReadOnlyList<InsuranceFundEntry> History => _history;

    /// <summary>Units of <paramref name="asset"/> held (zero when none).</summary>
    public decimal BalanceOf(string asset) => _balances.GetValueOrDefault(asset);

    /// <summary>The fund's USD value at <paramref name="market"/>; assets without a price count as nothing.</summary>
    public decimal ValueUsd(MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return _balances.Where(b => market.HasPrice(b.Key)).Sum(b => b.Value * market.PriceOf(b.Key));
    }

    /// <summary>The fund after receiving <paramref name="fee"/> from <paramref name="accountId"/>.</summary>
    public InsuranceFund CollectFee(LiquidationFee fee, string accountId, string liquidationId, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(fee);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(liquidationId);
        ArgumentOutOfRangeException.ThrowIfNegative(fee.Amount);
        if (fee.Amount == 0)
        {
            return this;
        }

        return new InsuranceFund(
            _balances.SetItem(fee.Asset, BalanceOf(fee.Asset) + fee.Amount),
            _history.Add(new InsuranceFundEntry(InsuranceFundEntryKind.FeeCollected, fee.Asset, fee.Amount, fee.AmountUsd, accountId, liquidationId, time)));
    }

    /// <summary>Pays as much of <paramref name="deficitUsd"/> (zero or positive) as the fund can; see the type's remarks.</summary>
    public InsuranceFundCoverage Cover(decimal deficitUsd, MarketSnapshot market, string accountId, string liquidationId, DateTimeOffset time) =>
        Cover(deficitUsd, market, accountId, liquidationId, time, collateral: null);

    /// <summary>
    /// Pays as much of <paramref name="deficitUsd"/> (zero or positive) as the fund can, in the assets
    /// <paramref name="collateral"/> (the account's rules; null: none) haircuts least first; see the type's remarks.
    /// </summary>
    public InsuranceFundCoverage Cover(decimal deficitUsd, MarketSnapshot market, string accountId, string liquidationId, DateTimeOffset time,
        CollateralSchedule? collateral) =>
        Cover(deficitUsd, market, accountId, liquidationId, time, collateral, holdings: null);

    /// <summary>
    /// Pays as much of <paramref name="deficitUsd"/> (zero or positive) as the fund can, in the assets whose next unit
    /// <paramref name="collateral"/> (the account's rules; null: none) haircuts least given the account's
    /// <paramref name="holdings"/> (null: first tiers), an asset it owes first among equals; see the type's remarks.
    /// </summary>
    public InsuranceFundCoverage Cover(decimal deficitUsd, MarketSnapshot market, string accountId, string liquidationId, DateTimeOffset time,
        CollateralSchedule? collateral, IReadOnlyList<CollateralBalance>? holdings)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(liquidationId);
        ArgumentOutOfRangeException.ThrowIfNegative(deficitUsd);
        var balances = _balances;
        var history = _history;
        var payments = new List<(string Asset, decimal Amount)>();
        var remaining = deficitUsd;
        foreach (var (asset, balance) in PaymentOrder(collateral, holdings, market))
        {
            if (remaining == 0)
            {
                break;
            }

            if (balance <= 0 || !market.HasPrice(asset))
            {
                continue;
            }

            var price = market.PriceOf(asset);
            var value = balance * price;
            decimal amount;
            decimal covered;
            if (value <= remaining)
            {
                amount = balance;
                covered = value;
            }
            else
            {
                amount = Math.Min(balance, Math.Ceiling(remaining / price / LedgerRounding.Unit) * LedgerRounding.Unit);
                covered = Math.Min(remaining, amount * price);
            }

            remaining -= covered;
            balances = balances.SetItem(asset, balance - amount);
            payments.Add((asset, amount));
            history = history.Add(new InsuranceFundEntry(InsuranceFundEntryKind.DeficitCovered, asset, amount, covered, accountId, liquidationId, time));
        }

        if (remaining > 0)
        {
            history = history.Add(new InsuranceFundEntry(InsuranceFundEntryKind.AutoDeleverageTriggered, "USD", remaining, remaining, accountId, liquidationId, time));
        }

        return new InsuranceFundCoverage(new InsuranceFund(balances, history), deficitUsd - remaining, remaining, payments);
    }

    private IEnumerable<KeyValuePair<string, decimal>> PaymentOrder(CollateralSchedule? collateral, IReadOnlyList<CollateralBalance>? holdings,
        MarketSnapshot market)
    {
        if (collateral is null)
        {
            return _balances;
        }

        // The rate the account's next unit of each asset is credited at: the tiers apply to its whole holding of the
        // asset (so an account already holding much of one is in a higher tier of it), and a debt is repaid at full value.
        var held = holdings?.Where(h => market.HasPrice(h.Asset)).GroupBy(h => h.Asset, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(h => h.Amount) * market.PriceOf(g.Key), StringComparer.Ordinal);
        var heldUsd = (string asset) => held?.GetValueOrDefault(asset) ?? 0m;
        return _balances
            .Where(b => collateral.Rules.TryGetValue(b.Key, out var rule) && NextUnitHaircut(rule, heldUsd(b.Key)) < 1)
            .OrderBy(b => NextUnitHaircut(collateral.Rules[b.Key], heldUsd(b.Key)))
            .ThenBy(b => heldUsd(b.Key) < 0 ? 0 : 1)
            .ThenBy(b => b.Key, StringComparer.Ordinal);
    }

    private static decimal NextUnitHaircut(CollateralRule rule, decimal heldUsd)
    {
        if (heldUsd < 0)
        {
            return 0m;
        }

        foreach (var tier in rule.Tiers)
        {
            if (tier.UpToValueUsd is not { } upper || heldUsd < upper)
            {
                return tier.Haircut;
            }
        }

        return rule.Tiers[^1].Haircut;
    }

    private static ImmutableSortedDictionary<string, decimal> Validate(IReadOnlyDictionary<string, decimal> balances)
    {
        ArgumentNullException.ThrowIfNull(balances);
        foreach (var (asset, amount) in balances)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(asset, nameof(balances));
            if (amount < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(balances), amount, $"The insurance fund's {asset} balance must not be negative.");
            }
        }

        return balances.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }
}
