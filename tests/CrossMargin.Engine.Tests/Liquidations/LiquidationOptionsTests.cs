using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Engine.Tests.Liquidations;

public sealed class LiquidationOptionsTests
{
    [Fact]
    public void A_negative_take_over_step_count_is_refused_by_name_and_the_default_never_takes_a_solvent_account_over()
    {
        var errors = new LiquidationOptions { TakeOverAfterUnfilledSteps = -1 }.Validate();

        Assert.Equal(["Liquidation:TakeOverAfterUnfilledSteps must be 0 (never) or more, not -1."], errors);
        Assert.Empty(new LiquidationOptions().Validate());
        Assert.Empty(new LiquidationOptions { TakeOverAfterUnfilledSteps = 3 }.Validate());
        Assert.Equal(0, new LiquidationOptions().TakeOverAfterUnfilledSteps);
    }

    [Fact]
    public void An_ADL_price_band_outside_zero_to_one_is_refused_and_the_default_is_ten_percent()
    {
        Assert.Equal(0.1m, new LiquidationOptions().ToParameters().AdlPriceBand);
        Assert.Equal(0.05m, new LiquidationOptions { AdlPriceBand = 0.05m }.ToParameters().AdlPriceBand);
        Assert.Contains("ADL price band", Assert.Single(new LiquidationOptions { AdlPriceBand = 0m }.Validate()), StringComparison.Ordinal);
        Assert.Single(new LiquidationOptions { AdlPriceBand = 1m }.Validate());
    }

    [Fact]
    public void A_late_report_horizon_no_longer_than_the_order_timeout_is_refused_and_the_default_is_a_day()
    {
        Assert.Equal(TimeSpan.FromDays(1), new LiquidationOptions().LateReportHorizon);
        Assert.Empty(new LiquidationOptions().Validate());
        Assert.Equal("Liquidation:LateReportHorizon must be longer than OrderTimeout (00:00:05), not 00:00:05.",
            Assert.Single(new LiquidationOptions { LateReportHorizon = TimeSpan.FromSeconds(5) }.Validate()));
    }
}
