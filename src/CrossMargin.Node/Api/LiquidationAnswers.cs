using CrossMargin.Actors;
using CrossMargin.Engine.Liquidations;

namespace CrossMargin.Node.Api;

/// <summary>
/// The HTTP answers (status and body) of the liquidation and insurance-fund endpoints, computed where the coordinator
/// and the fund run: on an embedded node by the endpoint itself, in a cluster by the singleton's holder, whose answer
/// any node relays unchanged.
/// </summary>
internal static class LiquidationAnswers
{
    public static async Task<(int Status, object Body)> ListAsync(IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        (StatusCodes.Status200OK, ListOf(await coordinator.Ask<LiquidationList>(GetLiquidations.Instance, timeout, cancellation)));

    public static async Task<(int Status, object Body)> ShowAsync(IActorRef coordinator, string liquidationId, TimeSpan timeout, CancellationToken cancellation)
    {
        try
        {
            var history = await coordinator.Ask<LiquidationHistory>(new GetLiquidation(liquidationId), timeout, cancellation);
            return (StatusCodes.Status200OK, new { history.LiquidationId, history.AccountId, history.Status, steps = history.Steps.Select(StepOf).ToArray() });
        }
        catch (Exception e) when (e is not AskTimeoutException and not OperationCanceledException)
        {
            return (StatusCodes.Status404NotFound, new MessageOutcome("rejected", Code: "unknownLiquidation", Reason: e.Message));
        }
    }

    public static async Task<(int Status, object Body)> HaltsAsync(IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        (StatusCodes.Status200OK, await coordinator.Ask<HaltedInstruments>(GetHaltedInstruments.Instance, timeout, cancellation));

    /// <summary>
    /// Halts or resumes <paramref name="symbol"/>; with <paramref name="liquidationId"/>, releases that liquidation's
    /// auto-deleverage hold of it alone: 404 when no active liquidation of that id holds it.
    /// </summary>
    public static async Task<(int Status, object Body)> SetHaltAsync(
        IActorRef coordinator, string symbol, bool halt, TimeSpan timeout, CancellationToken cancellation, string? liquidationId = null)
    {
        var message = halt ? (object)new HaltLiquidation(symbol) : new ResumeLiquidation(symbol, liquidationId);
        try
        {
            return (StatusCodes.Status200OK, await coordinator.Ask<HaltedInstruments>(message, timeout, cancellation));
        }
        catch (Exception e) when (liquidationId is not null && e is not AskTimeoutException and not OperationCanceledException)
        {
            return (StatusCodes.Status404NotFound, new MessageOutcome("rejected", Code: "noAdlHold", Reason: e.Message));
        }
    }

    /// <summary>The auto-deleverage fills left unbalanced (<see cref="UnbalancedAdlFills"/>).</summary>
    public static async Task<(int Status, object Body)> UnbalancedAsync(IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        (StatusCodes.Status200OK, await coordinator.Ask<UnbalancedAdlFills>(GetUnbalancedAdl.Instance, timeout, cancellation));

    /// <summary>An operator's rebooking of an unbalanced fill's reversal: 202 with the fills (it shows as rebooking), 409 refused with the coordinator's reason.</summary>
    public static async Task<(int Status, object Body)> RebookAsync(IActorRef coordinator, RebookAdlReversal rebook, TimeSpan timeout, CancellationToken cancellation) =>
        await coordinator.Ask<object>(rebook, timeout, cancellation) switch
        {
            AdlRebookRefused refused => (StatusCodes.Status409Conflict, new MessageOutcome("rejected", rebook.LiquidationId, "refused", refused.Reason)),
            var fills => (StatusCodes.Status202Accepted, fills),
        };

    /// <summary>The fund's view, with the deficits the coordinator records uncovered (<c>uncovered</c>: the exposure the fund did not pay).</summary>
    public static async Task<(int Status, object Body)> FundAsync(IActorRef fund, IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation)
    {
        var view = fund.Ask<InsuranceFundView>(GetInsuranceFund.Instance, timeout, cancellation);
        var uncovered = coordinator.Ask<UncoveredDeficits>(GetUncoveredDeficits.Instance, timeout, cancellation);
        return (StatusCodes.Status200OK, (await view) with { Uncovered = await uncovered });
    }

    /// <summary>
    /// An operator's cover of an account's uncovered deficit: 202 with the liquidation that asks the fund for it (its
    /// history shows what was paid), 409 refused with the coordinator's reason.
    /// </summary>
    public static async Task<(int Status, object Body)> CoverUncoveredAsync(IActorRef coordinator, CoverUncoveredDeficit cover, TimeSpan timeout, CancellationToken cancellation) =>
        await coordinator.Ask<object>(cover, timeout, cancellation) switch
        {
            UncoveredDeficitCoverRefused refused => (StatusCodes.Status409Conflict, new MessageOutcome("rejected", cover.RequestId, "refused", refused.Reason)),
            var started => (StatusCodes.Status202Accepted, started),
        };

    public static async Task<(int Status, object Body)> DepositAsync(IActorRef fund, DepositToInsuranceFund deposit, TimeSpan timeout, CancellationToken cancellation)
    {
        var reply = await fund.Ask<object>(deposit, timeout, cancellation);
        return reply is InsuranceFundRejected rejected
            ? (StatusCodes.Status422UnprocessableEntity, rejected.Code is { } code
                ? new MessageOutcome("rejected", deposit.RequestId, ApiBody.Code(code), rejected.Reason)
                : new MessageOutcome("rejected", deposit.RequestId, "refused", rejected.ToString()))
            : (StatusCodes.Status200OK, reply);
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
}
