namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// The pending Asks of one system that share one timeout, in the order they were made, behind one timer armed for the
/// first deadline. Every ask here waits the same time, so that order is also deadline order: adding and removing are a
/// few pointer writes under a lock, where a timer per Ask costs two timer objects and the runtime's timer-queue work on
/// every request. Deadlines stay exact: the timer is re-armed for the new first deadline each time it fires.
/// </summary>
internal sealed class AskDeadlineQueue
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _timeoutTimestamp;
    private PendingAsk? _first;
    private PendingAsk? _last;
    private ITimer? _timer;

    public AskDeadlineQueue(TimeProvider time, TimeSpan timeout)
    {
        _time = time;
        // Rounded up: a deadline a fraction of a tick early would let an ask expire before its full timeout.
        _timeoutTimestamp = (long)Math.Ceiling(timeout.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; }

    public void Add(PendingAsk ask)
    {
        lock (_gate)
        {
            // Read under the lock, so deadlines are appended in order even when threads race to add.
            ask.Deadline = _time.GetTimestamp() + _timeoutTimestamp;
            ask.Queue = this;
            ask.Previous = _last;
            ask.Next = null;
            if (_last is null)
            {
                _first = ask;
                Arm(Timeout);
            }
            else
            {
                _last.Next = ask;
            }

            _last = ask;
        }
    }

    /// <summary>Unlinks <paramref name="ask"/> if it is still waiting here (a reply, a cancellation).</summary>
    public void Remove(PendingAsk ask)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(ask.Queue, this))
            {
                return;
            }

            Unlink(ask);
            if (_first is null)
            {
                // Nothing left to time out: a system with no pending Ask keeps no timer scheduled.
                Arm(System.Threading.Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Fire()
    {
        PendingAsk? expired = null;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            while (_first is { } first && first.Deadline <= now)
            {
                Unlink(first);
                first.Next = expired;
                expired = first;
            }

            if (_first is { } next)
            {
                // Whole milliseconds, rounded up: the runtime's timers count milliseconds, and a sub-millisecond due time
                // could fire before the deadline and re-arm again and again until it passed.
                var remainingMs = (next.Deadline - now) * 1000.0 / _time.TimestampFrequency;
                Arm(TimeSpan.FromMilliseconds(Math.Ceiling(remainingMs)));
            }
        }

        // Outside the lock: failing a task may run code of its own.
        while (expired is not null)
        {
            var ask = expired;
            expired = ask.Next;
            ask.Next = null;
            ask.Expire();
        }
    }

    private void Unlink(PendingAsk ask)
    {
        if (ask.Previous is null)
        {
            _first = ask.Next;
        }
        else
        {
            ask.Previous.Next = ask.Next;
        }

        if (ask.Next is null)
        {
            _last = ask.Previous;
        }
        else
        {
            ask.Next.Previous = ask.Previous;
        }

        ask.Previous = ask.Next = null;
        ask.Queue = null;
    }

    private void Arm(TimeSpan due)
    {
        if (_timer is null)
        {
            if (due == System.Threading.Timeout.InfiniteTimeSpan)
            {
                return;
            }

            _timer = _time.CreateTimer(static s => ((AskDeadlineQueue)s!).Fire(), this, due, System.Threading.Timeout.InfiniteTimeSpan);
            return;
        }

        _timer.Change(due, System.Threading.Timeout.InfiniteTimeSpan);
    }
}
