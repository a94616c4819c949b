namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>One asset of a <see cref="StandardKernelMarket"/> in doubles, for <see cref="DoubleFigures"/>.</summary>
internal struct FastAsset
{
    public bool Priced;
    public double Price;
    public int PriceScale;

    /// <summary>Tier upper bounds (+infinity for the last); null when the asset is not eligible collateral.</summary>
    public double[]? TierUpper;

    /// <summary>Tier haircut rates, beside <see cref="TierUpper"/>.</summary>
    public double[]? TierHaircut;

    /// <summary>The largest scale of any tier bound.</summary>
    public int BoundScale;

    /// <summary>The largest scale of any tier haircut rate.</summary>
    public int RateScale;

    /// <summary>The tiers' haircut rates added up (what bounds the haircut's own rounding against the value's).</summary>
    public double RateSum;
}
