namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// The ids of the coordinator's liquidations and of the orders their steps send: "liq-{account}-{n}" and
/// "{liquidation}-s{step}-{k}". A venue echoes the order id in its fills, which is how an edge can tell a fill of the
/// coordinator's own order from any other message for the same account.
/// </summary>
public static class LiquidationOrderIds
{
    /// <summary>The id of the <paramref name="n"/>th liquidation of <paramref name="accountId"/>, n counting from 1.</summary>
    public static string Liquidation(string accountId, int n) => $"liq-{accountId}-{n}";

    /// <summary>The id of the <paramref name="k"/>th order of step <paramref name="step"/> of <paramref name="liquidationId"/>.</summary>
    public static string Order(string liquidationId, int step, int k) => $"{liquidationId}-s{step}-{k}";

    /// <summary>
    /// Whether <paramref name="orderId"/> has the form of an order of a liquidation of <paramref name="accountId"/>
    /// ("liq-{account}-{n}-s{step}-{k}", every number without sign or leading zero).
    /// </summary>
    public static bool IsOrderOf(string accountId, string? orderId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        if (orderId is null || !orderId.StartsWith("liq-", StringComparison.Ordinal)
            || !orderId.AsSpan(4).StartsWith(accountId, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = orderId.AsSpan(4 + accountId.Length);
        return Number(ref rest, "-") && Number(ref rest, "-s") && Number(ref rest, "-") && rest.IsEmpty;
    }

    // Takes `separator` then a positive decimal number off the front of `rest`.
    private static bool Number(ref ReadOnlySpan<char> rest, string separator)
    {
        if (!rest.StartsWith(separator, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[separator.Length..];
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        if (digits == 0 || rest[0] == '0')
        {
            return false;
        }

        rest = rest[digits..];
        return true;
    }
}
