namespace CrossMargin.Actors;

/// <summary>Settings of an <see cref="ActorSystem"/>, bound from the <c>Actors</c> configuration section.</summary>
public sealed class ActorSystemOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Actors";

    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// Messages an actor processes per turn before it yields its thread to other actors. Higher favours
    /// throughput, lower favours fairness and latency.
    /// </summary>
    public int Throughput { get; set; } = 100;

    /// <summary>
    /// Where an actor with new mail is queued when the sender runs on a thread-pool thread: true puts it on that
    /// thread's own queue, which the thread serves newest first (cache-warm, but under saturation an older actor can
    /// wait there while newer chains of messages keep its thread busy); false puts it on the pool's shared queue, served
    /// oldest first by every thread (fair, at the price of a shared queue and colder caches).
    /// </summary>
    public bool PreferLocalQueue { get; set; } = true;

    /// <summary>How long <c>Ask</c> waits when no timeout is given.</summary>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Dead letters logged per <see cref="DeadLetterLogWindow"/>; the rest are counted and summarised. 0 turns logging off.</summary>
    public int DeadLetterLogLimit { get; set; } = 10;

    /// <summary>The window for <see cref="DeadLetterLogLimit"/>.</summary>
    public TimeSpan DeadLetterLogWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long each coordinated-shutdown phase may take before it is abandoned (and logged).</summary>
    public TimeSpan ShutdownPhaseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the final phase waits for every actor to stop.</summary>
    public TimeSpan ShutdownTerminateTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stop waits for an actor's in-flight async handler or held mailbox (a persistent actor's journal write)
    /// before it terminates the actor anyway, with a warning naming the actor and what it was running; that work's late
    /// outcome is then ignored. Longer than the journal's call timeout (10 s), so a write normally resolves itself first,
    /// and shorter than <see cref="ShutdownTerminateTimeout"/>, so one stuck actor does not outlast a shutdown.
    /// </summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Every problem with these settings, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Throughput < 1)
        {
            errors.Add($"{SectionName}:{nameof(Throughput)} must be at least 1 (was {Throughput}).");
        }

        if (AskTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(AskTimeout)} must be positive (was {AskTimeout}).");
        }

        if (DeadLetterLogLimit < 0)
        {
            errors.Add($"{SectionName}:{nameof(DeadLetterLogLimit)} must not be negative (was {DeadLetterLogLimit}).");
        }

        if (DeadLetterLogWindow <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(DeadLetterLogWindow)} must be positive (was {DeadLetterLogWindow}).");
        }

        if (ShutdownPhaseTimeout <= TimeSpan.Zero || ShutdownTerminateTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}: shutdown timeouts must be positive.");
        }

        // A timer cannot run longer (about 49.7 days): a larger value would throw when the first stop waits, not here.
        if (StopTimeout <= TimeSpan.Zero || StopTimeout > MaxTimer)
        {
            errors.Add($"{SectionName}:{nameof(StopTimeout)} must be positive and at most {MaxTimer} (was {StopTimeout}).");
        }

        return errors;
    }
}
