namespace CrossMargin.Persistence.Journal;

/// <summary>
/// Guards the journal store: after <c>maxFailures</c> consecutive failed batches it opens and appends fail fast
/// (instead of piling up behind a dead database); after the reset timeout one trial batch goes through (half-open),
/// and its outcome closes or re-opens the breaker. Rejected writes (sequence conflicts) are not failures of the store.
/// </summary>
public sealed class JournalCircuitBreaker
{
    private readonly Lock _gate = new();
    private readonly int _maxFailures;
    private readonly TimeSpan _resetTimeout;
    private readonly TimeProvider _timeProvider;
    private CircuitState _state = CircuitState.Closed;
    private int _failures;
    private DateTimeOffset _openedAt;
    private bool _trialInFlight;

    /// <summary>Creates a closed breaker.</summary>
    /// <param name="maxFailures">Consecutive failures that open the breaker, at least 1.</param>
    /// <param name="resetTimeout">How long it stays open before a trial call.</param>
    /// <param name="timeProvider">The clock.</param>
    public JournalCircuitBreaker(int maxFailures, TimeSpan resetTimeout, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resetTimeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _maxFailures = maxFailures;
        _resetTimeout = resetTimeout;
        _timeProvider = timeProvider;
    }

    /// <summary>Raised after every state change (on the thread that caused it).</summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>The current state; an open breaker whose reset timeout has passed reports <see cref="CircuitState.HalfOpen"/>.</summary>
    public CircuitState State
    {
        get
        {
            lock (_gate)
            {
                return _state == CircuitState.Open && ResetDue() ? CircuitState.HalfOpen : _state;
            }
        }
    }

    /// <summary>Consecutive failures counted while closed.</summary>
    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }

    /// <summary>True when a call would be let through now (closed, or the reset timeout has passed and no trial is running).</summary>
    internal bool WouldAllow()
    {
        lock (_gate)
        {
            return _state switch
            {
                CircuitState.Closed => true,
                CircuitState.Open => ResetDue(),
                _ => !_trialInFlight,
            };
        }
    }

    /// <summary>Admits a call, or returns false when it must fail fast. Moves Open to HalfOpen when the timeout has passed.</summary>
    internal bool TryEnter()
    {
        CircuitStateChangedEventArgs? change = null;
        bool allowed;
        lock (_gate)
        {
            if (_state == CircuitState.Open && ResetDue())
            {
                change = new CircuitStateChangedEventArgs(CircuitState.Open, CircuitState.HalfOpen, null);
                _state = CircuitState.HalfOpen;
                _trialInFlight = false;
            }

            allowed = _state switch
            {
                CircuitState.Closed => true,
                CircuitState.HalfOpen when !_trialInFlight => _trialInFlight = true,
                _ => false,
            };
        }

        Raise(change);
        return allowed;
    }

    /// <summary>Records a call that reached the store and returned.</summary>
    internal void RecordSuccess()
    {
        CircuitStateChangedEventArgs? change = null;
        lock (_gate)
        {
            _failures = 0;
            if (_state != CircuitState.Closed)
            {
                change = new CircuitStateChangedEventArgs(_state, CircuitState.Closed, null);
                _state = CircuitState.Closed;
                _trialInFlight = false;
            }
        }

        Raise(change);
    }

    /// <summary>Records a call that failed in the store (or timed out).</summary>
    internal void RecordFailure(Exception cause)
    {
        CircuitStateChangedEventArgs? change = null;
        lock (_gate)
        {
            _failures++;
            if (_state == CircuitState.HalfOpen || (_state == CircuitState.Closed && _failures >= _maxFailures))
            {
                change = new CircuitStateChangedEventArgs(_state, CircuitState.Open, cause);
                _state = CircuitState.Open;
                _openedAt = _timeProvider.GetUtcNow();
                _trialInFlight = false;
            }
            else if (_state == CircuitState.Open)
            {
                // A batch admitted before the breaker opened failed late: restart the wait from now.
                _openedAt = _timeProvider.GetUtcNow();
            }
        }

        Raise(change);
    }

    private bool ResetDue() => _timeProvider.GetUtcNow() - _openedAt >= _resetTimeout;

    private void Raise(CircuitStateChangedEventArgs? change)
    {
        if (change is not null)
        {
            StateChanged?.Invoke(this, change);
        }
    }
}
