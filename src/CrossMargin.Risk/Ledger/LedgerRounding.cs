namespace CrossMargin.Risk.Ledger;

/// <summary>
/// How amounts are booked to balances: in whole units of 1e-8 of the asset (a satoshi for BTC; the precision
/// Binance and Deribit keep wallet balances in, for coins and stablecoins alike), rounded down, so a booking never
/// favours the account and the ledger can never create money. Each booking loses at most one unit (1e-8).
/// </summary>
/// <remarks>
/// Prices, entry prices and realized P&amp;L keep full decimal precision (28 significant digits); only the amount that
/// moves a balance is booked. Before the floor the amount is snapped to 1e-12: an average entry price rounded in its
/// 28th digit leaves noise below 1e-16 even on notionals of 1e12, and without the snap a true 0.0875 computed as
/// 0.08749999999999999999999999 would lose a whole unit.
/// </remarks>
public static class LedgerRounding
{
    /// <summary>Balances are kept to this many decimals of the asset.</summary>
    public const int Decimals = 8;

    /// <summary>The smallest amount a balance moves by.</summary>
    public const decimal Unit = 0.00000001m;

    /// <summary>Decimals the noise of decimal arithmetic is snapped to before booking.</summary>
    public const int NoiseDecimals = 12;

    /// <summary>Rounds <paramref name="amount"/> down (toward negative infinity) to <see cref="Unit"/>, after snapping to 1e-12.</summary>
    public static decimal Book(decimal amount) =>
        decimal.Round(
            decimal.Round(amount, NoiseDecimals, MidpointRounding.AwayFromZero),
            Decimals,
            MidpointRounding.ToNegativeInfinity);
}
