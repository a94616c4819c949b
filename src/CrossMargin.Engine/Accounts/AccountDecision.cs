using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>The decision on one command: events to persist, a duplicate to acknowledge, or a rejection.</summary>
/// <param name="Outcome">Accepted, duplicate, rejected, or not decided until the journal is read.</param>
/// <param name="Events">The events to persist and apply, in order (empty unless accepted).</param>
/// <param name="Rejection">Why it was refused, when rejected.</param>
/// <param name="Gap">Sequence numbers of the command's source that were skipped (reported, not fatal), or null.</param>
public sealed record AccountDecision(DecisionOutcome Outcome, IReadOnlyList<IAccountEvent> Events, Rejection? Rejection, SequenceGap? Gap)
{
    // Settable once by Completed as well as at construction: the decider fills in an accepted decision it has just made
    // instead of copying it with `with` (a second object of ten fields per command).
    private SequenceGap? _gap = Gap;
    private Risk.Margin.MarginFigures? _marginAfter;
    private MarginBookFigures? _heldAfter;
    private string? _modelAfter;
    private StandardCrossKernel? _kernelAfter;
    private CompiledHoldings? _holdingsAfter;
    private AccountState? _stateAfter;
    private MessageCheck? _idCheck;
    private string? _checkedId;

    /// <summary>Sequence numbers of the command's source that were skipped (reported, not fatal), or null.</summary>
    public SequenceGap? Gap { get => _gap; init => _gap = value; }

    /// <summary>
    /// For an accepted command, the account's margin figures after its events, at the market it was decided at: the
    /// decider computes them anyway (to refuse events that would leave an account that cannot be margined), so the actor
    /// keeps them instead of margining the same state at the same market a second time. Null otherwise.
    /// </summary>
    public Risk.Margin.MarginFigures? MarginAfter
    {
        // When the kernel computed them they are kept only as the account holds them (HeldAfter), and stated on request.
        get => _marginAfter ?? (_heldAfter is { } held && _modelAfter is { } model
            ? new Risk.Margin.MarginFigures(held.ValuationTime, model, held.EquityUsd, held.InitialMarginUsd, held.MaintenanceMarginUsd, held.Status, [])
            : null);
        init => _marginAfter = value;
    }

    /// <summary>
    /// <see cref="MarginAfter"/> as the account holds its figures, at the settlement prices of the market decided at: the
    /// account keeps these instead of making its own copy of the same numbers. Null unless accepted.
    /// </summary>
    internal MarginBookFigures? HeldAfter => _heldAfter;

    /// <summary>The kernel that compiled <see cref="HoldingsAfter"/>, null when there are none.</summary>
    internal StandardCrossKernel? KernelAfter => _kernelAfter;

    /// <summary>
    /// The holdings after the events as the kernel compiled them for <see cref="MarginAfter"/> (null when no kernel takes
    /// them): the account that applies the same events at the same market routes with them instead of compiling again.
    /// </summary>
    internal CompiledHoldings? HoldingsAfter => _holdingsAfter;

    /// <summary>
    /// The decider's what-if copy with the events applied at the market it decided at (its ledger remembers nothing): the
    /// account adopts its balances, positions, orders and mode (<see cref="AccountState.AdoptDecided"/>) instead of applying
    /// the same events a second time, when it is still in the state decided on and the market is the same.
    /// </summary>
    internal AccountState? StateAfter => _stateAfter;

    /// <summary>
    /// For an accepted command, the ledger's check of its message id, which holds the id's fingerprint: the account records
    /// the events' ids with it (<see cref="AccountState.RecordDecided"/>) instead of hashing the id again. Null otherwise.
    /// </summary>
    internal MessageCheck? IdCheck => _idCheck;

    /// <summary>The command's message id, as checked (<see cref="IdCheck"/>).</summary>
    internal string? CheckedId => _checkedId;

    /// <summary>
    /// Fills in what an accepted decision carries after its events (see the properties of the same names); only the
    /// decider calls this, once, on a decision it has just made and handed to nobody.
    /// </summary>
    internal AccountDecision Completed(SequenceGap? gap, in DecidedFigures after, AccountState stateAfter, MessageCheck idCheck, string checkedId)
    {
        if (Outcome != DecisionOutcome.Accepted || _stateAfter is not null)
        {
            throw new InvalidOperationException("Only a new accepted decision is completed, and only once.");
        }

        _gap = gap;
        (_marginAfter, _heldAfter, _modelAfter, _kernelAfter, _holdingsAfter) = (after.Figures, after.Held, after.Model, after.Kernel, after.Holdings);
        (_stateAfter, _idCheck, _checkedId) = (stateAfter, idCheck, checkedId);
        return this;
    }

    /// <summary>Accepts with one event.</summary>
    public static AccountDecision Accept(IAccountEvent @event, SequenceGap? gap) => new(DecisionOutcome.Accepted, [@event], null, gap);

    /// <summary>A duplicate.</summary>
    public static AccountDecision Duplicate { get; } = new(DecisionOutcome.Duplicate, [], null, null);

    /// <summary>Not decided until the journal says whether the id was applied (<see cref="DecisionOutcome.Unconfirmed"/>).</summary>
    public static AccountDecision Unconfirmed { get; } = new(DecisionOutcome.Unconfirmed, [], null, null);

    /// <summary>Refuses with <paramref name="code"/> and <paramref name="message"/>.</summary>
    public static AccountDecision Reject(RejectionCode code, string message) => new(DecisionOutcome.Rejected, [], new Rejection(code, message), null);
}
