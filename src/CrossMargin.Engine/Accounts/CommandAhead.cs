namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Reply of an <see cref="AccountActor"/> to <see cref="ApplyInSequence"/>: the command skips ahead of its source's
/// highest sequence; nothing was written or changed.
/// </summary>
/// <param name="MessageId">The command's message id.</param>
/// <param name="Gap">The sequence numbers still missing before it.</param>
public sealed record CommandAhead(string MessageId, SequenceGap Gap);
