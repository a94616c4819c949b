using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMargin.Actors;
using CrossMargin.Contracts;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// Liquidations, the insurance fund and the operator's halt switch, plus the venue's report of a liquidation order's
/// outcome. Halts and fund deposits are admin calls (an admin token, audited); the report is the venue's (ingest).
/// On a cluster node every call goes through the liquidation queue to the node holding the liquidation singleton,
/// which answers as it would itself; with no holder within the ask timeout the answer is 503.
/// </summary>
public static class LiquidationEndpoints
{
    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/liquidations", (EngineHost host, CancellationToken cancellation) =>
            AnswerAsync(host, ClusterMessageTypes.ListLiquidations, new LiquidationRequest(), (l, t, c) => LiquidationAnswers.ListAsync(l.Coordinator, t, c), cancellation));
        api.MapGet("/liquidations/{liquidationId}", (string liquidationId, EngineHost host, CancellationToken cancellation) =>
            AnswerAsync(host, ClusterMessageTypes.ShowLiquidation, new LiquidationRequest(Id: liquidationId),
                (l, t, c) => LiquidationAnswers.ShowAsync(l.Coordinator, liquidationId, t, c), cancellation));
        api.MapPost("/liquidation-reports", async (HttpRequest request, EngineHost host, CancellationToken cancellation) =>
        {
            // Read under the message contract, not bound leniently: a misspelt or missing filledQuantity read as zero
            // would tell the coordinator that nothing filled, and it would liquidate again.
            var (report, malformed) = await ApiBody.ReadCheckedAsync(request, ContractJsonContext.Default.LiquidationReportMessage, m => m.ToReport(), m => m.OrderId,
                cancellation);
            if (report is null)
            {
                return malformed!;
            }

            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            if (host.Cluster is { } cluster)
            {
                // Durable in the liquidation queue once confirmed: it reaches the coordinator whenever a node holds it.
                await cluster.PublishLiquidationReportAsync(report, cancellation);
            }
            else
            {
                engine.Coordinator.Tell(report, ActorRefs.Nobody);
            }

            return Results.Accepted(value: new MessageOutcome("accepted", report.OrderId));
        }).RequireAccess(AccessLevel.Ingest);
        api.MapGet("/insurance-fund", async (EngineHost host, CancellationToken cancellation) =>
            await WithFundAccount(host, await AnswerAsync(host, ClusterMessageTypes.ShowFund, new LiquidationRequest(),
                (l, t, c) => LiquidationAnswers.FundAsync(l.InsuranceFund, l.Coordinator, t, c), cancellation), cancellation));
        api.MapPost("/insurance-fund/uncovered-covers", async (HttpRequest request, EngineHost host, HttpContext context, CancellationToken cancellation) =>
        {
            var (cover, malformed) = await ApiBody.ReadCheckedAsync(request, ContractJsonContext.Default.UncoveredDeficitCoverMessage, m => m.ToCover(),
                m => m.RequestId, cancellation);
            if (cover is null)
            {
                return malformed!;
            }

            var result = await AnswerAsync(host, ClusterMessageTypes.FundCoverUncovered, cover,
                (l, t, c) => LiquidationAnswers.CoverUncoveredAsync(l.Coordinator, cover, t, c), ClusterWireJsonContext.Default.CoverUncoveredDeficit, cancellation);
            var covering = $"insurance fund cover of {cover.AccountId}'s uncovered deficit, request {cover.RequestId}";
            AuditLog.Describe(context, AuditOutcome.Of(result, covering + " started", covering));
            return result;
        }).RequireAccess(AccessLevel.Admin);
        api.MapPost("/insurance-fund/deposits", async (HttpRequest request, EngineHost host, HttpContext context, CancellationToken cancellation) =>
        {
            // Read under the message contract like the venue's messages: a field given twice, a misspelt one or an amount
            // that would be rounded moves the fund by something other than what was sent.
            var (deposit, malformed) = await ApiBody.ReadCheckedAsync(request, ContractJsonContext.Default.InsuranceFundDepositMessage, m => m.ToDeposit(),
                m => m.RequestId, cancellation);
            if (deposit is null)
            {
                return malformed!;
            }

            var result = await AnswerAsync(host, ClusterMessageTypes.FundDeposit, deposit, (l, t, c) => LiquidationAnswers.DepositAsync(l.InsuranceFund, deposit, t, c),
                ClusterWireJsonContext.Default.DepositToInsuranceFund, cancellation);
            AuditLog.Describe(context, AuditOutcome.Of(result, $"insurance fund deposit {deposit.RequestId}: {deposit.Amount} {deposit.Asset}",
                $"insurance fund deposit {deposit.RequestId} of {deposit.Amount} {deposit.Asset}"));
            return result;
        }).RequireAccess(AccessLevel.Admin);
        api.MapGet("/liquidation-halts", (EngineHost host, CancellationToken cancellation) =>
            AnswerAsync(host, ClusterMessageTypes.ListHalts, new LiquidationRequest(), (l, t, c) => LiquidationAnswers.HaltsAsync(l.Coordinator, t, c), cancellation));
        api.MapPut("/liquidation-halts/{symbol}", (string symbol, EngineHost host, HttpContext context, CancellationToken cancellation) =>
            SetHaltAsync(symbol, halt: true, host, context, cancellation)).RequireAccess(AccessLevel.Admin);
        api.MapDelete("/liquidation-halts/{symbol}", (string symbol, string? liquidation, EngineHost host, HttpContext context, CancellationToken cancellation) =>
            SetHaltAsync(symbol, halt: false, host, context, cancellation, liquidation)).RequireAccess(AccessLevel.Admin);
        api.MapGet("/adl-unbalanced", (EngineHost host, CancellationToken cancellation) =>
            AnswerAsync(host, ClusterMessageTypes.ListUnbalancedAdl, new LiquidationRequest(), (l, t, c) => LiquidationAnswers.UnbalancedAsync(l.Coordinator, t, c), cancellation));
        api.MapPost("/adl-unbalanced/rebookings", async (HttpRequest request, EngineHost host, HttpContext context, CancellationToken cancellation) =>
        {
            var (rebook, malformed) = await ApiBody.ReadCheckedAsync(request, ContractJsonContext.Default.AdlRebookMessage, m => m.ToRebook(), m => m.LiquidationId,
                cancellation);
            if (rebook is null)
            {
                return malformed!;
            }

            var result = await AnswerAsync(host, ClusterMessageTypes.RebookAdl, rebook, (l, t, c) => LiquidationAnswers.RebookAsync(l.Coordinator, rebook, t, c),
                ClusterWireJsonContext.Default.RebookAdlReversal, cancellation);
            var rebooking = $"auto-deleverage reversal of {rebook.CounterpartyId}'s side in round {rebook.Round} of {rebook.LiquidationId}";
            var settled = (rebook.SettlementPrice is { } price ? $" settled at {price}" : "")
                + (rebook.ConfirmUnverified ? ", with the operator's confirmUnverified" : "");
            AuditLog.Describe(context, AuditOutcome.Of(result, $"{rebooking} rebooked{settled}: sent to {rebook.CounterpartyId}, listed rebooking until it books it",
                $"rebooking of the {rebooking}{settled}"));
            return result;
        }).RequireAccess(AccessLevel.Admin);
    }

    private static async Task<IResult> SetHaltAsync(string symbol, bool halt, EngineHost host, HttpContext context, CancellationToken cancellation, string? liquidationId = null)
    {
        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        // A liquidation's hold is checked by the coordinator: it may be of an instrument delisted or expired since. An
        // expired instrument is resumed everywhere too: a halt of it made while it traded still pauses the liquidation of
        // every account holding it until the venue's settlement, and nothing else would lift it.
        var market = engine.Market.Current;
        var result = liquidationId is null && market.FindInstrument(symbol) is null && (halt || market.FindExpired(symbol) is null)
            ? NotListed(symbol, halt, market.FindExpired(symbol)?.Expiry)
            : await AnswerAsync(host, halt ? ClusterMessageTypes.Halt : ClusterMessageTypes.Resume, new LiquidationRequest(liquidationId, symbol),
                (l, t, c) => LiquidationAnswers.SetHaltAsync(l.Coordinator, symbol, halt, t, c, liquidationId), cancellation);
        AuditLog.Describe(context, liquidationId is null
            ? AuditOutcome.Of(result, $"forced liquidation {(halt ? "halted" : "resumed")} on {symbol}", $"{(halt ? "halt" : "resume")} of forced liquidation on {symbol}")
            : AuditOutcome.Of(result, $"auto-deleveraging of {symbol} released for liquidation {liquidationId}",
                $"release of liquidation {liquidationId}'s auto-deleverage hold of {symbol}"));
        return result;
    }

    /// <summary>
    /// 404 for a halt of an instrument the market does not list, or a resume everywhere of one neither listed nor expired,
    /// saying why and what can be done: an expired one no longer trades (nothing to halt); one neither listed nor expired
    /// is misspelt or delisted, and a liquidation's auto-deleverage hold of it is released for that liquidation alone.
    /// </summary>
    private static IResult NotListed(string symbol, bool halt, DateTimeOffset? expired)
    {
        var release = $"A liquidation's auto-deleverage hold of it is released for that liquidation alone: DELETE /api/v1/liquidation-halts/{symbol}?liquidation=ID "
            + $"(cm trading resume {symbol} --liquidation ID; the liquidations holding it say so in their stall reason, cm liquidations show ID).";
        var detail = expired is { } at
            ? FormattableString.Invariant($"{symbol} expired at {at:O}: it no longer trades, so there is nothing to halt; its holders await the venue's settlement.")
            : $"Instrument {symbol} is neither listed nor expired on this node's market: misspelt, or delisted. "
                + (halt ? "Only a listed instrument is halted." : "Only a listed or expired instrument is resumed everywhere. " + release);
        return Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: expired is null ? "Unknown instrument" : "Instrument expired");
    }

    /// <summary>
    /// The fund's answer with its own account's view as <c>account</c> (the positions it took over and is unwinding), asked
    /// of the account where it lives, as <c>GET /api/v1/accounts/{id}</c> does: the singleton's holder does not ask it
    /// through its relay while it answers the liquidation queue. Left out when the fund has no account or it does not answer.
    /// </summary>
    private static async Task<IResult> WithFundAccount(EngineHost host, IResult fund, CancellationToken cancellation)
    {
        if (host.Engine is not { FundAccountId: { } accountId } engine
            || fund is not IValueHttpResult { Value: { } value } || fund is IStatusCodeHttpResult { StatusCode: not (null or StatusCodes.Status200OK) })
        {
            return fund;
        }

        try
        {
            if (host.Cluster is { } cluster)
            {
                var relayed = await cluster.RequestAsync(accountId, "{}"u8.ToArray(), Guid.NewGuid().ToString("N"), AccountMessageTypes.GetAccount, host.AskTimeout,
                    cancellation);
                if (relayed.Status != StatusCodes.Status200OK || value is not JsonElement element)
                {
                    return fund;
                }

                var body = JsonNode.Parse(element.GetRawText())!.AsObject();
                body["account"] = JsonNode.Parse(relayed.Body.GetRawText());
                return Results.Json(body);
            }

            return value is InsuranceFundView view && await engine.GetAccountAsync(accountId, cancellation) is AccountView account
                ? Results.Json(view with { Account = account })
                : fund;
        }
        catch (TimeoutException)
        {
            return fund;
        }
    }

    private static Task<IResult> AnswerAsync(
        EngineHost host, string type, LiquidationRequest request, Func<LiquidationSingleton, TimeSpan, CancellationToken, Task<(int Status, object Body)>> local,
        CancellationToken cancellation) =>
        AnswerAsync(host, type, request, local, ClusterWireJsonContext.Default.LiquidationRequest, cancellation);

    /// <summary>Answers locally on an embedded node; on a cluster node asks the singleton's holder through the broker.</summary>
    private static async Task<IResult> AnswerAsync<T>(
        EngineHost host, string type, T request, Func<LiquidationSingleton, TimeSpan, CancellationToken, Task<(int Status, object Body)>> local,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> json, CancellationToken cancellation)
    {
        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        if (host.Cluster is { } cluster)
        {
            try
            {
                var relayed = await cluster.RequestLiquidationAsync(type, JsonSerializer.SerializeToUtf8Bytes(request, json), host.AskTimeout, cancellation);
                return Results.Json(relayed.Body, statusCode: relayed.Status);
            }
            catch (TimeoutException)
            {
                return ApiBody.NoLiquidationSingleton(host.AskTimeout);
            }
        }

        var (status, body) = await local(engine.Liquidation!, host.AskTimeout, cancellation);
        return Results.Json(body, statusCode: status);
    }
}
