using CrossMargin.Risk.Margin;

namespace CrossMargin.Node.Operations;

/// <summary>An account whose margin status would change under new risk parameters.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="From">Status under the parameters in force.</param>
/// <param name="To">Status under the new ones.</param>
/// <param name="MaintenanceMarginBeforeUsd">Maintenance margin under the parameters in force.</param>
/// <param name="MaintenanceMarginAfterUsd">Maintenance margin under the new ones.</param>
public sealed record StatusChange(string AccountId, MarginStatus From, MarginStatus To, decimal MaintenanceMarginBeforeUsd, decimal MaintenanceMarginAfterUsd);
