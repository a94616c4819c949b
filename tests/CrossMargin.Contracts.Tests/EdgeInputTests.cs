using System.Text;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Prices;

namespace CrossMargin.Contracts.Tests;

/// <summary>Inputs at the edge of the contract: each is refused with a reason, or read as exactly what was sent.</summary>
public sealed class EdgeInputTests
{
    [Theory]
    [InlineData("""{"messageId":"m","source":"w","sequence":1,"accountId":"a","asset":"USDT","amount":1,"amount":-5}""")]
    [InlineData("""{"messageId":"m","source":"w","sequence":1,"accountId":"a","asset":"USDT","amount":5,"amount":1}""")]
    [InlineData("""{"messageId":"m","source":"w","sequence":1,"accountId":"a","accountId":"b","asset":"USDT","amount":1}""")]
    public void A_field_given_twice_is_refused_rather_than_one_copy_winning(string json)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.DepositMessage);

        Assert.Null(message);
        Assert.NotNull(violation);
        Assert.Contains("uplicate", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prices_batch_with_a_list_given_twice_is_refused()
    {
        var json = """{"indices":[{"asset":"BTC","price":1,"timestamp":"2026-11-21T08:00:00Z"}],"indices":[]}""";

        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);

        Assert.Null(message);
        Assert.Contains("uplicate", violation!.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.000000000000000000000000000001", "significant digits")]
    [InlineData("\"1.000000000000000000000000000001\"", "significant digits")]
    [InlineData("0.00000000000000000000000000001", "significant digits")]
    [InlineData("1E-30", "significant digits")]
    [InlineData("7922816251426433759354395033.51", "significant digits")]
    [InlineData("79228162514264337593543950336", "range")]
    [InlineData("1e400", "range")]
    public void An_amount_a_decimal_cannot_hold_exactly_is_refused_not_rounded(string amount, string expected)
    {
        var (message, violation) = ConverterReads.Deposit(amount);

        Assert.Null(message);
        Assert.Equal("amount", violation!.Field);
        Assert.Contains(expected, violation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"+5\"")]
    [InlineData("\" 5\"")]
    [InlineData("\"5 \"")]
    [InlineData("\"0x10\"")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"1,5\"")]
    [InlineData("\"1_000\"")]
    [InlineData("\"\"")]
    [InlineData("\".5\"")]
    [InlineData("\"05\"")]
    [InlineData("true")]
    public void An_amount_as_text_must_be_a_json_number(string amount)
    {
        var (message, violation) = ConverterReads.Deposit(amount);

        Assert.Null(message);
        Assert.Equal("amount", violation!.Field);
    }

    [Theory]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("\"79228162514264337593543950335\"", "79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("1e-28", "0.0000000000000000000000000001")]
    [InlineData("1E+3", "1000")]
    [InlineData("2.50", "2.50")]
    [InlineData("12345678901234567890.12345678", "12345678901234567890.12345678")]
    [InlineData("1.0000000000000000000000000000000", "1.0000000000000000000000000000")]
    public void An_amount_a_decimal_holds_is_read_exactly(string amount, string expected)
    {
        var (message, violation) = ConverterReads.Deposit(amount);

        Assert.Null(violation);
        Assert.Equal(expected, message!.Amount!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-11-21T08:00:00")]
    [InlineData("2026-11-21T08:00:00.123")]
    [InlineData("2026-11-21")]
    [InlineData("08:00:00Z")]
    [InlineData("2026-11-21T08:00:00+5")]
    public void A_time_without_an_offset_is_refused_rather_than_read_as_the_nodes_local_time(string time)
    {
        var json = $$"""{"indices":[{"asset":"BTC","price":1,"timestamp":"{{time}}"}]}""";

        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);

        Assert.Null(message);
        Assert.Equal("indices[0].timestamp", violation!.Field);
        Assert.Contains("with an offset", violation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-21T08:00:00Z", 0)]
    [InlineData("2026-11-21T13:30:00+05:30", 330)]
    [InlineData("2026-11-21T03:00:00.1234567-05:00", -300)]
    public void A_time_with_an_offset_is_read_at_that_offset(string time, int offsetMinutes)
    {
        var json = $$"""{"indices":[{"asset":"BTC","price":1,"timestamp":"{{time}}"}]}""";

        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);

        Assert.Null(violation);
        var read = message!.Indices![0].Timestamp!.Value;
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), read.Offset);
        Assert.Equal(new DateTime(2026, 11, 21, 8, 0, 0, DateTimeKind.Utc), read.UtcDateTime.AddTicks(-(read.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Theory]
    [InlineData("m\u200b")]
    [InlineData("acc\u202e7")]
    [InlineData("caf" + "e\u0301")]
    [InlineData("acc\ue000")]
    [InlineData("acc\u2028")]
    [InlineData("\ufeffacc")]
    public void An_id_with_invisible_or_look_alike_characters_is_refused(string id)
    {
        var result = new DepositMessage { MessageId = "m", Source = "wallet", Sequence = 1, AccountId = id, Asset = "USDT", Amount = 1 }.ToCommand();

        Assert.Null(result.AccountId);
        Assert.Equal("accountId", Assert.Single(result.Violations).Field);
    }

    [Fact]
    public void An_id_with_a_lone_surrogate_is_refused()
    {
        // Built here, not in an attribute: attribute strings are stored as UTF-8, which cannot hold a lone surrogate.
        string[] ids = ["acc" + (char)0xD800, "acc" + (char)0xDC00 + "x", (char)0xDBFF + "acc"];

        var results = ids.Select(id => new DepositMessage { MessageId = id, Source = "wallet", Sequence = 1, AccountId = "a", Asset = "USDT", Amount = 1 }
            .ToCommand());

        Assert.All(results, r => Assert.Equal("messageId", Assert.Single(r.Violations).Field));
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("acc-7_ßЖ中")]
    [InlineData("acc-\U0001F600")]
    [InlineData("ACC-7")]
    public void An_id_of_printable_characters_is_accepted(string id)
    {
        var result = new DepositMessage { MessageId = "m", Source = "wallet", Sequence = 1, AccountId = id, Asset = "USDT", Amount = 1 }.ToCommand();

        Assert.True(result.IsValid, result.Describe());
        Assert.Equal(id, result.AccountId);
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    [InlineData("1e400")]
    public void A_vol_that_is_not_a_finite_number_is_malformed(string vol)
    {
        var json = $$"""{"marks":[{"symbol":"BTC-25DEC26-60000-C","price":1,"impliedVolatility":{{vol}},"timestamp":"2026-11-21T08:00:00Z"}]}""";

        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);
        var result = message!.ToUpdates();

        Assert.Null(violation);
        Assert.False(result.IsValid);
        Assert.Equal("marks[0].impliedVolatility", Assert.Single(result.Violations).Field);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(0)]
    [InlineData(1e300)]
    public void A_finite_vol_out_of_band_is_left_to_the_price_feed_to_refuse_on_its_own(double vol)
    {
        var result = new PricesMessage
        {
            Marks = [new MarkPrice { Symbol = "BTC-25DEC26-60000-C", Price = 1, ImpliedVolatility = vol, Timestamp = DateTimeOffset.UnixEpoch }],
        }.ToUpdates();

        Assert.True(result.IsValid, result.Describe());
        Assert.Equal(vol, Assert.IsType<UpdateMark>(Assert.Single(result.Command!)).ImpliedVolatility);
    }

    [Theory]
    [InlineData("{\"messageId\":\"m\"} {}", "after")]
    [InlineData("{\"messageId\":\"m\" /* c */}", "invalid")]
    [InlineData("{\"messageId\":\"m\",}", "comma")]
    [InlineData("[{\"messageId\":\"m\"}]", "")]
    [InlineData("{\"messageId\":{\"a\":{\"b\":[[[[1]]]]}}}", "messageId")]
    public void Json_beyond_one_plain_object_is_refused(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.DepositMessage);

        Assert.Null(message);
        Assert.Contains(expected, violation!.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"orderId":"liq-a-1-s1-1","averagePrice":100}""", "filledQuantity: is required (zero when nothing filled).")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":-1,"averagePrice":100}""", "filledQuantity: must be zero or more, not -1.")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":2}""", "averagePrice: is required.")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":2,"averagePrice":0}""", "averagePrice: must be positive, not 0.")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":0,"averagePrice":-1}""", "averagePrice: must be zero or more, not -1.")]
    [InlineData("""{"orderId":" ","filledQuantity":0}""", "orderId: is required.")]
    public void A_liquidation_report_that_does_not_say_what_filled_is_refused(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.LiquidationReportMessage);
        var result = message!.ToReport();

        Assert.Null(violation);
        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Describe());
    }

    [Theory]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":0}""", 0, 0)]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":"2.5","averagePrice":59230.5}""", 2.5, 59230.5)]
    public void A_liquidation_report_is_read_exactly(string json, decimal filled, decimal price)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.LiquidationReportMessage);
        var result = message!.ToReport();

        Assert.Null(violation);
        Assert.Equal(new Engine.Liquidations.LiquidationOrderReport("liq-a-1-s1-1", filled, price), result.Command);
    }

    [Theory]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQty":2,"averagePrice":100}""", "filledQty")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":2,"filledQuantity":0,"averagePrice":100}""", "uplicate")]
    public void A_liquidation_report_with_a_misspelt_or_repeated_field_is_unreadable(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.LiquidationReportMessage);

        Assert.Null(message);
        Assert.Contains(expected, violation!.ToString(), StringComparison.Ordinal);
    }
}
