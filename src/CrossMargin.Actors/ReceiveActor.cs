using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors;

/// <summary>
/// An actor that declares typed handlers in its constructor (<c>Receive&lt;T&gt;</c>), tried in the order they
/// were declared; the first that matches handles the message. <see cref="Become(Action)"/> swaps the whole set.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    // The handlers the constructor declares live in the actor itself rather than in a HandlerSet of their own:
    // one object fewer on every instance. _configuring is the set Become is filling, if any.
    private Handler? _first;
    private HandlerSet? _configuring;
    private bool _constructed;

    /// <summary>Handles messages of type <typeparamref name="T"/> (that satisfy <paramref name="shouldHandle"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Add(new SyncHandler<T>(handler, shouldHandle));
    }

    /// <summary>Offers messages of type <typeparamref name="T"/> to <paramref name="handler"/>, which returns whether it handled them.</summary>
    protected void Receive<T>(Func<T, bool> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Add(new PredicateHandler<T>(handler));
    }

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously. The mailbox is held until the task
    /// completes: no other message is processed meanwhile, and continuations run on the actor's turn (so
    /// <c>Sender</c>, <c>Self</c> and <c>Context</c> stay valid after <c>await</c>, unless
    /// <c>ConfigureAwait(false)</c> is used). A faulted task is a failure the supervisor handles.
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Add(new AsyncHandler<T>(handler, shouldHandle, Cell));
    }

    /// <summary>Handles every message not handled by an earlier declaration.</summary>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Add(new SyncHandler<object>(handler, null));
    }

    /// <summary>Replaces the handlers with those <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure) => Context.Become(Configure(configure).Handle);

    /// <summary>Pushes the handlers <paramref name="configure"/> declares on top of the current ones.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Configure(configure).Handle);

    /// <summary>Returns to the handlers in use before the last <see cref="BecomeStacked"/>.</summary>
    protected void UnbecomeStacked() => Context.UnbecomeStacked();

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message) => HandlerSet.Handle(_first, message);

    internal override void OnConstructed() => _constructed = true;

    private HandlerSet Configure(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var set = new HandlerSet();
        var previous = _configuring;
        _configuring = set;
        try
        {
            configure();
        }
        finally
        {
            _configuring = previous;
        }

        return set;
    }

    private void Add(Handler handler)
    {
        if (_configuring is not null)
        {
            _configuring.Add(handler);
        }
        else if (!_constructed)
        {
            HandlerSet.Append(ref _first, handler);
        }
        else
        {
            throw new InvalidOperationException(
                "Receive handlers are declared in the constructor or inside Become/BecomeStacked, not while processing messages.");
        }
    }

    /// <summary>Handlers in declaration order, as a linked list: no array per actor.</summary>
    private sealed class HandlerSet
    {
        private Handler? _first;

        public static void Append(ref Handler? first, Handler handler)
        {
            if (first is null)
            {
                first = handler;
                return;
            }

            var last = first;
            while (last.Next is not null)
            {
                last = last.Next;
            }

            last.Next = handler;
        }

        public static bool Handle(Handler? first, object message)
        {
            for (var handler = first; handler is not null; handler = handler.Next)
            {
                if (handler.TryHandle(message))
                {
                    return true;
                }
            }

            return false;
        }

        public void Add(Handler handler) => Append(ref _first, handler);

        public bool Handle(object message) => Handle(_first, message);
    }

    private abstract class Handler
    {
        public Handler? Next;

        public abstract bool TryHandle(object message);
    }

    private sealed class SyncHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed)))
            {
                return false;
            }

            handler(typed);
            return true;
        }
    }

    private sealed class PredicateHandler<T>(Func<T, bool> handler) : Handler
    {
        public override bool TryHandle(object message) => message is T typed && handler(typed);
    }

    private sealed class AsyncHandler<T>(Func<T, Task> handler, Predicate<T>? shouldHandle, ActorCell cell) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed)))
            {
                return false;
            }

            cell.RunAsync(handler, typed);
            return true;
        }
    }
}
