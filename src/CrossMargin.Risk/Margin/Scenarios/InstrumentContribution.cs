namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>One holding's P&amp;L in the binding scenario of its underlying.</summary>
/// <param name="Symbol">The instrument, or "&lt;coin&gt; accrued" for the revaluation of coin already accrued by inverse contracts.</param>
/// <param name="Quantity">Contracts held in the case that bound (coins for the accrued line).</param>
/// <param name="PnlUsd">P&amp;L in the binding scenario, before its weight.</param>
public sealed record InstrumentContribution(string Symbol, double Quantity, decimal PnlUsd);
