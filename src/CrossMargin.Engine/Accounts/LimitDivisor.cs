namespace CrossMargin.Engine.Accounts;

/// <summary>
/// A settlement price prepared for <see cref="LimitAmounts"/>: its decimal's integer and scale, and the bound on the
/// USD numerator that keeps the integer form exact at that scale. Made once per snapshot's settlement prices
/// (<see cref="SettlementPrices"/>) rather than once per account and asset on every mark.
/// </summary>
internal readonly struct LimitDivisor
{
    /// <summary>Prepares <paramref name="price"/>.</summary>
    public LimitDivisor(decimal price)
    {
        Price = price;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(price, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var units = unchecked(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        // Only what the integer form can take: a positive price below 1e18 units with at most 18 places (the bounds of
        // LimitAmounts); anything else always goes to the division.
        Usable = bits[3] >= 0 && bits[2] == 0 && units != 0 && scale + 8 <= LimitAmounts.MaxNumeratorDigits;
        Units = units;
        Scale = scale;
        NumeratorLimit = Usable ? LimitAmounts.NumeratorLimit(scale + 8) : 0;
    }

    /// <summary>The price.</summary>
    public decimal Price { get; }

    /// <summary>Whether the integer form may be tried at this price.</summary>
    public bool Usable { get; }

    /// <summary>The price's integer (the price is <see cref="Units"/> / 10^<see cref="Scale"/>).</summary>
    public ulong Units { get; }

    /// <summary>The price's scale.</summary>
    public int Scale { get; }

    /// <summary>The largest USD integer whose numerator (times 10^(scale + 8)) stays within the exact bound.</summary>
    public ulong NumeratorLimit { get; }
}
