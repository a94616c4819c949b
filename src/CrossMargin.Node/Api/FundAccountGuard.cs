using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Api;

/// <summary>
/// Keeps the venue's messages off the insurance fund's own account (<c>Liquidation:FundAccount</c>): only the liquidation
/// coordinator opens it, fills it (a take-over) and empties it (the unwind's sweep). An execution, deposit or withdrawal
/// a venue sent for that id would move the fund's positions and money, and an account a venue opened under it first
/// would be taken for the fund's. Queries and pre-trade checks still answer.
/// </summary>
/// <remarks>
/// What the venue does report for the fund's account passes: the fills (flagged <c>isLiquidation</c>) and order events
/// of the orders the coordinator sent to unwind it, recognised by their ids (<see cref="LiquidationOrderIds.IsOrderOf"/>),
/// the funding of a perpetual it holds meanwhile and the settlement of a contract that expires in it. Refusing those
/// would leave the fund's account holding a position the venue has closed.
/// </remarks>
public static class FundAccountGuard
{
    /// <summary>
    /// The refusal (<c>forbidden</c>) of the venue's <paramref name="message"/> of <paramref name="type"/> for
    /// <paramref name="accountId"/> when that is the fund's account and the message is not one the venue owes it; else null.
    /// </summary>
    public static MessageOutcome? Refusal(string accountId, string? fundAccountId, IInboundAccountMessage message, string type)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (fundAccountId is null || !string.Equals(accountId, fundAccountId, StringComparison.Ordinal) || IsOwed(fundAccountId, message))
        {
            return null;
        }

        return new MessageOutcome("rejected", message.MessageId, ClusterUserCheck.ForbiddenCode,
            $"'{accountId}' is the insurance fund's own account (Liquidation:FundAccount): only the liquidation coordinator moves it, so '{type}' messages "
            + "for it are refused, except the fills (isLiquidation) and order events of the coordinator's own orders and funding.");
    }

    private static bool IsOwed(string fundAccountId, IInboundAccountMessage message) => message switch
    {
        ExecutionMessage { IsLiquidation: true } m => LiquidationOrderIds.IsOrderOf(fundAccountId, m.OrderId),
        OrderAcceptedMessage m => LiquidationOrderIds.IsOrderOf(fundAccountId, m.OrderId),
        OrderCancelledMessage m => LiquidationOrderIds.IsOrderOf(fundAccountId, m.OrderId),
        FundingMessage => true,
        // The fund's account may hold an expired contract it took over: its settlement is owed as funding is.
        ExpiryMessage => true,
        _ => false,
    };
}
