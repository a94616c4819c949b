namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Opens the account (from the venue's account service). Every other message to an account that was never opened is
/// rejected as <see cref="RejectionCode.UnknownAccount"/>, so a mistyped account id cannot create an account.
/// </summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Mode">The margin mode the account starts in.</param>
public sealed record OpenAccount(string MessageId, string Source, long Sequence, MarginMode Mode = MarginMode.StandardCross) : IAccountCommand;
