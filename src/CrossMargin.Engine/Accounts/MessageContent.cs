namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Whether a command says the same as the applied event its id was recorded with: what tells a retry (a duplicate) from
/// a new message under a reused id (<see cref="RejectionCode.IdReused"/>). See <see cref="MessageLedger"/>, "Content".
/// </summary>
/// <remarks>
/// The comparison is of the decoded fields, never of the bytes a message came in: the same message re-serialized with
/// other whitespace or field order is the same message. Amounts, quantities and prices compare as decimal values, so
/// 1.5 and 1.50 (and "1.50" in quotes) are the same amount; times compare as instants, so 09:00+01:00 and 08:00Z are
/// the same time; text compares ordinally, as ids do. The envelope (id, source, sequence) is not content: a retry its
/// source renumbered is still a retry. Nor is an execution's <see cref="ApplyExecution.ReducesPosition"/>: it is a
/// condition on applying, not what is booked, and the liquidation coordinator re-sends a bankrupt side without it; nor
/// its <see cref="ApplyExecution.SettlementPriceConfirmed"/>, the operator's confirmation of the price it settles at.
/// </remarks>
public static class MessageContent
{
    /// <summary>
    /// True when <paramref name="command"/> would have been recorded as <paramref name="applied"/>: the same kind of message
    /// with the same content. <paramref name="applied"/> is the last event recorded under the command's id (for a
    /// cancel-all, its <see cref="AllOrdersCancelled"/>).
    /// </summary>
    public static bool Same(IAccountCommand command, IAccountEvent applied)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(applied);
        return (command, applied) switch
        {
            (OpenAccount c, AccountOpened e) => c.Mode == e.Mode,
            (ApplyExecution c, ExecutionApplied e) => c.ExecutionId == e.ExecutionId && c.OrderId == e.OrderId && c.Symbol == e.Symbol && c.Side == e.Side
                && c.Quantity == e.Quantity && c.Price == e.Price && c.Fee == e.Fee && c.Liquidity == e.Liquidity && c.VenueTimestamp == e.VenueTimestamp
                && c.IsLiquidation == e.IsLiquidation && c.SettlementPrice is null,
            (ApplyExecution c, SettledExecutionApplied e) => Same(c with { SettlementPrice = null }, e.Trade) && c.SettlementPrice == e.SettlementPrice,
            (AcceptOrder c, OrderAccepted e) => c.OrderId == e.OrderId && c.Symbol == e.Symbol && c.Side == e.Side && c.Quantity == e.Quantity
                && c.LimitPrice == e.LimitPrice,
            (CancelOrder c, OrderCancelled e) => c.OrderId == e.OrderId,
            (CancelAllOrders, AllOrdersCancelled) => true,
            (VoidSequence c, SequenceVoided e) => c.VoidedMessageId == e.VoidedMessageId,
            (CoverDeficit c, DeficitCovered e) => c.Asset == e.Asset && c.Amount == e.Amount,
            (ChargeLiquidationFee c, LiquidationFeeCharged e) => c.LiquidationId == e.LiquidationId && c.Asset == e.Asset && c.Amount == e.Amount,
            (Deposit c, Deposited e) => c.Asset == e.Asset && c.Amount == e.Amount,
            (Withdraw c, Withdrawn e) => c.Asset == e.Asset && c.Amount == e.Amount,
            (SettleFunding c, FundingSettled e) => c.Symbol == e.Symbol && c.Rate == e.Rate && c.MarkPrice == e.MarkPrice
                && c.PositionQuantity == e.PositionQuantity,
            (SettleExpiry c, ExpirySettled e) => c.Symbol == e.Symbol && c.SettlementPrice == e.SettlementPrice,
            // A change of a position's margin records the account's mode, not the command's (which it ignores).
            (ChangeMarginMode c, MarginModeChanged e) => c.Symbol is null
                ? e.Symbol is null && c.Mode == e.Mode
                : c.Symbol == e.Symbol && c.IsolatedMargin == e.IsolatedMargin,
            _ => false,
        };
    }
}
