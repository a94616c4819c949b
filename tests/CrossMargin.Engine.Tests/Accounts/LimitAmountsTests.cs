using System.Globalization;
using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>The integer form of limit amounts against the decimal division limits were defined by.</summary>
public sealed class LimitAmountsTests
{
    private static readonly Gen<decimal> Whole = Gen.Choose(-2_000_000_000, 2_000_000_000).Select(n => (decimal)n);

    // USD as the engine has it (to the cent, up to 1e13), and some with more places or larger, which must agree too.
    private static readonly Gen<decimal> Available = Gen.OneOf(
        from whole in Whole
        from cents in Gen.Choose(0, 99)
        from power in Gen.Choose(0, 4)
        select (whole * Pow(power)) + (cents / 100m),
        Gen.Zip(Gen.Choose(-1_000_000, 1_000_000), Gen.Choose(0, 12)).Select(t => new decimal(Math.Abs(t.Item1), 0, 0, t.Item1 < 0, (byte)t.Item2)),
        from low in Gen.Choose(int.MinValue, int.MaxValue)
        from middle in Gen.Choose(int.MinValue, int.MaxValue)
        from scale in Gen.Choose(0, 20)
        select new decimal(low, middle, 0, low < 0, (byte)scale),
        Gen.Elements(0m, 0.01m, -0.01m, 1m, -1m, 600m, -600m, 59_000m, decimal.MaxValue / 1_000_000_000m));

    // Prices of stablecoins near 1, coins in the thousands, small altcoins, with up to 12 places.
    private static readonly Gen<decimal> Price = Gen.OneOf(
        Gen.Zip(Gen.Choose(1, int.MaxValue), Gen.Choose(0, 12)).Select(t => new decimal(t.Item1, 0, 0, false, (byte)t.Item2)),
        Gen.Choose(9_990, 10_010).Select(n => n / 10_000m),
        Gen.Elements(1m, 0.9998m, 1.0001m, 60_000m, 59_123.5m, 3_000.25m, 0.00001234m, 7m, 3m));

    [Fact]
    public void Limit_amounts_in_integers_equal_the_decimal_division_to_the_last_digit_and_scale()
    {
        PropertyCheck.ForAll(Gen.Zip(Available, Price), pair =>
        {
            var (available, price) = pair;
            var expected = LimitAmounts.ByDivision(available, price);
            var actual = LimitAmounts.Of(available, price);
            Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), actual.ToString(CultureInfo.InvariantCulture));
        }, cases: 5_000);
    }

    [Theory]
    [InlineData("1000000000000000000000", "1", "1000000000000000000000")]
    [InlineData("-1000000000000000000000", "60000", "-16666666666666666.66666667")]
    [InlineData("800000000000000000000.1234567", "1", "800000000000000000000.1234567")]
    [InlineData("-6000000000000000000000000", "1.0001", "-5999400059994000599940005.9994")]
    [InlineData("79228162514264337593543950335", "0.5", "79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335", "0.5", "-79228162514264337593543950335")]
    public void Limits_beyond_a_decimal_in_units_of_1e_8_are_floored_at_eight_places_or_stated_as_the_largest_decimal_never_an_overflow(
        string available, string price, string expected)
    {
        var usd = decimal.Parse(available, CultureInfo.InvariantCulture);
        var at = decimal.Parse(price, CultureInfo.InvariantCulture);

        Assert.Equal(expected, LimitAmounts.ByDivision(usd, at).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected, LimitAmounts.Of(usd, at).ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("600", "60000", "0.01")]
    [InlineData("-600", "60000", "-0.01")]
    [InlineData("-490", "59000", "-0.00830509")]
    [InlineData("490", "59000", "0.00830508")]
    [InlineData("-490", "1", "-490")]
    [InlineData("1000.5", "2", "500.25")]
    public void A_limit_amount_is_rounded_down_to_1e_8_never_in_the_accounts_favour(string available, string price, string expected)
    {
        var amount = LimitAmounts.Of(decimal.Parse(available, CultureInfo.InvariantCulture), decimal.Parse(price, CultureInfo.InvariantCulture));

        Assert.Equal(expected, amount.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("1", "1", "1")]
    [InlineData("0.1", "1", "0.1")]
    [InlineData("0.12", "1", "0.12")]
    [InlineData("0.123", "1", "0.123")]
    [InlineData("0.1234", "1", "0.1234")]
    [InlineData("0.12345", "1", "0.12345")]
    [InlineData("0.123456", "1", "0.123456")]
    [InlineData("0.1234567", "1", "0.1234567")]
    [InlineData("0.12345678", "1", "0.12345678")]
    [InlineData("1234.50", "1", "1234.5")]
    [InlineData("1200.00", "1", "1200")]
    [InlineData("-1200.00", "0.5", "-2400")]
    public void A_limit_amount_carries_no_trailing_zero_whatever_their_count(string available, string price, string expected)
    {
        var (usd, at) = (decimal.Parse(available, CultureInfo.InvariantCulture), decimal.Parse(price, CultureInfo.InvariantCulture));

        var amount = LimitAmounts.Of(usd, at);

        Assert.Equal(expected, amount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(LimitAmounts.ByDivision(usd, at).ToString(CultureInfo.InvariantCulture), amount.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    // More places in the USD than the price's plus eight: the price's side is scaled instead.
    [InlineData("0.000000000123456789", "3")]
    [InlineData("-12.345678901234567", "7")]
    // A numerator beyond 64 bits (a large amount at a price with many places): the 128-bit form.
    [InlineData("98765432109876", "0.000012345678")]
    [InlineData("-98765432109876.55", "1.123456789012")]
    // A price the integer form cannot take (more than 18 places): the division.
    [InlineData("1000.01", "1.0000000000000000001")]
    public void Limit_amounts_off_the_common_path_still_equal_the_division(string available, string price)
    {
        var (usd, at) = (decimal.Parse(available, CultureInfo.InvariantCulture), decimal.Parse(price, CultureInfo.InvariantCulture));

        Assert.Equal(LimitAmounts.ByDivision(usd, at).ToString(CultureInfo.InvariantCulture), LimitAmounts.Of(usd, at).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Settlement_prices_state_the_same_amounts_as_each_price_alone()
    {
        var prices = new SettlementPrices(["BTC", "USDC", "USDT"], [60_123.4m, 1m, 0.9998m]);
        var amounts = new decimal[3];

        foreach (var usd in new[] { 0m, 0.01m, -0.01m, 1_234.56m, -98_765.43m, 12_345_678.90m })
        {
            prices.AmountsInto(usd, amounts);

            Assert.Equal(prices.Prices.Select(p => LimitAmounts.ByDivision(usd, p).ToString(CultureInfo.InvariantCulture)),
                amounts.Select(a => a.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static decimal Pow(int exponent) => (decimal)Math.Pow(10, exponent);
}
