using System.Globalization;
using System.Text;
using System.Text.Json;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// One step of a liquidation's history, from the node's JSON (<c>{"kind", "step"}</c>), as the lines an operator reads:
/// what happened and its figures. A kind this version does not know is written as its scalar fields, so a newer node's
/// steps still read.
/// </summary>
public static class LiquidationStepText
{
    /// <summary>The step's time in UTC to the millisecond, or empty when it has none.</summary>
    public static string Time(JsonElement entry) => JsonText.Time(Step(entry), "time");

    /// <summary>What the step did, in one line or a few (orders and fills one per line).</summary>
    public static string Describe(JsonElement entry)
    {
        var kind = JsonText.Of(entry, "kind");
        var s = Step(entry);
        var text = new StringBuilder();
        switch (kind)
        {
            case "LiquidationStarted":
                text.Append(Inv($"started ({F(s, "status")}): equity {Usd(s, "equityUsd")} USD, maintenance margin {Usd(s, "maintenanceMarginUsd")} USD; open orders cancelled"));
                break;
            case "LiquidationStepPlanned":
                text.Append(Inv($"step {F(s, "step")} {F(s, "outcome")}: {F(s, "reason")}"));
                foreach (var o in JsonText.Items(s, "orders"))
                {
                    text.Append(Inv($"\n  {F(o, "side")} {F(o, "quantity")} {F(o, "symbol")} limit {F(o, "limitPrice")} ({F(o, "orderId")})"));
                }

                if (JsonText.Of(s, "takeOverIfUnfilled") == "yes")
                {
                    text.Append("\n  what the book does not fill goes to auto-deleveraging at the bankruptcy price");
                }

                break;
            case "LiquidationOrderReported":
                text.Append(Inv($"{F(s, "orderId")}: filled {F(s, "filledQuantity")}"));
                if (F(s, "filledQuantity") is not ("0" or ""))
                {
                    text.Append(Inv($" at {F(s, "averagePrice")}, fee {F(s, "feeAmount")} {F(s, "feeAsset")} ({Usd(s, "feeUsd")} USD)"));
                }

                break;
            case "LiquidationOrdersExpired":
                text.Append(Inv($"step {F(s, "step")}: no report within the order timeout for {string.Join(", ", Strings(s, "orderIds"))}"));
                break;
            case "LiquidationCoverRequested":
                text.Append(Inv($"{F(s, "requestId")}: deficit {Usd(s, "deficitUsd")} USD asked of the insurance fund"));
                break;
            case "LiquidationCoverReceived":
                text.Append(Inv($"{F(s, "requestId")}: the fund covered {Usd(s, "coveredUsd")} USD, {Usd(s, "uncoveredUsd")} USD uncovered"));
                AppendPayments(text, s, "paid");
                break;
            case "FundAccountSwept":
                text.Append("the fund's account swept into the fund");
                AppendPayments(text, s, "moved");
                break;
            case "AutoDeleverageExecuted":
                var fills = JsonText.Items(s, "fills").ToList();
                text.Append(Inv($"auto-deleverage round {F(s, "round")}: {F(s, "symbol")} at bankruptcy price {F(s, "bankruptcyPrice")}, {fills.Count} counterparties"));
                foreach (var f in fills)
                {
                    var fund = JsonText.Of(f, "byFund") == "yes" ? ", the fund's account" : "";
                    text.Append(Inv($"\n  {F(f, "accountId")} {F(f, "side")} {F(f, "quantity")} at {F(f, "price")} (score {Score(f)}{fund})"));
                }

                break;
            case "AutoDeleverageFillRefused":
                text.Append(Inv($"auto-deleverage round {F(s, "round")}: {F(s, "accountId")} refused its fill ({F(s, "code")}): {F(s, "reason")}"));
                break;
            case "AutoDeleverageBankruptSideRefused":
                text.Append(Inv($"auto-deleverage round {F(s, "round")}: the bankrupt side of the fill with {F(s, "counterpartyId")} was refused ({F(s, "code")}): {F(s, "reason")}"));
                if (F(s, "reversalSequence") is { Length: > 0 })
                {
                    text.Append(Inv($"; {F(s, "counterpartyId")}'s side reversed"));
                }
                else if (!string.Equals(F(s, "code"), "positionChanged", StringComparison.OrdinalIgnoreCase))
                {
                    text.Append(Inv($"; {F(s, "counterpartyId")}'s side stands unbalanced until an operator rebooks its reversal"));
                }
                break;
            case "AutoDeleverageReversalRefused":
                var refusedWhat = F(s, "attempt") is "0" or "" ? "reversal" : "rebooking " + F(s, "attempt");
                text.Append(Inv($"auto-deleverage round {F(s, "round")}: {F(s, "counterpartyId")} refused the {refusedWhat} of its side ({F(s, "code")}): {F(s, "reason")}"))
                    .Append("; its side stands unbalanced until an operator rebooks it");
                break;
            case "AutoDeleverageReversalRebooked":
                var settled = F(s, "settlementPrice") is { Length: > 0 } at ? $" in its settled form at {at}" : "";
                text.Append(Inv($"auto-deleverage round {F(s, "round")}: an operator rebooked the reversal of {F(s, "counterpartyId")}'s side{settled} (rebooking {F(s, "attempt")})"));
                if (F(s, "confirmUnverified") == "yes")
                {
                    text.Append(", confirming what the cluster cannot check (--confirm-unverified)");
                }

                break;
            case "AutoDeleverageRebookingBooked":
                var settledAt = F(s, "settlementPrice") is { Length: > 0 } bookedAt ? $" settled at {bookedAt}" : "";
                text.Append(Inv($"auto-deleverage round {F(s, "round")}: {F(s, "counterpartyId")} booked rebooking {F(s, "attempt")}, {F(s, "side")} {F(s, "quantity")}"))
                    .Append(Inv($" {F(s, "symbol")} at {F(s, "price")}{settledAt} ({F(s, "messageId")}); the fill nets again"));
                break;
            case "LiquidationStalled":
                text.Append(Inv($"stalled: {F(s, "reason")}"));
                break;
            case "LiquidationCompleted":
                text.Append(Inv($"completed: {F(s, "reason")}"));
                break;
            default:
                text.Append(kind);
                var fields = s.ValueKind == JsonValueKind.Object
                    ? s.EnumerateObject().Where(p => p.Name is not ("liquidationId" or "time") && p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                        .Select(p => p.Name + " " + JsonText.Of(s, p.Name))
                    : [];
                text.Append(": ").AppendJoin(", ", fields);
                break;
        }

        return text.ToString();
    }

    private static JsonElement Step(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("step", out var step) ? step : default;

    private static string F(JsonElement element, string name) => JsonText.Of(element, name);

    private static string Usd(JsonElement element, string name) => JsonText.Of(element, name, money: true);

    private static string Score(JsonElement fill) =>
        fill.TryGetProperty("score", out var score) && score.TryGetDecimal(out var d) ? d.ToString("0.####", CultureInfo.InvariantCulture) : "";

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        JsonText.Items(element, name).Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : x.GetRawText());

    private static void AppendPayments(StringBuilder text, JsonElement step, string verb)
    {
        var payments = JsonText.Items(step, "payments").Concat(JsonText.Items(step, "amounts"))
            .Select(p => Inv($"{F(p, "amount")} {F(p, "asset")} ({Usd(p, "amountUsd")} USD)")).ToList();
        if (payments.Count > 0)
        {
            text.Append(Inv($"; {verb} ")).AppendJoin(", ", payments);
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
