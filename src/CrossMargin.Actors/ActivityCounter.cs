namespace CrossMargin.Actors;

/// <summary>
/// The work in flight in an actor system created with it (<see cref="ActorSystem.Create(string, ActorSystemOptions?, Microsoft.Extensions.Logging.ILoggerFactory?, TimeProvider?, ActivityCounter?)"/>):
/// messages sent and not yet processed (user and system, stashed ones while they are back in the mailbox), actors started
/// and not yet created, and async handlers and held mailboxes (a journal write) not yet resumed. At zero the system is idle:
/// nothing more happens until something outside it sends a message or fires a timer.
/// </summary>
/// <remarks>
/// For tests that step a manual clock and must let the actors finish what each step started, however loaded the machine:
/// <see cref="Pending"/> falls to zero only once nothing is in flight, because each unit of work is counted before it
/// becomes visible and uncounted only after everything it started was counted. A message parked in a stash is not work
/// in flight (it waits for another message); work on threads the system does not own (a task an actor started without
/// <c>RunTask</c>) is not seen. Off by default: a system without a counter pays one null check per send, per processed
/// message and per system message; with one, an interlocked increment and decrement on a single shared line each.
/// </remarks>
public sealed class ActivityCounter
{
    private long _pending;

    /// <summary>Units of work in flight now; zero when the system is idle.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    internal void Begin() => Interlocked.Increment(ref _pending);

    internal void End() => Interlocked.Decrement(ref _pending);
}
