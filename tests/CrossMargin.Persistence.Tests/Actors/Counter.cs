namespace CrossMargin.Persistence.Tests.Actors;

/// <summary>A persistent counter: every Add is an event; Get answers the total.</summary>
public sealed class Counter(PersistenceServices services, string persistenceId) : PersistentActor(services)
{
    private readonly List<string> _recoveryLog = [];
    private int _total;

    public override string PersistenceId => persistenceId;

    protected override void ReceiveRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: CounterState state } offer:
                _total = state.Total;
                _recoveryLog.Add($"snapshot@{offer.Metadata.SequenceNr}");
                break;
            case Added added:
                _total += added.Amount;
                _recoveryLog.Add($"event:{added.Amount}");
                break;
            case RecoveryCompleted:
                _recoveryLog.Add($"completed@{LastSequenceNr}");
                break;
        }
    }

    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case Add add:
                Persist(new Added(add.Amount), e =>
                {
                    _total += e.Amount;
                    Sender.Tell(_total, Self);
                });
                return true;
            case AddTwice add:
                PersistAll([new Added(add.Amount), new Added(add.Amount)], e => _total += e.Amount);
                return true;
            case AddHistory:
                Defer(SumOfHistoryAsync, sum => Persist(new Added(sum), e =>
                {
                    _total += e.Amount;
                    Sender.Tell(_total, Self);
                }));
                return true;
            case GetTotal:
                Sender.Tell(_total, Self);
                return true;
            case GetRecoveryLog:
                Sender.Tell(string.Join(" ", _recoveryLog), Self);
                return true;
            default:
                return false;
        }
    }

    protected override object? SnapshotState() => new CounterState(_total);

    private async Task<int> SumOfHistoryAsync()
    {
        var sum = 0;
        await foreach (var @event in ReadEventsAsync(1, LastSequenceNr))
        {
            sum += ((Added)@event).Amount;
        }

        return sum;
    }
}
