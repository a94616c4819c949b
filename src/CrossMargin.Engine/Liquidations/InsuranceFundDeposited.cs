namespace CrossMargin.Engine.Liquidations;

/// <summary>The insurance fund received a deposit (persisted, and the answer to <see cref="DepositToInsuranceFund"/>).</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">Units received, positive.</param>
/// <param name="Time">When, by the actor system's clock.</param>
public sealed record InsuranceFundDeposited(string RequestId, string Asset, decimal Amount, DateTimeOffset Time) : IInsuranceFundEvent;
