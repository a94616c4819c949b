namespace CrossMargin.Engine.Accounts;

/// <summary>Debit collateral from the wallet; refused beyond the balance or when equity would fall below initial margin.</summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Asset">An asset the market prices.</param>
/// <param name="Amount">Units, positive.</param>
public sealed record Withdraw(string MessageId, string Source, long Sequence, string Asset, decimal Amount) : IAccountCommand;
