namespace CrossMargin.Engine.Accounts;

/// <summary>Reply of an <see cref="AccountActor"/>: the command was refused; nothing written or changed.</summary>
/// <param name="MessageId">The command's message id.</param>
/// <param name="Rejection">Why, with the figures.</param>
public sealed record CommandRejected(string MessageId, Rejection Rejection);
