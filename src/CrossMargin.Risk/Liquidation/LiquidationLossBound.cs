namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// What one order of a step that closes an account's last positions may lose against the mark: its share of the
/// account's equity (before fees: slippage comes first, the fee is charged only from what the fill leaves of the share)
/// and the part of the insurance fund's balance set aside for it. Its limit is pulled in from the band so that, filled
/// there, it loses no more than the two together: a fill in the book never leaves a deficit the fund cannot pay.
/// </summary>
/// <param name="MarkPrice">The mark the step was planned at, which slippage is measured against.</param>
/// <param name="EquityShareUsd">The order's share of the account's equity, USD: its slippage and then its fee come out of it.</param>
/// <param name="FundShareUsd">The order's share of the fund's allowance, USD: slippage beyond the equity share, paid by the fund.</param>
public sealed record LiquidationLossBound(decimal MarkPrice, decimal EquityShareUsd, decimal FundShareUsd);
