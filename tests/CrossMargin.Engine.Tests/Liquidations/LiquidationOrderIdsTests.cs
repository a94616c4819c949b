using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>The coordinator's order ids, by which an edge tells a fill of its own order from anything else for the account.</summary>
public sealed class LiquidationOrderIdsTests
{
    [Fact]
    public void The_ids_the_coordinator_makes_are_orders_of_the_account_they_name()
    {
        var order = LiquidationOrderIds.Order(LiquidationOrderIds.Liquidation("insurance-fund", 12), 3, 2);

        Assert.Equal("liq-insurance-fund-12-s3-2", order);
        Assert.True(LiquidationOrderIds.IsOrderOf("insurance-fund", order));
    }

    [Theory]
    [InlineData("liq-insurance-fund-x-1-s1-1")] // an order of account "insurance-fund-x"
    [InlineData("liq-insurance-fund-1-s1-1-1")]
    [InlineData("liq-insurance-fund-1-s1-")]
    [InlineData("liq-insurance-fund-1-s1")]
    [InlineData("liq-insurance-fund-1")]
    [InlineData("liq-insurance-fund-01-s1-1")]
    [InlineData("liq-insurance-fund-1-s0-1")]
    [InlineData("liq-insurance-fund-1-s1-1 ")]
    [InlineData("liq-insurance-fund--1-s1-1")]
    [InlineData("LIQ-insurance-fund-1-s1-1")]
    [InlineData("liq-Insurance-fund-1-s1-1")]
    [InlineData("o-88")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_an_order_of_that_account(string? orderId) =>
        Assert.False(LiquidationOrderIds.IsOrderOf("insurance-fund", orderId));
}
