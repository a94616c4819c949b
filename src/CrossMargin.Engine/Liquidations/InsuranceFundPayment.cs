namespace CrossMargin.Engine.Liquidations;

/// <summary>One asset paid out of the insurance fund for a deficit.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">Units paid, positive.</param>
/// <param name="AmountUsd">The part of the deficit they cover, USD.</param>
public sealed record InsuranceFundPayment(string Asset, decimal Amount, decimal AmountUsd);
