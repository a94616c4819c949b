namespace CrossMargin.Engine.Liquidations;

/// <summary>An operator's top-up (or the initial seed) of the insurance fund; answered with <see cref="InsuranceFundDeposited"/>.</summary>
/// <param name="RequestId">Unique id: a repeated id is answered with the first answer and changes nothing.</param>
/// <param name="Asset">An asset the market prices.</param>
/// <param name="Amount">Units, positive, in whole units of the ledger (1e-8; trailing zeros aside), as an account's deposit.</param>
public sealed record DepositToInsuranceFund(string RequestId, string Asset, decimal Amount);
