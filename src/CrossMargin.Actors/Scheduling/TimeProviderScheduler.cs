namespace CrossMargin.Actors.Scheduling;

/// <summary>An <see cref="IScheduler"/> on <see cref="TimeProvider.CreateTimer"/>: one timer per schedule, disposed when done or cancelled.</summary>
internal sealed class TimeProviderScheduler(TimeProvider time) : IScheduler
{
    public TimeProvider TimeProvider => time;

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        return Start(delay, Timeout.InfiniteTimeSpan, () => receiver.Tell(message, sender), once: true);
    }

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Start(initialDelay, interval, () => receiver.Tell(message, sender), once: false);
    }

    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Start(delay, Timeout.InfiniteTimeSpan, action, once: true);
    }

    private ScheduledWork Start(TimeSpan delay, TimeSpan period, Action action, bool once)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var work = new ScheduledWork(action, once);
        work.Arm(time.CreateTimer(static state => ((ScheduledWork)state!).Fire(), work, delay, period));
        return work;
    }

    private sealed class ScheduledWork(Action action, bool once) : ICancelable
    {
        private ITimer? _timer;
        private int _cancelled;

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) != 0;

        public void Arm(ITimer timer)
        {
            _timer = timer;
            if (IsCancellationRequested)
            {
                timer.Dispose();
            }
        }

        public void Fire()
        {
            if (IsCancellationRequested)
            {
                return;
            }

            if (once)
            {
                Cancel();
            }

            action();
        }

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                _timer?.Dispose();
            }
        }
    }
}
