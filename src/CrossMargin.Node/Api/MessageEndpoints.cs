using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CrossMargin.Contracts;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Metrics;
using CrossMargin.Node.Rejections;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// The inbound message contract over HTTP: one endpoint per message type, the same JSON the broker will carry. A
/// message that breaks the contract is answered 400 with every violation; one the account refuses 422 (404 for an
/// account that was never opened) with the reason; an accepted or duplicate one 200. Nothing is half-applied: an
/// account persists a message's events in one write before it answers. Every refusal is also recorded in the node's
/// <see cref="RejectionLog"/>.
/// </summary>
public static class MessageEndpoints
{
    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // The venue's integration path: a token is needed when Security:RequireTokenForIngest (always off loopback).
        var api = routes.MapGroup("/api/v1").RequireAccess(AccessLevel.Ingest);
        MapAccountMessage(api, "/accounts", "accountOpened", ContractJsonContext.Default.OpenAccountMessage);
        MapAccountMessage(api, "/executions", "execution", ContractJsonContext.Default.ExecutionMessage);
        MapAccountMessage(api, "/orders/accepted", "orderAccepted", ContractJsonContext.Default.OrderAcceptedMessage);
        MapAccountMessage(api, "/orders/cancelled", "orderCancelled", ContractJsonContext.Default.OrderCancelledMessage);
        MapAccountMessage(api, "/deposits", "deposit", ContractJsonContext.Default.DepositMessage);
        MapAccountMessage(api, "/withdrawals", "withdrawal", ContractJsonContext.Default.WithdrawalMessage);
        MapAccountMessage(api, "/funding", "funding", ContractJsonContext.Default.FundingMessage);
        MapAccountMessage(api, "/expiry", "expiry", ContractJsonContext.Default.ExpiryMessage);
        MapAccountMessage(api, "/margin-mode", "marginMode", ContractJsonContext.Default.MarginModeMessage);
        api.MapPost("/pre-trade", PreTrade);
        api.MapPost("/prices", Prices);
    }

    private static void MapAccountMessage<TMessage>(RouteGroupBuilder api, string path, string type, JsonTypeInfo<TMessage> json)
        where TMessage : class, IInboundAccountMessage =>
        api.MapPost(path, async (HttpRequest request, EngineHost host, RejectionLog rejections, TimeProvider time, CancellationToken cancellation) =>
        {
            var started = Stopwatch.GetTimestamp();
            var (message, violation) = await ApiBody.ReadAsync(request, json, cancellation);
            var result = message?.ToAccountCommand();
            if (message is null || result is not { IsValid: true })
            {
                return Malformed(type, message?.MessageId, message?.AccountId, violation, result?.Violations, started, rejections, time);
            }

            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            if ((FundAccountGuard.Refusal(result.AccountId!, engine.FundAccountId, message, type) ?? CoordinatorSourceGuard.Refusal(result.Command!, type)) is { } reserved)
            {
                NodeMetrics.Record(MessageRejected.ApiPath, type, reserved.Outcome, reserved.Code, Stopwatch.GetElapsedTime(started));
                rejections.Record(new MessageRejected(time.GetUtcNow(), MessageRejected.ApiPath, type, message.MessageId, result.AccountId, reserved.Code!, reserved.Reason!));
                return Results.Json(reserved, statusCode: StatusCodes.Status403Forbidden);
            }

            if (host.Cluster is { } cluster)
            {
                // The account's owner may be another node: the message goes through its shard queue, the owner answers.
                var relayed = await cluster.RequestAsync(result.AccountId!, JsonSerializer.SerializeToUtf8Bytes(message, json), message.MessageId!, type,
                    host.AskTimeout, cancellation);
                var outcome = relayed.Body.TryGetProperty("outcome", out var o) ? o.GetString() ?? "unknown" : "unknown";
                var code = relayed.Body.TryGetProperty("code", out var c) ? c.GetString() : null;
                NodeMetrics.Record(MessageRejected.ApiPath, type, outcome, code, Stopwatch.GetElapsedTime(started));
                if (outcome == "rejected")
                {
                    var reason = relayed.Body.TryGetProperty("reason", out var r) ? r.GetString() : null;
                    rejections.Record(new MessageRejected(time.GetUtcNow(), MessageRejected.ApiPath, type, message.MessageId, result.AccountId, code ?? "unknown",
                        reason ?? "", relayed.Node));
                }

                return Results.Json(relayed.Body, statusCode: relayed.Status);
            }

            var reply = await engine.SendAsync(result.AccountId!, result.Command!, cancellation);
            var (status, body, name, refusal) = AccountAnswers.ForCommand(reply, result.AccountId!);
            NodeMetrics.Record(MessageRejected.ApiPath, type, name, refusal, Stopwatch.GetElapsedTime(started));
            if (refusal is not null)
            {
                rejections.Record(new MessageRejected(time.GetUtcNow(), MessageRejected.ApiPath, type, message.MessageId, result.AccountId, refusal, body.Reason ?? ""));
            }

            return Results.Json(body, statusCode: status);
        });

    // A pre-trade check the account declines is an answer, not a refused message: only a malformed one is recorded.
    private static async Task<IResult> PreTrade(HttpRequest request, EngineHost host, RejectionLog rejections, TimeProvider time, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var (message, violation) = await ApiBody.ReadAsync(request, ContractJsonContext.Default.PreTradeMessage, cancellation);
        var query = message?.ToQuery();
        if (message is null || query is not { IsValid: true })
        {
            return Malformed("preTrade", message?.MessageId, message?.AccountId, violation, query?.Violations, started, rejections, time);
        }

        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        if (host.Cluster is { } cluster)
        {
            // Answered by the account's owner, behind the executions already queued for it.
            var relayed = await cluster.RequestAsync(query.AccountId!, JsonSerializer.SerializeToUtf8Bytes(message, ContractJsonContext.Default.PreTradeMessage),
                message.MessageId ?? Guid.NewGuid().ToString("N"), AccountMessageTypes.PreTrade, host.AskTimeout, cancellation);
            var accepted = relayed.Body.TryGetProperty("accepted", out var a) && a.ValueKind == JsonValueKind.True;
            NodeMetrics.Record(MessageRejected.ApiPath, "preTrade", accepted ? "accepted" : "rejected", null, Stopwatch.GetElapsedTime(started));
            return Results.Json(relayed.Body, statusCode: relayed.Status);
        }

        var answer = await engine.CheckPreTradeAsync(query.AccountId!, query.Command!, cancellation);
        NodeMetrics.Record(MessageRejected.ApiPath, "preTrade", answer.Accepted ? "accepted" : "rejected", answer.Rejection is { } r ? ApiBody.Code(r.Code) : null,
            Stopwatch.GetElapsedTime(started));
        return answer.Rejection is { Code: RejectionCode.UnknownAccount } ? Results.NotFound(answer) : Results.Ok(answer);
    }

    // A price the feed refuses (stale, out of band) is counted by the price actors with its reason; only a malformed
    // batch is recorded here.
    private static async Task<IResult> Prices(HttpRequest request, EngineHost host, RejectionLog rejections, TimeProvider time, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var (message, violation) = await ApiBody.ReadAsync(request, ContractJsonContext.Default.PricesMessage, cancellation);
        var updates = message?.ToUpdates();
        if (message is null || updates is not { IsValid: true })
        {
            return Malformed("prices", null, null, violation, updates?.Violations, started, rejections, time);
        }

        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        if (host.Cluster is { } cluster)
        {
            // Every node validates and applies the same prices in the same order; this one cannot answer for the others.
            await cluster.PublishPricesAsync(JsonSerializer.SerializeToUtf8Bytes(message, ContractJsonContext.Default.PricesMessage), Guid.NewGuid().ToString("N"), cancellation);
            NodeMetrics.Record(MessageRejected.ApiPath, "prices", "published", null, Stopwatch.GetElapsedTime(started));
            return Results.Json(new { outcome = "published", updates = updates.Command!.Count }, statusCode: StatusCodes.Status202Accepted);
        }

        // Each update is accepted or refused on its own; the answer lists them in the order sent.
        var answers = await Task.WhenAll(updates.Command!.Select(u => engine.UpdatePriceAsync(u, cancellation)));
        var results = answers.Select(a => a switch
        {
            PriceAccepted p => new PriceOutcome(p.Symbol, "accepted", null, null),
            PriceRejected r => new PriceOutcome(r.Symbol, "rejected", ApiBody.Code(r.Reason), r.Message),
            _ => new PriceOutcome("", "error", "unexpected", a.GetType().Name),
        }).ToArray();
        foreach (var result in results)
        {
            NodeMetrics.Record(MessageRejected.ApiPath, "price", result.Outcome, result.Code, Stopwatch.GetElapsedTime(started));
        }

        return Results.Ok(new { accepted = results.Count(r => r.Outcome == "accepted"), rejected = results.Count(r => r.Outcome != "accepted"), results });
    }

    /// <summary>The 400 answer for a message that broke the contract: unreadable JSON, or every field violation.</summary>
    private static IResult Malformed(
        string type, string? messageId, string? accountId, ContractViolation? unreadable, IReadOnlyList<ContractViolation>? violations, long started,
        RejectionLog rejections, TimeProvider time)
    {
        IReadOnlyList<ContractViolation> all = unreadable is not null ? [unreadable] : violations ?? [];
        NodeMetrics.Record(MessageRejected.ApiPath, type, "rejected", "malformed", Stopwatch.GetElapsedTime(started));
        var reason = string.Join("; ", all);
        rejections.Record(new MessageRejected(time.GetUtcNow(), MessageRejected.ApiPath, type, messageId, accountId, "malformed", reason, Violations: all));
        return Results.BadRequest(new MessageOutcome("rejected", messageId, "malformed", reason, all));
    }
}
