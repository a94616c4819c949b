using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Accounts;

/// <summary>Recovery from the journal, and refusing everything for a moment after a failed write before recovering.</summary>
public sealed partial class AccountActor
{
    /// <inheritdoc />
    protected override void ReceiveRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AccountSnapshot snapshot }:
                _state = AccountState.FromSnapshot(snapshot);
                break;
            case IAccountEvent @event:
                _state.Apply(@event, InstrumentLookup.Of(_settings.Market.Current));
                break;
            case RecoveryCompleted:
                ReportPositionsOffLot();
                AfterChange();
                break;
        }
    }

    /// <summary>
    /// Names each position off its instrument's lot (booked before lots were enforced, or by a lot the market file has
    /// changed since) for the operator: kept and margined as it is, it closes only by one fill of all of it.
    /// </summary>
    private void ReportPositionsOffLot()
    {
        var market = _settings.Market.Current;
        foreach (var position in _state.PositionList)
        {
            if (position.Quantity != 0 && (market.FindInstrument(position.Symbol) ?? market.FindExpired(position.Symbol)) is { } instrument
                && !instrument.IsOnLot(position.Quantity))
            {
                Context.Log.LogWarning("Account {AccountId} holds {Quantity} {Symbol}, off its lot of {Lot}: it trades down in whole lots and closes by one fill of all of it",
                    _state.AccountId, position.Quantity, position.Symbol, instrument.LotSize);
                EngineMetrics.PositionsOffLot.Add(1, new KeyValuePair<string, object?>("symbol", position.Symbol));
            }
        }
    }

    /// <inheritdoc />
    protected override object? SnapshotState() => _state.ToSnapshot();

    /// <inheritdoc />
    protected override bool StopOnPersistFailure => false;

    /// <summary>How long an account whose write failed refuses everything before it stops and recovers from its journal.</summary>
    internal static TimeSpan UnavailableFor { get; } = TimeSpan.FromSeconds(1);

    // The failed command is answered at once, and everything after it for a moment too: a caller that keeps its messages
    // in order (a shard's queue) sees the failure before a later message could reach a fresh incarnation and be applied
    // ahead of the one that failed. Then the account stops, and the next message recovers it from the journal.
    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, long fromSequenceNr, int count)
    {
        var reason = cause is Persistence.Journal.JournalFencedException ? "its shard moved to another node" : "its journal write failed";
        Context.Log.LogError(cause, "Account {AccountId}: persisting {Count} events from sequence number {SequenceNr} failed; refusing messages for {Delay}, then recovering",
            _state.AccountId, count, fromSequenceNr, UnavailableFor);
        _unavailable = reason;
        _persistingFor?.Tell(new Status.Failure(new AccountUnavailableException(_state.AccountId, reason, cause)), Self);
        _persistingFor = null;
        Timers.StartSingleTimer(nameof(AccountUnavailableException), RecoverAfterFailure.Instance, UnavailableFor);
    }

    private bool RefuseWhileUnavailable(object message, string reason)
    {
        switch (message)
        {
            case RecoverAfterFailure:
                Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
                return true;
            case MarketChanged or Remargined or PublishLimits:
                return true;
            case IAccountCommand or ApplyInSequence or CheckPreTrade or GetAccount or ExplainMargin:
                Sender.Tell(new Status.Failure(new AccountUnavailableException(_state.AccountId, reason)), Self);
                return true;
            default:
                return false;
        }
    }

    private sealed class RecoverAfterFailure
    {
        public static readonly RecoverAfterFailure Instance = new();
    }
}
