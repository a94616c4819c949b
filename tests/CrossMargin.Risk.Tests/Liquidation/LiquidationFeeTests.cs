using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Liquidation;

public class LiquidationFeeTests
{
    /// <summary>
    /// BTC at 45,000: the 70,000 call is worth a few USD, but 0.5% of its underlying's notional is 225 USD a contract.
    /// The fee is 12.5% of what the closed calls are worth at mark instead.
    /// </summary>
    [Fact]
    public void A_far_out_of_the_money_options_fee_is_at_most_an_eighth_of_its_value()
    {
        var market = TestMarket.Build(btc: 45_000m);
        var symbol = TestMarket.LinearOption(OptionKind.Call, 70000);
        var instrument = market.GetInstrument(symbol);
        var value = 2m * instrument.ContractSize * market.MarkOf(symbol).MarkPrice;
        Assert.True(value * 0.125m < 450m, $"the calls are worth {value} USD");

        var fee = LiquidationFee.Compute(instrument, 2m, market, 0.005m, equityAboveBankruptcyUsd: 1_000_000m);

        Assert.Equal(MarginRounding.Equity(value * 0.125m), fee.AmountUsd);
        Assert.Equal((450m, true, "USDT"), (fee.UncappedUsd, fee.Capped, fee.Asset));
    }

    /// <summary>
    /// The cap is a setting (<see cref="LiquidationParameters.OptionFeeCapOfValue"/>): at 5%, closing 3 of the 60,000 calls
    /// marked at 1,234.56 USDT (worth 3,703.68) pays 5% of that, 185.184, down to the cent: 185.18, not the rate's
    /// 0.5% x 3 x 60,000 = 900 nor the default eighth (462.96).
    /// </summary>
    [Fact]
    public void An_options_fee_cap_is_the_configured_fraction_of_the_closed_options_value()
    {
        var call = new OptionContract("BTC-27MAR26-60000-C-USDT", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m,
            TestMarket.March, OptionKind.Call, 60_000m);
        var market = new MarketSnapshot(TestMarket.ValuationTime, [call],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USDT"] = 1m },
            [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(call.Symbol, 1_234.56m, 0.55)]);
        var parameters = new LiquidationParameters(0.05m, 0.25m, 0.005m, 0.02m, 100m, optionFeeCapOfValue: 0.05m);

        var fee = LiquidationFee.Compute(call, 3m, market, parameters.FeeRate, 1_000_000m, parameters.OptionFeeCapOfValue);

        Assert.Equal((185.18m, 185.18m, 900m, true), (fee.AmountUsd, fee.Amount, fee.UncappedUsd, fee.Capped));
        Assert.Equal(0.125m, new LiquidationParameters(0.05m, 0.25m, 0.005m, 0.02m, 100m).OptionFeeCapOfValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiquidationParameters(0.05m, 0.25m, 0.005m, 0.02m, 100m, optionFeeCapOfValue: 1.01m));
    }

    /// <summary>BTC at 60,000: the 50,000 call is worth over 10,000 USD; 0.5% of 60,000 (300 USD) is far under an eighth of it.</summary>
    [Fact]
    public void An_in_the_money_options_fee_is_the_rate_on_its_underlyings_notional()
    {
        var market = TestMarket.Build(btc: 60_000m);
        var instrument = market.GetInstrument(TestMarket.LinearOption(OptionKind.Call, 50000));

        var fee = LiquidationFee.Compute(instrument, 1m, market, 0.005m, equityAboveBankruptcyUsd: 1_000_000m);

        Assert.Equal((300.00m, 300m, false), (fee.AmountUsd, fee.Amount, fee.Capped));
    }

    [Fact]
    public void An_options_fee_is_still_capped_by_the_equity_left_above_bankruptcy()
    {
        var market = TestMarket.Build(btc: 60_000m);
        var instrument = market.GetInstrument(TestMarket.LinearOption(OptionKind.Call, 50000));

        var fee = LiquidationFee.Compute(instrument, 1m, market, 0.005m, equityAboveBankruptcyUsd: 120.456m);

        Assert.Equal((120.45m, true), (fee.AmountUsd, fee.Capped));
    }
}
