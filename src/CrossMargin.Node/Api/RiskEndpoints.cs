using System.Text.Json;
using CrossMargin.Contracts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Accounts;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Operations;
using CrossMargin.Node.Security;
using CrossMargin.Persistence.Parameters;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Node.Api;

/// <summary>
/// Risk controls: the parameter sets in force and their history, a posted parameter file validated, dry-run over the live
/// accounts or applied (stored as the slot's next version, then swapped into the engine without a restart), and stress
/// scenarios. On a cluster node the stress run, the dry-run and the check before an apply cover the whole cluster: the
/// answering node asks every other member for its local part (<c>?scope=local</c>, the caller's token forwarded) and
/// sums them, labelling the answer partial when a member did not answer or a shard had no owner; an apply is stored
/// once in PostgreSQL and every member puts it in force (see <see cref="Clustering.ParameterPropagation"/>).
/// </summary>
public static class RiskEndpoints
{
    private const int MaxReasonLength = 500;

    /// <summary>Maps the endpoints under <c>/api/v1</c>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api/v1");
        api.MapGet("/risk/params", ShowParametersAsync);
        api.MapGet("/risk/params/history", HistoryAsync);
        api.MapPost("/risk/params", SetParametersAsync).RequireAccess(AccessLevel.Admin);
        api.MapPost("/stress", StressAsync).RequireAccess(AccessLevel.Read);
    }

    private static async Task<IResult> ShowParametersAsync(string? scope, EngineHost host, HttpContext context, CancellationToken cancellation)
    {
        if (ClusterFanOut.ScopeProblem(scope) is { } bad)
        {
            return bad;
        }

        if (host.Engine is null || host.Parameters is not { } parameters)
        {
            return ApiBody.NotReady();
        }

        var self = host.Cluster?.Options.NodeId ?? host.Node.Name;
        var sets = parameters.Sets;
        var mine = new NodeParameterSets(self, Answered: true, sets, null);
        if (host.Cluster is not { } cluster || scope == ClusterFanOut.LocalScope)
        {
            return Results.Ok(new ParametersInForce(self, sets, "node", Partial: false, Converged: true, [mine]));
        }

        var (others, _) = await ClusterFanOut.TargetsAsync(cluster, cancellation);
        var answers = await ClusterFanOut.AskAsync<ParametersInForce>(others, $"/api/v1/risk/params?scope={ClusterFanOut.LocalScope}", null, context,
            host.AskTimeout, cancellation);
        var nodes = answers.Select(a => a.Part is { } part
                ? new NodeParameterSets(a.Node, Answered: true, part.Sets, null)
                : new NodeParameterSets(a.Node, Answered: false, [], a.Problem))
            .Append(mine)
            .OrderBy(n => n.Node, StringComparer.Ordinal)
            .ToArray();
        var partial = nodes.Any(n => !n.Answered);
        var converged = !partial && nodes.All(n => ParameterSlots.Names.All(slot =>
            n.Sets.FirstOrDefault(s => s.Slot == slot)?.Version == sets.First(s => s.Slot == slot).Version));
        return Results.Ok(new ParametersInForce(self, sets, "cluster", partial, converged, nodes));
    }

    private static async Task<IResult> HistoryAsync(string? slot, int? limit, EngineHost host, CancellationToken cancellation)
    {
        if (slot is not null && !ParameterSlots.Names.Contains(slot, StringComparer.Ordinal))
        {
            return Results.Problem($"slot must be one of {string.Join(", ", ParameterSlots.Names)}, not '{slot}'.", statusCode: StatusCodes.Status400BadRequest,
                title: "Unknown slot");
        }

        if (limit is < 1 or > 1000)
        {
            return Results.Problem($"limit must be 1 to 1000, not {limit}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad limit");
        }

        if (host.Parameters is not { } parameters)
        {
            return ApiBody.NotReady();
        }

        var versions = await parameters.History.HistoryAsync(slot, limit ?? 100, cancellation);
        // The texts stay in the store: a listing says what changed when; the text of a version is what `show` puts in force.
        return Results.Ok(new
        {
            versions = versions.Select(v => new { v.Slot, v.Version, hash = v.ContentHash, v.Model, v.Description, v.AppliedBy, v.AppliedAt, v.Reason }),
        });
    }

    private static async Task<IResult> SetParametersAsync(HttpRequest request, bool? dryRun, string? scope, string? slot, string? reason, long? expectedVersion,
        bool? allowLiquidations, EngineHost host, LiveAccounts live, HttpContext context, CancellationToken cancellation)
    {
        if (ClusterFanOut.ScopeProblem(scope) is { } bad)
        {
            return bad;
        }

        if (dryRun != true && scope == ClusterFanOut.LocalScope)
        {
            return Results.Problem("scope=local is only for a dry-run's local part: an apply is for the whole cluster.", statusCode: StatusCodes.Status400BadRequest,
                title: "Bad scope");
        }

        if (reason is { Length: > MaxReasonLength })
        {
            return Results.Problem($"reason is {reason.Length} characters; at most {MaxReasonLength}.", statusCode: StatusCodes.Status400BadRequest, title: "Reason too long");
        }

        if (expectedVersion is < 0)
        {
            return Results.Problem($"expectedVersion must be 0 or more, not {expectedVersion}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad expected version");
        }

        if (host.Engine is not { } engine || host.Models is not { } models || host.Parameters is not { } parameters)
        {
            return ApiBody.NotReady();
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellation);
        PreparedParameterSet prepared;
        try
        {
            prepared = parameters.Prepare(text, string.IsNullOrEmpty(slot) ? null : slot);
        }
        catch (Exception e) when (e is RiskInputException or ArgumentException)
        {
            AuditLog.Describe(context, "risk parameters refused: " + e.Message);
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid risk parameters");
        }

        var active = parameters.SetOf(prepared.Slot);
        var current = models.For(prepared.Mode);
        var market = engine.Market.Current;
        var accounts = (await live.GetAsync(cancellation)).Where(v => v.Mode == prepared.Mode).ToArray();
        var changes = new List<StatusChange>();
        foreach (var view in accounts)
        {
            var portfolio = StressRunner.PortfolioOf(view, market);
            try
            {
                var before = current.Assess(portfolio, market);
                var after = prepared.Calculator.Assess(portfolio, market);
                if (before.Status != after.Status)
                {
                    changes.Add(new StatusChange(view.AccountId, before.Status, after.Status, before.MaintenanceMarginUsd, after.MaintenanceMarginUsd));
                }
            }
            catch (ArgumentException e)
            {
                AuditLog.Describe(context, $"risk parameters {prepared.Version} for slot {prepared.Slot} refused: account {view.AccountId} cannot be assessed");
                return Results.Problem($"Account {view.AccountId} cannot be assessed with the posted parameters: {e.Message}",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Parameters do not fit the book");
            }
        }

        var self = host.Cluster?.Options.NodeId ?? host.Node.Name;
        var effect = new ParameterDryRun(prepared.Slot, prepared.Version, active.Version, prepared.Parameters.Description, accounts.Length, changes.Count, changes,
            Applied: false, "node", Partial: false, [new NodePart(self, Answered: true, accounts.Length, changes.Count, null)], [])
        {
            AccountsIntoLiquidation = changes.Count(ParameterDryRun.IntoLiquidation),
        };
        if (host.Cluster is { } cluster && scope != ClusterFanOut.LocalScope)
        {
            var (others, unserved) = await ClusterFanOut.TargetsAsync(cluster, cancellation);
            var answers = await ClusterFanOut.AskAsync<ParameterDryRun>(others,
                $"/api/v1/risk/params?dryRun=true&scope={ClusterFanOut.LocalScope}&slot={Uri.EscapeDataString(prepared.Slot)}", text, context, host.AskTimeout,
                cancellation);
            // A member whose accounts the file does not fit answers 422: that is the cluster's answer, not a member that
            // failed to answer (which would only make the check partial).
            if (answers.FirstOrDefault(a => a.Status == StatusCodes.Status422UnprocessableEntity) is { } unfit)
            {
                AuditLog.Describe(context, $"risk parameters {prepared.Version} for slot {prepared.Slot} refused: they do not fit accounts on {unfit.Node}");
                return Results.Problem($"On member {unfit.Node}: {unfit.Problem}", statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Parameters do not fit the book");
            }

            effect = ClusterTotals.DryRun(effect, [new MemberAnswer<ParameterDryRun>(self, effect, null), .. answers], unserved);
        }
        else if (scope != ClusterFanOut.LocalScope)
        {
            effect = effect with { Changes = changes.Take(StressRunner.Listed).ToArray() };
        }

        var counted = $"{effect.AccountsChangingStatus} of {effect.AccountsEvaluated} accounts change status, {effect.AccountsIntoLiquidation} into liquidation or " +
                      $"bankruptcy{(effect.Partial ? " (partial)" : "")}";
        if (dryRun == true)
        {
            AuditLog.Describe(context, $"risk parameters {prepared.Version} for slot {prepared.Slot} dry-run{(effect.Scope == "cluster" ? " over the cluster" : "")}: {counted}");
            return Results.Ok(effect);
        }

        if ((effect.AccountsIntoLiquidation > 0 || effect.Partial) && allowLiquidations != true)
        {
            var into = effect.Changes.Where(ParameterDryRun.IntoLiquidation).Take(10)
                .Select(c => $"{c.AccountId} {c.From} -> {c.To} (MM {c.MaintenanceMarginBeforeUsd} -> {c.MaintenanceMarginAfterUsd})");
            var why = effect.AccountsIntoLiquidation > 0
                ? $"{effect.AccountsIntoLiquidation} account(s) would move into liquidation or bankruptcy: {string.Join("; ", into)}"
                : "not every account could be checked (a member did not answer or a shard had no owner)";
            AuditLog.Describe(context, $"risk parameters {prepared.Version} for slot {prepared.Slot} refused: {counted}");
            return Results.Problem($"Not applied: {why}. {counted}. Apply anyway with allowLiquidations=true (cm: --allow-liquidations).",
                statusCode: StatusCodes.Status409Conflict, title: "Would liquidate accounts");
        }

        StoredParameterSet stored;
        try
        {
            stored = await parameters.ApplyAsync(prepared, Caller.Of(context).Name, string.IsNullOrWhiteSpace(reason) ? null : reason, expectedVersion, engine,
                cancellation);
        }
        catch (ParameterVersionConflictException e)
        {
            AuditLog.Describe(context, $"risk parameters {prepared.Version} for slot {prepared.Slot} refused: {e.Message}");
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Version conflict");
        }

        AuditLog.Describe(context, $"risk parameters {prepared.Version} applied to slot {prepared.Slot} as version {stored.Version} (was {active.Version}" +
                                   $"{(active.StoredVersion is { } was ? $", version {was}" : ", the file")}): {counted}" +
                                   (stored.Reason is null ? "" : $"; reason: {stored.Reason}"));
        return Results.Ok(effect with
        {
            Applied = true,
            StoredVersion = stored.Version,
            AppliedBy = stored.AppliedBy,
            AppliedAt = stored.AppliedAt,
            Reason = stored.Reason,
        });
    }

    private static async Task<IResult> StressAsync(HttpRequest body, string? scope, EngineHost host, LiveAccounts live, HttpContext context,
        CancellationToken cancellation)
    {
        if (ClusterFanOut.ScopeProblem(scope) is { } bad)
        {
            return bad;
        }

        // Read under the message contract, not bound leniently: a name given twice, a misspelt field ("vol") or a move
        // that would be rounded would stress something other than what was asked.
        var (scenario, malformed) = await ApiBody.ReadCheckedAsync(body, ContractJsonContext.Default.StressMessage, m => m.ToScenario(), _ => null, cancellation);
        if (scenario is null)
        {
            return malformed!;
        }

        var request = new StressRequest(scenario.Spot, scenario.VolPoints);
        if (request.Spot is null or { Count: 0 } && request.VolPoints is null or 0)
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
                JsonSerializer.Serialize(scenario, ContractJsonContext.Default.StressMessage),
                context, host.AskTimeout, cancellation);
            return Results.Ok(ClusterTotals.Stress(request, before.ValuationTime, [new MemberAnswer<StressReport>(self, local, null), .. answers], unserved));
        }

        return Results.Ok(scope == ClusterFanOut.LocalScope ? local : local with { Breaching = local.Breaching.Take(StressRunner.Listed).ToArray() });
    }
}
