using System.Text;
using CrossMargin.Contracts.Inbound;

namespace CrossMargin.Contracts.Tests;

/// <summary>An execution's time is recorded with it: refused when it is an unset value or beyond what its consumers can hold.</summary>
public sealed class ExecutionTimeTests
{
    private const string Execution = """
        {"messageId":"ex-1","source":"me-1","sequence":7,"accountId":"acc-1","executionId":"ex-1","orderId":"o-1",
         "symbol":"BTC-PERP","side":"buy","quantity":1.5,"price":60000.5,"fee":0.25,"liquidity":"taker","timestamp":"TIME"}
        """;

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00-05:00", "0001-01-01T05:00:00Z")]
    [InlineData("1969-12-31T23:59:59.9999999Z", "1969-12-31T23:59:59.9999999Z")]
    [InlineData("1970-01-01T00:59:59+01:00", "1969-12-31T23:59:59Z")]
    [InlineData("2262-01-01T00:00:00Z", "2262-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z")]
    public void An_execution_time_before_the_unix_epoch_or_from_2262_is_malformed_with_the_range_and_the_time_in_utc(string time, string utc)
    {
        var result = ReadExecution(time).ToCommand();

        Assert.False(result.IsValid);
        var violation = Assert.Single(result.Violations);
        Assert.Equal("timestamp", violation.Field);
        Assert.Equal($"must be from 1970-01-01T00:00:00Z and before 2262-01-01T00:00:00Z, not {utc} (year 1 or 9999 is a time never set).", violation.Problem);
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00Z")]
    [InlineData("1970-01-01T01:00:00+01:00")]
    [InlineData("2261-12-31T23:59:59.9999999Z")]
    [InlineData("2026-11-21T08:00:00.123+08:00")]
    public void An_execution_time_within_the_range_is_read_as_sent(string time)
    {
        var result = ReadExecution(time).ToCommand();

        Assert.True(result.IsValid, result.Describe());
        Assert.Equal(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), result.Command!.VenueTimestamp);
    }

    [Fact]
    public void A_price_time_is_not_held_to_the_execution_range_its_age_is_the_price_feeds_to_judge()
    {
        var json = """{"indices":[{"asset":"BTC","price":1,"timestamp":"0001-01-01T00:00:00Z"}]}""";

        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);

        Assert.Null(violation);
        Assert.True(message!.ToUpdates().IsValid);
    }

    private static ExecutionMessage ReadExecution(string time)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(Execution.Replace("TIME", time, StringComparison.Ordinal)),
            ContractJsonContext.Default.ExecutionMessage);
        Assert.Null(violation);
        return message!;
    }
}
