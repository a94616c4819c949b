using CrossMargin.Risk.Margin;

namespace CrossMargin.Risk.Liquidation;

/// <summary>The result of one liquidation step: what to send, why, and where the account should be afterwards.</summary>
/// <param name="Outcome">Done, orders, throttled, or nothing to close.</param>
/// <param name="Reason">Why, in words, with the numbers that decided it.</param>
/// <param name="Orders">Reduce-only IOC orders to send now (empty unless <paramref name="Outcome"/> is Orders).</param>
/// <param name="Before">The account as assessed before the step.</param>
/// <param name="ExpectedAfter">The account assessed as if every order filled at the mark and paid its fee.</param>
public sealed record LiquidationPlan(
    LiquidationPlanOutcome Outcome,
    string Reason,
    IReadOnlyList<LiquidationOrder> Orders,
    AccountMargin Before,
    AccountMargin ExpectedAfter)
{
    /// <summary>The fees of all orders in USD, to the cent.</summary>
    public decimal TotalFeeUsd => Orders.Sum(o => o.Fee.AmountUsd);
}
