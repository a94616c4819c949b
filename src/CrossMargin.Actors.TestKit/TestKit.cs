using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.TestKit;

/// <summary>
/// A base for xunit test classes: each test gets its own actor system (shut down afterwards), a default
/// probe as <see cref="TestActor"/>, captured logs and, when asked for, a manual clock.
/// </summary>
public abstract class TestKit : IAsyncLifetime
{
    private readonly TestKitSettings _settings;

    // Probes wait by blocking a thread, some tests hold an actor's turn at a gate, and test classes run in parallel beside
    // their systems' actors. On a 2-core machine the pool starts with two threads and adds more only slowly, so an
    // actor's turn could wait seconds for a thread, past a probe's timeout (seen in a full suite run). Every test
    // assembly built on this kit starts with enough threads.
    static TestKit()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }

    /// <summary>Builds the system for one test.</summary>
    /// <param name="output">xunit's output, to echo the system's logs; optional.</param>
    /// <param name="settings">System settings; null for defaults.</param>
    protected TestKit(ITestOutputHelper? output = null, TestKitSettings? settings = null)
    {
        _settings = settings ?? new TestKitSettings();
        Logs = new CapturedLogs(output);
        Time = _settings.ManualTime ? new ManualTime() : null;
        Sys = ActorSystem.Create(_settings.SystemName, _settings.Options, Logs, Time, Activity);
        Probe = new TestProbe(Sys, "testActor", _settings.DefaultTimeout);
    }

    /// <summary>The test's actor system.</summary>
    protected ActorSystem Sys { get; }

    /// <summary>The work in flight in <see cref="Sys"/> (see <see cref="AwaitIdle"/>).</summary>
    protected ActivityCounter Activity { get; } = new();

    /// <summary>The default probe.</summary>
    protected TestProbe Probe { get; }

    /// <summary>The default probe's reference, the usual sender in tests.</summary>
    protected IActorRef TestActor => Probe.Ref;

    /// <summary>The manual clock, when <see cref="TestKitSettings.ManualTime"/> is set.</summary>
    protected ManualTime? Time { get; }

    /// <summary>What the system logged.</summary>
    protected CapturedLogs Logs { get; }

    /// <summary>Starts another probe.</summary>
    protected TestProbe CreateTestProbe(string? name = null) => new(Sys, name, _settings.DefaultTimeout);

    /// <summary>Starts an actor that runs synchronously on the sending thread (see <see cref="TestActorRef{TActor}"/>).</summary>
    protected TestActorRef<TActor> ActorOfAsTestActorRef<TActor>(Func<TActor> factory, string? name = null)
        where TActor : ActorBase => TestActorRef<TActor>.Create(Sys, factory, name);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(Func{T, bool}?, TimeSpan?)"/>
    protected T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => Probe.ExpectMsg(predicate, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/>
    protected T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull => Probe.ExpectMsg(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectNoMsg"/>
    protected void ExpectNoMsg(TimeSpan? duration = null) => Probe.ExpectNoMsg(duration);

    /// <inheritdoc cref="TestProbe.FishForMessage{T}"/>
    protected T FishForMessage<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null) => Probe.FishForMessage(isTheOne, timeout);

    /// <inheritdoc cref="TestProbe.ReceiveN"/>
    protected IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null) => Probe.ReceiveN(count, timeout);

    /// <inheritdoc cref="TestProbe.Watch"/>
    protected IActorRef Watch(IActorRef actor) => Probe.Watch(actor);

    /// <inheritdoc cref="TestProbe.ExpectTerminated"/>
    protected Terminated ExpectTerminated(IActorRef actor, TimeSpan? timeout = null) => Probe.ExpectTerminated(actor, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails after the timeout.</summary>
    protected void AwaitCondition(Func<bool> condition, TimeSpan? timeout = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? _settings.DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TestKitAssertionException($"Condition not met within {limit.TotalMilliseconds:0} ms{(message is null ? "" : ": " + message)}.");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>Retries <paramref name="assertion"/> until it stops throwing; after the timeout, its last exception is rethrown.</summary>
    protected void AwaitAssert(Action assertion, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var limit = timeout ?? _settings.DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (clock.Elapsed <= limit)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and asserts that exactly <paramref name="count"/> errors with a
    /// <typeparamref name="TException"/> are logged: waits for them, then a short grace period for extras.
    /// </summary>
    protected void ExpectErrors<TException>(int count, Action action, TimeSpan? timeout = null)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(action);
        var before = Logs.Errors<TException>().Count;
        action();
        AwaitCondition(() => Logs.Errors<TException>().Count - before >= count, timeout,
            $"expected {count} logged {typeof(TException).Name} errors");
        Thread.Sleep(100);
        var logged = Logs.Errors<TException>().Count - before;
        if (logged != count)
        {
            throw new TestKitAssertionException($"Expected exactly {count} logged {typeof(TException).Name} errors but there were {logged}.");
        }
    }

    /// <summary>
    /// Waits until the system is idle: every message sent has been processed, every actor started has been created, and
    /// every async handler and held mailbox (a journal write) has resumed (<see cref="ActivityCounter"/>). Idle stays idle
    /// until the test sends or moves the clock, so the wait takes as long as the work, however loaded the machine.
    /// </summary>
    /// <exception cref="TestKitAssertionException">Still busy after <paramref name="timeout"/> (default: <see cref="TestKitSettings.IdleTimeout"/>).</exception>
    protected void AwaitIdle(TimeSpan? timeout = null)
    {
        var limit = timeout ?? _settings.IdleTimeout;
        var clock = Stopwatch.StartNew();
        var spinner = default(SpinWait);
        while (Activity.Pending != 0)
        {
            if (clock.Elapsed > limit)
            {
                throw new TestKitAssertionException($"The actor system was still busy after {limit.TotalMilliseconds:0} ms ({Activity.Pending} units of work in flight).");
            }

            // Spins briefly (a short step's work), then yields the core to the actors it waits for.
            if (spinner.NextSpinWillYield)
            {
                Thread.Sleep(1);
            }
            else
            {
                spinner.SpinOnce();
            }
        }
    }

    /// <summary>
    /// Moves the manual clock forward by <paramref name="by"/> one due timer at a time, waiting until the system is idle
    /// (<see cref="AwaitIdle"/>) after each timer fires and at the end: every timer an actor arms in reaction to a step is
    /// armed at the manual time of that step, as on an unloaded machine, and the step's consequences are complete when
    /// this returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">The kit runs without <see cref="TestKitSettings.ManualTime"/>.</exception>
    protected void AdvanceAndSettle(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        var time = Time ?? throw new InvalidOperationException("AdvanceAndSettle needs TestKitSettings.ManualTime.");
        AwaitIdle();
        var target = time.GetUtcNow() + by;

        // An actor that re-arms a timer due at once for ever would keep the clock from reaching the target.
        for (var firings = 0; firings < 100_000; firings++)
        {
            var now = time.GetUtcNow();
            var next = time.NextDue is { } due && due <= target ? due : target;
            time.Advance(next < now ? TimeSpan.Zero : next - now);
            AwaitIdle();
            if (next >= target && !(time.NextDue <= target))
            {
                return;
            }
        }

        throw new TestKitAssertionException($"The clock did not reach {target:O}: timers kept falling due before it.");
    }

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Shuts the system down; fails the test if it does not stop in time.</summary>
    public virtual async Task DisposeAsync()
    {
        var terminated = Sys.Terminate();
        if (await Task.WhenAny(terminated, Task.Delay(_settings.ShutdownTimeout)).ConfigureAwait(false) != terminated)
        {
            throw new TestKitAssertionException($"The actor system did not stop within {_settings.ShutdownTimeout.TotalSeconds:0} s.");
        }
    }
}
