namespace CrossMargin.Node.Clustering;

/// <summary>
/// The outbound cancel-all instruction (exchange <c>{prefix}.cancel-all</c>): cancel every open order of the account at
/// the venue, because its liquidation started. Sent with the message id of the account command, so a repeat (after the
/// coordinator's recovery) carries the same id.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="MessageId">The coordinator's command id (<c>{liquidationId}:cancel</c>).</param>
/// <param name="Reason">Why (<c>liquidation</c>).</param>
public sealed record CancelAllIssued(string AccountId, string MessageId, string Reason);
