using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Api;

/// <summary>
/// Keeps the venue's messages off the insurance fund's own account (<c>Liquidation:FundAccount</c>): only the liquidation
/// coordinator opens it, fills it (a take-over) and empties it (the unwind's sweep). An execution, deposit or withdrawal
/// a venue sent for that id would move the fund's positions and money, and an account a venue opened under it first
/// would be taken for the fund's. Queries and pre-trade checks still answer.
/// </summary>
public static class FundAccountGuard
{
    /// <summary>The refusal (<c>forbidden</c>) of a venue message of <paramref name="type"/> for <paramref name="accountId"/> when that is the fund's account, else null.</summary>
    public static MessageOutcome? Refusal(string accountId, string? fundAccountId, string? messageId, string type) =>
        fundAccountId is not null && string.Equals(accountId, fundAccountId, StringComparison.Ordinal)
            ? new MessageOutcome("rejected", messageId, ClusterUserCheck.ForbiddenCode,
                $"'{accountId}' is the insurance fund's own account (Liquidation:FundAccount): only the liquidation coordinator moves it, so '{type}' messages for it are refused.")
            : null;
}
