using CrossMargin.Actors;

namespace CrossMargin.Benchmarks.ActorKernel;

/// <summary>The ping-pong message: one instance per pair, so the only allocation per send is the kernel's own.</summary>
internal sealed class Ball;

/// <summary>The fan-out message: one instance for the whole run.</summary>
internal sealed class Poke
{
    public static readonly Poke Instance = new();
}

/// <summary>Shared by the actors of one ping-pong run: per-actor counters on separate cache lines and a stop flag.</summary>
internal sealed class PingPongRun(int actors)
{
    /// <summary>Longs between two actors' counters: 128 bytes, so neighbours never share a cache line (or its prefetch pair).</summary>
    public const int Stride = 16;

    private readonly long[] _counts = new long[(actors + 1) * Stride];
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    public void Stop() => _stopping = true;

    /// <summary>Only the owning actor writes its slot, on its own turn; the kernel's turn hand-off orders the writes.</summary>
    public void Count(int actor) => _counts[(actor + 1) * Stride]++;

    public long Total()
    {
        long total = 0;
        for (var i = 1; i <= actors; i++)
        {
            total += Volatile.Read(ref _counts[i * Stride]);
        }

        return total;
    }
}

/// <summary>Replies to every ball with the same ball, until the run stops.</summary>
internal sealed class PingPongActor : ReceiveActor
{
    private readonly PingPongRun _run;
    private readonly int _slot;

    public PingPongActor(PingPongRun run, int slot)
    {
        _run = run;
        _slot = slot;
        Receive<Ball>(OnBall);
    }

    private void OnBall(Ball ball)
    {
        _run.Count(_slot);
        if (!_run.Stopping)
        {
            Sender.Tell(ball, Self);
        }
    }
}

/// <summary>Counts actors started and messages processed across a million actors; the last of each sets an event.</summary>
internal sealed class FanOutState(int target) : IDisposable
{
    private int _started;
    private int _remaining;

    public ManualResetEventSlim AllStarted { get; } = new();

    public ManualResetEventSlim AllProcessed { get; } = new();

    public int StartedCount => Volatile.Read(ref _started);

    public int Remaining => Volatile.Read(ref _remaining);

    public void Started()
    {
        if (Interlocked.Increment(ref _started) == target)
        {
            AllStarted.Set();
        }
    }

    /// <summary>Expects one more message at every actor.</summary>
    public void Arm()
    {
        AllProcessed.Reset();
        Volatile.Write(ref _remaining, target);
    }

    public void Processed()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            AllProcessed.Set();
        }
    }

    public void Dispose()
    {
        AllStarted.Dispose();
        AllProcessed.Dispose();
    }
}

/// <summary>
/// The spawn and fan-out actor: a minimal <see cref="ReceiveActor"/> with one <c>Receive&lt;Poke&gt;</c> handler (an
/// instance-method delegate, as ordinary actors declare them) and a <c>PreStart</c> that counts itself started.
/// </summary>
internal sealed class CountingActor : ReceiveActor
{
    private readonly FanOutState _state;

    public CountingActor(FanOutState state)
    {
        _state = state;
        Receive<Poke>(OnPoke);
    }

    protected override void PreStart() => _state.Started();

    private void OnPoke(Poke poke) => _state.Processed();
}
