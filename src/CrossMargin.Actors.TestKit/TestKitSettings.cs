namespace CrossMargin.Actors.TestKit;

/// <summary>How a <see cref="TestKit"/> builds its system.</summary>
public sealed record TestKitSettings
{
    /// <summary>The system's name.</summary>
    public string SystemName { get; init; } = "test";

    /// <summary>The system's options.</summary>
    public ActorSystemOptions Options { get; init; } = new();

    /// <summary>Run the system on a <see cref="ManualTime"/> clock, advanced by the test.</summary>
    public bool ManualTime { get; init; }

    /// <summary>How long expectations wait by default.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long <see cref="TestKit.AwaitIdle"/> waits by default. Longer than the expectations': the wait ends as soon as the
    /// system is idle, and a journal write (a held mailbox) on a loaded machine's disk was seen to stall past 3 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long disposing waits for the system to stop.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
