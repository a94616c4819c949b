namespace CrossMargin.Engine.Accounts;

/// <summary>Credit the wallet from the insurance fund to cover a bankrupt account's deficit; never refused for margin.</summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender (the insurance fund).</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Asset">An asset the market prices.</param>
/// <param name="Amount">Units, positive.</param>
public sealed record CoverDeficit(string MessageId, string Source, long Sequence, string Asset, decimal Amount) : IAccountCommand;
