using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// Auto-deleverage fills left unbalanced: the counterparty's side stands while the bankrupt account's was refused and
/// nothing undid it (its reversal refused too, or never sent). Recorded from the journal, counted
/// (<see cref="EngineMetrics.AdlUnbalanced"/>, <see cref="EngineMetrics.AdlUnbalancedOpen"/>), listed for the operator
/// (<see cref="GetUnbalancedAdl"/>), and booked by the operator's rebooking of the reversal (<see cref="RebookAdlReversal"/>).
/// </summary>
/// <remarks>
/// Why an operator and not a retry: every reason a reversal is refused for is one the same message meets again (the
/// instrument delisted, its tick or lot changed, or it expired and the counterparty was settled for it), so only a change
/// the coordinator cannot make puts it right: the market corrected, then a rebooking as a trade; or, for an expired and
/// settled instrument, a rebooking in its settled form at the venue's settlement price, which the coordinator does not
/// receive (the venue sends it to each account, which keeps it and books the settled form at exactly that price; its
/// refusal of the reversal names it). Either brings the pair back to netting zero quantity and zero cash.
/// </remarks>
public sealed partial class LiquidationCoordinator
{
    /// <summary>The unbalanced fills, by liquidation, round and counterparty; rebuilt from the journal.</summary>
    private readonly SortedDictionary<(string LiquidationId, int Round, string CounterpartyId), UnbalancedFill> _unbalanced = new(Comparer<(string LiquidationId, int Round, string CounterpartyId)>.Create(
        static (a, b) => string.CompareOrdinal(a.LiquidationId, b.LiquidationId) is var byId and not 0 ? byId
            : a.Round != b.Round ? a.Round.CompareTo(b.Round)
            : string.CompareOrdinal(a.CounterpartyId, b.CounterpartyId)));

    /// <summary>How many of <see cref="_unbalanced"/> are not booked, for the gauge (read from another thread); 0 while no coordinator runs here.</summary>
    private static long s_unbalancedOpen;

    /// <summary>Unbalanced auto-deleverage fills not booked, as the coordinator running in this process knows them (0 where none runs).</summary>
    internal static long UnbalancedOpen => Volatile.Read(ref s_unbalancedOpen);

    /// <summary>The message id of the <paramref name="attempt"/>-th rebooking of the reversal of <paramref name="fill"/>'s counterparty side.</summary>
    private static string RebookMessageId(AutoDeleverageExecuted e, AdlExecution fill, int attempt) => $"{ReversalMessageId(e, fill)}:rebooked-{attempt}";

    /// <summary>
    /// The rebooked reversal: the reversal's trade under its own id and sequence, in its settled form when a settlement
    /// price is given, with the operator's confirmation of that price (which only an account that does not keep it needs).
    /// </summary>
    private static ApplyExecution Rebooking(AutoDeleverageExecuted e, AdlExecution fill, AutoDeleverageReversalRebooked rebooked)
    {
        var id = RebookMessageId(e, fill, rebooked.Attempt);
        return Reversal(e, fill, rebooked.Sequence) with
        {
            MessageId = id, ExecutionId = id, SettlementPrice = rebooked.SettlementPrice,
            SettlementPriceConfirmed = rebooked.SettlementPrice is not null && rebooked.ConfirmUnverified,
        };
    }

    /// <summary>The state the unbalanced-fill events leave (replay and live alike).</summary>
    private void ApplyUnbalanced(Liquidation liquidation, ILiquidationEvent @event)
    {
        switch (@event)
        {
            case AutoDeleverageBankruptSideRefused { ReversalSequence: null } e when e.Code != RejectionCode.PositionChanged:
                // The side stood: refused as an id already applied, or in a journal written before reversals (session 29).
                // An id already applied may be the side itself, booked: then the pair nets, which only the bankrupt
                // account's journal tells, so its rebooking waits for an operator's confirmation.
                Unbalance(liquidation, e.Round, e.CounterpartyId, e.Code, e.Reason, e.Time).Unverified = e.Code == RejectionCode.IdReused;
                CountOpen();
                break;
            case AutoDeleverageReversalRefused e:
                var refused = Unbalance(liquidation, e.Round, e.CounterpartyId, e.Code, e.Reason, e.Time);
                _pendingAdl.Refused(e.Attempt == 0 ? ReversalMessageId(refused.Executed, refused.Fill) : RebookMessageId(refused.Executed, refused.Fill, e.Attempt));
                CountOpen();
                break;
            case AutoDeleverageReversalRebooked e:
                var fill = _unbalanced[(e.LiquidationId, e.Round, e.CounterpartyId)];
                fill.Attempts = e.Attempt;
                fill.Status = UnbalancedAdlStatus.Rebooking;
                fill.Pending = e;
                Observe(e.CounterpartyId, AdlSource, e.Sequence);
                if (e.SettlementPrice is null)
                {
                    // A trade the counterparty's views must show before they are taken at face value; a settled form moves cash only.
                    _pendingAdl.AddReversal(fill.Executed, fill.Fill, RebookMessageId(fill.Executed, fill.Fill, e.Attempt), e.Sequence);
                }

                break;
            case AutoDeleverageRebookingBooked e:
                var booked = _unbalanced[(e.LiquidationId, e.Round, e.CounterpartyId)];
                booked.Status = UnbalancedAdlStatus.Booked;
                booked.Pending = null;
                booked.Booked = e;
                CountOpen();
                break;
        }
    }

    /// <summary>Lists the fill unbalanced with its last refusal (its round looked up once, when it is first listed) and returns it.</summary>
    private UnbalancedFill Unbalance(Liquidation liquidation, int round, string counterpartyId, RejectionCode code, string reason, DateTimeOffset time)
    {
        var key = (liquidation.Id, round, counterpartyId);
        if (!_unbalanced.TryGetValue(key, out var fill))
        {
            var executed = RoundOf(liquidation, round);
            _unbalanced[key] = fill = new UnbalancedFill(executed, executed.Fills.First(f => f.AccountId == counterpartyId), time);
        }

        fill.Code = code;
        fill.Reason = reason;
        fill.Status = UnbalancedAdlStatus.Unbalanced;
        fill.Pending = null;
        return fill;
    }

    private void CountOpen() => Volatile.Write(ref s_unbalancedOpen, _unbalanced.Values.Count(u => u.Status != UnbalancedAdlStatus.Booked));

    private static AutoDeleverageExecuted RoundOf(Liquidation liquidation, int round) => liquidation.Events.OfType<AutoDeleverageExecuted>().First(x => x.Round == round);

    private UnbalancedAdlFills UnbalancedFills() =>
        new(_unbalanced.Values.Count(u => u.Status != UnbalancedAdlStatus.Booked), _unbalanced.Values.Select(u => u.ToView()).ToArray());

    /// <summary>
    /// The counterparty refused the reversal of its side (it states no position, so only what it shares with the side
    /// refused can be: an instrument gone or expired and settled, a tick or lot changed, a sequence refused), or refused
    /// an operator's rebooking of it: journaled, its sequence voided, and the fill listed unbalanced for the operator.
    /// </summary>
    private void OnReversalRefused(AdlRound round, int index, Rejection rejection, int attempt)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        var id = attempt == 0 ? ReversalMessageId(e, fill) : RebookMessageId(e, fill, attempt);
        var sequence = attempt == 0 ? round.Reversals[index] : _unbalanced[(e.LiquidationId, e.Round, fill.AccountId)].Pending!.Sequence;
        Context.Log.LogError("Liquidation {LiquidationId}: {Counterparty} refused the {What} {MessageId} of its auto-deleverage side: {Code} {Reason}; "
            + "its side stands without the bankrupt side ({Side} {Quantity} {Symbol} at {Price}), unbalanced until an operator rebooks the reversal",
            e.LiquidationId, fill.AccountId, attempt == 0 ? "reversal" : "rebooked reversal", id, rejection.Code, rejection.Message, fill.Side, fill.Quantity, e.Symbol, fill.Price);
        if (attempt == 0)
        {
            // Counted when found unbalanced, once: a refused rebooking leaves the same fill unbalanced.
            EngineMetrics.AdlUnbalanced.Add(1);
        }

        Persist(new AutoDeleverageReversalRefused(e.LiquidationId, e.Round, fill.AccountId, rejection.Code, rejection.Message, Now, attempt), refused =>
        {
            Apply(refused);
            Void(fill.AccountId, id, sequence);
            EvaluateOnceAnswered(e.LiquidationId);
        });
    }

    /// <summary>
    /// The counterparty applied a rebooked reversal (or answered it as a duplicate after a restart): the pair nets again.
    /// Journaled (<see cref="AutoDeleverageRebookingBooked"/>), so that a restart lists it booked and does not send it again.
    /// </summary>
    private void RebookApplied(AdlRound round, int index)
    {
        var e = round.Executed;
        var fill = e.Fills[index];
        var rebooked = _unbalanced[(e.LiquidationId, e.Round, fill.AccountId)].Pending!;
        var id = RebookMessageId(e, fill, rebooked.Attempt);
        _adlOutbox.Answered(fill.AccountId, rebooked.Sequence);

        // Announced before the booking is journaled: a crash between the two sends the rebooking again after the restart,
        // answered as a duplicate and announced again (at least once, as every side); journaled first, the notice could be lost.
        Context.System.EventStream.Publish(new AutoDeleveraged(e.LiquidationId, fill.AccountId, e.Symbol, Opposite(fill.Side), fill.Quantity, fill.Price, id));
        Persist(new AutoDeleverageRebookingBooked(e.LiquidationId, e.Round, fill.AccountId, rebooked.Attempt, id, e.Symbol, Opposite(fill.Side), fill.Quantity,
            fill.Price, rebooked.SettlementPrice, Now), booked =>
        {
            Apply(booked);
            EngineMetrics.AdlRebooked.Add(1);
            Context.Log.LogInformation("Liquidation {LiquidationId}: {Counterparty} booked the rebooked reversal {MessageId}{Settled}; the fill of round {Round} nets again",
                booked.LiquidationId, booked.CounterpartyId, booked.MessageId, booked.SettlementPrice is { } price ? $" settled at {price}" : "", booked.Round);
            EvaluateOnceAnswered(booked.LiquidationId);
        });
    }

    private void OnRebook(RebookAdlReversal rebook)
    {
        var replyTo = Sender;
        var refusal = !_unbalanced.TryGetValue((rebook.LiquidationId, rebook.Round, rebook.CounterpartyId), out var fill)
            ? Text($"No unbalanced auto-deleverage fill of {rebook.CounterpartyId} in round {rebook.Round} of liquidation {rebook.LiquidationId}.")
            : fill.Status == UnbalancedAdlStatus.Booked ? Text($"The reversal of {rebook.CounterpartyId}'s side in round {rebook.Round} of {rebook.LiquidationId} is booked already.")
            : fill.Status == UnbalancedAdlStatus.Rebooking ? Text($"A rebooking of {rebook.CounterpartyId}'s side in round {rebook.Round} of {rebook.LiquidationId} awaits its answer.")
            : rebook.SettlementPrice is <= 0m ? Text($"A settlement price must be positive, not {rebook.SettlementPrice}.")
            // Only once the liquidation has ended: a running one re-sends what it awaits as its own sides, and a restart
            // re-sends a completed one's messages journaled after its end, so a rebooking taken earlier could go out wrong
            // or not at all.
            : _byId.TryGetValue(rebook.LiquidationId, out var running) && running.Phase != Phase.Completed
                ? Text($"Liquidation {rebook.LiquidationId} is still running; rebook its unbalanced fills once it has completed.")
            : fill.Unverified && !rebook.ConfirmUnverified ? Unconfirmed(fill)
            : null;
        if (refusal is not null)
        {
            replyTo.Tell(new AdlRebookRefused(refusal), Self);
            return;
        }

        var sequence = NextSequence(rebook.CounterpartyId, AdlSource);
        Persist(new AutoDeleverageReversalRebooked(rebook.LiquidationId, rebook.Round, rebook.CounterpartyId, fill!.Attempts + 1, sequence, rebook.SettlementPrice, Now,
            rebook.ConfirmUnverified), e =>
        {
            Apply(e);
            Context.Log.LogWarning("Liquidation {LiquidationId}: an operator rebooked the reversal of {Counterparty}'s side of round {Round}{Settled} (attempt {Attempt}){Confirmed}",
                e.LiquidationId, e.CounterpartyId, e.Round, e.SettlementPrice is { } price ? $" in its settled form at {price}" : "", e.Attempt,
                e.ConfirmUnverified ? ", confirming what the cluster cannot check" : "");
            SendRebook(_byId[e.LiquidationId], e);
            replyTo.Tell(UnbalancedFills(), Self);
        });
    }

    /// <summary>Why an unverified fill's rebooking waits for the operator's confirmation, and what to check first.</summary>
    private static string Unconfirmed(UnbalancedFill fill)
    {
        var e = fill.Executed;
        var cp = fill.Fill.AccountId;
        return Text($"The bankrupt side of {cp}'s fill in round {e.Round} of {e.LiquidationId} was refused as an id already applied (idReused): {e.AccountId} may hold ")
            + Text($"it already (message {e.BankruptMessageId(fill.Fill)}), and then the pair nets and a rebooking would unbalance it. Check {e.AccountId}'s journal for ")
            + Text($"that id; rebook with confirmUnverified (cm liquidations rebook {e.LiquidationId} {e.Round} {cp} --confirm-unverified) only if it is not booked; ")
            + "the same confirmation vouches for a settlement price given with it.";
    }

    /// <summary>
    /// Sends a rebooking and awaits its answer; after a restart, its void instead when its refusal is journaled, and
    /// nothing when its booking is.
    /// </summary>
    private void SendRebook(Liquidation liquidation, AutoDeleverageReversalRebooked rebooked)
    {
        if (liquidation.Events.Any(x => x is AutoDeleverageRebookingBooked b && b.Round == rebooked.Round && b.CounterpartyId == rebooked.CounterpartyId
            && b.Attempt == rebooked.Attempt))
        {
            return;
        }

        var executed = RoundOf(liquidation, rebooked.Round);
        var index = executed.Fills.ToList().FindIndex(f => f.AccountId == rebooked.CounterpartyId);
        var fill = executed.Fills[index];
        if (liquidation.Events.Any(x => x is AutoDeleverageReversalRefused r && r.Round == rebooked.Round && r.CounterpartyId == rebooked.CounterpartyId
            && r.Attempt == rebooked.Attempt))
        {
            Void(fill.AccountId, RebookMessageId(executed, fill, rebooked.Attempt), rebooked.Sequence);
            return;
        }

        var command = Rebooking(executed, fill, rebooked);
        _awaitedSides[command.MessageId] = (new AdlRound(executed, announces: false), index, AdlSide.Rebook);
        _adlOutbox.Send(fill.AccountId, command, awaitsAnswer: true);
    }

    /// <summary>One unbalanced fill's state.</summary>
    private sealed class UnbalancedFill(AutoDeleverageExecuted executed, AdlExecution fill, DateTimeOffset since)
    {
        public AutoDeleverageExecuted Executed => executed;

        public AdlExecution Fill => fill;

        public RejectionCode Code { get; set; }

        public string Reason { get; set; } = "";

        public int Attempts { get; set; }

        public UnbalancedAdlStatus Status { get; set; }

        /// <summary>Whether the side stands because its bankrupt side was refused as an id already applied (<see cref="UnbalancedAdlFill.Unverified"/>).</summary>
        public bool Unverified { get; set; }

        /// <summary>The rebooking sent and not answered yet.</summary>
        public AutoDeleverageReversalRebooked? Pending { get; set; }

        /// <summary>The rebooking the counterparty booked, once it has.</summary>
        public AutoDeleverageRebookingBooked? Booked { get; set; }

        public UnbalancedAdlFill ToView() => new(executed.LiquidationId, executed.Round, executed.AccountId, fill.AccountId, executed.Symbol, fill.Side, fill.Quantity,
            fill.Price, Code, Reason, since, Attempts, Status, Booked?.SettlementPrice ?? Pending?.SettlementPrice, Booked?.Time, Unverified);
    }
}
