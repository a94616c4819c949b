namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Operator: book again the reversal of an unbalanced auto-deleverage fill (<see cref="UnbalancedAdlFill"/>), once what
/// refused it is put right, or in its settled form when the counterparty was settled for the expired instrument
/// (<paramref name="SettlementPrice"/>: exactly the price the venue settled it at, which the account checks). Answered with <see cref="UnbalancedAdlFills"/>
/// once journaled (the fill then shows <see cref="UnbalancedAdlStatus.Rebooking"/> until the account answers), or
/// <see cref="AdlRebookRefused"/>.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">The auto-deleverage round.</param>
/// <param name="CounterpartyId">The counterparty whose side stands.</param>
/// <param name="SettlementPrice">
/// The venue's settlement price of the expired instrument the counterparty was settled at (any other is refused by it,
/// <see cref="Accounts.RejectionCode.InvalidPrice"/>, naming that price); null to book the reversal as a trade.
/// </param>
public sealed record RebookAdlReversal(string LiquidationId, int Round, string CounterpartyId, decimal? SettlementPrice = null);
