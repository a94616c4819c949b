using System.Diagnostics;
using System.Globalization;
using CrossMargin.Actors;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Accounts;

/// <summary>Commands: the in-sequence check, deciding and persisting, and the journal look-up that settles a possible duplicate.</summary>
public sealed partial class AccountActor
{
    // How many of the newest applied ids a message at an old sequence is looked for among once the window is full: a
    // re-send after a restart or a lost answer is recent; a sequence older than that is refused as out of order.
    private const int OutOfOrderLookback = 1_024;

    /// <inheritdoc />
    protected override IReadOnlyList<string> TagsFor(object persistedEvent) => persistedEvent is AccountOpened
        ? _settings.Shard is { } shard ? [AccountTags.Opened, AccountTags.OpenedInShard(shard)] : [AccountTags.Opened]
        : [];

    private void HandleInSequence(IAccountCommand command)
    {
        // Only an open account has sequences to be ahead of; anything else (a duplicate, an old sequence, an account not
        // open, a malformed envelope) is decided as usual.
        if (_state.IsOpen && command.Source is { } source && command.MessageId is { } id
            && _state.Messages.Check(id, source, command.Sequence, _settings.MaxSequenceJump) is { Verdict: MessageVerdict.Accepted or MessageVerdict.PossibleDuplicate, Gap: { } gap })
        {
            Sender.Tell(new CommandAhead(id, gap), Self);
            return;
        }

        Handle(command);
    }

    private void Handle(IAccountCommand command, bool idConfirmedNew = false)
    {
        // Executions only: "execution to margin updated" is the latency the venue waits on; zero means not measured.
        var received = command is ApplyExecution ? Stopwatch.GetTimestamp() : 0L;
        AccountDecision decision;
        var decidedAt = _settings.Market.Current;
        try
        {
            decision = AccountDecider.Decide(_state, command, decidedAt, _settings.Models, idConfirmedNew, _settings.MaxSequenceJump);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Account {AccountId}: command {MessageId} could not be decided at the current market", _state.AccountId, command.MessageId);
            Sender.Tell(new CommandRejected(command.MessageId, new Rejection(RejectionCode.AssessmentFailed,
                $"Account {_state.AccountId} could not be margined at the current market: {e.Message}")), Self);
            return;
        }

        var replyTo = Sender;
        switch (decision.Outcome)
        {
            case DecisionOutcome.Rejected:
                replyTo.Tell(new CommandRejected(command.MessageId, decision.Rejection!), Self);
                PassivateIfNotOpen();
                return;
            case DecisionOutcome.Duplicate or DecisionOutcome.Unconfirmed:
                ConfirmThenHandle(command);
                return;
        }

        if (decision.Gap is { } gap)
        {
            Context.Log.LogWarning("Account {AccountId}: message {MessageId} from {Source} skipped sequence {From} to {To}; applied anyway",
                _state.AccountId, command.MessageId, gap.Source, gap.From, gap.To);
        }

        if (decision.Events.Count == 0)
        {
            replyTo.Tell(new CommandAccepted(command.MessageId, decision.Events, Figures?.ToSummary(), decision.Gap), Self);
            return;
        }

        var remaining = decision.Events.Count;
        bool? adopt = null;
        _persistingFor = replyTo;
        PersistAll(decision.Events, @event =>
        {
            // The mailbox was held since the decision, so the state is the one decided on; at the same market, applying the
            // events again would only rebuild what the decider's copy holds: record their ids and adopt the copy's holdings.
            // Chosen once for all the command's events, so that a market moving between two of them cannot split the way.
            adopt ??= decision.StateAfter is not null && ReferenceEquals(decidedAt, _settings.Market.Current);
            if (adopt.Value)
            {
                _state.RecordDecided(@event, decision);
            }
            else
            {
                _state.Apply(@event, InstrumentLookup.Of(_settings.Market.Current));
            }

            if (--remaining == 0)
            {
                // Whether the command left the symbols held and the assets with a balance as they were (nearly every fill):
                // the topics are then those registered after the last change, and checking them again is skipped.
                var topicsKept = false;
                if (adopt.Value)
                {
                    topicsKept = _state.SameTopicShapeAs(decision.StateAfter!);
                    _state.AdoptDecided(decision.StateAfter!);
                }

                _persistingFor = null;
                // The decider assessed exactly this state (its copy with the same events applied); reuse it when the
                // market is still the one it was decided at, which is nearly always: assessing is most of a command's CPU.
                // So are its compiled holdings, when the calculators are still those it was decided with (the kernel says so).
                if (ReferenceEquals(decidedAt, _settings.Market.Current))
                {
                    AfterChange(decision, topicsKept);
                }
                else
                {
                    AfterChange();
                }

                if (received != 0)
                {
                    EngineMetrics.ExecutionMarginLatency.Record(Stopwatch.GetElapsedTime(received).TotalMilliseconds);
                }

                replyTo.Tell(new CommandAccepted(command.MessageId, decision.Events, Figures?.ToSummary(), decision.Gap), Self);
            }
        });
    }

    // The id's fingerprint matches a recent one at a new sequence: a retry its source renumbered, or (about once in 67
    // million messages) another id with the same fingerprint. Only the journal, which holds every applied id, can tell.
    // Or the message is at an old sequence and its id not in the full window: applied before and since forgotten, or
    // new; it is looked for among the last OutOfOrderLookback ids, beyond which it stays "out of order" (applied in
    // neither case; a source flooding old sequences cannot make the account read its whole journal each time). Or the
    // fingerprint matches at an old sequence: applied before, most likely, but only the event recorded under the id
    // tells a retry from a new message under a reused id (MessageLedger, "Content"). All are rare enough to hold the
    // account's later messages while it reads (they must not overtake this one).
    private void ConfirmThenHandle(IAccountCommand command)
    {
        var replyTo = Sender;
        var verdict = _state.Messages.Check(command.MessageId, command.Source, command.Sequence, _settings.MaxSequenceJump).Verdict;
        var outOfOrder = verdict == MessageVerdict.OutOfOrder;
        Defer(() => FindInJournalAsync(command.MessageId, outOfOrder ? OutOfOrderLookback : _state.Messages.Capacity), found =>
        {
            switch (found.Outcome)
            {
                case IdLookup.Applied when MessageContent.Same(command, found.Applied!):
                    replyTo.Tell(new CommandDuplicate(command.MessageId), Self);
                    break;
                case IdLookup.Applied:
                    Context.Log.LogWarning("Account {AccountId}: message {MessageId} from {Source} reuses the id of an applied {Applied} with other content; refused",
                        _state.AccountId, command.MessageId, command.Source, found.Applied!.GetType().Name);
                    replyTo.Tell(new CommandRejected(command.MessageId, IdReused(command, found.Applied)), Self);
                    break;
                case IdLookup.NotApplied:
                    Handle(command, idConfirmedNew: true);
                    break;
                case IdLookup.Unknown or IdLookup.Failed when outOfOrder:
                    // Whatever the journal could not tell, a message at an old sequence is not applied: refused as before.
                    Handle(command, idConfirmedNew: true);
                    break;
                case IdLookup.Unknown when verdict == MessageVerdict.Duplicate:
                    // At an old sequence with its id remembered, but the event that would show its content was deleted after a
                    // snapshot: answered a duplicate, as before contents were compared (it is applied in neither case).
                    replyTo.Tell(new CommandDuplicate(command.MessageId), Self);
                    break;
                case IdLookup.Unknown:
                    // The events that would settle it were deleted after a snapshot. Applying could apply a message twice;
                    // refusing loses nothing: the venue sees why, and the id can be checked by hand.
                    replyTo.Tell(new CommandRejected(command.MessageId, new Rejection(RejectionCode.PossibleDuplicate,
                        $"Message {command.MessageId} may have been applied already under another sequence, and the journal no longer holds "
                        + "the events that would tell: nothing was applied. Resend it under a new id if it is new.")), Self);
                    break;
                default:
                    Context.Log.LogError(found.Error, "Account {AccountId}: reading the journal to confirm message {MessageId} failed", _state.AccountId, command.MessageId);
                    replyTo.Tell(new Status.Failure(new AccountUnavailableException(_state.AccountId,
                        $"its journal could not be read to tell whether message {command.MessageId} was applied", found.Error)), Self);
                    break;
            }
        });
    }

    private static Rejection IdReused(IAccountCommand command, IAccountEvent applied) => new(RejectionCode.IdReused, string.Create(CultureInfo.InvariantCulture,
        $"Message {command.MessageId}: its id was applied already, from {applied.Source} at sequence {applied.Sequence} as {applied.GetType().Name}, with other content "
        + $"than this {command.GetType().Name}: nothing was applied. A retry must repeat the message as sent; a new message needs a new id."));

    // Reads back, newest first, until the id is found or `enough` distinct ids have been seen: for a fingerprint match,
    // as many as the window remembers (the fingerprint matched one of those, so an id not among them is new, as new as
    // any id beyond the window).
    // Found, it is the newest event recorded under the id: a command's only one, or a cancel-all's AllOrdersCancelled.
    private async Task<(IdLookup Outcome, IAccountEvent? Applied, Exception? Error)> FindInJournalAsync(string messageId, int enough)
    {
        try
        {
            enough = Math.Max(1, enough);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var to = LastSequenceNr;
            for (var span = (long)enough; to >= 1; span *= 2)
            {
                var from = Math.Max(1, to - span + 1);
                var events = new List<IAccountEvent>();
                await foreach (var stored in ReadEventsAsync(from, to).ConfigureAwait(true))
                {
                    if (stored is IAccountEvent @event)
                    {
                        events.Add(@event);
                    }
                }

                for (var i = events.Count - 1; i >= 0; i--)
                {
                    if (string.Equals(events[i].MessageId, messageId, StringComparison.Ordinal))
                    {
                        return (IdLookup.Applied, events[i], null);
                    }

                    if (seen.Add(events[i].MessageId) && seen.Count >= enough)
                    {
                        return (IdLookup.NotApplied, null, null);
                    }
                }

                if (events.Count < to - from + 1)
                {
                    return (IdLookup.Unknown, null, null);
                }

                to = from - 1;
            }

            return (IdLookup.NotApplied, null, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (IdLookup.Failed, null, e);
        }
    }

    private enum IdLookup
    {
        Applied,
        NotApplied,
        Unknown,
        Failed,
    }
}
