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
}
