namespace CrossMargin.Actors;

/// <summary>
/// Puts messages aside until the actor is ready for them (typically while it waits for a reply or recovers).
/// Stashed messages go back to the front of the mailbox, in their original order, on <see cref="UnstashAll"/>
/// and on restart; on stop they become dead letters.
/// </summary>
public interface IStash
{
    /// <summary>Puts the message being processed aside.</summary>
    /// <exception cref="InvalidOperationException">The same message is stashed twice, or there is no current message.</exception>
    void Stash();

    /// <summary>Returns the oldest stashed message to the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Returns every stashed message to the front of the mailbox, oldest first.</summary>
    void UnstashAll();

    /// <summary>How many messages are stashed.</summary>
    int Count { get; }
}
