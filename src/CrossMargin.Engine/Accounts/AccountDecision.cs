namespace CrossMargin.Engine.Accounts;

/// <summary>The decision on one command: events to persist, a duplicate to acknowledge, or a rejection.</summary>
/// <param name="Outcome">Accepted, duplicate, rejected, or not decided until the journal is read.</param>
/// <param name="Events">The events to persist and apply, in order (empty unless accepted).</param>
/// <param name="Rejection">Why it was refused, when rejected.</param>
/// <param name="Gap">Sequence numbers of the command's source that were skipped (reported, not fatal), or null.</param>
public sealed record AccountDecision(DecisionOutcome Outcome, IReadOnlyList<IAccountEvent> Events, Rejection? Rejection, SequenceGap? Gap)
{
    /// <summary>
    /// For an accepted command, the account's margin figures after its events, at the market it was decided at: the
    /// decider computes them anyway (to refuse events that would leave an account that cannot be margined), so the actor
    /// keeps them instead of margining the same state at the same market a second time. Null otherwise.
    /// </summary>
    public Risk.Margin.MarginFigures? MarginAfter { get; init; }

    /// <summary>
    /// The holdings after the events as the kernel compiled them for <see cref="MarginAfter"/> (null when no kernel takes
    /// them): the account that applies the same events at the same market routes with them instead of compiling again.
    /// </summary>
    internal KernelHoldings? HoldingsAfter { get; init; }

    /// <summary>
    /// The decider's what-if copy with the events applied at the market it decided at (its ledger remembers nothing): the
    /// account adopts its balances, positions, orders and mode (<see cref="AccountState.AdoptDecided"/>) instead of applying
    /// the same events a second time, when it is still in the state decided on and the market is the same.
    /// </summary>
    internal AccountState? StateAfter { get; init; }

    /// <summary>
    /// For an accepted command, the ledger's check of its message id, which holds the id's fingerprint: the account records
    /// the events' ids with it (<see cref="AccountState.RecordDecided"/>) instead of hashing the id again. Null otherwise.
    /// </summary>
    internal MessageCheck? IdCheck { get; init; }

    /// <summary>The command's message id, as checked (<see cref="IdCheck"/>).</summary>
    internal string? CheckedId { get; init; }

    /// <summary>Accepts with one event.</summary>
    public static AccountDecision Accept(IAccountEvent @event, SequenceGap? gap) => new(DecisionOutcome.Accepted, [@event], null, gap);

    /// <summary>A duplicate.</summary>
    public static AccountDecision Duplicate { get; } = new(DecisionOutcome.Duplicate, [], null, null);

    /// <summary>Not decided until the journal says whether the id was applied (<see cref="DecisionOutcome.Unconfirmed"/>).</summary>
    public static AccountDecision Unconfirmed { get; } = new(DecisionOutcome.Unconfirmed, [], null, null);

    /// <summary>Refuses with <paramref name="code"/> and <paramref name="message"/>.</summary>
    public static AccountDecision Reject(RejectionCode code, string message) => new(DecisionOutcome.Rejected, [], new Rejection(code, message), null);
}
