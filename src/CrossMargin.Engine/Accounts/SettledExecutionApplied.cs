namespace CrossMargin.Engine.Accounts;

/// <summary>
/// An execution in an expired instrument the account had been settled for was booked in its settled form
/// (<see cref="ApplyExecution.SettlementPrice"/>): <paramref name="Trade"/> booked and the position it opened settled at
/// once at <paramref name="SettlementPrice"/> (<see cref="Risk.Ledger.ExpirySettlement"/>), so only its cash stays. Its
/// own event, not a field of <see cref="ExecutionApplied"/>: a node that does not know it fails to read it rather than
/// booking a position the venue has settled, and the hot path's fill stays as it was.
/// </summary>
/// <param name="Trade">The fill, as it would have been booked before the settlement.</param>
/// <param name="SettlementPrice">The underlying's settlement price the position is settled at.</param>
public sealed record SettledExecutionApplied(ExecutionApplied Trade, decimal SettlementPrice) : IAccountEvent
{
    /// <inheritdoc />
    public string MessageId => Trade.MessageId;

    /// <inheritdoc />
    public string Source => Trade.Source;

    /// <inheritdoc />
    public long Sequence => Trade.Sequence;
}
