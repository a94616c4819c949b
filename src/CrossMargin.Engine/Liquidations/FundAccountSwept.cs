namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The unwind of the insurance fund's account ended flat with collateral left (the take-over's gain, or covers the fills
/// did not use): each amount is withdrawn from the account (a <c>Withdraw</c>, source "liquidation") and, once the account
/// has applied it, deposited into the fund (request id: the withdrawal's message id).
/// </summary>
/// <param name="LiquidationId">The unwind.</param>
/// <param name="Amounts">Per asset moved (USD at the market then).</param>
/// <param name="FirstSequence">The coordinator's sequence (source "liquidation") of the first withdrawal; one per amount from there.</param>
/// <param name="Time">When.</param>
public sealed record FundAccountSwept(string LiquidationId, IReadOnlyList<InsuranceFundPayment> Amounts, long FirstSequence, DateTimeOffset Time)
    : ILiquidationEvent
{
    /// <summary>The message id of the withdrawal of <paramref name="asset"/> (and the request id of its deposit into the fund).</summary>
    public string MessageId(string asset) => $"{LiquidationId}:sweep:{asset}";
}
