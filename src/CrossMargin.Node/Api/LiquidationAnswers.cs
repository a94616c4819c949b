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
    /// <summary>The code of the 503 answer to a change the coordinator or the fund did not answer in time: whether it was made is unknown.</summary>
    public const string TimedOutCode = "timedOut";

    /// <summary>
    /// The code of the 503 answer when the coordinator or the fund has stopped (a failed journal write or recovery; in a
    /// cluster until the node gives the singleton up): it never received the request, so nothing was changed.
    /// </summary>
    public const string StoppedCode = "stopped";

    /// <summary>The code of the 500 answer to a change the coordinator or the fund answered with a failure other than a refusal.</summary>
    public const string FailedCode = "failed";

    private const string Coordinator = "liquidation coordinator";

    public static Task<(int Status, object Body)> ListAsync(IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        ReadAsync(Coordinator, "the list of liquidations", timeout, async () =>
            (StatusCodes.Status200OK, ListOf(await coordinator.Ask<LiquidationList>(GetLiquidations.Instance, timeout, cancellation))));

    public static Task<(int Status, object Body)> ShowAsync(IActorRef coordinator, string liquidationId, TimeSpan timeout, CancellationToken cancellation) =>
        ReadAsync(Coordinator, $"the history of liquidation {liquidationId}", timeout, async () =>
        {
            try
            {
                var history = await coordinator.Ask<LiquidationHistory>(new GetLiquidation(liquidationId), timeout, cancellation);
                return (StatusCodes.Status200OK, new { history.LiquidationId, history.AccountId, history.Status, steps = history.Steps.Select(StepOf).ToArray() });
            }
            catch (KeyNotFoundException e)
            {
                // The coordinator's answer for an id it has no liquidation of; any other failure is not "unknown".
                return (StatusCodes.Status404NotFound, new MessageOutcome("rejected", Code: "unknownLiquidation", Reason: e.Message));
            }
        });

    public static Task<(int Status, object Body)> HaltsAsync(IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        ReadAsync(Coordinator, "the list of halted instruments", timeout, async () =>
            (StatusCodes.Status200OK, await coordinator.Ask<HaltedInstruments>(GetHaltedInstruments.Instance, timeout, cancellation)));

    /// <summary>
    /// Halts or resumes <paramref name="symbol"/>; with <paramref name="liquidationId"/>, releases that liquidation's
    /// auto-deleverage hold of it alone: 404 <c>noAdlHold</c> when no active liquidation of that id holds it (nothing
    /// was journaled), and as every change here 503 <see cref="TimedOutCode"/> or 500 <see cref="FailedCode"/>
    /// (<see cref="ChangeAsync"/>).
    /// </summary>
    public static Task<(int Status, object Body)> SetHaltAsync(
        IActorRef coordinator, string symbol, bool halt, TimeSpan timeout, CancellationToken cancellation, string? liquidationId = null)
    {
        var message = halt ? (object)new HaltLiquidation(symbol) : new ResumeLiquidation(symbol, liquidationId);
        var (what, look) = liquidationId is not null
            ? ($"the release of {symbol} for liquidation {liquidationId}", "asking again is safe: a release already made is refused 404 noAdlHold")
            : ($"the {(halt ? "halt" : "resume")} of {symbol}", "GET /api/v1/liquidation-halts shows whether it was made");
        return ChangeAsync(Coordinator, what, look, timeout, async () =>
        {
            try
            {
                return (StatusCodes.Status200OK, await coordinator.Ask<HaltedInstruments>(message, timeout, cancellation));
            }
            catch (KeyNotFoundException e) when (liquidationId is not null)
            {
                // The coordinator's refusal of a release (ResumeLiquidation): its only KeyNotFoundException.
                return (StatusCodes.Status404NotFound, new MessageOutcome("rejected", Code: "noAdlHold", Reason: e.Message));
            }
        });
    }

    /// <summary>The auto-deleverage fills left unbalanced (<see cref="UnbalancedAdlFills"/>).</summary>
    public static Task<(int Status, object Body)> UnbalancedAsync(IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        ReadAsync(Coordinator, "the list of unbalanced auto-deleverage fills", timeout, async () =>
            (StatusCodes.Status200OK, await coordinator.Ask<UnbalancedAdlFills>(GetUnbalancedAdl.Instance, timeout, cancellation)));

    /// <summary>An operator's rebooking of an unbalanced fill's reversal: 202 with the fills (it shows as rebooking), 409 refused with the coordinator's reason.</summary>
    public static Task<(int Status, object Body)> RebookAsync(IActorRef coordinator, RebookAdlReversal rebook, TimeSpan timeout, CancellationToken cancellation) =>
        ChangeAsync(Coordinator, $"the rebooking of {rebook.CounterpartyId}'s side in round {rebook.Round} of {rebook.LiquidationId}",
            "GET /api/v1/adl-unbalanced shows whether it is rebooking", timeout, async () => await coordinator.Ask<object>(rebook, timeout, cancellation) switch
            {
                AdlRebookRefused refused => (StatusCodes.Status409Conflict, new MessageOutcome("rejected", rebook.LiquidationId, "refused", refused.Reason)),
                var fills => (StatusCodes.Status202Accepted, fills),
            });

    /// <summary>The fund's view, with the deficits the coordinator records uncovered (<c>uncovered</c>: the exposure the fund did not pay).</summary>
    public static Task<(int Status, object Body)> FundAsync(IActorRef fund, IActorRef coordinator, TimeSpan timeout, CancellationToken cancellation) =>
        ReadAsync("insurance fund and liquidation coordinator", "the fund's balances and uncovered deficits", timeout, async () =>
        {
            var view = fund.Ask<InsuranceFundView>(GetInsuranceFund.Instance, timeout, cancellation);
            var uncovered = coordinator.Ask<UncoveredDeficits>(GetUncoveredDeficits.Instance, timeout, cancellation);
            return (StatusCodes.Status200OK, (await view) with { Uncovered = await uncovered });
        });

    /// <summary>
    /// An operator's cover of an account's uncovered deficit: 202 with the liquidation that asks the fund for it (its
    /// history shows what was paid), 409 refused with the coordinator's reason.
    /// </summary>
    public static Task<(int Status, object Body)> CoverUncoveredAsync(IActorRef coordinator, CoverUncoveredDeficit cover, TimeSpan timeout, CancellationToken cancellation) =>
        ChangeAsync(Coordinator, $"the cover of {cover.AccountId}'s uncovered deficit, request {cover.RequestId}",
            "asking again with the same requestId is safe: it is started once", timeout, async () => await coordinator.Ask<object>(cover, timeout, cancellation) switch
            {
                UncoveredDeficitCoverRefused refused => (StatusCodes.Status409Conflict, new MessageOutcome("rejected", cover.RequestId, "refused", refused.Reason)),
                var started => (StatusCodes.Status202Accepted, started),
            });

    public static Task<(int Status, object Body)> DepositAsync(IActorRef fund, DepositToInsuranceFund deposit, TimeSpan timeout, CancellationToken cancellation) =>
        ChangeAsync("insurance fund", $"the deposit {deposit.RequestId}", "asking again with the same requestId is safe: it is credited once", timeout, async () =>
        {
            var reply = await fund.Ask<object>(deposit, timeout, cancellation);
            return reply is InsuranceFundRejected rejected
                ? (StatusCodes.Status422UnprocessableEntity, rejected.Code is { } code
                    ? new MessageOutcome("rejected", deposit.RequestId, ApiBody.Code(code), rejected.Reason)
                    : new MessageOutcome("rejected", deposit.RequestId, "refused", rejected.ToString()))
                : (StatusCodes.Status200OK, reply);
        });

    /// <summary>
    /// A read as <paramref name="ask"/> answers it, or 503 <see cref="TimedOutCode"/> when <paramref name="who"/> did not
    /// answer within <paramref name="timeout"/>: nothing was changed, so the reason says to retry; or, when it answered
    /// with a failure <paramref name="ask"/> does not map, 500 <see cref="FailedCode"/> naming it; 503 <see cref="StoppedCode"/>
    /// when it has stopped. On the singleton's
    /// holder an escaping exception would requeue the delivery while the asking node reports no singleton at all. A
    /// cancelled read (the caller left, or the holder is stopping: the delivery goes to the next holder) stays cancelled.
    /// </summary>
    private static async Task<(int Status, object Body)> ReadAsync(string who, string what, TimeSpan timeout, Func<Task<(int Status, object Body)>> ask)
    {
        try
        {
            return await ask();
        }
        catch (AskTargetStoppedException)
        {
            return Stopped(who, what, "; nothing was changed, retry shortly.");
        }
        catch (AskTimeoutException)
        {
            return (StatusCodes.Status503ServiceUnavailable, new MessageOutcome("rejected", Code: TimedOutCode,
                Reason: FormattableString.Invariant($"The {who} did not answer {what} within {timeout.TotalSeconds:0.###} s; nothing was changed, retry shortly.")));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(who, what, e);
        }
    }

    /// <summary>
    /// An operator's change as <paramref name="ask"/> answers it, or, when <paramref name="who"/> did not answer within
    /// <paramref name="timeout"/>, 503 <see cref="TimedOutCode"/> (as a cluster request nobody answered: the change may
    /// still be made, so the reason says where to look, <paramref name="look"/>), or when it answered with a failure
    /// <paramref name="ask"/> does not map (a refusal it does), 500 <see cref="FailedCode"/> naming the failure, or when it
    /// has stopped, 503 <see cref="StoppedCode"/> (never received: nothing was changed). An
    /// exception escaping an admin call would also escape its audit entry. A cancelled call (the caller left) stays cancelled.
    /// </summary>
    private static async Task<(int Status, object Body)> ChangeAsync(string who, string what, string look, TimeSpan timeout, Func<Task<(int Status, object Body)>> ask)
    {
        try
        {
            return await ask();
        }
        catch (AskTargetStoppedException)
        {
            // Unlike a timeout, certain: the request was never received (dead-lettered at the stopped actor).
            return Stopped(who, what, ": nothing was changed; retry shortly.");
        }
        catch (AskTimeoutException)
        {
            return (StatusCodes.Status503ServiceUnavailable, new MessageOutcome("rejected", Code: TimedOutCode,
                Reason: FormattableString.Invariant($"The {who} did not answer {what} within {timeout.TotalSeconds:0.###} s: it may yet be made; {look}.")));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(who, what, e);
        }
    }

    private static (int Status, object Body) Stopped(string who, string what, string rest) =>
        (StatusCodes.Status503ServiceUnavailable, new MessageOutcome("rejected", Code: StoppedCode,
            Reason: $"The {who} has stopped (a failed journal write or recovery; in a cluster the singleton then moves) and never received {what}{rest}"));

    private static (int Status, object Body) Failed(string who, string what, Exception e) =>
        (StatusCodes.Status500InternalServerError, new MessageOutcome("rejected", Code: FailedCode, Reason: $"The {who} failed {what}: {e.GetType().Name}: {e.Message}"));

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
