namespace CrossMargin.Risk.Collateral;

/// <summary>
/// How one asset counts as collateral: size tiers applied marginally, like tax brackets, so that a larger balance
/// never counts for less than a smaller one and value is continuous at tier edges.
/// </summary>
public sealed record CollateralRule
{
    /// <summary>Creates a rule; tiers must have increasing bounds, haircuts within [0, 1], and end unbounded.</summary>
    public CollateralRule(string asset, IReadOnlyList<HaircutTier> tiers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(asset);
        if (tiers.Count == 0 || tiers[^1].UpToValueUsd is not null)
        {
            throw new ArgumentException($"Collateral {asset}: the last haircut tier must be unbounded (no upToValueUsd).", nameof(tiers));
        }

        decimal previous = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            if (tier.Haircut is < 0 or > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(tiers), $"Collateral {asset}: tier {i} haircut {tier.Haircut} must be between 0 and 1.");
            }

            if (i < tiers.Count - 1 && (tier.UpToValueUsd is not { } bound || bound <= previous))
            {
                throw new ArgumentException($"Collateral {asset}: tier {i} bound must be above {previous}.", nameof(tiers));
            }

            previous = tier.UpToValueUsd ?? previous;
        }

        Asset = asset;
        Tiers = tiers;
    }

    /// <summary>The asset's code.</summary>
    public string Asset { get; }

    /// <summary>Size tiers in increasing order; the last is unbounded.</summary>
    public IReadOnlyList<HaircutTier> Tiers { get; }

    /// <summary>The haircut, in USD, on a positive balance worth <paramref name="valueUsd"/>.</summary>
    public decimal HaircutOn(decimal valueUsd) => HaircutOn(Tiers, valueUsd);

    /// <summary>The haircut of <paramref name="tiers"/> (validated as a rule's) on <paramref name="valueUsd"/>; indexed, so no enumerator is allocated.</summary>
    internal static decimal HaircutOn(IReadOnlyList<HaircutTier> tiers, decimal valueUsd)
    {
        decimal haircut = 0;
        decimal lower = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            var upper = tier.UpToValueUsd ?? decimal.MaxValue;
            if (valueUsd <= lower)
            {
                break;
            }

            haircut += (Math.Min(valueUsd, upper) - lower) * tier.Haircut;
            lower = upper;
        }

        return haircut;
    }
}
