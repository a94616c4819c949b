namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Cancel every open order of the account (the liquidation coordinator's first step): one <see cref="OrderCancelled"/>
/// per open order, persisted together. With no open order nothing is written and the reply lists none.
/// </summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
public sealed record CancelAllOrders(string MessageId, string Source, long Sequence) : IAccountCommand;
