using CrossMargin.Risk.Ledger;

namespace CrossMargin.Risk.Tests.Ledger;

public class LedgerRoundingTests
{
    [Theory]
    [InlineData("0.123456789", "0.12345678")]
    [InlineData("-0.123456781", "-0.12345679")]
    [InlineData("1958.4", "1958.4")]
    [InlineData("-0.00000001", "-0.00000001")]
    [InlineData("0.000000009", "0")]
    [InlineData("-0.000000001", "-0.00000001")]
    public void Credits_round_down_and_debits_round_up_to_the_unit(string amount, string booked)
    {
        Assert.Equal(Parse(booked), LedgerRounding.Book(Parse(amount)));
    }

    [Fact]
    public void Noise_in_the_28th_digit_does_not_cost_a_unit()
    {
        Assert.Equal(0.0875m, LedgerRounding.Book(0.0874999999999999999999999m));
        Assert.Equal(-0.0875m, LedgerRounding.Book(-0.0875000000000000000000001m));
    }

    [Fact]
    public void Booking_is_idempotent()
    {
        var once = LedgerRounding.Book(-123.456789012345m);

        Assert.Equal(once, LedgerRounding.Book(once));
        Assert.Equal(-123.45678902m, once);
    }

    private static decimal Parse(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
}
