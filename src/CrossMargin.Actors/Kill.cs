using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors;

/// <summary>
/// Makes the receiving actor fail with <see cref="ActorKilledException"/> when processed, so its supervisor
/// decides (the default strategy stops it).
/// </summary>
public sealed class Kill : IAutoReceivedMessage
{
    private Kill()
    {
    }

    /// <summary>The only instance.</summary>
    public static Kill Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => nameof(Kill);
}
