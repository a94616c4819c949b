namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Available margin stated in a settlement asset: USD / the asset's price, rounded down to 1e-8 (never in the account's
/// favour). Computed in integers when that is provably the same decimal as the decimal division the limits were first
/// defined by (<see cref="ByDivision"/>), which costs several times more and is paid per account and asset on every mark.
/// </summary>
internal static class LimitAmounts
{
    // The integer quotient equals the decimal one while the decimal division's rounding (29 significant digits, 28
    // places) cannot carry it across a multiple of 1e-8: a non-integer quotient n/d is at least 1/d from one, and the
    // division is off by at most |q| x 1.3e-28 + 0.5e-20 units of 1e-8. With n below 1e26 and d below 1e18 that stays
    // under 1/d by two orders of magnitude; anything larger takes the division.
    private static readonly UInt128 NumeratorBound = Power(26);
    private static readonly UInt128 DenominatorBound = Power(18);
    private static readonly UInt128[] Powers = Enumerable.Range(0, 39).Select(Power).ToArray();

    // The bounds divided by each power, once: a 128-bit division is a software loop, and the check runs per amount.
    private static readonly UInt128[] NumeratorLimits = Powers.Select(p => NumeratorBound / p).ToArray();
    private static readonly UInt128[] DenominatorLimits = Powers.Select(p => DenominatorBound / p).ToArray();

    /// <summary>The defining computation: decimal division, scaled, floored.</summary>
    public static decimal ByDivision(decimal availableUsd, decimal price) => Math.Floor(availableUsd / price * 100_000_000m) / 100_000_000m;

    /// <summary><paramref name="availableUsd"/> / <paramref name="price"/> rounded down to 1e-8, equal (value and scale) to <see cref="ByDivision"/>.</summary>
    public static decimal Of(decimal availableUsd, decimal price) =>
        TryExact(availableUsd, price, out var amount) ? amount : ByDivision(availableUsd, price);

    private static bool TryExact(decimal availableUsd, decimal price, out decimal amount)
    {
        amount = 0m;
        var (usd, usdScale, negative) = Parts(availableUsd);
        var (units, priceScale, priceNegative) = Parts(price);
        if (usd == 0 || units == 0 || priceNegative || usdScale > 18 || priceScale + 8 > 26)
        {
            return false;
        }

        // usd / 10^us over units / 10^ps, times 10^8: usd x 10^(ps + 8) over units x 10^us, both integers.
        var up = Powers[priceScale + 8];
        var down = Powers[usdScale];
        if (usd > NumeratorLimits[priceScale + 8] || units > DenominatorLimits[usdScale])
        {
            return false;
        }

        var numerator = usd * up;
        var denominator = units * down;
        UInt128 quotient;
        bool exact;
        if (numerator <= ulong.MaxValue)
        {
            // Nearly always: a 64-bit division is a single instruction, a 128-bit one a software loop.
            var (q, r) = Math.DivRem((ulong)numerator, (ulong)denominator);
            (quotient, exact) = (q, r == 0);
        }
        else
        {
            var (q, r) = UInt128.DivRem(numerator, denominator);
            (quotient, exact) = (q, r == 0);
        }

        if (negative && !exact)
        {
            quotient++;
        }

        // The division form's result carries no trailing zeros (an exact quotient of integers takes the least scale).
        byte scale = 8;
        if (quotient <= ulong.MaxValue)
        {
            var small = (ulong)quotient;
            while (scale > 0 && small % 10 == 0)
            {
                small /= 10;
                scale--;
            }

            quotient = small;
        }
        else
        {
            while (scale > 0 && quotient % 10 == 0)
            {
                quotient /= 10;
                scale--;
            }
        }

        // Below 1e26 < 2^96: three 32-bit words.
        var low = (ulong)(quotient & ulong.MaxValue);
        amount = new decimal(unchecked((int)(uint)low), unchecked((int)(uint)(low >> 32)), unchecked((int)(uint)(quotient >> 64)), negative, scale);
        return true;
    }

    private static (UInt128 Mantissa, int Scale, bool Negative) Parts(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = unchecked(new UInt128((uint)bits[2], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]));
        return (mantissa, (bits[3] >> 16) & 0xFF, bits[3] < 0);
    }

    private static UInt128 Power(int exponent)
    {
        UInt128 power = 1;
        for (var i = 0; i < exponent; i++)
        {
            power *= 10;
        }

        return power;
    }
}
