using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
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
