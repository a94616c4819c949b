using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// One actor's runtime: its reference, mailbox, lifecycle and supervision state. The cell is its own
/// reference and its own thread-pool work item, so an idle actor costs a few hundred bytes and a message
/// costs one small allocation.
/// </summary>
/// <remarks>
/// Threading: producers only touch <see cref="_tail"/>, <see cref="_systemInbox"/> and <see cref="_scheduled"/>.
/// Everything else is owned by whichever thread holds <see cref="_scheduled"/> (the actor's "turn"), so it
/// needs no locks. User messages are a Vyukov many-producer/one-consumer linked queue; system messages are a
/// lock-free stack reversed on each drain.
/// </remarks>
internal sealed partial class ActorCell : MailboxNode, IActorRef, IThreadPoolWorkItem
{
    private const int Running = 0;
    private const int Terminating = 1;
    private const int Terminated = 2;

    [ThreadStatic]
    private static ActorCell? CurrentCell;

    [ThreadStatic]
    private static ActorCell? ConstructingCell;

    private readonly ActorSystem _system;
    private readonly ActorCell? _parent;
    private readonly Props _props;

    // Null for a generated name: the string is made on demand from _generatedId (see ChildrenContainer), so a
    // million anonymous actors hold no name strings.
    private readonly string? _name;
    private readonly long _generatedId;
    private readonly int _throughput;

    private MailboxNode _head;
    private MailboxNode _tail;
    private SystemMessage? _systemInbox;
    private int _scheduled;
    private volatile int _lifecycle;

    private ActorBase? _actor;
    private CellFlags _flags;
    private int _suspendedByParent;
    private object? _currentMessage;
    private IActorRef? _currentSender;
    private ChildrenContainer? _children;

    // The context of the async handler being awaited (ActorBase.RunTask), if any.
    private ActorSynchronizationContext? _awaiting;

    // Everything rarer (front queue, pending restart, death watch, receive timeout) is in here,
    // allocated on first use: it keeps an idle cell small. Owned by the cell's turn like the fields above.
    private CellExtras? _extras;

    /// <summary>A cell with a given name (<paramref name="generatedId"/> unused) or, when <paramref name="name"/> is null, a generated one.</summary>
    internal ActorCell(ActorSystem system, ActorCell? parent, Props props, string? name, long generatedId = -1)
    {
        _system = system;
        _parent = parent;
        _props = props;
        _name = name;
        _generatedId = generatedId;
        _throughput = props.CallingThread ? int.MaxValue : props.Throughput ?? system.Options.Throughput;
        _head = _tail = this;

        // Creation is the first thing the first turn does (see RunTurn), so it needs no system message.
        _flags = CellFlags.CreatePending;
    }

    [Flags]
    private enum CellFlags
    {
        None = 0,
        Failed = 1,
        Awaiting = 2,
        TerminatePending = 4,
        ChildrenSuspended = 8,
        CreatePending = 16,
        Held = 32,

        /// <summary>This instance's end (a stop or a restart) has begun: its stopping token reads cancelled.</summary>
        Ending = 64,
    }

    /// <summary>The cell whose turn is running on this thread, if any.</summary>
    internal static ActorCell? Current => CurrentCell;

    public ActorPath Path => _parent is null ? ActorPath.Root(_system.Name) : _parent.Path.Child(Name);

    public string Name => _name ?? ChildrenContainer.GeneratedName(_generatedId);

    /// <summary>The id behind a generated name, or -1 when the name was given.</summary>
    internal long GeneratedId => _name is null ? _generatedId : -1;

    internal ActorSystem System => _system;

    internal Props Props => _props;

    internal ActorCell? Parent => _parent;

    internal ActorBase? Actor => _actor;

    internal IActorRef? CurrentSender => _currentSender;

    internal IActorRef Sender => _currentSender ?? _system.DeadLetters;

    internal object? CurrentMessage => _currentMessage;

    internal bool IsTerminated => _lifecycle == Terminated;

    /// <summary>Set by the parent (on its own turn) when it asked this child to stop.</summary>
    internal bool StoppingByParent { get; set; }

    /// <summary>
    /// Set (under the parent's children lock) when a new child took this terminated child's name before the parent had
    /// processed its end: the parent's <c>ChildTerminated</c> then no longer finds it among the children, yet must run.
    /// </summary>
    internal bool NameTakenOver { get; set; }

    /// <summary>Owned by the parent: restarts counted against its strategy's limit.</summary>
    internal Supervision.RestartStatistics? Restarts { get; set; }

    internal ILogger Logger => _system.LoggerFor(_props.ActorType);

    internal static ActorCell? TakeConstructingCell()
    {
        var cell = ConstructingCell;
        ConstructingCell = null;
        return cell;
    }

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_lifecycle == Terminated)
        {
            _system.DeadLetter(message, sender, this);
            return;
        }

        var envelope = new Envelope(message, sender);

        // Counted before it is visible, so the consumer's decrement can never come first.
        _props.MailboxCounter?.Enqueued();
        _system.Activity?.Begin();
        var previous = Interlocked.Exchange(ref _tail, envelope);
        Volatile.Write(ref previous.Next, envelope);
        Schedule();
    }

    internal void SendSystemMessage(SystemMessage message)
    {
        _system.Activity?.Begin();
        SystemMessage? head;
        do
        {
            head = Volatile.Read(ref _systemInbox);
            message.Next = head;
        }
        while (!ReferenceEquals(Interlocked.CompareExchange(ref _systemInbox, message, head), head));

        Schedule();
    }

    public override string ToString() => Path.ToString();

    /// <summary>Runs one turn: all system messages, then up to the throughput budget of user messages.</summary>
    public void Execute()
    {
        var previous = CurrentCell;
        CurrentCell = this;
        try
        {
            if (_lifecycle == Terminated)
            {
                RunAfterTermination();
            }
            else
            {
                RunTurn();
            }
        }
        finally
        {
            CurrentCell = previous;
        }

        // A full fence, not a release store. Producers publish (Exchange on _tail, CAS on _systemInbox: both full
        // fences) and then read _scheduled; this side clears _scheduled and then re-reads the queues. With a plain
        // store the re-check's loads may pass the store (x64 store buffer), both sides see the other's old value,
        // and a message sent at that moment is stranded until the next one: a lost wakeup.
        Interlocked.Exchange(ref _scheduled, 0);
        if (HasPendingWork())
        {
            Schedule();
        }
    }

    private void Schedule()
    {
        if (Volatile.Read(ref _scheduled) != 0 || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
        {
            return;
        }

        if (_props.CallingThread)
        {
            Execute();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, _system.Options.PreferLocalQueue);
        }
    }

    private void RunTurn()
    {
        if ((_flags & CellFlags.CreatePending) != 0)
        {
            // Ahead of every system message, as a Create message sent first would be.
            _flags &= ~CellFlags.CreatePending;
            DoCreate();
            _system.Activity?.End();
        }

        ProcessSystemMessages();
        var budget = _throughput;
        while (budget > 0 && CanProcessUserMessages() && TryDequeue(out var message, out var sender))
        {
            budget--;
            Invoke(message, sender);

            // Uncounted once handled, not when taken: whatever the handler sent or started is counted by then.
            _system.Activity?.End();
            if (Volatile.Read(ref _systemInbox) is not null)
            {
                ProcessSystemMessages();
            }
        }
    }

    private bool CanProcessUserMessages() =>
        (_flags & (CellFlags.Failed | CellFlags.Awaiting | CellFlags.Held)) == 0 && _suspendedByParent == 0 && _lifecycle == Running && _actor is not null;

    private bool HasPendingWork() =>
        Volatile.Read(ref _systemInbox) is not null
        || (HasUserMessages() && (_lifecycle == Terminated || CanProcessUserMessages()));

    /// <summary>The mailbox's current stub: the node of the message taken last (the cell itself before the first).</summary>
    internal MailboxNode MailboxStub => _head;

    // A producer between its exchange of _tail and its link write makes the queue look non-empty while
    // TryDequeue still fails; the cell then reschedules until the link lands, so no message is stranded.
    private bool HasUserMessages() => _extras?.Front is { Count: > 0 } || !ReferenceEquals(_head, Volatile.Read(ref _tail));

    private bool TryDequeue(out object message, out IActorRef? sender)
    {
        if (_extras?.Front is { Count: > 0 } queue)
        {
            var front = queue.Dequeue();
            message = front.Message!;
            sender = front.Sender;
            return true;
        }

        var head = _head;
        if (Volatile.Read(ref head.Next) is not Envelope next)
        {
            message = null!;
            sender = null;
            return false;
        }

        // The dequeued node becomes the new stub; clear its payload so the stub keeps nothing alive.
        _head = next;

        // Unlink the old stub (the cell itself at first). Only the one producer that swapped it out of _tail ever wrote
        // its link, and that write is the one just read, so nothing writes it again. Left in place, a stub that lived
        // through a collection (every actor's current stub does) sits dead in an older generation and keeps each later
        // envelope of this actor reachable, through every young collection, until that generation is collected: with
        // a large gen0 budget that was most of the command path's survivors (README, engine round 9).
        head.Next = null;

        message = next.Message!;
        sender = next.Sender;
        next.Message = null;
        next.Sender = null;
        _props.MailboxCounter?.Dequeued();
        return true;
    }

    private void Invoke(object message, IActorRef? sender)
    {
        _currentMessage = message;
        _currentSender = sender;

        // The one receive-timeout check per message: an actor busy with a message for longer than its timeout has not
        // been idle, so the timer is paused while it is handled and restarted once it is done (whatever the outcome).
        var timed = _extras?.ReceiveTimeout is not null && InfluencesReceiveTimeout(message);
        if (timed)
        {
            PauseReceiveTimeout();
        }

        try
        {
            if (message is IAutoReceivedMessage)
            {
                AutoReceive(message);
            }
            else
            {
                _actor!.AroundReceive(message);
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _currentMessage = null;
            _currentSender = null;
        }

        if (timed)
        {
            RestartReceiveTimeout();
        }
    }

    private static bool InfluencesReceiveTimeout(object message) =>
        message is not INotInfluenceReceiveTimeout && !(message is Scheduling.TimerMessage { Message: INotInfluenceReceiveTimeout });

    private void AutoReceive(object message)
    {
        switch (message)
        {
            case PoisonPill:
                SendSystemMessage(new Terminate());
                break;
            case Kill:
                throw new ActorKilledException($"{Path} received Kill.");
            case QueuedTerminated queued:
                if (AcceptTerminated(queued.Terminated))
                {
                    _currentMessage = queued.Terminated;
                    _actor!.AroundReceive(queued.Terminated);
                }

                break;
            case Scheduling.TimerMessage timer:
                if (_actor!.AcceptTimerMessage(timer))
                {
                    _currentMessage = timer.Message;
                    _actor.AroundReceive(timer.Message);
                }

                break;
        }
    }

    private void ProcessSystemMessages()
    {
        // A plain read first: the inbox is almost always empty, and an Exchange on it costs an atomic per turn.
        while (Volatile.Read(ref _systemInbox) is not null)
        {
            var fifo = TakeSystemMessages();
            while (fifo is not null)
            {
                var next = fifo.Next;
                fifo.Next = null;
                HandleSystemMessage(fifo);
                _system.Activity?.End();
                fifo = next;
            }
        }
    }

    private void HandleSystemMessage(SystemMessage message)
    {
        switch (message)
        {
            case Terminate terminate:
                BeginTerminate(terminate.Deadline);
                break;
            case Recreate recreate:
                DoRecreate(recreate.Cause);
                break;
            case Resume resume:
                DoResume(resume.CausedByFailure);
                break;
            case Suspend:
                DoSuspend();
                break;
            case Failed failed:
                HandleChildFailure(failed.Child, failed.Cause);
                break;
            case Watch watch:
                AddWatcher(watch.Watcher);
                break;
            case Unwatch unwatch:
                _extras?.Watch?.WatchedBy.Remove(unwatch.Watcher);
                break;
            case DeathWatchNotification notification:
                WatchedActorTerminated(notification.Actor, notification.ExistenceConfirmed);
                break;
            case ChildTerminated terminated:
                HandleChildTerminated(terminated.Child);
                break;
            case AsyncCompleted completed:
                ResumeAfterAsync(completed);
                break;
            case StopTimedOut:
                AbandonInFlightAfterTimeout();
                break;
            case RunContinuation continuation:
                RunContinuationOnTurn(continuation);
                break;
            case HeldTurn held:
                ResumeHeld(held);
                break;
        }
    }

    /// <summary>Empties the inbox and returns its messages oldest first (the inbox is a stack: reverse it).</summary>
    private SystemMessage? TakeSystemMessages()
    {
        var stack = Interlocked.Exchange(ref _systemInbox, null);
        SystemMessage? fifo = null;
        while (stack is not null)
        {
            var next = stack.Next;
            stack.Next = fifo;
            fifo = stack;
            stack = next;
        }

        return fifo;
    }

    /// <summary>After termination: user messages become dead letters, watchers learn at once, continuations still run.</summary>
    private void RunAfterTermination()
    {
        for (var fifo = TakeSystemMessages(); fifo is not null; fifo = fifo.Next)
        {
            switch (fifo)
            {
                case Watch watch:
                    watch.Watcher.SendSystemMessage(new DeathWatchNotification(this, existenceConfirmed: false));
                    break;
                case RunContinuation continuation:
                    RunContinuationOnTurn(continuation);
                    break;
            }

            _system.Activity?.End();
        }

        DrainToDeadLetters();
    }

    private void DrainToDeadLetters()
    {
        while (TryDequeue(out var message, out var sender))
        {
            _system.DeadLetter(message, sender, this);
            _system.Activity?.End();
        }
    }
}
