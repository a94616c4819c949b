using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Accounts;

/// <summary>The priced settlement assets of one market in ordinal order, with their prices: what account limits are stated in.</summary>
/// <param name="Assets">The assets.</param>
/// <param name="Prices">Each asset's price, in the same order.</param>
internal sealed record SettlementPrices(string[] Assets, decimal[] Prices)
{
    // Found once per snapshot rather than once per account and assessment; shared, so that limits of one snapshot share
    // one asset array (which makes "same assets" a reference comparison).
    private static readonly ConditionalWeakTable<MarketSnapshot, SettlementPrices> PerMarket = [];

    // Each price's parts for the integer form of the amounts, once per snapshot instead of per account and asset.
    private readonly LimitDivisor[] _divisors = [.. Prices.Select(p => new LimitDivisor(p))];

    /// <summary>The settlement assets of <paramref name="market"/>'s instruments that it prices.</summary>
    public static SettlementPrices Of(MarketSnapshot market)
    {
        var assets = market.Instruments.Select(i => i.SettlementAsset).Distinct(StringComparer.Ordinal).Where(market.HasPrice)
            .Order(StringComparer.Ordinal).ToArray();
        return new SettlementPrices(assets, assets.Select(market.PriceOf).ToArray());
    }

    /// <summary>The shared instance of <paramref name="market"/>.</summary>
    public static SettlementPrices For(MarketSnapshot market) => PerMarket.GetValue(market, static m => Of(m));

    /// <summary>Whether <paramref name="other"/> has the same assets and the same prices to the bits (so to the scale).</summary>
    public bool SameBits(SettlementPrices? other) =>
        other is not null
        && Assets.AsSpan().SequenceEqual(other.Assets)
        && MemoryMarshal.AsBytes(Prices.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Prices.AsSpan()));

    /// <summary>Available margin in each settlement asset: USD at the asset's price, rounded down to 1e-8 (<see cref="LimitAmounts"/>).</summary>
    public decimal[] AmountsOf(decimal availableUsd)
    {
        var amounts = new decimal[Assets.Length];
        AmountsInto(availableUsd, amounts);
        return amounts;
    }

    /// <summary>Writes <see cref="AmountsOf"/> into <paramref name="amounts"/> (as long as <see cref="Assets"/>) without allocating.</summary>
    public void AmountsInto(decimal availableUsd, Span<decimal> amounts)
    {
        var divisors = _divisors;
        for (var i = 0; i < divisors.Length; i++)
        {
            amounts[i] = LimitAmounts.Of(availableUsd, divisors[i]);
        }
    }

    /// <summary>
    /// Whether limits of <paramref name="availableUsd"/> here carry the same numbers (USD and every asset's amount) as
    /// limits of <paramref name="otherUsd"/> at <paramref name="other"/>.
    /// </summary>
    public bool SameLimits(decimal availableUsd, SettlementPrices other, decimal otherUsd)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (availableUsd != otherUsd || !Assets.AsSpan().SequenceEqual(other.Assets))
        {
            return false;
        }

        if (ReferenceEquals(this, other) || Prices.AsSpan().SequenceEqual(other.Prices))
        {
            return true;
        }

        for (var i = 0; i < Prices.Length; i++)
        {
            if (LimitAmounts.Of(availableUsd, _divisors[i]) != LimitAmounts.Of(availableUsd, other._divisors[i]))
            {
                return false;
            }
        }

        return true;
    }
}
