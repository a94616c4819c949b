using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Contracts.Tests;

/// <summary>
/// The decimal reader's two paths: short numbers straight from the message's bytes, everything else through the digit by
/// digit check. Generated inputs (fixed seeds) hold the short path to exactly what the checking path decides.
/// </summary>
public sealed class ExactDecimalConverterTests
{
    private const string Alphabet = "0123456789-+.eE x";

    [Fact]
    public void Every_short_json_number_is_read_on_the_fast_path_bit_for_bit_as_the_checking_path_reads_it()
    {
        var random = new Random(17);
        for (var n = 0; n < 50_000; n++)
        {
            var text = ShortNumber(random);

            Assert.True(ExactDecimalConverter.TryReadShort(Encoding.UTF8.GetBytes(text), out var fast), text);
            Assert.Equal(Bits(ExactDecimalConverter.ReadChecked(text)), Bits(fast));
        }
    }

    [Fact]
    public void The_fast_path_never_takes_what_the_checking_path_refuses_or_reads_differently()
    {
        var random = new Random(1717);
        var (fastCount, checkedOnly, refused) = (0, 0, 0);
        for (var n = 0; n < 100_000; n++)
        {
            var text = AnyText(random);
            var fastRead = ExactDecimalConverter.TryReadShort(Encoding.UTF8.GetBytes(text), out var fast);
            var checkedBits = Checked(text);

            if (fastRead)
            {
                Assert.True(checkedBits is not null, $"'{text}' was read by the fast path and refused by the checking path");
                Assert.Equal(checkedBits, Bits(fast));
                fastCount++;
            }
            else if (checkedBits is not null)
            {
                checkedOnly++;
            }
            else
            {
                refused++;
            }
        }

        // Each outcome met often, so the comparison above is not made on one kind of input only.
        Assert.All(new[] { fastCount, checkedOnly, refused }, count => Assert.True(count > 5_000, $"fast {fastCount}, checked only {checkedOnly}, refused {refused}"));
    }

    [Fact]
    public void A_generated_amount_reads_through_the_contract_as_the_checking_path_reads_it_as_a_number_or_a_string()
    {
        var random = new Random(2026);
        for (var n = 0; n < 5_000; n++)
        {
            var text = AnyText(random);

            // Unquoted, spaces around the text are JSON's whitespace, not part of the number.
            foreach (var (amount, expected) in new[] { (text, Checked(text.Trim(' '))), ($"\"{text}\"", Checked(text)) })
            {
                var (message, violation) = ConverterReads.Deposit(amount);

                if (expected is null)
                {
                    Assert.True(violation is not null, $"{amount} was read as {message?.Amount}");
                }
                else
                {
                    Assert.True(violation is null, $"{amount}: {violation}");
                    Assert.Equal(expected, Bits(message!.Amount!.Value));
                }
            }
        }
    }

    [Theory]
    [InlineData("9999999999999999999999999999", true, "9999999999999999999999999999")]
    [InlineData("-9999999999999999999999999999", true, "-9999999999999999999999999999")]
    [InlineData("0.000000000000000000000000001", true, "0.000000000000000000000000001")]
    [InlineData("1.000000000000000000000000000", true, "1.000000000000000000000000000")]
    [InlineData("-0", true, "0")]
    [InlineData("-0.000", true, "0.000")]
    [InlineData("0", true, "0")]
    [InlineData("79228162514264337593543950335", false, "79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335", false, "-79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001", false, "0.0000000000000000000000000001")]
    [InlineData("0.1234567890123456789012345678", false, "0.1234567890123456789012345678")]
    [InlineData("7922816251426433759354395033.5", false, "7922816251426433759354395033.5")]
    [InlineData("1e2", false, "100")]
    [InlineData("99999999999999999999999999999", false, null)]
    [InlineData("0.00000000000000000000000000001", false, null)]
    [InlineData("05", false, null)]
    [InlineData("-05.5", false, null)]
    [InlineData("+1", false, null)]
    [InlineData("1.", false, null)]
    [InlineData(".5", false, null)]
    [InlineData("-", false, null)]
    [InlineData("", false, null)]
    [InlineData("1\u00001", false, null)]
    public void An_edge_amount_takes_the_path_its_length_and_form_call_for_and_reads_as_the_checking_path_reads_it(string text, bool fast, string? expected)
    {
        var fastRead = ExactDecimalConverter.TryReadShort(Encoding.UTF8.GetBytes(text), out var value);

        Assert.Equal(fast, fastRead);
        if (expected is null)
        {
            Assert.Throws<JsonException>(() => ExactDecimalConverter.ReadChecked(text));
            return;
        }

        var read = ExactDecimalConverter.ReadChecked(text);
        Assert.Equal(expected, read.ToString(CultureInfo.InvariantCulture));
        if (fast)
        {
            Assert.Equal(Bits(read), Bits(value));
        }
    }

    [Fact]
    public void Minus_zero_keeps_its_sign_bit_on_both_paths_and_equals_zero()
    {
        Assert.True(ExactDecimalConverter.TryReadShort("-0"u8, out var fast));

        Assert.Equal(Bits(ExactDecimalConverter.ReadChecked("-0")), Bits(fast));
        Assert.Equal(0m, fast);
    }

    [Theory]
    [InlineData("123.45")]
    [InlineData("\"123.45\"")]
    [InlineData("-0.0001")]
    [InlineData("9999999999999999999999999999")]
    public void Reading_a_short_amount_allocates_nothing(string json)
    {
        var (allocated, value) = ConverterReads.AllocationOf(new ExactDecimalConverter(), json);

        Assert.Equal(0, allocated);
        Assert.Equal(decimal.Parse(json.Trim('"'), CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("\"\\u0031.5\"", "1.5")]
    [InlineData("\"1\\u002e50\"", "1.50")]
    public void An_amount_string_with_escapes_is_read_as_its_unescaped_text(string amount, string expected)
    {
        var (message, violation) = ConverterReads.Deposit(amount);

        Assert.Null(violation);
        Assert.Equal(expected, message!.Amount!.Value.ToString(CultureInfo.InvariantCulture));
    }

    // A JSON number of 1 to 28 digits without an exponent: sign, a zero or a non-zero-led integer part, a fraction; zeros
    // drawn often, so leading fraction zeros, trailing zeros and zero itself come up.
    private static string ShortNumber(Random random)
    {
        var digits = random.Next(1, ExactDecimalConverter.MaxShortDigits + 1);
        var text = new StringBuilder();
        if (random.Next(2) == 0)
        {
            text.Append('-');
        }

        int integer;
        if (random.Next(4) == 0)
        {
            text.Append('0');
            integer = 1;
        }
        else
        {
            integer = random.Next(1, digits + 1);
            text.Append((char)('1' + random.Next(9)));
            AppendDigits(random, text, integer - 1);
        }

        if (digits > integer)
        {
            text.Append('.');
            AppendDigits(random, text, digits - integer);
        }

        return text.ToString();
    }

    // Short numbers, long ones (29 to 40 digits), exponent forms, one-character mutations of those, and noise.
    private static string AnyText(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return ShortNumber(random);
            case 1:
                return ShortNumber(random) + Digits(random, random.Next(1, 13));
            case 2:
                return ShortNumber(random) + (random.Next(2) == 0 ? "e" : "E") + (random.Next(3) switch { 0 => "", 1 => "+", _ => "-" }) + random.Next(0, 40);
            case 3:
            case 4:
                var text = new StringBuilder(random.Next(2) == 0 ? ShortNumber(random) : ShortNumber(random) + Digits(random, random.Next(1, 4)));
                var at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0:
                        text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    case 1 when at < text.Length:
                        text.Remove(at, 1);
                        break;
                    default:
                        if (at < text.Length)
                        {
                            text[at] = Alphabet[random.Next(Alphabet.Length)];
                        }

                        break;
                }

                return text.ToString();
            default:
                return new string(Enumerable.Range(0, random.Next(0, 8)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
        }
    }

    private static void AppendDigits(Random random, StringBuilder text, int count) => text.Append(Digits(random, count));

    private static string Digits(Random random, int count) =>
        new(Enumerable.Range(0, count).Select(_ => random.Next(3) == 0 ? '0' : (char)('0' + random.Next(10))).ToArray());

    private static int[]? Checked(string text)
    {
        try
        {
            return Bits(ExactDecimalConverter.ReadChecked(text));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int[] Bits(decimal value) => decimal.GetBits(value);
}
