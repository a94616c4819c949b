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
/// <param name="ConfirmUnverified">
/// The operator's confirmation of what the cluster cannot check: that the bankrupt side of an
/// <see cref="UnbalancedAdlFill.Unverified"/> fill is not booked (without it such a fill's rebooking is refused), and that
/// <paramref name="SettlementPrice"/> is the venue's where the counterparty does not keep the price it was settled at
/// (settled before prices were kept: without it the account refuses the settled form).
/// </param>
public sealed record RebookAdlReversal(string LiquidationId, int Round, string CounterpartyId, decimal? SettlementPrice = null, bool ConfirmUnverified = false);
