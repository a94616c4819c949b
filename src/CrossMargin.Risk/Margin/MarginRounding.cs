namespace CrossMargin.Risk.Margin;

/// <summary>
/// The one place money is rounded. Requirements round up and equity rounds down to <see cref="Increment"/>, so a
/// rounding never favours the account. Results of the double-precision kernels are first snapped to 1e-6 USD
/// (far above their error, far below a cent) so that noise such as 100.0000000001 cannot add a cent.
/// </summary>
public static class MarginRounding
{
    /// <summary>Requirements and equity are stated in whole cents of USD.</summary>
    public const decimal Increment = 0.01m;

    /// <summary>Rounds a requirement up to the cent.</summary>
    public static decimal Requirement(decimal value) => Math.Ceiling(value / Increment) * Increment;

    /// <summary>Rounds equity down to the cent.</summary>
    public static decimal Equity(decimal value) => Math.Floor(value / Increment) * Increment;

    /// <summary>Converts a kernel's double result to decimal USD, snapped to 1e-6 (not yet rounded to the cent).</summary>
    public static decimal FromKernel(double value) =>
        double.IsFinite(value)
            ? Math.Round((decimal)value, 6, MidpointRounding.AwayFromZero)
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A margin kernel produced a non-finite number.");

    /// <summary>Rounds a price to the tick, in the direction that is against the account.</summary>
    public static decimal ToTick(decimal price, decimal tick, bool up) =>
        (up ? Math.Ceiling(price / tick) : Math.Floor(price / tick)) * tick;
}
