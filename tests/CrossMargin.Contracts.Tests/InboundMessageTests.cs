using System.Text;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Contracts.Tests;

public sealed class InboundMessageTests
{
    private const string Execution = """
        {"messageId":"ex-1","source":"me-1","sequence":7,"accountId":"acc-1","executionId":"ex-1","orderId":"o-1",
         "symbol":"BTC-PERP","side":"buy","quantity":1.5,"price":"60000.5","fee":0.25,"liquidity":"taker",
         "timestamp":"2026-11-21T08:00:00Z","isLiquidation":false}
        """;

    [Fact]
    public void A_valid_execution_becomes_the_command_with_exact_decimals()
    {
        var result = Read(Execution, ContractJsonContext.Default.ExecutionMessage).ToCommand();

        Assert.True(result.IsValid, result.Describe());
        Assert.Equal("acc-1", result.AccountId);
        Assert.Equal(
            new ApplyExecution("ex-1", "me-1", 7, "ex-1", "o-1", "BTC-PERP", OrderSide.Buy, 1.5m, 60000.5m, 0.25m, Liquidity.Taker,
                new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero)),
            result.Command);
    }

    [Fact]
    public void An_expiry_message_becomes_a_settlement_at_its_price_and_one_without_a_positive_price_is_malformed()
    {
        const string expiry = """{"messageId":"x-1","source":"settlement","sequence":4,"accountId":"acc-1","symbol":"BTC-25DEC26","settlementPrice":""";

        var read = Read(expiry + "87123.456789}", ContractJsonContext.Default.ExpiryMessage).ToCommand();
        var zero = Read(expiry + "0}", ContractJsonContext.Default.ExpiryMessage).ToCommand();

        Assert.Equal(new SettleExpiry("x-1", "settlement", 4, "BTC-25DEC26", 87123.456789m), read.Command);
        Assert.False(zero.IsValid);
        Assert.Equal("settlementPrice", Assert.Single(zero.Violations).Field);
    }

    [Fact]
    public void A_funding_message_carries_the_position_the_venue_settled_on_when_stated()
    {
        const string funding = """{"messageId":"f-1","source":"funding","sequence":3,"accountId":"acc-1","symbol":"BTC-PERP","rate":0.0001,"markPrice":60010.5""";

        var stated = Read(funding + ""","positionQuantity":-2.5}""", ContractJsonContext.Default.FundingMessage).ToCommand();
        var absent = Read(funding + "}", ContractJsonContext.Default.FundingMessage).ToCommand();

        Assert.Equal(new SettleFunding("f-1", "funding", 3, "BTC-PERP", 0.0001m, 60010.5m, -2.5m), stated.Command);
        Assert.Equal(new SettleFunding("f-1", "funding", 3, "BTC-PERP", 0.0001m, 60010.5m), absent.Command);
    }

    [Fact]
    public void Every_missing_or_bad_field_is_named_at_once()
    {
        var result = Read("""{"messageId":"m","sequence":0,"accountId":"a","side":"long","quantity":-1,"price":0}""",
            ContractJsonContext.Default.ExecutionMessage).ToCommand();

        Assert.False(result.IsValid);
        Assert.Null(result.Command);
        var fields = result.Violations.Select(v => v.Field).ToArray();
        Assert.Equal(["source", "sequence", "executionId", "orderId", "symbol", "side", "quantity", "price", "fee", "liquidity", "timestamp"], fields);
        Assert.Contains("sequence: must be 1 or more, not 0.", result.Describe(), StringComparison.Ordinal);
        Assert.Contains("side: must be buy or sell, not 'long'.", result.Describe(), StringComparison.Ordinal);
        Assert.Contains("quantity: must be positive, not -1.", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_refused_rather_than_dropped()
    {
        var (message, violation) = ContractReader.Read(
            Encoding.UTF8.GetBytes(Execution.Replace("\"quantity\"", "\"quantitty\"", StringComparison.Ordinal)),
            ContractJsonContext.Default.ExecutionMessage);

        Assert.Null(message);
        Assert.NotNull(violation);
        Assert.Contains("quantitty", violation.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("null", "null")]
    [InlineData("{\"quantity\": \"lots\"}", "quantity")]
    [InlineData("{\"messageId\": 5", "line 1")]
    public void Malformed_json_is_a_violation_not_an_exception(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.DepositMessage);

        Assert.Null(message);
        Assert.NotNull(violation);
        Assert.Contains(expected, violation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_message_is_refused_before_parsing()
    {
        var json = "{\"messageId\":\"" + new string('x', ContractReader.MaxMessageBytes) + "\"}";

        var (_, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.DepositMessage);

        Assert.Contains("at most 16384", violation!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_with_control_characters_or_too_long_are_refused()
    {
        var result = new DepositMessage { MessageId = "a\nb", Source = new string('s', 129), Sequence = 1, AccountId = "acc", Asset = "USDT", Amount = 1 }
            .ToCommand();

        Assert.Equal(["messageId", "source"], result.Violations.Select(v => v.Field).ToArray());
    }

    [Fact]
    public void An_invalid_account_id_is_not_reported_as_the_account()
    {
        var result = new DepositMessage { MessageId = "m", Source = "wallet", Sequence = 1, AccountId = " ", Asset = "USDT", Amount = 1 }.ToCommand();

        Assert.Null(result.AccountId);
        Assert.Equal("accountId", Assert.Single(result.Violations).Field);
    }

    [Fact]
    public void Margin_mode_needs_a_mode_for_the_account_and_a_symbol_to_isolate()
    {
        var account = new MarginModeMessage { MessageId = "m", Source = "ops", Sequence = 1, AccountId = "a", Mode = "portfolio" }.ToCommand();
        var isolate = new MarginModeMessage { MessageId = "m", Source = "ops", Sequence = 2, AccountId = "a", Symbol = "BTC-PERP", IsolatedMargin = 100 }.ToCommand();
        var missing = new MarginModeMessage { MessageId = "m", Source = "ops", Sequence = 3, AccountId = "a" }.ToCommand();
        var stray = new MarginModeMessage { MessageId = "m", Source = "ops", Sequence = 4, AccountId = "a", Mode = "standard", IsolatedMargin = 5 }.ToCommand();

        Assert.Equal(MarginMode.Portfolio, account.Command!.Mode);
        Assert.Equal(("BTC-PERP", (decimal?)100m), (isolate.Command!.Symbol, isolate.Command.IsolatedMargin));
        Assert.Equal("mode: is required (one of standard, portfolio, simm, var, es, composite).", missing.Describe());
        Assert.Equal("isolatedMargin: applies only with a symbol.", stray.Describe());
    }

    /// <summary>
    /// A mode sent with a symbol was dropped without a word: the sender meant to switch the pool and isolate at once, and
    /// only the isolation happened. Refused like an isolated margin without a symbol, naming the field.
    /// </summary>
    [Fact]
    public void A_mode_given_with_a_symbol_is_refused_rather_than_ignored()
    {
        var both = Read("""{"messageId":"m","source":"ops","sequence":1,"accountId":"a","mode":"portfolio","symbol":"BTC-PERP","isolatedMargin":500}""",
            ContractJsonContext.Default.MarginModeMessage).ToCommand();

        Assert.Null(both.Command);
        Assert.Equal("mode: applies only without a symbol (an isolated position is margined by the standard rules; the pool's mode is changed by a message of its own).",
            both.Describe());
    }

    [Theory]
    [InlineData("standard", MarginMode.StandardCross)]
    [InlineData("portfolio", MarginMode.Portfolio)]
    [InlineData("simm", MarginMode.Simm)]
    [InlineData("var", MarginMode.ValueAtRisk)]
    [InlineData("es", MarginMode.ExpectedShortfall)]
    [InlineData("composite", MarginMode.Composite)]
    public void Every_mode_name_opens_an_account_in_and_switches_it_to_that_mode(string name, MarginMode mode)
    {
        var open = Read($$"""{"messageId":"o","source":"accounts","sequence":1,"accountId":"a","mode":"{{name}}"}""",
            ContractJsonContext.Default.OpenAccountMessage).ToCommand();
        var change = Read($$"""{"messageId":"m","source":"ops","sequence":1,"accountId":"a","mode":"{{name}}"}""",
            ContractJsonContext.Default.MarginModeMessage).ToCommand();

        Assert.True(open.IsValid, open.Describe());
        Assert.Equal(mode, open.Command!.Mode);
        Assert.True(change.IsValid, change.Describe());
        Assert.Equal(mode, change.Command!.Mode);
        Assert.Null(change.Command.Symbol);
        Assert.Equal(name, MarginModeNames.NameOf(mode));
    }

    [Fact]
    public void Every_engine_mode_has_exactly_one_contract_name()
    {
        var modes = MarginModeNames.Names.Select(n => MarginModeNames.Parse(n)!.Value).ToArray();

        Assert.Equal(Enum.GetValues<MarginMode>(), modes);
        Assert.Null(MarginModeNames.Parse("Composite"));
        Assert.Null(MarginModeNames.Parse("StandardCross"));
    }

    [Theory]
    [InlineData("historical")]
    [InlineData("Composite")]
    [InlineData("")]
    public void An_unknown_mode_is_one_violation_listing_every_valid_name(string name)
    {
        var open = new OpenAccountMessage { MessageId = "o", Source = "accounts", Sequence = 1, AccountId = "a", Mode = name }.ToCommand();
        var change = new MarginModeMessage { MessageId = "m", Source = "ops", Sequence = 1, AccountId = "a", Mode = name }.ToCommand();

        var expected = $"mode: must be one of standard, portfolio, simm, var, es, composite, not '{name}'.";
        Assert.False(open.IsValid);
        Assert.Equal("mode", Assert.Single(open.Violations).Field);
        Assert.Equal(expected, open.Describe());
        Assert.False(change.IsValid);
        Assert.Equal(expected, change.Describe());
    }

    [Fact]
    public void A_pre_trade_check_defaults_its_fee_to_zero()
    {
        var result = new PreTradeMessage { MessageId = "q", AccountId = "a", Symbol = "BTC-PERP", Side = "sell", Quantity = 2, Price = 60000 }.ToQuery();

        Assert.True(result.IsValid);
        Assert.Equal(new CheckPreTrade("q", "BTC-PERP", OrderSide.Sell, 2, 60000, 0m), result.Command);
    }

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), type);
        Assert.Null(violation);
        return message!;
    }
}
