using System.Text.Json;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Accounts;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Operations;
using CrossMargin.Node.Security;
using CrossMargin.Risk.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Api;

/// <summary>
/// Risk controls: the parameter files in force, a posted parameter file validated and dry-run over the live accounts,
/// and stress scenarios. The engine cannot swap parameters while running (its calculators are fixed at start), so
/// applying a file for real is refused with 409 and the setting to restart with; the dry-run is how a file is checked.
/// On a cluster node the stress run and the dry-run cover the whole cluster: the answering node asks every other member
/// for its local part (<c>?scope=local</c>, the caller's token forwarded) and sums them, labelling the answer partial
/// when a member did not answer or a shard had no owner.
/// </summary>
public static class RiskEndpoints
{
    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/risk/params", (EngineHost host) =>
            host.Engine is null ? ApiBody.NotReady() : Results.Ok(new { sets = host.ParameterSets }));
        api.MapPost("/risk/params", SetParametersAsync).RequireAccess(AccessLevel.Admin);
        api.MapPost("/stress", StressAsync).RequireAccess(AccessLevel.Read);
    }

    private static async Task<IResult> SetParametersAsync(HttpRequest request, bool? dryRun, string? scope, EngineHost host, LiveAccounts live,
        HttpContext context, CancellationToken cancellation)
    {
        if (ScopeProblem(scope) is { } bad)
        {
            return bad;
        }

        if (host.Engine is not { } engine || host.Models is not { } models)
        {
            return ApiBody.NotReady();
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellation);
        RiskParameters parameters;
        try
        {
            parameters = RiskParametersFile.Parse(text, "posted parameters");
        }
        catch (RiskInputException e)
        {
            AuditLog.Describe(context, "risk parameters refused: " + e.Message);
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid risk parameters");
        }

        var slot = parameters.Portfolio is null ? "standard" : "portfolio";
        var version = EngineHost.VersionOf(text);
        var active = host.ParameterSets.Single(s => s.Slot == slot);
        if (dryRun != true)
        {
            AuditLog.Describe(context, $"risk parameters {version} for slot {slot} validated, not applied (no live swap)");
            var setting = slot == "standard" ? "Node:StandardMarginFile" : "Node:PortfolioMarginFile";
            return Results.Problem(
                $"The file is valid (version {version}, slot {slot}), but swapping risk parameters is not supported while running: the engine's " +
                $"calculators are fixed at start. Restart the node with {setting}=<the file> (now {active.File}, version {active.Version}); " +
                "use --dry-run to see its effect first.",
                statusCode: StatusCodes.Status409Conflict, title: "Not supported while running");
        }

        var mode = slot == "standard" ? MarginMode.StandardCross : MarginMode.Portfolio;
        var current = models.For(mode);
        var proposed = parameters.CreateCalculator();
        var market = engine.Market.Current;
        var accounts = (await live.GetAsync(cancellation)).Where(v => v.Mode == mode).ToArray();
        var changes = new List<StatusChange>();
        foreach (var view in accounts)
        {
            var portfolio = StressRunner.PortfolioOf(view);
            try
            {
                var before = current.Assess(portfolio, market);
                var after = proposed.Assess(portfolio, market);
                if (before.Status != after.Status)
                {
                    changes.Add(new StatusChange(view.AccountId, before.Status, after.Status, before.MaintenanceMarginUsd, after.MaintenanceMarginUsd));
                }
            }
            catch (ArgumentException e)
            {
                return Results.Problem($"Account {view.AccountId} cannot be assessed with the posted parameters: {e.Message}",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Parameters do not fit the book");
            }
        }

        var self = host.Cluster?.Options.NodeId ?? host.Node.Name;
        var local = new ParameterDryRun(slot, version, active.Version, parameters.Description, accounts.Length, changes.Count, changes, Applied: false,
            "node", Partial: false, [new NodePart(self, Answered: true, accounts.Length, changes.Count, null)], []);
        if (host.Cluster is { } cluster && scope != ClusterFanOut.LocalScope)
        {
            var (others, unserved) = await ClusterFanOut.TargetsAsync(cluster, cancellation);
            var answers = await ClusterFanOut.AskAsync<ParameterDryRun>(others, $"/api/v1/risk/params?dryRun=true&scope={ClusterFanOut.LocalScope}", text,
                context, host.AskTimeout, cancellation);
            var combined = ClusterTotals.DryRun(local, [new MemberAnswer<ParameterDryRun>(self, local, null), .. answers], unserved);
            AuditLog.Describe(context, $"risk parameters {version} for slot {slot} dry-run over the cluster: {combined.AccountsChangingStatus} of " +
                                       $"{combined.AccountsEvaluated} accounts would change status{(combined.Partial ? " (partial)" : "")}");
            return Results.Ok(combined);
        }

        AuditLog.Describe(context, $"risk parameters {version} for slot {slot} dry-run: {changes.Count} of {accounts.Length} accounts would change status");
        return Results.Ok(scope == ClusterFanOut.LocalScope ? local : local with { Changes = changes.Take(StressRunner.Listed).ToArray() });
    }

    private static async Task<IResult> StressAsync(StressRequest? request, string? scope, EngineHost host, LiveAccounts live, HttpContext context,
        CancellationToken cancellation)
    {
        if (ScopeProblem(scope) is { } bad)
        {
            return bad;
        }

        if (request is null || (request.Spot is null or { Count: 0 } && request.VolPoints is null or 0))
        {
            return Results.Problem("A stress needs spot moves ({\"spot\":{\"BTC\":-0.3}}) and/or volPoints.", statusCode: StatusCodes.Status400BadRequest,
                title: "Empty scenario");
        }

        if (host.Engine is not { } engine || host.Models is not { } models)
        {
            return ApiBody.NotReady();
        }

        var before = engine.Market.Current;
        Risk.Market.MarketSnapshot stressed;
        try
        {
            stressed = StressMarket.Shock(before, host.Assets, request.Spot ?? new Dictionary<string, decimal>(), request.VolPoints ?? 0);
        }
        catch (ArgumentException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid scenario");
        }

        var views = await live.GetAsync(cancellation);
        // One fund for the cluster: the answering node reads it from the liquidation singleton's holder (its members'
        // local parts leave it out); unknown when no node holds the singleton within the ask timeout.
        InsuranceFundView? fund = null;
        if (host.Cluster is { } holderOf)
        {
            if (scope != ClusterFanOut.LocalScope)
            {
                try
                {
                    fund = (await holderOf.RequestLiquidationAsync(ClusterMessageTypes.ShowFund, "{}"u8.ToArray(), host.AskTimeout, cancellation)).ReadBody<InsuranceFundView>();
                }
                catch (TimeoutException)
                {
                    fund = null;
                }
            }
        }
        else
        {
            fund = await engine.GetInsuranceFundAsync(cancellation);
        }

        var self = host.Cluster?.Options.NodeId ?? host.Node.Name;
        var local = StressRunner.Run(request, before, stressed, views, models, fund, self);
        if (host.Cluster is { } cluster && scope != ClusterFanOut.LocalScope)
        {
            var (others, unserved) = await ClusterFanOut.TargetsAsync(cluster, cancellation);
            var answers = await ClusterFanOut.AskAsync<StressReport>(others, $"/api/v1/stress?scope={ClusterFanOut.LocalScope}",
                JsonSerializer.Serialize(request, context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions),
                context, host.AskTimeout, cancellation);
            return Results.Ok(ClusterTotals.Stress(request, before.ValuationTime, [new MemberAnswer<StressReport>(self, local, null), .. answers], unserved));
        }

        return Results.Ok(scope == ClusterFanOut.LocalScope ? local : local with { Breaching = local.Breaching.Take(StressRunner.Listed).ToArray() });
    }

    private static IResult? ScopeProblem(string? scope) => scope is null or "cluster" or ClusterFanOut.LocalScope
        ? null
        : Results.Problem($"scope must be 'cluster' (the default: every member on a cluster node) or '{ClusterFanOut.LocalScope}' (this node's accounts), " +
                          $"not '{scope}'.", statusCode: StatusCodes.Status400BadRequest, title: "Bad scope");
}
