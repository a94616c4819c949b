using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors;

/// <summary>
/// Stops the receiving actor when it reaches the front of the mailbox, so messages sent before it are processed
/// first (unlike <see cref="IActorContext.Stop"/>, which overtakes the mailbox).
/// </summary>
public sealed class PoisonPill : IAutoReceivedMessage
{
    private PoisonPill()
    {
    }

    /// <summary>The only instance.</summary>
    public static PoisonPill Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => nameof(PoisonPill);
}
