using CrossMargin.Actors;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;

namespace CrossMargin.Node.Api;

/// <summary>
/// Liquidations, the insurance fund and the operator's halt switch, plus the venue's report of a liquidation order's
/// outcome. Halts and fund deposits are admin calls (an admin token, audited); the report is the venue's (ingest).
/// </summary>
public static class LiquidationEndpoints
{
    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");

        // The coordinator and the fund are not cluster singletons yet: a cluster node says so rather than time out.
        api.AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<EngineHost>().Cluster is null ? await next(context) : ApiBody.NotInCluster("Liquidation and the insurance fund"));
        api.MapGet("/liquidations", async (EngineHost host, CancellationToken cancellation) =>
            host.Engine is { } engine ? Results.Ok(ListOf(await engine.GetLiquidationsAsync(cancellation))) : ApiBody.NotReady());
        api.MapGet("/liquidations/{liquidationId}", async (string liquidationId, EngineHost host, CancellationToken cancellation) =>
        {
            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            try
            {
                var history = await engine.GetLiquidationAsync(liquidationId, cancellation);
                return Results.Ok(new { history.LiquidationId, history.AccountId, history.Status, steps = history.Steps.Select(StepOf).ToArray() });
            }
            catch (Exception e) when (e is not AskTimeoutException and not OperationCanceledException)
            {
                return Results.NotFound(new MessageOutcome("rejected", Code: "unknownLiquidation", Reason: e.Message));
            }
        });
        api.MapPost("/liquidation-reports", (LiquidationOrderReport? report, EngineHost host) =>
        {
            if (report is null || string.IsNullOrWhiteSpace(report.OrderId) || report.FilledQuantity < 0 || report.AveragePrice < 0
                || (report.FilledQuantity > 0 && report.AveragePrice == 0))
            {
                return Results.BadRequest(new MessageOutcome("rejected", Code: "malformed",
                    Reason: "A liquidation report needs an orderId, a filledQuantity of zero or more and, when filled, a positive averagePrice."));
            }

            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            engine.Coordinator.Tell(report, ActorRefs.Nobody);
            return Results.Accepted(value: new MessageOutcome("accepted", report.OrderId));
        }).RequireAccess(AccessLevel.Ingest);
        api.MapGet("/insurance-fund", async (EngineHost host, CancellationToken cancellation) =>
            host.Engine is { } engine ? Results.Ok(await engine.GetInsuranceFundAsync(cancellation)) : ApiBody.NotReady());
        api.MapPost("/insurance-fund/deposits", async (DepositToInsuranceFund? deposit, EngineHost host, HttpContext context, CancellationToken cancellation) =>
        {
            if (deposit is null || string.IsNullOrWhiteSpace(deposit.RequestId) || string.IsNullOrWhiteSpace(deposit.Asset) || deposit.Amount <= 0)
            {
                return Results.BadRequest(new MessageOutcome("rejected", Code: "malformed", Reason: "A fund deposit needs a requestId, an asset and a positive amount."));
            }

            if (host.Engine is not { } engine)
            {
                return ApiBody.NotReady();
            }

            var reply = await engine.DepositToInsuranceFundAsync(deposit, cancellation);
            AuditLog.Describe(context, $"insurance fund deposit {deposit.RequestId}: {deposit.Amount} {deposit.Asset}");
            return reply is InsuranceFundRejected rejected
                ? Results.UnprocessableEntity(new MessageOutcome("rejected", deposit.RequestId, "refused", rejected.ToString()))
                : Results.Ok(reply);
        }).RequireAccess(AccessLevel.Admin);
        api.MapGet("/liquidation-halts", async (EngineHost host, CancellationToken cancellation) =>
            host.Engine is { } engine ? Results.Ok(await engine.Coordinator.Ask<HaltedInstruments>(GetHaltedInstruments.Instance, null, cancellation)) : ApiBody.NotReady());
        api.MapPut("/liquidation-halts/{symbol}", (string symbol, EngineHost host, HttpContext context, CancellationToken cancellation) =>
            SetHaltAsync(symbol, halt: true, host, context, cancellation)).RequireAccess(AccessLevel.Admin);
        api.MapDelete("/liquidation-halts/{symbol}", (string symbol, EngineHost host, HttpContext context, CancellationToken cancellation) =>
            SetHaltAsync(symbol, halt: false, host, context, cancellation)).RequireAccess(AccessLevel.Admin);
    }

    /// <summary>
    /// A step with its kind and every field: declared as the interface, a step would be written with the interface's
    /// two properties only.
    /// </summary>
    private static object StepOf(ILiquidationEvent step) => new { kind = step.GetType().Name, step = (object)step };

    private static object ListOf(LiquidationList list) => new
    {
        liquidations = list.Liquidations.Select(l => new { l.LiquidationId, l.AccountId, l.Status, l.StartedAt, l.Steps, lastStep = StepOf(l.LastStep) }).ToArray(),
    };

    private static async Task<IResult> SetHaltAsync(string symbol, bool halt, EngineHost host, HttpContext context, CancellationToken cancellation)
    {
        if (host.Engine is not { } engine)
        {
            return ApiBody.NotReady();
        }

        if (engine.Market.Current.FindInstrument(symbol) is null)
        {
            return Results.Problem($"Unknown instrument {symbol}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown instrument");
        }

        var halted = await engine.SetLiquidationHaltAsync(symbol, halt, cancellation);
        AuditLog.Describe(context, $"forced liquidation {(halt ? "halted" : "resumed")} on {symbol}");
        return Results.Ok(halted);
    }
}
