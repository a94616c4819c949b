using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Api;
using Microsoft.AspNetCore.Http;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// What the liquidation answers say when the coordinator (or the fund) does not answer a change as expected: only its
/// refusal of a release is "no such hold" (404); no answer in time is 503 with the outcome unknown, as a cluster request
/// nobody answered; any other failure is a 500 that names it. The audit detail says the same.
/// </summary>
public sealed class LiquidationAnswersTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    /// <summary>For asks the actor answers: long enough for a loaded machine (the 200 ms timed out under a CI run beside).</summary>
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(10);

    /// <summary>As a relayed body is written: camelCase.</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("answers");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.DisposeAsync();

    /// <summary>Before, every failure of a release was 404 noAdlHold, as if the liquidation held nothing: here a journal write failed.</summary>
    [Fact]
    public async Task A_release_the_coordinator_fails_for_another_reason_than_no_hold_is_a_500_naming_the_failure_not_a_404_no_hold()
    {
        var coordinator = Answering(new Status.Failure(new InvalidOperationException("The journal refused the write.")));

        var (status, body) = await LiquidationAnswers.SetHaltAsync(coordinator, "BTC-PERP", halt: false, Patient, CancellationToken.None, "liq-acc-1-1");

        Assert.Equal(StatusCodes.Status500InternalServerError, status);
        Assert.Equal(new MessageOutcome("rejected", Code: "failed",
            Reason: "The liquidation coordinator failed the release of BTC-PERP for liquidation liq-acc-1-1: InvalidOperationException: The journal refused the write."), body);
    }

    [Fact]
    public async Task A_release_of_a_hold_no_active_liquidation_has_is_404_no_adl_hold_with_the_coordinators_reason()
    {
        var coordinator = Answering(new Status.Failure(new KeyNotFoundException("No active liquidation liq-acc-1-1 holds BTC-PERP.")));

        var (status, body) = await LiquidationAnswers.SetHaltAsync(coordinator, "BTC-PERP", halt: false, Patient, CancellationToken.None, "liq-acc-1-1");

        Assert.Equal(StatusCodes.Status404NotFound, status);
        Assert.Equal(new MessageOutcome("rejected", Code: "noAdlHold", Reason: "No active liquidation liq-acc-1-1 holds BTC-PERP."), body);
    }

    /// <summary>Before, the ask's timeout escaped the answer: a bare 503 from the exception handler, and no audit entry at all.</summary>
    [Fact]
    public async Task A_release_the_coordinator_does_not_answer_in_time_is_a_503_saying_the_outcome_is_unknown_and_the_audit_says_so()
    {
        var (status, body) = await LiquidationAnswers.SetHaltAsync(Answering(null), "BTC-PERP", halt: false, Timeout, CancellationToken.None, "liq-acc-1-1");

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        const string reason = "The liquidation coordinator did not answer the release of BTC-PERP for liquidation liq-acc-1-1 within 0.2 s: it may yet be made; "
            + "asking again is safe: a release already made is refused 404 noAdlHold.";
        Assert.Equal(new MessageOutcome("rejected", Code: "timedOut", Reason: reason), body);
        Assert.Equal("release of liquidation liq-acc-1-1's auto-deleverage hold of BTC-PERP: not answered in time, outcome unknown (503 timedOut): " + reason,
            AuditOutcome.Of(Results.Json(body, statusCode: status), "released", "release of liquidation liq-acc-1-1's auto-deleverage hold of BTC-PERP"));
    }

    [Fact]
    public async Task A_rebooking_the_coordinator_does_not_answer_in_time_is_a_503_and_is_audited_as_not_answered_not_as_rebooked()
    {
        var (status, body) = await LiquidationAnswers.RebookAsync(Answering(null), new RebookAdlReversal("liq-acc-1-1", 1, "acc-c"), Timeout, CancellationToken.None);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        var detail = AuditOutcome.Of(Results.Json(body, statusCode: status), "rebooked", "rebooking of acc-c's side");
        Assert.Equal("rebooking of acc-c's side: not answered in time, outcome unknown (503 timedOut): The liquidation coordinator did not answer the rebooking of "
            + "acc-c's side in round 1 of liq-acc-1-1 within 0.2 s: it may yet be made; GET /api/v1/adl-unbalanced shows whether it is rebooking.", detail);
    }

    /// <summary>A cluster node's answer when no node answered for the singleton in time: the rebooking may yet be made there.</summary>
    [Fact]
    public void A_cluster_request_nobody_answered_is_audited_as_not_answered_with_the_outcome_unknown()
    {
        var detail = AuditOutcome.Of(ApiBody.NoLiquidationSingleton(TimeSpan.FromSeconds(5)), "rebooked", "rebooking of acc-c's side");

        Assert.Equal("rebooking of acc-c's side: not answered in time, outcome unknown (503 noLiquidationSingleton): No node holding the liquidation singleton "
            + "answered within 5 s (none holds it now, or it is moving); retry shortly.", detail);
    }

    /// <summary>On a cluster node the answer is the holder's body relayed as JSON: its code and reason are read from it.</summary>
    [Fact]
    public void A_refusal_relayed_from_the_singletons_holder_is_audited_as_refused_with_its_code_and_reason()
    {
        var relayed = JsonSerializer.SerializeToElement(new MessageOutcome("rejected", "liq-acc-1-1", "refused", "Liquidation liq-acc-1-1 is still running."), Web);

        var detail = AuditOutcome.Of(Results.Json(relayed, statusCode: StatusCodes.Status409Conflict), "rebooked", "rebooking of acc-c's side");

        Assert.Equal("rebooking of acc-c's side: refused (409 refused): Liquidation liq-acc-1-1 is still running.", detail);
    }

    /// <summary>
    /// Before, any failure of a show was 404 unknownLiquidation; then a failure other than an unknown id escaped the
    /// answer: on the singleton's holder that requeued the delivery (retried while the asking node reported no
    /// singleton at all). A read changes nothing, so its failure is a 500 that names it, as a change's is.
    /// </summary>
    [Fact]
    public async Task A_read_the_coordinator_fails_for_another_reason_than_an_unknown_id_is_a_500_naming_the_failure()
    {
        var failing = Answering(new Status.Failure(new InvalidOperationException("broken")));
        var unknown = Answering(new Status.Failure(new KeyNotFoundException("No liquidation liq-x.")));

        (int Status, object Body)[] failed =
        [
            await LiquidationAnswers.ShowAsync(failing, "liq-x", Patient, CancellationToken.None),
            await LiquidationAnswers.ListAsync(failing, Patient, CancellationToken.None),
            await LiquidationAnswers.FundAsync(failing, failing, Patient, CancellationToken.None),
        ];
        var (status, body) = await LiquidationAnswers.ShowAsync(unknown, "liq-x", Patient, CancellationToken.None);

        Assert.All(failed, a => Assert.Equal(StatusCodes.Status500InternalServerError, a.Status));
        Assert.Equal(
            [
                "failed|The liquidation coordinator failed the history of liquidation liq-x: InvalidOperationException: broken",
                "failed|The liquidation coordinator failed the list of liquidations: InvalidOperationException: broken",
                "failed|The insurance fund and liquidation coordinator failed the fund's balances and uncovered deficits: InvalidOperationException: broken",
            ],
            failed.Select(a => Assert.IsType<MessageOutcome>(a.Body)).Select(o => $"{o.Code}|{o.Reason}"));
        Assert.Equal(StatusCodes.Status404NotFound, status);
        Assert.Equal(new MessageOutcome("rejected", Code: "unknownLiquidation", Reason: "No liquidation liq-x."), body);
    }

    /// <summary>
    /// A read the coordinator (or fund) does not answer in time changes nothing: 503 timedOut saying to retry, as a change's
    /// timeout is. Before, the ask's timeout escaped: a bare 500 from the exception handler on an embedded node, and on
    /// the singleton's holder a delivery requeued and retried while the asking node reported no singleton at all.
    /// </summary>
    [Fact]
    public async Task A_read_the_coordinator_does_not_answer_in_time_is_a_503_saying_to_retry()
    {
        var silent = Answering(null);
        (int Status, object Body)[] answers =
        [
            await LiquidationAnswers.ListAsync(silent, Timeout, CancellationToken.None),
            await LiquidationAnswers.ShowAsync(silent, "liq-x", Timeout, CancellationToken.None),
            await LiquidationAnswers.HaltsAsync(silent, Timeout, CancellationToken.None),
            await LiquidationAnswers.UnbalancedAsync(silent, Timeout, CancellationToken.None),
            await LiquidationAnswers.FundAsync(silent, silent, Timeout, CancellationToken.None),
        ];

        Assert.All(answers, a => Assert.Equal(StatusCodes.Status503ServiceUnavailable, a.Status));
        Assert.Equal(
            [
                "The liquidation coordinator did not answer the list of liquidations within 0.2 s; nothing was changed, retry shortly.",
                "The liquidation coordinator did not answer the history of liquidation liq-x within 0.2 s; nothing was changed, retry shortly.",
                "The liquidation coordinator did not answer the list of halted instruments within 0.2 s; nothing was changed, retry shortly.",
                "The liquidation coordinator did not answer the list of unbalanced auto-deleverage fills within 0.2 s; nothing was changed, retry shortly.",
                "The insurance fund and liquidation coordinator did not answer the fund's balances and uncovered deficits within 0.2 s; nothing was changed, retry shortly.",
            ],
            answers.Select(a => Assert.IsType<MessageOutcome>(a.Body)).Select(o => $"{o.Code}|{o.Reason}").Select(t => t.StartsWith("timedOut|", StringComparison.Ordinal) ? t[9..] : t));
    }

    /// <summary>
    /// A coordinator that has stopped (its journal write failed; in a cluster, until the node gives the singleton up) never
    /// receives the change: the ask fails at once (<see cref="AskTargetStoppedException"/>), and the answer says that
    /// nothing was changed, not that it may yet be made. Before, it read as a timeout ("did not answer ... within 0.2 s: it
    /// may yet be made") and the audit as "outcome unknown", though the change was certainly not made.
    /// </summary>
    [Fact]
    public async Task A_change_a_stopped_coordinator_never_received_is_a_503_saying_nothing_was_changed_and_the_audit_says_so()
    {
        var coordinator = Answering(null);
        _system.Stop(coordinator);

        var (status, body) = await LiquidationAnswers.SetHaltAsync(coordinator, "BTC-PERP", halt: true, Patient, CancellationToken.None);
        var (readStatus, readBody) = await LiquidationAnswers.HaltsAsync(coordinator, Patient, CancellationToken.None);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        const string reason = "The liquidation coordinator has stopped (a failed journal write or recovery; in a cluster the singleton then moves) "
            + "and never received the halt of BTC-PERP: nothing was changed; retry shortly.";
        Assert.Equal(new MessageOutcome("rejected", Code: "stopped", Reason: reason), body);
        Assert.Equal("halt of BTC-PERP: not carried out (503 stopped): " + reason,
            AuditOutcome.Of(Results.Json(body, statusCode: status), "halted", "halt of BTC-PERP"));
        Assert.Equal((StatusCodes.Status503ServiceUnavailable, "stopped|The liquidation coordinator has stopped (a failed journal write or recovery; in a cluster "
            + "the singleton then moves) and never received the list of halted instruments; nothing was changed, retry shortly."),
            (readStatus, Assert.IsType<MessageOutcome>(readBody) is var o ? $"{o.Code}|{o.Reason}" : null));
    }

    private IActorRef Answering(object? answer) => _system.ActorOf(Props.Create(() => new FixedAnswerActor(answer)));
}
