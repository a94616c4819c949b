namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// The system's clock moved to another date: time runs and timers fire as on the system's, but every reading of the
/// date is <see cref="Offset"/> away from it, and a test can move it on (as a whole day passing would).
/// </summary>
internal sealed class ShiftedClock(DateTimeOffset start) : TimeProvider
{
    public TimeSpan Offset { get; private set; } = start - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Moves the date so that it reads <paramref name="now"/>.</summary>
    public void JumpTo(DateTimeOffset now) => Offset = now - System.GetUtcNow();
}
