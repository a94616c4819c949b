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

    /// <summary>Digits of the bound on the numerator (USD x 10^(price scale + 8)): 1e26.</summary>
    internal const int MaxNumeratorDigits = 26;

    // Digits of the bound on the denominator (the price's units x 10^(USD scale)): 1e18.
    private const int MaxDenominatorDigits = 18;

    private static readonly UInt128[] Powers = Enumerable.Range(0, 39).Select(Power).ToArray();

    // The powers a 64-bit integer holds (10^19 is the last).
    private static readonly ulong[] SmallPowers = Enumerable.Range(0, 20).Select(e => (ulong)Power(e)).ToArray();

    // The denominator's bound divided by each USD scale's power, once: checked per amount.
    private static readonly ulong[] DenominatorLimits = Enumerable.Range(0, MaxDenominatorDigits + 1)
        .Select(e => (ulong)(Power(MaxDenominatorDigits) / Power(e))).ToArray();

    // Quotients at or beyond this cannot be scaled by 1e8 inside a decimal; they hold at most eight places anyway.
    private const decimal LargestScalable = 792_281_625_142_643_375_935m;

    /// <summary>
    /// The defining computation: decimal division, scaled, floored. Never throws: limits are stated after an event is
    /// durable (on every re-margin and at every recovery), so an amount beyond a decimal in units of 1e-8 (~7.9e20) is
    /// floored at eight places without the scaling (a decimal's 28-29 digits have already rounded such a quotient), and
    /// one beyond a decimal at all is stated as the largest decimal of its sign (a limit that large is "no limit" to any
    /// venue). Amounts like these only come from absurd inputs; what matters is that they cannot stop an account.
    /// </summary>
    public static decimal ByDivision(decimal availableUsd, decimal price)
    {
        decimal quotient;
        try
        {
            quotient = availableUsd / price;
        }
        catch (OverflowException)
        {
            return (availableUsd < 0) != (price < 0) ? decimal.MinValue : decimal.MaxValue;
        }

        return Math.Abs(quotient) < LargestScalable
            ? Math.Floor(quotient * 100_000_000m) / 100_000_000m
            : Math.Round(quotient, 8, MidpointRounding.ToNegativeInfinity);
    }

    /// <summary><paramref name="availableUsd"/> / <paramref name="price"/> rounded down to 1e-8, equal (value and scale) to <see cref="ByDivision"/>.</summary>
    public static decimal Of(decimal availableUsd, decimal price) => Of(availableUsd, new LimitDivisor(price));

    /// <summary><see cref="Of(decimal, decimal)"/> at a price prepared once for many amounts.</summary>
    public static decimal Of(decimal availableUsd, in LimitDivisor price) =>
        TryExact(availableUsd, price, out var amount) ? amount : ByDivision(availableUsd, price.Price);

    /// <summary>
    /// The largest USD integer whose numerator, times 10^<paramref name="exponent"/>, stays below the exact bound
    /// (<paramref name="exponent"/> from 8, the price scale plus 8, to <see cref="MaxNumeratorDigits"/>).
    /// </summary>
    internal static ulong NumeratorLimit(int exponent) => (ulong)(Powers[MaxNumeratorDigits] / Powers[exponent]);

    private static bool TryExact(decimal availableUsd, in LimitDivisor price, out decimal amount)
    {
        amount = 0m;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(availableUsd, bits);
        var usd = unchecked(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        var usdScale = (bits[3] >> 16) & 0xFF;
        // A high word means at least 2^64, beyond every numerator limit (at most 1e18).
        if (!price.Usable || bits[2] != 0 || usd == 0 || usdScale > MaxDenominatorDigits || usd > price.NumeratorLimit
            || price.Units > DenominatorLimits[usdScale])
        {
            return false;
        }

        var negative = bits[3] < 0;
        // usd / 10^us over units / 10^ps, times 10^8, is usd x 10^(ps + 8) over units x 10^us; the power of ten both
        // share cancels first (neither the quotient nor whether it is exact changes), so one side is scaled, and the
        // division is nearly always of 64-bit integers: one instruction, against a software loop for 128 bits.
        var exponent = price.Scale + 8 - usdScale;
        ulong quotient, remainder;
        if (exponent < 0)
        {
            (quotient, remainder) = Math.DivRem(usd, price.Units * SmallPowers[-exponent]);
        }
        else
        {
            if (exponent >= SmallPowers.Length)
            {
                return Wide(usd * Powers[exponent], price.Units, negative, out amount);
            }

            var high = Math.BigMul(usd, SmallPowers[exponent], out var numerator);
            if (high != 0)
            {
                return Wide(new UInt128(high, numerator), price.Units, negative, out amount);
            }

            (quotient, remainder) = Math.DivRem(numerator, price.Units);
        }

        if (negative && remainder != 0)
        {
            quotient++;
        }

        // The division form's result carries no trailing zeros (an exact quotient of integers takes the least scale):
        // at most eight come off, found by halves (all eight, else four, two and one) instead of one at a time.
        byte scale = 8;
        if (quotient % 10 == 0)
        {
            if (quotient % 100_000_000 == 0)
            {
                (quotient, scale) = (quotient / 100_000_000, 0);
            }
            else
            {
                if (quotient % 10_000 == 0)
                {
                    (quotient, scale) = (quotient / 10_000, (byte)(scale - 4));
                }

                if (quotient % 100 == 0)
                {
                    (quotient, scale) = (quotient / 100, (byte)(scale - 2));
                }

                if (quotient % 10 == 0)
                {
                    (quotient, scale) = (quotient / 10, (byte)(scale - 1));
                }
            }
        }

        amount = new decimal(unchecked((int)(uint)quotient), unchecked((int)(uint)(quotient >> 32)), 0, negative, scale);
        return true;
    }

    // A numerator beyond 64 bits (large amounts at prices with many places): the same steps in 128-bit integers.
    private static bool Wide(UInt128 numerator, ulong denominator, bool negative, out decimal amount)
    {
        var (quotient, remainder) = UInt128.DivRem(numerator, denominator);
        if (negative && remainder != 0)
        {
            quotient++;
        }

        byte scale = 8;
        while (scale > 0 && quotient % 10 == 0)
        {
            quotient /= 10;
            scale--;
        }

        // Below 1e26 < 2^96: three 32-bit words.
        var low = (ulong)(quotient & ulong.MaxValue);
        amount = new decimal(unchecked((int)(uint)low), unchecked((int)(uint)(low >> 32)), unchecked((int)(uint)(quotient >> 64)), negative, scale);
        return true;
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
