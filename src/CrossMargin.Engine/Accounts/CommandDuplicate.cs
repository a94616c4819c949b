namespace CrossMargin.Engine.Accounts;

/// <summary>Reply of an <see cref="AccountActor"/>: the message id was applied before; acknowledged, nothing written or changed.</summary>
/// <param name="MessageId">The command's message id.</param>
public sealed record CommandDuplicate(string MessageId);
