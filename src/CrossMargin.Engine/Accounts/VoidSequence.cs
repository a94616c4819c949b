namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Records a message id and its source's sequence and changes nothing else: the liquidation coordinator's stand-in for
/// a message it numbered but that never applied (an auto-deleverage execution the account refused, or the bankrupt
/// side of a fill its counterparty refused, never sent), so the source's next message does not skip ahead of it.
/// </summary>
/// <remarks>
/// A command of its own rather than the account recording a refused command's id and sequence: a rejection then still
/// never changes an account's state, whoever sent it, and the stand-in is journaled, deduplicated and ordered like any
/// message (a re-send after the coordinator restarts is a duplicate). It travels only on the coordinator's internal
/// path (never in the venue's message types), and its id differs from the voided message's, so that message, arriving
/// late, is refused as out of order rather than acknowledged as applied.
/// </remarks>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sequence number it consumes.</param>
/// <param name="VoidedMessageId">The message that was numbered <paramref name="Sequence"/> and never applied.</param>
public sealed record VoidSequence(string MessageId, string Source, long Sequence, string VoidedMessageId) : IAccountCommand;
