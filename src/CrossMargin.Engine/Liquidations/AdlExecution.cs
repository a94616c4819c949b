using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>One auto-deleverage fill: the counterparty's side; the bankrupt account takes the opposite at the same price.</summary>
/// <param name="AccountId">The deleveraged counterparty.</param>
/// <param name="Side">The counterparty's side (it reduces its position).</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="Price">The bankruptcy price.</param>
/// <param name="Score">The counterparty's ranking score (profit % x effective leverage in profit, profit % / effective leverage not).</param>
/// <param name="CounterpartySequence">The coordinator's sequence (source "adl") of the counterparty's execution.</param>
/// <param name="BankruptSequence">The coordinator's sequence (source "adl") of the bankrupt account's execution.</param>
/// <param name="CounterpartyPosition">
/// The counterparty's signed position the round saw (after the fills sent to it before): its execution states it
/// (<see cref="Accounts.ApplyExecution.ReducesPosition"/>) so the account refuses rather than flips. Null in older journals.
/// </param>
/// <param name="BankruptPosition">The bankrupt account's signed position the round reduces, stated the same way; null in older journals.</param>
/// <param name="ByFund">
/// True when the counterparty is the insurance fund's own account taking the position over (no counterparty was in
/// profit): its side opens or adds to a position, so it states none, and its answer is awaited all the same. False in
/// older journals.
/// </param>
public sealed record AdlExecution(
    string AccountId, OrderSide Side, decimal Quantity, decimal Price, decimal Score, long CounterpartySequence, long BankruptSequence,
    decimal? CounterpartyPosition = null, decimal? BankruptPosition = null, bool ByFund = false);
