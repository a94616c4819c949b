using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Api;

/// <summary>
/// Keeps the venue's messages out of the liquidation coordinator's own sources (<see cref="LiquidationCoordinator.LiquidationSource"/>,
/// <see cref="LiquidationCoordinator.AdlSource"/>). The coordinator numbers its commands to an account under them, and an
/// account refuses a sequence it has seen: a venue message taking one of those numbers would have the coordinator's
/// cancel-all, fee or auto-deleverage fill refused, and a venue fill under <c>adl</c> would pass for the coordinator's.
/// The coordinator's own commands never come this way (directly to the account embedded, as <c>internal.*</c> types
/// from the cluster's user in a cluster).
/// </summary>
public static class CoordinatorSourceGuard
{
    /// <summary>The refusal (<c>forbidden</c>) of the venue's <paramref name="command"/> of <paramref name="type"/> when its source is the coordinator's; else null.</summary>
    public static MessageOutcome? Refusal(IAccountMessage command, string type)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Source is not (LiquidationCoordinator.LiquidationSource or LiquidationCoordinator.AdlSource))
        {
            return null;
        }

        return new MessageOutcome("rejected", command.MessageId, ClusterUserCheck.ForbiddenCode,
            $"Source '{command.Source}' is the liquidation coordinator's own (it numbers its commands to accounts under '{LiquidationCoordinator.LiquidationSource}' " +
            $"and '{LiquidationCoordinator.AdlSource}'), so a '{type}' message under it is refused: send it under the venue's own source.");
    }
}
