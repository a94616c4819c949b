namespace CrossMargin.Simulator;

/// <summary>One simulated account and the book it keeps.</summary>
/// <param name="AccountId">The account id.</param>
/// <param name="Profile">Its kind of book.</param>
/// <param name="Leverage">Target notional over collateral for leveraged profiles (1 otherwise).</param>
public sealed record SimulatedAccount(string AccountId, TraderProfile Profile, decimal Leverage);
