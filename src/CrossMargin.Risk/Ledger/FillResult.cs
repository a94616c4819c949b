using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Ledger;

/// <summary>How one fill changes a position and the account's balance in the settlement asset.</summary>
/// <param name="Position">The position after the fill, or null when it is flat.</param>
/// <param name="SettlementAsset">The asset <see cref="CashFlow"/> and <see cref="ReleasedIsolatedMargin"/> are in.</param>
/// <param name="RealizedPnl">
/// P&amp;L realized on the closed part at the old entry, in full decimal precision (not booked, so it agrees with
/// <see cref="Valuation.PositionValuation"/> to the last digit). For options it is the premium difference, for information:
/// the premium itself already moves in <see cref="CashFlow"/>.
/// </param>
/// <param name="CashFlow">
/// What the fill credits (positive) or debits (negative) to the wallet balance, booked by
/// <see cref="LedgerRounding.Book"/>: realized P&amp;L - fee for futures and perpetuals; -(signed quantity x contract
/// size x price) - fee for options, whose premium is paid in cash at trade time.
/// </param>
/// <param name="ClosedQuantity">Contracts of the old position closed, zero or positive.</param>
/// <param name="OpenedQuantity">Contracts opened or added, zero or positive; closed + opened = the fill's quantity.</param>
/// <param name="ReleasedIsolatedMargin">
/// Isolated margin returned to the wallet because part or all of an isolated position closed (zero for a cross
/// position), booked; what stays isolated is the old margin minus this, so no unit is lost.
/// </param>
public sealed record FillResult(
    Position? Position,
    string SettlementAsset,
    decimal RealizedPnl,
    decimal CashFlow,
    decimal ClosedQuantity,
    decimal OpenedQuantity,
    decimal ReleasedIsolatedMargin)
{
    /// <summary>The total change of the wallet balance in <see cref="SettlementAsset"/>: cash flow plus released margin.</summary>
    public decimal BalanceChange => CashFlow + ReleasedIsolatedMargin;
}
