using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// An auto-deleverage fill that moved one account of the pair: the counterparty applied its side, the bankrupt account
/// refused its own, and the reversal of the counterparty's side was refused too (or never sent: the bankrupt side was
/// refused as an id already applied, or in a journal written before session 29). Over the pair the fill then moves
/// <see cref="Quantity"/> and its cash one way only, until an operator rebooks the reversal.
/// </summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Round">Its auto-deleverage round.</param>
/// <param name="BankruptAccountId">The liquidated account, whose side was refused.</param>
/// <param name="CounterpartyId">The counterparty, whose side stands.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">The counterparty's side that stands (the reversal trades the opposite).</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="Price">The fill's price.</param>
/// <param name="Code">The last refusal's code: of the reversal (or its last rebooking), else of the bankrupt side.</param>
/// <param name="Reason">The last refusal, with the numbers.</param>
/// <param name="Since">When it was found unbalanced.</param>
/// <param name="Attempts">The operator's rebookings so far.</param>
/// <param name="Status">Unbalanced, being rebooked, or booked.</param>
/// <param name="SettlementPrice">
/// The settlement price of the rebooking being sent or booked, in its settled form; null for one as a trade (or none yet).
/// </param>
/// <param name="BookedAt">When the counterparty booked the rebooking (journaled: <see cref="AutoDeleverageRebookingBooked"/>); null until then.</param>
/// <param name="Unverified">
/// True when the side stands because the bankrupt side was refused as an id already applied (<see cref="RejectionCode.IdReused"/>):
/// the bankrupt account may hold that side already, and then the pair nets and a rebooking would unbalance it. Rebooked
/// only with <see cref="RebookAdlReversal.ConfirmUnverified"/>, once an operator has checked the bankrupt account's journal.
/// </param>
public sealed record UnbalancedAdlFill(
    string LiquidationId,
    int Round,
    string BankruptAccountId,
    string CounterpartyId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    RejectionCode Code,
    string Reason,
    DateTimeOffset Since,
    int Attempts,
    UnbalancedAdlStatus Status,
    decimal? SettlementPrice = null,
    DateTimeOffset? BookedAt = null,
    bool Unverified = false);
