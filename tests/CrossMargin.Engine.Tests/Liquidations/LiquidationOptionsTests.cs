using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Engine.Tests.Liquidations;

public sealed class LiquidationOptionsTests
{
    [Fact]
    public void A_take_over_after_fewer_than_one_unfilled_step_is_refused_by_name()
    {
        var errors = new LiquidationOptions { TakeOverAfterUnfilledSteps = 0 }.Validate();

        Assert.Equal(["Liquidation:TakeOverAfterUnfilledSteps must be at least 1, not 0."], errors);
        Assert.Empty(new LiquidationOptions().Validate());
        Assert.Equal(3, new LiquidationOptions().TakeOverAfterUnfilledSteps);
    }
}
