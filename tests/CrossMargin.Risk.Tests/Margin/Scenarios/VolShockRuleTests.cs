using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Margin.Scenarios;

/// <summary>Deribit's vol shock: vol x (1 ± shock x (30 / days)^power), power 0.30 under 30 days and 0.13 from 30 on.</summary>
public class VolShockRuleTests
{
    private static readonly VolShockRule Deribit = TestParameters.DeribitVolShock;

    [Theory]
    [InlineData(7, 0.30, 0.532112, 0.183944)]
    [InlineData(90, 0.60, 0.860073, 0.469963)]
    public void Deribit_worked_values(double days, double vol, double up, double down)
    {
        Assert.Equal(up, Deribit.Apply(vol, days, VolShockDirection.Up), 6);
        Assert.Equal(down, Deribit.Apply(vol, days, VolShockDirection.Down), 6);
    }

    [Fact]
    public void Up_shocked_vol_is_floored_at_50_percent()
    {
        // 0.30 x (1 + 0.5 x 2^0.30) = 0.4847, below the floor.
        Assert.Equal(0.50, Deribit.Apply(0.30, 15, VolShockDirection.Up));
        Assert.Equal(0.207664, Deribit.Apply(0.30, 15, VolShockDirection.Down), 6);
    }

    [Fact]
    public void No_shock_leaves_vol_unchanged()
    {
        Assert.Equal(0.42, Deribit.Apply(0.42, 3, VolShockDirection.None));
    }

    [Fact]
    public void Days_are_floored_at_one_so_the_scale_stays_finite_at_expiry()
    {
        Assert.Equal(Deribit.Apply(0.8, 1, VolShockDirection.Up), Deribit.Apply(0.8, 0, VolShockDirection.Up));
        Assert.True(double.IsFinite(Deribit.Apply(0.8, 0, VolShockDirection.Down)));
    }

    [Fact]
    public void Absolute_shock_adds_vol_points_and_never_goes_below_the_minimum()
    {
        var span = new VolShockRule(Relative: false, Up: 0.10, Down: 0.10);

        Assert.Equal(0.65, span.Apply(0.55, 20, VolShockDirection.Up), 12);
        Assert.Equal(0.45, span.Apply(0.55, 20, VolShockDirection.Down), 12);
        Assert.Equal(0.0001, span.Apply(0.05, 20, VolShockDirection.Down));
    }
}
