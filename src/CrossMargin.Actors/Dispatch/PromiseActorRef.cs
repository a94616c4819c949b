namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// The temporary reply address of one Ask. It is not registered anywhere; while it waits it is linked into its system's
/// <see cref="AskDeadlineQueue"/> for its timeout (or, past that queue's limit, owns a timer), and it is unlinked and its
/// cancellation registration disposed on the first outcome, so a finished Ask leaves nothing behind.
/// </summary>
internal sealed class PromiseActorRef<T> : PendingAsk, IActorRef, IUndeliverable
{
    private static long _counter;
    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorSystem _system;
    private readonly IActorRef _target;
    // The request itself, not just its type: a dead letter of this very object at the target fails the ask at once.
    private readonly object _request;
    private readonly TimeSpan _timeout;
    private readonly long _id;
    private ActorPath? _path;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    public PromiseActorRef(ActorSystem system, IActorRef target, object request, TimeSpan timeout)
    {
        _system = system;
        _target = target;
        _request = request;
        _timeout = timeout;
        _id = Interlocked.Increment(ref _counter);
    }

    // Built only if someone asks (a log line, a dead letter): Ask sits on the pre-trade path and should not pay for it.
    public ActorPath Path => _path ??= ActorPath.Root(_system.Name).Child("temp").Child("$" + _id);

    public string Name => Path.Name;

    public Task<T> Task => _promise.Task;

    public void Start(CancellationToken cancellationToken)
    {
        if (_system.AskDeadlines.For(_timeout) is { } deadlines)
        {
            deadlines.Add(this);
        }
        else
        {
            _timer = _system.TimeProvider.CreateTimer(static s => ((PromiseActorRef<T>)s!).Expire(), this, _timeout, Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(static (s, ct) =>
            {
                var promise = (PromiseActorRef<T>)s!;
                if (promise._promise.TrySetCanceled(ct))
                {
                    promise.Release();
                }
            }, this);
        }
    }

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Each outcome is set directly rather than through a lambda: a reply per Ask should not cost a closure.
        var completed = message switch
        {
            Status.Failure failure => _promise.TrySetException(failure.Cause),
            T reply => _promise.TrySetResult(reply),
            _ => _promise.TrySetException(new InvalidCastException(
                $"Ask to {_target.Path} with {_request.GetType().Name} expected a {typeof(T).Name} reply but got {message.GetType().Name}.")),
        };

        if (completed)
        {
            Release();
        }
        else
        {
            _system.DeadLetter(message, sender, this);
        }
    }

    internal override void Expire()
    {
        if (_promise.TrySetException(new AskTimeoutException($"Ask to {_target.Path} with {_request.GetType().Name} got no reply within {_timeout.TotalMilliseconds:0} ms.")))
        {
            Release();
        }
    }

    internal override void DeadLettered(object message, IActorRef recipient)
    {
        // Only the request dying at the target itself: on its way elsewhere (forwarded to a stopped worker) it says nothing
        // about whether the target still answers.
        if (ReferenceEquals(message, _request) && ReferenceEquals(recipient, _target)
            && _promise.TrySetException(new AskTargetStoppedException(
                $"Ask to {_target.Path} with {_request.GetType().Name} cannot be answered: {_target.Path} stopped before it handled the request (a dead letter).")))
        {
            Release();
        }
    }

    private void Release()
    {
        // Null once the queue unlinked this ask to expire it; Remove checks again under its lock.
        Queue?.Remove(this);
        _timer?.Dispose();
        _cancellation.Dispose();
    }
}
