using System.Numerics;

namespace CrossMargin.Risk.Tests.Margin.Kernel;

/// <summary>
/// The double path's error bound (DoubleFigures) allows each decimal converted to a double 3 units of 2^-53 relative
/// error. That follows from how the runtime converts (a 64-bit part, the high word and a power of ten, each rounded),
/// not from a documented guarantee; this pins it on this runtime, against the exact error (2.56 units at worst in this
/// sample).
/// </summary>
public sealed class DecimalToDoubleTests
{
    [Fact]
    public void A_decimal_converts_to_a_double_within_the_three_units_the_double_path_allows()
    {
        var random = new Random(20261121);
        var worst = 0.0;
        for (var i = 0; i < 200_000; i++)
        {
            // Any mantissa width up to 96 bits and any scale, so every part of the conversion (low word only, high word,
            // the inexact powers of ten above 10^22) is reached.
            var bits = random.Next(1, 97);
            var lo = bits >= 32 ? random.Next() | (random.Next(2) << 31) : random.Next() & (int)((1L << bits) - 1);
            var mid = bits > 32 ? random.Next() | (random.Next(2) << 31) : 0;
            var hi = bits > 64 ? random.Next() & (int)((1L << Math.Min(bits - 64, 31)) - 1) : 0;
            var scale = random.Next(0, 29);
            var value = new decimal(lo, mid, hi, false, (byte)scale);
            if (value == 0m)
            {
                continue;
            }

            var units = ExactErrorUnits(value, scale, (double)value);
            worst = Math.Max(worst, units);
            Assert.True(units <= 3, $"{value}: converted to {(double)value:R}, {units:0.00} units off");
        }

        Assert.True(worst > 1, $"the sample reaches conversions off by more than a rounding ({worst:0.00} units at worst)");
    }

    // |converted - value| / value, in units of 2^-53, computed exactly: value = M / 10^scale, converted = S * 2^E.
    private static double ExactErrorUnits(decimal value, int scale, double converted)
    {
        var bits = decimal.GetBits(value);
        var mantissa = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        var raw = BitConverter.DoubleToInt64Bits(converted);
        var exponent = (int)((raw >> 52) & 0x7FF);
        var significand = (BigInteger)(raw & 0xF_FFFF_FFFF_FFFF);
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            significand += BigInteger.One << 52;
        }

        exponent -= 1075;
        var power = BigInteger.Pow(10, scale);
        // converted - value = (S * 2^E * 10^scale - M) / 10^scale; relative to value: (S * 2^E * 10^scale - M) / M.
        BigInteger numerator, denominator;
        if (exponent >= 0)
        {
            numerator = BigInteger.Abs((significand << exponent) * power - mantissa);
            denominator = mantissa;
        }
        else
        {
            numerator = BigInteger.Abs(significand * power - (mantissa << -exponent));
            denominator = mantissa << -exponent;
        }

        return (double)((numerator << 53) * 1_000_000 / denominator) / 1_000_000;
    }
}
