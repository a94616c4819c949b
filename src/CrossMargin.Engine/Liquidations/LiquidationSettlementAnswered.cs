namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The account or the fund answered a fee or cover message of the liquidation: journaled so that a restart does not send
/// it again. An account answers a message older than its journal look-up as out of order, so a late re-send of one it
/// applied long ago would read as a refusal that never happened.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="MessageId">The message's id at its receiver (the command's message id, or the fund's request id).</param>
/// <param name="ToFund">True for the insurance fund, false for the account.</param>
/// <param name="Refusal">Why the receiver refused it; null when it applied it (now or before).</param>
/// <param name="Time">When.</param>
public sealed record LiquidationSettlementAnswered(string LiquidationId, string MessageId, bool ToFund, string? Refusal, DateTimeOffset Time) : ILiquidationEvent;
