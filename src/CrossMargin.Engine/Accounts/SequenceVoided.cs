namespace CrossMargin.Engine.Accounts;

/// <summary>
/// A source's sequence number was consumed by a <see cref="VoidSequence"/>: its id and sequence are recorded, nothing
/// else changes.
/// </summary>
/// <param name="MessageId">The <see cref="VoidSequence"/>'s id.</param>
/// <param name="Source">Its sender.</param>
/// <param name="Sequence">The sequence number consumed.</param>
/// <param name="VoidedMessageId">The message that was numbered <paramref name="Sequence"/> and never applied.</param>
public sealed record SequenceVoided(string MessageId, string Source, long Sequence, string VoidedMessageId) : IAccountEvent;
