namespace CrossMargin.Engine.Accounts;

/// <summary>The account was opened in <paramref name="Mode"/>.</summary>
/// <param name="MessageId">Id of the message that opened it.</param>
/// <param name="Source">Its sender.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Mode">The starting margin mode.</param>
public sealed record AccountOpened(string MessageId, string Source, long Sequence, MarginMode Mode) : IAccountEvent;
