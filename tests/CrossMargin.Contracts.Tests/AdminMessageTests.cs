using System.Text;
using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Contracts.Tests;

/// <summary>The operator's insurance-fund deposits and stress scenarios are read under the same contract as the venue's messages.</summary>
public sealed class AdminMessageTests
{
    [Fact]
    public void A_valid_fund_deposit_becomes_the_funds_command_with_the_exact_amount()
    {
        // 25 significant digits, more than a double holds, on the ledger's unit (a finer amount is the fund's to refuse).
        var result = Read("""{"requestId":"top-up-1","asset":"USDT","amount":"12345678901234567.00000001"}""",
            ContractJsonContext.Default.InsuranceFundDepositMessage).ToDeposit();

        Assert.True(result.IsValid, result.Describe());
        Assert.Equal(new DepositToInsuranceFund("top-up-1", "USDT", 12345678901234567.00000001m), result.Command);
    }

    [Theory]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":1,"amount":1000000}""", "uplicate")]
    [InlineData("""{"requestId":"r","requestId":"s","asset":"USDT","amount":1}""", "uplicate")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":1,"amout":5}""", "amout")]
    [InlineData("""{"requestId":"r","asset":"USDT","Amount":5}""", "Amount")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":1.000000000000000000000000000001}""", "significant digits")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":1E-30}""", "significant digits")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":"+5"}""", "amount")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":5} // five""", "line 1")]
    public void A_fund_deposit_the_contract_cannot_read_exactly_is_refused_by_the_reader(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.InsuranceFundDepositMessage);

        Assert.Null(message);
        Assert.Contains(expected, violation!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"asset":"USDT","amount":5}""", "requestId", "is required.")]
    [InlineData("""{"requestId":"r\u200b","asset":"USDT","amount":5}""", "requestId", "printable")]
    [InlineData("""{"requestId":" r","asset":"USDT","amount":5}""", "requestId", "surrounding spaces")]
    [InlineData("""{"requestId":"r","amount":5}""", "asset", "is required.")]
    [InlineData("""{"requestId":"r","asset":"USDT"}""", "amount", "is required.")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":0}""", "amount", "must be positive, not 0.")]
    [InlineData("""{"requestId":"r","asset":"USDT","amount":-5}""", "amount", "must be positive, not -5.")]
    public void A_fund_deposit_with_a_missing_or_bad_field_names_it(string json, string field, string problem)
    {
        var result = Read(json, ContractJsonContext.Default.InsuranceFundDepositMessage).ToDeposit();

        Assert.False(result.IsValid);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(field, violation.Field);
        Assert.Contains(problem, violation.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// An operator's rebooking carries its confirmation of what the cluster cannot check (an unverified fill, a settlement
    /// price the counterparty does not keep) only when given as the JSON boolean true; absent, it is not confirmed.
    /// </summary>
    [Fact]
    public void A_rebooking_carries_the_operators_confirmation_only_when_given()
    {
        var confirmed = Read("""{"liquidationId":"liq-1","round":1,"counterpartyId":"acc-b","settlementPrice":58000,"confirmUnverified":true}""",
            ContractJsonContext.Default.AdlRebookMessage).ToRebook();
        var plain = Read("""{"liquidationId":"liq-1","round":1,"counterpartyId":"acc-b"}""", ContractJsonContext.Default.AdlRebookMessage).ToRebook();

        Assert.Equal(new RebookAdlReversal("liq-1", 1, "acc-b", 58_000m, ConfirmUnverified: true), confirmed.Command);
        Assert.Equal(new RebookAdlReversal("liq-1", 1, "acc-b"), plain.Command);
    }

    [Theory]
    [InlineData("""{"liquidationId":"liq-1","round":1,"counterpartyId":"acc-b","confirmUnverified":"true"}""", "confirmUnverified")]
    [InlineData("""{"liquidationId":"liq-1","round":1,"counterpartyId":"acc-b","confirmUnverified":1}""", "confirmUnverified")]
    [InlineData("""{"liquidationId":"liq-1","round":1,"counterpartyId":"acc-b","confirmUnverifed":true}""", "confirmUnverifed")]
    public void A_rebooking_whose_confirmation_is_not_a_boolean_or_misspelt_is_refused_by_the_reader(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.AdlRebookMessage);

        Assert.Null(message);
        Assert.Contains(expected, violation!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_stress_keeps_its_moves_exactly()
    {
        var result = Read("""{"spot":{"BTC":-0.3,"ETH":"-0.350000000000000000000000001"},"volPoints":"20"}""", ContractJsonContext.Default.StressMessage).ToScenario();

        Assert.True(result.IsValid, result.Describe());
        Assert.Equal(-0.3m, result.Command!.Spot!["BTC"]);
        Assert.Equal(-0.350000000000000000000000001m, result.Command.Spot["ETH"]);
        Assert.Equal(20d, result.Command.VolPoints);
    }

    [Theory]
    [InlineData("""{"spot":{"BTC":-0.3,"BTC":0.5}}""", "uplicate")]
    [InlineData("""{"spot":{"BTC":-0.3},"spot":{"BTC":0.5}}""", "uplicate")]
    [InlineData("""{"spot":{"BTC":-0.3},"vol":20}""", "vol")]
    [InlineData("""{"Spot":{"BTC":-0.3}}""", "Spot")]
    [InlineData("""{"spot":{"BTC":-0.3000000000000000000000000000001}}""", "significant digits")]
    [InlineData("""{"spot":{"BTC":"NaN"}}""", "spot")]
    [InlineData("""{"spot":{"BTC":-0.3},"volPoints":"20 "}""", "volPoints")]
    [InlineData("""{"spot":["BTC",-0.3]}""", "spot")]
    public void A_stress_the_contract_cannot_read_exactly_is_refused_by_the_reader(string json, string expected)
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.StressMessage);

        Assert.Null(message);
        Assert.Contains(expected, violation!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"spot":{"":-0.3}}""", "is required.")]
    [InlineData("""{"spot":{"BTC\u200b":-0.3}}""", "printable")]
    [InlineData("""{"spot":{" BTC":-0.3}}""", "surrounding spaces")]
    public void A_stress_naming_something_no_id_could_be_names_the_spot_field(string json, string problem)
    {
        var result = Read(json, ContractJsonContext.Default.StressMessage).ToScenario();

        Assert.False(result.IsValid);
        var violation = Assert.Single(result.Violations);
        Assert.Equal("spot", violation.Field);
        Assert.Contains(problem, violation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"volPoints":"NaN"}""", "must be a finite number of vol points, not NaN.")]
    [InlineData("""{"volPoints":1e400}""", "must be a finite number of vol points, not Infinity.")]
    [InlineData("""{"volPoints":"-Infinity"}""", "must be a finite number of vol points, not -Infinity.")]
    public void A_stress_whose_vol_move_the_reader_takes_as_not_finite_is_refused(string json, string problem)
    {
        var result = Read(json, ContractJsonContext.Default.StressMessage).ToScenario();

        Assert.False(result.IsValid);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(("volPoints", problem), (violation.Field, violation.Problem));
    }

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), type);
        Assert.Null(violation);
        return message!;
    }
}
