using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Liquidations;

/// <summary>One auto-deleverage fill: the counterparty's side; the bankrupt account takes the opposite at the same price.</summary>
/// <param name="AccountId">The deleveraged counterparty.</param>
/// <param name="Side">The counterparty's side (it reduces its position).</param>
/// <param name="Quantity">Contracts.</param>
/// <param name="Price">The bankruptcy price.</param>
/// <param name="Score">The counterparty's ranking score (profit % x effective leverage).</param>
/// <param name="CounterpartySequence">The coordinator's sequence (source "adl") of the counterparty's execution.</param>
/// <param name="BankruptSequence">The coordinator's sequence (source "adl") of the bankrupt account's execution.</param>
public sealed record AdlExecution(
    string AccountId, OrderSide Side, decimal Quantity, decimal Price, decimal Score, long CounterpartySequence, long BankruptSequence);
