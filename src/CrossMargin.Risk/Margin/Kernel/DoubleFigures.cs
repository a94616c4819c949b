namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// <see cref="StandardCrossKernel"/>'s figures in doubles, answering only when the answer is provably the decimal
/// path's to the last digit, and otherwise declining (the caller then computes in decimal).
/// <para>
/// Each of equity, IM and MM is a sum of terms, each a product of a few inputs. Along with its double value the path
/// keeps a bound on its error (a multiple of 2^-53 of the sum of the terms' magnitudes: every input converted, every
/// product and sum rounded, all with room to spare, plus the decimal path's own roundings at 28 places: 10^-28 for each,
/// times the factors applied after it, which an absolute constant does not bound) and the largest decimal scale any term can have (the sum of its factors' scales, trailing zeros dropped;
/// unknown after a division). Then, per figure:
/// </para>
/// <list type="bullet">
/// <item>when the scale S is small enough that the error is under half of 10^-S (and no intermediate decimal
/// could have rounded), the decimal result is exactly a multiple of 10^-S, so the nearest multiple to the double is
/// it, and its cents follow in integers (ties at a cent, the usual case of round prices and quantities, included);</item>
/// <item>otherwise the double must be further than its error from every cent edge, so that the floor (equity) or
/// ceiling (requirements) of every value within the error is the same cent;</item>
/// <item>else it declines; also for a result that is zero itself (the sign of a decimal zero depends on how it was
/// made), while a value certainly below or above zero that rounds to zero cents gets the sign the decimal path gives it.</item>
/// </list>
/// The status follows from the exact cents, so it is exact too. A branch on a compared value (a bracket cap) declines
/// when the value is within its error of the edge; the branches on signs are on values that are exact in double.
/// </summary>
internal static class DoubleFigures
{
    // 2^-53: the relative error of one rounding.
    private const double Unit = 1.0 / 9_007_199_254_740_992.0;

    // Per term, in units of Unit. A decimal converts to a double within 3 units (.NET: the 64-bit mantissa, the high word
    // and the power of ten, each rounded once; pinned against the exact error by DecimalToDoubleTests); the worst term, a future's requirement, converts six inputs (18), takes
    // four products (4) and one difference (1): 23 relative to its magnitude. A P&L's difference of prices is bounded
    // against the sum of both prices (its magnitude counts both). The sum of n terms adds n more (each partial sum is
    // at most the sum of magnitudes); second-order terms and the haircut tiers fit in the rest.
    private const double TermUnits = 32;

    // Absolute room for the bound's own sums; the decimal path's rounding at 28 places is counted apart (DecimalUnit).
    private const double DecimalSlack = 1e-24;

    // A decimal result that needs more than 28 places is rounded to 28: an error of half this whatever its size, which
    // no relative bound covers for a small result, and which the factors applied after it multiply (1e-8 / 9999999.9999996
    // rounds to 1e-15 exactly, and the settlement price of 1e5 makes the lost 4e-29 a lost 4e-24 USD). Each term counts
    // one unit per such rounding times the product of the factors after it.
    private const double DecimalUnit = 1e-28;

    // Beyond this a figure's cents are not exact in a double; the decimal path answers.
    private const double MaxCents = 1e15;

    // No intermediate of the decimal path may come near its 96-bit mantissa: 2^96 ~ 7.9e28.
    private const double MaxDecimalMantissa = 1e27;

    private const int MaxExactScale = 9;

    // Less than half a unit of 10^-scale (so one whole number only is that close), with room for the bound's own rounding.
    private const double ExactReach = 0.45;

    private const int UnknownScale = 1_000;

    private static readonly double[] Powers = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    private static readonly long[] LongPowers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

    /// <summary>The figures of an account's lines and balances (the first <paramref name="positions"/> lines positions) at <paramref name="market"/> when the doubles decide them exactly; false otherwise.</summary>
    public static bool TryCompute(ReadOnlySpan<FastBalance> balances, ReadOnlySpan<FastLine> lines, int positions, FastOrders[]? orders, StandardKernelMarket market,
        decimal zeroRequirement, out KernelFigures figures)
    {
        figures = default;
        var kind = market.Kind;
        var instruments = market.Fast;
        var assets = market.FastAssets;
        double equity = 0, equityMagnitude = 0, equityRoundings = 0, largest = 0;
        var equityScale = 0;
        var terms = 0;

        for (var i = 0; i < balances.Length; i++)
        {
            var balance = balances[i];
            if ((uint)balance.Asset >= (uint)assets.Length)
            {
                return false;
            }

            ref readonly var asset = ref assets[balance.Asset];
            if (!asset.Priced)
            {
                return false;
            }

            // Signs are exact: a non-zero decimal converts to a non-zero double of the same sign.
            var value = balance.Amount * asset.Price;
            var magnitude = Math.Abs(value);
            largest = Math.Max(largest, magnitude);
            var scale = balance.AmountScale + asset.PriceScale;
            terms++;
            if (value <= 0)
            {
                (equity, equityMagnitude, equityScale) = (equity + value, equityMagnitude + magnitude, Math.Max(equityScale, scale));
                equityRoundings++;
            }
            else if (asset.TierUpper is { } upper)
            {
                // The haircut is continuous in the value (each tier starts where the last ended), so a tier edge
                // taken on the wrong side of a rounded value moves it by no more than the value's own error.
                var rates = asset.TierHaircut!;
                double haircut = 0, lower = 0;
                for (var t = 0; t < upper.Length; t++)
                {
                    if (value <= lower)
                    {
                        break;
                    }

                    haircut += (Math.Min(value, upper[t]) - lower) * rates[t];
                    lower = upper[t];
                }

                // Each tier's piece is within a few units of the value times its rate (the value's own error is counted once).
                equity += value - haircut;
                equityMagnitude += magnitude * (1 + (2 * asset.RateSum));
                equityScale = Math.Max(equityScale, Math.Max(scale, asset.BoundScale) + asset.RateScale);
                // The value's rounding (taken again by each tier at its rate), then one per tier's product.
                equityRoundings += 1 + asset.RateSum + upper.Length;
            }

            // Else not eligible: the whole value is the haircut and the balance adds exactly zero.
        }

        double initial = 0, initialMagnitude = 0, initialRoundings = 0, maintenance = 0, maintenanceMagnitude = 0, maintenanceRoundings = 0;
        int initialScale = 0, maintenanceScale = 0;
        var any = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var k = line.Instrument;
            if ((uint)k >= (uint)kind.Length || kind[k] == StandardKernelMarket.Missing)
            {
                return false;
            }

            var q = line.Quantity;
            if (i < positions && q == 0)
            {
                continue;
            }

            any = true;
            terms += 3;
            ref readonly var instrument = ref instruments[k];
            var size = instrument.Size;
            var mark = instrument.Mark;
            var settlement = instrument.Settlement;
            var option = kind[k] == StandardKernelMarket.Option;
            if (i < positions)
            {
                var contracts = q * size;
                largest = Math.Max(largest, Math.Abs(contracts));
                double value, magnitude, roundings;
                int scale;
                if (option)
                {
                    value = contracts * mark * settlement;
                    magnitude = Math.Abs(value);
                    largest = Math.Max(largest, Math.Abs(contracts * mark) * (1 + settlement));
                    scale = line.QuantityScale + instrument.SizeScale + instrument.MarkScale + instrument.SettlementScale;
                    // ((q x size) x mark) x settlement.
                    roundings = (((Math.Abs(mark) + 1) * settlement) + 1);
                }
                else if (kind[k] == StandardKernelMarket.LinearFuture)
                {
                    value = contracts * (mark - line.Entry) * settlement;
                    magnitude = Math.Abs(contracts) * (Math.Abs(mark) + Math.Abs(line.Entry)) * settlement;
                    largest = Math.Max(largest, magnitude + (Math.Abs(contracts) * (Math.Abs(mark) + Math.Abs(line.Entry))));
                    scale = line.QuantityScale + instrument.SizeScale + Math.Max(instrument.MarkScale, line.EntryScale) + instrument.SettlementScale;
                    // ((q x size) x (mark - entry)) x settlement.
                    roundings = (((Math.Abs(mark) + Math.Abs(line.Entry) + 1) * settlement) + 1);
                }
                else
                {
                    if (!line.EntryPositive || !(mark > 0))
                    {
                        return false;
                    }

                    value = ((contracts / line.Entry) - (contracts / mark)) * settlement;
                    magnitude = Math.Abs(contracts) * ((1 / line.Entry) + (1 / mark)) * settlement;
                    largest = Math.Max(largest, magnitude + (Math.Abs(contracts) * ((1 / line.Entry) + (1 / mark))) + Math.Abs(contracts));
                    scale = UnknownScale;
                    // (q x size) / entry - (q x size) / mark, each quotient rounded, then x settlement.
                    roundings = ((((1 / line.Entry) + (1 / mark) + 2) * settlement) + 1);
                }

                equity += value;
                equityMagnitude += magnitude;
                equityRoundings += roundings;
                equityScale = Math.Max(equityScale, scale);
            }

            if (option)
            {
                var (im, imMagnitude, imScale) = OptionRequirement(instrument, q, line.QuantityScale, instrument.ShortInitial, instrument.ShortInitialScale);
                if (orders is not null && orders[i].Any)
                {
                    var filled = orders[i];
                    var withBuys = OptionRequirement(instrument, filled.WithBuys, filled.WithBuysScale, instrument.ShortInitial, instrument.ShortInitialScale);
                    var withSells = OptionRequirement(instrument, filled.WithSells, filled.WithSellsScale, instrument.ShortInitial, instrument.ShortInitialScale);
                    im = Math.Max(im, Math.Max(withBuys.Value, withSells.Value));
                    imMagnitude += withBuys.Magnitude + withSells.Magnitude;
                    imScale = Math.Max(imScale, Math.Max(withBuys.Scale, withSells.Scale));
                }

                var mm = OptionRequirement(instrument, q, line.QuantityScale, instrument.ShortMaintenance, instrument.ShortMaintenanceScale);
                largest = Math.Max(largest, imMagnitude + mm.Magnitude);
                (initial, initialMagnitude, initialScale) = (initial + im, initialMagnitude + imMagnitude, Math.Max(initialScale, imScale));
                (maintenance, maintenanceMagnitude, maintenanceScale) = (maintenance + mm.Value, maintenanceMagnitude + mm.Magnitude, Math.Max(maintenanceScale, mm.Scale));
                // One product each (the worst of three within one rounding of its own).
                (initialRoundings, maintenanceRoundings) = (initialRoundings + 1, maintenanceRoundings + 1);
                continue;
            }

            var brackets = instrument.Brackets!;
            var notional = Math.Abs(q) * instrument.NotionalPerUnit;
            var notionalScale = line.QuantityScale + instrument.NotionalScale;
            var bracket = BracketOf(brackets, notional, instrument.NotionalRoundings);
            if (bracket < 0)
            {
                return false;
            }

            var futureIm = (notional * brackets[bracket].InitialRate) - brackets[bracket].InitialAmount;
            var futureImMagnitude = (notional * brackets[bracket].InitialRate) + Math.Abs(brackets[bracket].InitialAmount);
            var futureImScale = notionalScale + instrument.RateScale;
            var largestNotional = notional;
            if (orders is not null && orders[i].Any)
            {
                var filled = orders[i];
                var buysNotional = Math.Abs(filled.WithBuys) * instrument.NotionalPerUnit;
                var sellsNotional = Math.Abs(filled.WithSells) * instrument.NotionalPerUnit;
                var buysBracket = BracketOf(brackets, buysNotional, instrument.NotionalRoundings);
                var sellsBracket = BracketOf(brackets, sellsNotional, instrument.NotionalRoundings);
                if (buysBracket < 0 || sellsBracket < 0)
                {
                    return false;
                }

                futureIm = Math.Max(futureIm, Math.Max((buysNotional * brackets[buysBracket].InitialRate) - brackets[buysBracket].InitialAmount,
                    (sellsNotional * brackets[sellsBracket].InitialRate) - brackets[sellsBracket].InitialAmount));
                futureImMagnitude += (buysNotional * brackets[buysBracket].InitialRate) + Math.Abs(brackets[buysBracket].InitialAmount)
                    + (sellsNotional * brackets[sellsBracket].InitialRate) + Math.Abs(brackets[sellsBracket].InitialAmount);
                futureImScale = Math.Max(line.QuantityScale, Math.Max(filled.WithBuysScale, filled.WithSellsScale)) + instrument.NotionalScale
                    + instrument.RateScale;
                largestNotional = Math.Max(notional, Math.Max(buysNotional, sellsNotional));
            }

            // The decimal path's intermediates: contracts, contracts x mark, the notional (per unit of notional, once per snapshot).
            largest = Math.Max(largest, largestNotional * instrument.LargestPerNotional);
            (initial, initialMagnitude) = (initial + futureIm, initialMagnitude + futureImMagnitude);
            initialScale = Math.Max(initialScale, Math.Max(futureImScale, instrument.AmountScale));
            maintenance += (notional * brackets[bracket].MaintenanceRate) - brackets[bracket].MaintenanceAmount;
            maintenanceMagnitude += (notional * brackets[bracket].MaintenanceRate) + Math.Abs(brackets[bracket].MaintenanceAmount);
            maintenanceScale = Math.Max(maintenanceScale, Math.Max(notionalScale + instrument.RateScale, instrument.AmountScale));
            // The notional's roundings, then its product with the rate.
            (initialRoundings, maintenanceRoundings) = (initialRoundings + instrument.NotionalRoundings + 1, maintenanceRoundings + instrument.NotionalRoundings + 1);
        }

        if (!(largest < 1e20))
        {
            return false;
        }

        var errorUnits = (TermUnits + terms) * Unit;
        if (!TryCents(equity, (errorUnits * equityMagnitude) + DecimalSlack + (equityRoundings * DecimalUnit), equityScale, largest, up: false, out var equityUsd, out var equityCents))
        {
            return false;
        }

        decimal initialUsd, maintenanceUsd;
        long initialCents = 0, maintenanceCents = 0;
        if (!any)
        {
            // The calculator's requirement of nothing: zero, rounded as it rounds it (to the same digits).
            (initialUsd, maintenanceUsd) = (zeroRequirement, zeroRequirement);
        }
        else if (!TryCents(initial, (errorUnits * initialMagnitude) + DecimalSlack + (initialRoundings * DecimalUnit), initialScale, largest, up: true, out initialUsd, out initialCents)
            || !TryCents(maintenance, (errorUnits * maintenanceMagnitude) + DecimalSlack + (maintenanceRoundings * DecimalUnit), maintenanceScale, largest, up: true, out maintenanceUsd, out maintenanceCents))
        {
            return false;
        }

        // AccountMargin.StatusOf's comparisons on the whole cents the three decimals are (a signed zero is zero cents).
        var status = equityCents < 0 ? MarginStatus.Bankrupt
            : equityCents < maintenanceCents ? MarginStatus.Liquidation
            : equityCents < initialCents ? MarginStatus.MarginCall
            : MarginStatus.Healthy;
        figures = new KernelFigures(equityUsd, initialUsd, maintenanceUsd, status);
        return true;
    }

    /// <summary>
    /// The cents of <paramref name="value"/> (known within <paramref name="error"/>), rounded down (or up), as the
    /// decimal path states them, when they are certain; see the class remarks.
    /// </summary>
    internal static bool TryCents(double value, double error, int scale, double largest, bool up, out decimal usd, out long cents)
    {
        usd = default;
        var decided = false;
        if (scale <= MaxExactScale)
        {
            var power = Powers[scale];
            var quanta = value * power;
            if ((error * power) + (Math.Abs(quanta) * Unit) < ExactReach && largest * power < MaxDecimalMantissa && Math.Abs(quanta) < MaxCents)
            {
                // The decimal result is a whole number of 10^-scale less than half of one from this: the nearest one.
                var exact = (long)Math.Round(quanta);
                if (scale <= 2)
                {
                    cents = exact * LongPowers[2 - scale];
                }
                else
                {
                    var divisor = LongPowers[scale - 2];
                    var quotient = Math.DivRem(exact, divisor, out var remainder);
                    cents = up ? (remainder > 0 ? quotient + 1 : quotient) : (remainder < 0 ? quotient - 1 : quotient);
                }

                decided = true;
            }
            else
            {
                cents = 0;
            }
        }
        else
        {
            cents = 0;
        }

        if (!decided)
        {
            var hundredths = value * 100;
            if (!(Math.Abs(hundredths) < MaxCents))
            {
                return false;
            }

            var reach = (error * 100) + (Math.Abs(hundredths) * Unit * 2);
            var rounded = up ? Math.Ceiling(hundredths) : Math.Floor(hundredths);
            var beyond = up ? rounded - 1 : rounded + 1;
            if (Math.Abs(hundredths - rounded) <= reach || Math.Abs(beyond - hundredths) <= reach)
            {
                return false;
            }

            cents = (long)rounded;
        }

        if (cents == 0)
        {
            // Zero keeps the sign of what was rounded (a requirement just below zero rounds up to -0.00): follow it only
            // when the value is certainly not zero itself, whose sign depends on how the decimal path's zeros combined.
            if (!(Math.Abs(value) > error * 2))
            {
                return false;
            }

            usd = new decimal(0, 0, 0, value < 0, 2);
            return true;
        }

        usd = FromCents(cents);
        return true;
    }

    /// <summary>Whole cents as the decimal path states them: scale 2 (Floor or Ceiling gives scale 0, x 0.01 gives 2).</summary>
    internal static decimal FromCents(long cents)
    {
        var magnitude = (ulong)Math.Abs(cents);
        return new decimal(unchecked((int)(uint)magnitude), unchecked((int)(uint)(magnitude >> 32)), 0, cents < 0, 2);
    }

    private static (double Value, double Magnitude, int Scale) OptionRequirement(in FastInstrument instrument, double q, int quantityScale, double shortRate, int shortScale)
    {
        var value = q >= 0 ? q * instrument.ValuePerContract : -q * shortRate;
        return (value, Math.Abs(value), quantityScale + (q >= 0 ? instrument.ValuePerContractScale : shortScale));
    }

    // The first bracket whose cap is above the notional, as the decimal path picks it; -1 when the notional is within
    // its error (its roundings at 28 places among it) of a cap it is compared with (the comparison could go either way).
    private static int BracketOf(FastBracket[] brackets, double notional, double roundings)
    {
        var reach = (notional * TermUnits * Unit) + DecimalSlack + (roundings * DecimalUnit);
        for (var i = 0; i < brackets.Length; i++)
        {
            var cap = brackets[i].Cap;
            if (Math.Abs(notional - cap) <= reach)
            {
                return -1;
            }

            if (notional < cap)
            {
                return i;
            }
        }

        return brackets.Length - 1;
    }
}
