using System.Globalization;
using CrossMargin.Actors;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// Owns one underlying's index and validates its instruments' marks: one actor per underlying, so a busy underlying
/// never queues behind another, and one per asset without derivatives (a stablecoin is an underlying with no instruments).
/// Accepted updates go to the market publisher; refused ones are answered with <see cref="PriceRejected"/>.
/// </summary>
/// <remarks>
/// State is the index, the last accepted timestamp per symbol and the mark held for each instrument (an option's with
/// its published vol, its own vol and the index it was set at). The index band's state (the last accepted index, the jump
/// chain, an operator's override) is the feed's <see cref="IndexBand"/>, handed to each actor of the asset in turn and
/// saved by <see cref="IndexReferenceStore"/>. After a restart the held marks are re-read from <see cref="LatestMarket"/>
/// and the timestamps start empty: the staleness bound still holds, only the out-of-order check is reset.
/// <para>
/// A held perpetual or future mark is checked again whenever the index moves (after the whole batch, so a batch's own
/// marks count): one further from the new index than the band would refuse now is replaced by the index for a perpetual
/// and by the forward at the index (to the nearest tick) for a dated future, and counted
/// (<see cref="PriceStats.HeldMarksReplaced"/>).
/// Not dropped to "no mark": a snapshot lists only instruments with a mark, and the accounts holding one would lose its
/// valuation.
/// Not kept: a mark the band would refuse now would go on valuing every holder at a price from before the move. The
/// index is the reference the band measures against; the premium or basis the old mark carried is not known to hold.
/// </para>
/// <para>
/// An option's held mark is re-priced on every accepted index move (after the whole batch; one the batch marked at the
/// new index is not): Black-76 on the forward at the new index and the current time to expiry, at the mark's own vol
/// (the vol that reproduces it where it was set), to the option's tick and at least one tick
/// (<see cref="OptionContract.ModelMark"/>), sent with the vol it is published with (given with it, or implied from it),
/// and counted (<see cref="PriceStats.HeldOptionMarksRepriced"/>) when it differs from the held mark. Equity values an
/// option at its mark and the scenario models re-price it from its vol on the forward: re-priced, a short put's holder
/// no longer keeps the pre-crash premium in equity until the feed marks the option again.
/// Every move, not past a threshold: the model says how an option moves with its forward at a fixed vol (unlike a
/// perpetual's premium), and any threshold lets equity lag by up to its width. The vol is kept (sticky strike, as the
/// publisher keeps it), so the smile does not move. No floor at intrinsic value: Black-76 is never below the discounted
/// intrinsic value on the forward. Expired options are left alone (they leave the listing at expiry).
/// </para>
/// <para>
/// The mark's own vol, not the one given with it: a feed mark may disagree with its given vol by up to
/// <see cref="PriceOptions.OptionVolBandFraction"/> and a tick, and re-priced at the given vol it was snapped to the model
/// by the next index move however small (a fifth of a put's value on a move of one cent, and back at the next feed
/// mark). At its own vol the re-price is continuous in the index: a move of nothing leaves it where it was. Not the
/// other way to keep it continuous, shifting the mark by the model's change at the given vol (keeping its premium in
/// price terms): a premium does not scale with moneyness, a vol does. A 70,000 call marked 20% over the model at 59%
/// (4,222.03 for 3,518.36 on the forward 60,300) that a crash to the forward 24,120 leaves worth 0.26 at 59% would keep
/// its 703.67 premium (marked 703.93) where its own 65.4% gives 1.26; a put marked 20% under (3,295.28 for 4,119.10) taken deep
/// into the money would be shifted to 30,060.97, 819 below its intrinsic value of 30,880, a price no vol gives (its own
/// 50.0% gives 30,880.74). Sent with the given vol, not the mark's own: the scenario models re-price from the published
/// vol, and switching it at the first index move would move their margin on a move of nothing instead. The mark and
/// that vol then disagree as the feed's did (within the band when accepted); the gap moves with the index as a gap in
/// vol does (after the crash above, 1.26 against 0.26), which the scenario models do not see (they value the change of
/// the model from its own base) and the standard rules, which use the mark, take as the venue's. Solved once per
/// accepted feed mark, not per index move (the hot path is one Black-76 per option either way), and only when the
/// model's mark at the given vol is not the feed's mark to the tick (a feed consistent with its vol costs no solve; a
/// mark without a vol has its vol implied at acceptance already). After a restart it is solved again from the latest
/// market's mark on the forward and at the instant it values it at. A mark no vol reproduces (at or below the
/// discounted intrinsic value; above the most it can be worth is refused) keeps the given vol: the model at it is the
/// nearest price that is not an arbitrage.
/// </para>
/// <para>
/// A scheduled contract listed since (the publisher lists it at its opening mark) and not marked by the feed yet is, on
/// the next index move, marked at its opening rule on the new index (<see cref="ListedContract.OpeningMark"/>) and held
/// from then on like any other: no price actor held its opening mark, so it stayed at its listing instant's index.
/// </para>
/// </remarks>
internal sealed partial class PriceActor : ReceiveActor
{
    private readonly string _asset;
    private readonly Dictionary<string, Instrument> _instruments;
    private readonly UnderlyingMarket? _market;
    private readonly PriceOptions _options;
    private readonly IActorRef _publisher;
    private readonly PriceCounters _counters;
    private readonly TimeProvider _clock;
    private readonly LatestMarket _latest;
    private readonly Dictionary<string, DateTimeOffset> _lastTimestamps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HeldOption> _heldOptions = new(StringComparer.Ordinal);

    // In ordinal order once, not sorted per index move: a busy underlying lists hundreds of options.
    private readonly OptionContract[] _optionContracts;

    // The dated contracts whose forward in ticks an index must allow (ForwardsMarkable).
    private readonly Instrument[] _forwardMarked;

    // This underlying's scheduled contracts not yet listed and held (ListedFrom is set after the constructor runs).
    private List<ListedContract>? _scheduled;
    private readonly List<decimal> _acceptedIndices = [];
    private readonly List<InstrumentMark> _acceptedMarks = [];
    private decimal _index;

    // The band's state (last accepted index, jump chain, operator's override): the feed's, handed to each actor of the asset.
    private readonly IndexBand _band;

    // Where the band's state is kept across restarts; null: not kept (a feed started without persistence).
    private readonly IndexReferenceStore? _store;

    // A save in flight, and whether the state changed again meanwhile in a way that is saved at once.
    private bool _saving;
    private bool _saveAgain;

    // band: the asset's band state, kept by the feed across its actors (null: from latest); store: where it is saved (null: nowhere).
    public PriceActor(string asset, IEnumerable<Instrument> instruments, UnderlyingMarket? market, LatestMarket latest, PriceOptions options, IActorRef publisher, PriceCounters counters, TimeProvider clock,
        IndexBand? band = null, IndexReferenceStore? store = null)
    {
        _asset = asset;
        _instruments = instruments.ToDictionary(i => i.Symbol, StringComparer.Ordinal);
        _market = market;
        _options = options;
        _publisher = publisher;
        _counters = counters;
        _clock = clock;
        _latest = latest;
        _band = band ?? IndexBand.Of(latest, asset);
        _store = store;
        _index = _band.Index;
        _optionContracts = [.. _instruments.Values.OfType<OptionContract>().OrderBy(o => o.Symbol, StringComparer.Ordinal)];

        // One per expiry and tick (the forward is the expiry's), futures before calls, so an index is checked against a
        // handful, not every listed option.
        _forwardMarked =
        [
            .. _instruments.Values
                .Where(i => (i.Expiry is not null && i is not OptionContract) || i is OptionContract { Kind: OptionKind.Call, Settlement: SettlementKind.Linear })
                .GroupBy(i => (i.Expiry, i.TickSize, i is OptionContract))
                .Select(g => g.MinBy(i => i.Symbol, StringComparer.Ordinal)!)
                .OrderBy(i => i is OptionContract).ThenBy(i => i.Symbol, StringComparer.Ordinal),
        ];
        foreach (var instrument in _instruments.Values)
        {
            if (latest.Current.FindInstrument(instrument.Symbol) is null)
            {
                continue;
            }

            var mark = latest.Current.MarkOf(instrument.Symbol).MarkPrice;
            if (instrument is OptionContract option)
            {
                // The vol the snapshot values it at: the one given with the mark, or the one the opening market implied
                // from it. The mark's own is derived again, on the forward and at the instant the snapshot values it at
                // (where it was set): the snapshot does not carry it.
                var inputs = latest.Current.OptionInputsOf(instrument.Symbol);
                var valuedAt = latest.Current.ValuationTime;
                var own = inputs.Years > 0 ? MarkVolatility(option, mark, inputs.Volatility, QuoteOn(option, mark, inputs.Forward, valuedAt), valuedAt) : inputs.Volatility;
                // Set at the latest market's index, which a restored band's reference may not be: the first move re-prices it.
                _heldOptions[instrument.Symbol] = new HeldOption(mark, inputs.Volatility, latest.Current.PriceOf(asset), own);
            }
            else
            {
                _held[instrument.Symbol] = mark;
            }
        }

        Receive<UpdateIndex>(u =>
        {
            var now = _clock.GetUtcNow();
            if (OnIndex(u, now))
            {
                RecheckHeld(now);
            }

            SendAccepted();
        });
        Receive<UpdateMark>(u =>
        {
            OnMark(u, _clock.GetUtcNow());
            SendAccepted();
        });
        Receive<UpdatePrices>(u =>
        {
            OnBatch(u);
            SendAccepted();
        });
        Receive<AcceptNextIndex>(a =>
        {
            if (a.Near is <= 0m)
            {
                Sender.Tell(new PriceRejected(_asset, PriceRejectionReason.NonPositivePrice, $"{_asset}: the level an override is for must be positive, not {Num(a.Near.Value)}."), Self);
                return;
            }

            if (a.Id is { Length: > 0 } id && _band.OverrideIds.Contains(id, StringComparer.Ordinal))
            {
                // A copy of an override this band has armed already (here, or on the node whose stored state it loaded):
                // armed again, it would let a second jump through on one operator command.
                Context.Log.LogInformation("{Asset}: the operator's override {Id} was applied already; not armed again ({State})", _asset, id,
                    _band.AcceptNext ? "an override is armed" : "no override is armed");
                Sender.Tell(new IndexOverrideAlreadyApplied(_asset, id, _index, _band.AcceptNext), Self);
                return;
            }

            _band.AcceptNext = true;
            _band.AcceptNear = a.Near ?? 0m;
            _band.ArmedId = a.Id is { Length: > 0 } armedId ? armedId : null;
            if (_band.ArmedId is { } remembered)
            {
                _band.RememberOverride(remembered);
            }

            Changed(urgent: true);
            Context.Log.LogWarning("{Asset}: an operator accepts the next index {Level} whatever its move from {Index}", _asset,
                a.Near is { } near ? "within the band of " + Num(near) : "at any level", _index);
            Sender.Tell(new NextIndexWillBeAccepted(_asset, _index), Self);
        });
        Receive<IndexReferenceRead>(OnIndexReferenceRead);
        Receive<SaveDue>(_ => Save());
        Receive<SaveEnded>(OnSaveEnded);
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        // A predecessor's change not saved yet, or its save not known to be done (a listing extension replaced it before
        // its save was due or had ended): saved at once, not an interval later, as it may be an override armed or spent
        // that a restart must neither forget nor arm again; the predecessor's save ending is no longer heard of.
        if (_band.Unsaved || _band.LastSave is { IsCompletedSuccessfully: false })
        {
            _band.Unsaved = true;
            Save();
        }
    }

    /// <summary>The contracts listed after the feed started (<see cref="MarketDefinition.Scheduled"/>): not priced before their time.</summary>
    public IReadOnlyDictionary<string, ListedContract> ListedFrom { get; init; } = new Dictionary<string, ListedContract>(StringComparer.Ordinal);

    private void OnBatch(UpdatePrices batch)
    {
        // One clock reading for the whole tick: its updates are judged against the same instant.
        var now = _clock.GetUtcNow();
        var moved = false;
        foreach (var index in batch.Indices)
        {
            moved |= OnIndex(index, now);
        }

        foreach (var mark in batch.Marks)
        {
            OnMark(mark, now);
        }

        if (moved)
        {
            RecheckHeld(now);
        }
    }

    /// <summary>
    /// Replaces each held perpetual or future mark the band would refuse at the current index, and re-prices each held
    /// option mark not set at it (see the remarks).
    /// </summary>
    private void RecheckHeld(DateTimeOffset now)
    {
        HoldOpeningMarks(now);
        RepriceHeldOptions(now);
        foreach (var (symbol, mark) in _held.OrderBy(h => h.Key, StringComparer.Ordinal).ToArray())
        {
            var instrument = _instruments[symbol];
            if (instrument.IsExpiredAt(now) || !OutsideBand(mark))
            {
                continue;
            }

            var fallback = _index;
            if (instrument.Expiry is { } expiry && _market is not null && !TryForwardMark(instrument, expiry, _index, now, out fallback, out _))
            {
                // Not reached after OnIndex checked the same index at the same instant; the mark is kept rather than thrown on.
                continue;
            }

            _held[symbol] = fallback;
            _counters.HeldMarkReplaced();
            _acceptedMarks.Add(new InstrumentMark(symbol, fallback));
            Context.Log.LogWarning("{Symbol}: held mark {Mark} is beyond the band of the {Asset} index {Index}; replaced by {Fallback}",
                symbol, mark, _asset, _index, fallback);
        }
    }

    /// <summary>
    /// Marks each scheduled contract of this underlying that was listed since (at its opening mark, by the publisher) and
    /// not marked by the feed yet at its opening mark at the current index, and holds it: otherwise it stayed at the index
    /// of its listing instant, which this actor never held, whatever the index did until the feed marked it.
    /// </summary>
    private void HoldOpeningMarks(DateTimeOffset now)
    {
        _scheduled ??= [.. ListedFrom.Values.Where(c => _instruments.ContainsKey(c.Instrument.Symbol))];
        for (var i = _scheduled.Count - 1; i >= 0; i--)
        {
            var contract = _scheduled[i];
            var symbol = contract.Instrument.Symbol;
            if (contract.ListedAt > now)
            {
                continue;
            }

            _scheduled.RemoveAt(i);
            if (_held.ContainsKey(symbol) || _heldOptions.ContainsKey(symbol) || contract.Instrument.IsExpiredAt(now))
            {
                continue;
            }

            var opening = contract.OpeningMark(_market!, _index, now);
            if (opening.ImpliedVolatility is { } vol)
            {
                // The model's own mark at its vol: that vol is the mark's.
                _heldOptions[symbol] = new HeldOption(opening.MarkPrice, vol, _index, vol);
            }
            else
            {
                _held[symbol] = opening.MarkPrice;
            }

            _acceptedMarks.Add(opening);
        }
    }

    /// <summary>Re-prices each held option mark set at another index than the current one (see the remarks).</summary>
    private void RepriceHeldOptions(DateTimeOffset now)
    {
        foreach (var option in _optionContracts)
        {
            if (!_heldOptions.TryGetValue(option.Symbol, out var held) || held.Index == _index || option.IsExpiredAt(now))
            {
                continue;
            }

            var mark = option.ModelMark(_market!.ForwardFor(option.Expiry!.Value, now, (double)_index), now, held.MarkVolatility, _market.Rate);
            _heldOptions[option.Symbol] = held with { Mark = mark, Index = _index };
            if (mark != held.Mark)
            {
                _counters.HeldOptionMarkRepriced();
                _acceptedMarks.Add(new InstrumentMark(option.Symbol, mark, held.Volatility));
            }
        }
    }

    // Compared without dividing: |mark - index| / index overflows a decimal for a huge mark on an index below 1.
    private bool OutsideBand(decimal mark) => Math.Abs(mark - _index) > _options.MarkBandFraction * _index;

    /// <summary>Validates and applies an index; true when it was accepted.</summary>
    private bool OnIndex(UpdateIndex update, DateTimeOffset now)
    {
        if (!string.Equals(update.Asset, _asset, StringComparison.Ordinal))
        {
            Reject(update.Asset, PriceRejectionReason.UnknownAsset, $"{update.Asset}: routed to the price actor of {_asset}.");
            return false;
        }

        if (update.Price <= 0)
        {
            Reject(update.Asset, PriceRejectionReason.NonPositivePrice, $"{update.Asset}: index {Num(update.Price)} must be positive.");
            return false;
        }

        var armed = _band.AcceptNext;
        if (!CheckTimestamp(update.Asset, update.Timestamp, now) || !ForwardsMarkable(update, now) || !IndexBandAllows(update))
        {
            return false;
        }

        _index = update.Price;
        _band.Index = update.Price;
        _band.Timestamp = update.Timestamp;
        // The new reference is saved within the save interval; a spent override at once, so that no restart arms it again.
        Changed(urgent: armed && !_band.AcceptNext);
        _lastTimestamps[update.Asset] = update.Timestamp;
        _latest.RecordIndexTime(update.Asset, update.Timestamp);
        _counters.Accepted();
        _acceptedIndices.Add(update.Price);
        Sender.Tell(new PriceAccepted(update.Asset), Self);
        return true;
    }

    /// <summary>
    /// False, after a rejection, when <paramref name="update"/> moves the index further from the last accepted one than
    /// <see cref="PriceOptions.MaxIndexMoveFraction"/> and neither an operator's <see cref="AcceptNextIndex"/> (for any
    /// level, or one within the band of the update) nor confirmation lets it through. Confirmation: the
    /// <see cref="PriceOptions.IndexJumpConfirmations"/>-th update after a refused jump, each with a later feed timestamp
    /// than the one before it and within the band of its level, is accepted, when that level is within
    /// <see cref="PriceOptions.ConfirmableJumpFactor"/> of the last accepted index.
    /// Decided on the updates alone (their prices, their order, their timestamps): no node's clock takes part, so the
    /// nodes of a cluster given the same updates agree. Checked last, so only an update that would otherwise be
    /// accepted refuses, counts or confirms; an accepted index (an operator's included) ends a chain.
    /// </summary>
    private bool IndexBandAllows(UpdateIndex update)
    {
        var price = update.Price;
        var last = _index;
        var band = _options.MaxIndexMoveFraction;
        var chain = _band.Jump;
        // An override is spent only on an index that needs it: an in-band tick before the jump leaves it armed, so every
        // node of a cluster spends it on the same update (the first beyond the band), whatever ticks preceded it.
        var inBand = Math.Abs(price - last) <= band * last;
        var windowBand = _options.MaxIndexMoveFractionPerWindow;
        (DateTimeOffset At, decimal Price)? windowed = null;
        if (inBand && windowBand > 0m)
        {
            // Started from the reference at its timestamp, or at the first update's when it is stamped later (a market file
            // valued ahead of the feed): the reference is then in the window for a whole window from the first update.
            var window = _band.Window ??= IndexWindow.StartingAt(_band.Timestamp < update.Timestamp ? _band.Timestamp : update.Timestamp, last);
            windowed = window.Beyond(price, windowBand, update.Timestamp - _options.IndexMoveWindow);
            inBand = windowed is null;
        }

        var overridden = !inBand && _band.AcceptNext && (_band.AcceptNear == 0m || Math.Abs(price - _band.AcceptNear) <= band * _band.AcceptNear);
        if (inBand || overridden)
        {
            if (overridden)
            {
                _band.AcceptNext = false;
                _band.AcceptNear = 0m;
                _band.ArmedId = null;
                _counters.IndexJumpOverridden();
                Context.Log.LogWarning("{Asset}: index {Price} accepted by the operator's accept-next-index, last accepted {Last}", _asset, price, last);
                StartWindow(update);
            }
            else
            {
                _band.Window?.Add(update.Timestamp, price);
            }

            _band.Jump = null;
            return true;
        }

        // Compared without dividing, as the mark band is: a huge price on a tiny index must not overflow the check.
        // A resend (the chain's own timestamp) neither confirms nor breaks it; an older timestamp or another level starts anew.
        var agrees = chain is { } c && update.Timestamp >= c.Timestamp && Math.Abs(price - c.Level) <= band * c.Level;
        var count = !agrees ? 1 : update.Timestamp > chain!.Value.Timestamp ? chain.Value.Count + 1 : chain.Value.Count;
        var needed = _options.IndexJumpConfirmations;
        // Divided rather than multiplied: an index near a decimal's end times two would throw.
        var factor = PriceOptions.ConfirmableJumpFactor;
        var confirmable = needed > 0 && price / factor <= last && price >= last / factor;
        if (confirmable && count > needed)
        {
            _band.Jump = null;
            StartWindow(update);
            _counters.IndexJumpConfirmed();
            Context.Log.LogWarning("{Asset}: index {Price} accepted after {Count} updates in a row at its level, last accepted {Last}", _asset, price, count, last);
            return true;
        }

        _band.Jump = new JumpChain(price, update.Timestamp, count);
        var waiting = _band.AcceptNext ? $"; the operator's override waits for an index within the band of {Num(_band.AcceptNear)}" : "";
        var how = confirmable
            ? $"{count} in a row at this level; the {Ordinal(needed + 1)}, each later and within the band of the one before, is accepted, or an operator accepts the next index"
            : needed == 0
                ? "only an operator's accept-next-index lets a jump through"
                : $"beyond a factor of {Num(PriceOptions.ConfirmableJumpFactor)} from the last accepted, only an operator's accept-next-index lets it through";
        var beyond = windowed is { } w
            ? $"{Pct((double)Math.Abs(price - w.Price) / (double)w.Price)}% from {Num(w.Price)}, accepted {Seconds(update.Timestamp - w.At)} s before it, beyond the {Pct((double)windowBand)}% band over {Seconds(_options.IndexMoveWindow)} s of feed time"
            : $"{Pct((double)Math.Abs(price - last) / (double)last)}% from the last accepted {Num(last)}, beyond the {Pct((double)band)}% band";
        // Before the answer: whoever sees the refusal can count on the read having started (one the store answers at once
        // is then taken before any update sent after the answer).
        ReadPeersReference();
        Reject(update.Asset, PriceRejectionReason.IndexJump, $"{update.Asset}: index {Num(price)} is {beyond}; nothing moved ({how}{waiting}).");
        return false;
    }

    /// <summary>A level confirmed or let through by an operator is the new level: the window starts afresh from it.</summary>
    private void StartWindow(UpdateIndex update) =>
        _band.Window = _options.MaxIndexMoveFractionPerWindow > 0m ? IndexWindow.StartingAt(update.Timestamp, update.Price) : null;

    /// <summary>
    /// False, after a rejection, when at <paramref name="update"/>'s index a listed dated future's forward could not be
    /// its mark (<see cref="TryForwardMark"/>): the held mark falls back to it once the index leaves the mark outside the
    /// band, so such an index would either stop this actor mid-update or mark the future at zero. A linear call's held
    /// mark is re-priced in its ticks at the new forward, and is worth up to that forward: the forward in the call's ticks
    /// must be a decimal too (a put is worth at most its strike, an inverse option at most one coin).
    /// </summary>
    private bool ForwardsMarkable(UpdateIndex update, DateTimeOffset now)
    {
        if (_market is null)
        {
            return true;
        }

        foreach (var instrument in _forwardMarked)
        {
            if (instrument.IsExpiredAt(now) || TryForwardMark(instrument, instrument.Expiry!.Value, update.Price, now, out _, out var forward))
            {
                continue;
            }

            Reject(update.Asset, PriceRejectionReason.ForwardOutOfRange,
                $"{update.Asset}: index {Num(update.Price)} puts the forward of {instrument.Symbol} at {Num(forward)}, which no mark in ticks of {Num(instrument.TickSize)} can be (beyond a decimal's range, or below one tick); the index was not applied.");
            return false;
        }

        return true;
    }

    /// <summary>
    /// The mark a dated future falls back to at <paramref name="index"/>: its forward to the nearest tick. False when no
    /// mark can be that: the forward in ticks beyond a decimal's range (1e27 at a 0.01 tick is already 1e29 ticks), or
    /// below one tick (it would round to a mark of zero).
    /// </summary>
    private bool TryForwardMark(Instrument instrument, DateTimeOffset expiry, decimal index, DateTimeOffset now, out decimal mark, out double forward)
    {
        forward = _market!.ForwardFor(expiry, now, (double)index);
        try
        {
            mark = Math.Round((decimal)forward / instrument.TickSize, MidpointRounding.AwayFromZero) * instrument.TickSize;
        }
        catch (OverflowException)
        {
            // (decimal) of a double beyond the range (or NaN), or the division by the tick.
            mark = 0m;
            return false;
        }

        // A future's fallback is its forward to the tick; an option's re-priced mark is floored at one tick.
        return mark > 0m || instrument is OptionContract;
    }

    private void OnMark(UpdateMark update, DateTimeOffset now)
    {
        if (!_instruments.TryGetValue(update.Symbol, out var instrument))
        {
            Reject(update.Symbol, PriceRejectionReason.UnknownInstrument, $"{update.Symbol}: not an instrument of {_asset}.");
            return;
        }

        if (ListedFrom.TryGetValue(update.Symbol, out var scheduled) && scheduled.ListedAt > now)
        {
            Reject(update.Symbol, PriceRejectionReason.UnknownInstrument, $"{update.Symbol}: not listed until {scheduled.ListedAt:O}, now is {now:O}.");
            return;
        }

        if (instrument.IsExpiredAt(now))
        {
            Reject(update.Symbol, PriceRejectionReason.InstrumentExpired, $"{update.Symbol}: expired at {instrument.Expiry:O}, now is {now:O}.");
            return;
        }

        if (update.Price <= 0)
        {
            Reject(update.Symbol, PriceRejectionReason.NonPositivePrice, $"{update.Symbol}: mark {Num(update.Price)} must be positive.");
            return;
        }

        if (!CheckTimestamp(update.Symbol, update.Timestamp, now))
        {
            return;
        }

        double? vol;
        var own = 0.0;
        if (instrument is OptionContract option)
        {
            var quote = Quote(option, update.Price, now);
            if (!WithinWorth(option, update.Price, quote))
            {
                return;
            }

            vol = update.ImpliedVolatility ?? Imply(option, update.Price, quote);
            if (vol is not { } v)
            {
                return;
            }

            if (!double.IsFinite(v) || v < _options.MinImpliedVolatility || v > _options.MaxImpliedVolatility)
            {
                var source = update.ImpliedVolatility is null ? "implied from the mark" : "given";
                Reject(update.Symbol, PriceRejectionReason.InvalidVolatility,
                    $"{update.Symbol}: vol {Num(v)} ({source}) is outside [{Num(_options.MinImpliedVolatility)}, {Num(_options.MaxImpliedVolatility)}].");
                return;
            }

            if (update.ImpliedVolatility is { } given && !AgreesWithVol(option, update.Price, given, quote))
            {
                return;
            }

            own = update.ImpliedVolatility is { } sent ? MarkVolatility(option, update.Price, sent, quote, now) : v;
        }
        else
        {
            if (update.ImpliedVolatility is { } given)
            {
                Reject(update.Symbol, PriceRejectionReason.InvalidVolatility, $"{update.Symbol}: vol {Num(given)} given for an instrument that is not an option.");
                return;
            }

            // Against the underlying's index: a perpetual's premium and a dated future's basis are a few percent, a
            // corrupt or fat-fingered mark is usually far more. Quote currencies (USDT, USDC) are taken at par here.
            if (OutsideBand(update.Price))
            {
                var distance = (double)Math.Abs(update.Price - _index) / (double)_index;
                Reject(update.Symbol, PriceRejectionReason.OutsideBand,
                    $"{update.Symbol}: mark {Num(update.Price)} is {Pct(distance)}% from the {_asset} index {Num(_index)}, beyond the {Pct((double)_options.MarkBandFraction)}% band.");
                return;
            }

            vol = null;
        }

        _lastTimestamps[update.Symbol] = update.Timestamp;
        if (instrument is OptionContract)
        {
            _heldOptions[update.Symbol] = new HeldOption(update.Price, vol!.Value, _index, own);
        }
        else
        {
            _held[update.Symbol] = update.Price;
        }

        _counters.Accepted();
        _acceptedMarks.Add(new InstrumentMark(update.Symbol, update.Price, vol));
        Sender.Tell(new PriceAccepted(update.Symbol), Self);
    }

    private bool CheckTimestamp(string symbol, DateTimeOffset timestamp, DateTimeOffset now)
    {
        if (timestamp > now + _options.MaxFutureSkew)
        {
            Reject(symbol, PriceRejectionReason.FromFuture,
                $"{symbol}: timestamp {timestamp:O} is {Ms(timestamp - now)} ms ahead of now {now:O}; at most {Ms(_options.MaxFutureSkew)} ms allowed.");
            return false;
        }

        if (timestamp < now - _options.MaxMarkAge)
        {
            Reject(symbol, PriceRejectionReason.Stale,
                $"{symbol}: timestamp {timestamp:O} is {Ms(now - timestamp)} ms old at {now:O}; at most {Ms(_options.MaxMarkAge)} ms allowed.");
            return false;
        }

        // Strictly older only: a repeat of the newest timestamp is a harmless resend and the newest value wins.
        if (_lastTimestamps.TryGetValue(symbol, out var last) && timestamp < last)
        {
            Reject(symbol, PriceRejectionReason.OutOfOrder,
                $"{symbol}: timestamp {timestamp:O} is older than the last accepted {last:O}.");
            return false;
        }

        return true;
    }

    /// <summary>The forward, years to expiry and USD premium of <paramref name="mark"/> at the current index and now.</summary>
    private (double Forward, double Years, double PremiumUsd) Quote(OptionContract option, decimal mark, DateTimeOffset now) =>
        QuoteOn(option, mark, _market!.ForwardFor(option.Expiry!.Value, now, (double)_index), now);

    /// <summary>The same on <paramref name="forward"/> at <paramref name="at"/> (a restart's: the latest market's).</summary>
    private static (double Forward, double Years, double PremiumUsd) QuoteOn(OptionContract option, decimal mark, double forward, DateTimeOffset at)
    {
        // Inverse options are quoted in coin: the USD premium is mark x forward (as MarketSnapshot does).
        var usd = option.Settlement == SettlementKind.Inverse ? (double)mark * forward : (double)mark;
        return (forward, YearFraction.Act365(at, option.Expiry!.Value), usd);
    }

    /// <summary>
    /// False, after a rejection, when <paramref name="mark"/> is at or above the most the option can be worth: the
    /// discounted forward for a call, the discounted strike for a put. An option is valued at its mark, so this holds
    /// whether or not the feed gives a vol (one given was all that was checked, and any premium went into equity).
    /// </summary>
    private bool WithinWorth(OptionContract option, decimal mark, (double Forward, double Years, double PremiumUsd) quote)
    {
        var discount = Math.Exp(-_market!.Rate * quote.Years);
        var most = discount * (option.Kind == OptionKind.Call ? quote.Forward : (double)option.Strike);
        if (quote.PremiumUsd < most)
        {
            return true;
        }

        var kind = option.Kind == OptionKind.Call ? "call" : "put";
        Reject(option.Symbol, PriceRejectionReason.OutsideBand,
            $"{option.Symbol}: mark {Num(mark)} is at or above the most a {kind} can be worth ({Num(most)} USD at forward {Num(quote.Forward)}).");
        return false;
    }

    /// <summary>
    /// False, after a rejection, when <paramref name="mark"/> is further from the option's Black-76 price at the vol given
    /// with it than <see cref="PriceOptions.OptionVolBandFraction"/> of that price plus one tick, in the mark's own unit
    /// (coin for an inverse option). Equity uses the mark and the scenarios the vol: they must not disagree.
    /// </summary>
    private bool AgreesWithVol(OptionContract option, decimal mark, double vol, (double Forward, double Years, double PremiumUsd) quote)
    {
        var usd = Black76.Price(option.Kind, quote.Forward, (double)option.Strike, quote.Years, vol, _market!.Rate);
        var model = option.Settlement == SettlementKind.Inverse ? usd / quote.Forward : usd;
        var distance = Math.Abs((double)mark - model);
        if (distance <= (_options.OptionVolBandFraction * model) + (double)option.TickSize)
        {
            return true;
        }

        Reject(option.Symbol, PriceRejectionReason.OutsideBand,
            $"{option.Symbol}: mark {Num(mark)} is {Num(distance)} from its Black-76 price {Num(model)} at the vol {Num(vol)} given with it (forward {Num(quote.Forward)}), beyond {Pct(_options.OptionVolBandFraction)}% of it and one tick.");
        return false;
    }

    /// <summary>
    /// The vol that reproduces <paramref name="mark"/> at the current index and now, or null after a rejection. Implied
    /// here rather than by the snapshot so that a mark no vol can explain is refused at the edge, not found later as a
    /// snapshot that cannot be built; the vol then stays with the mark (sticky) as the index moves.
    /// </summary>
    private double? Imply(OptionContract option, decimal mark, (double Forward, double Years, double PremiumUsd) quote)
    {
        var result = ImpliedVolatility.Solve(option.Kind, quote.Forward, (double)option.Strike, quote.Years, _market!.Rate, quote.PremiumUsd);
        if (result.Converged)
        {
            return result.Volatility;
        }

        Reject(option.Symbol, PriceRejectionReason.InvalidVolatility,
            $"{option.Symbol}: no vol reproduces mark {Num(mark)} at forward {Num(quote.Forward)}: {result.Failure}");
        return null;
    }

    /// <summary>
    /// The vol the held <paramref name="mark"/>, set on <paramref name="quote"/>'s forward at <paramref name="at"/>, is re-priced at
    /// when the index moves (see the remarks): <paramref name="given"/> when the model's mark at it is
    /// <paramref name="mark"/> to the tick (a feed consistent with its vol: no solve), else the vol that reproduces the
    /// mark there, solved once per mark rather than per index move. When none does (a mark at or below the discounted
    /// intrinsic value; one at or above the most the option can be worth was refused) it stays <paramref name="given"/>:
    /// the model at it, which the mark agreed with, is the nearest price that is not an arbitrage.
    /// </summary>
    private double MarkVolatility(OptionContract option, decimal mark, double given, (double Forward, double Years, double PremiumUsd) quote, DateTimeOffset at)
    {
        var rate = _market!.Rate;
        if (option.ModelMark(quote.Forward, at, given, rate) == mark)
        {
            return given;
        }

        var result = ImpliedVolatility.Solve(option.Kind, quote.Forward, (double)option.Strike, quote.Years, rate, quote.PremiumUsd);
        return result.Converged ? result.Volatility : given;
    }

    /// <summary>Hands what this turn accepted to the publisher in one message (see <see cref="PricesAccepted"/>).</summary>
    private void SendAccepted()
    {
        if (_acceptedIndices.Count == 0 && _acceptedMarks.Count == 0)
        {
            return;
        }

        _publisher.Tell(new PricesAccepted(_asset, _acceptedIndices.ToArray(), _acceptedMarks.ToArray()), Self);
        _acceptedIndices.Clear();
        _acceptedMarks.Clear();
    }

    private void Reject(string symbol, PriceRejectionReason reason, string message)
    {
        _counters.Rejected(reason);
        Sender.Tell(new PriceRejected(symbol, reason, message), Self);
    }

    private static string Num(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Num(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Pct(double fraction) => (fraction * 100).ToString("0.#####", CultureInfo.InvariantCulture);

    private static string Ordinal(int n) => n.ToString(CultureInfo.InvariantCulture) + ((n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// An option's held mark, the vol it is published with (given with it, or implied from it), the index it was set at
    /// (re-priced when the index is another), and the vol it is re-priced at (its own: <see cref="MarkVolatility"/>).
    /// </summary>
    private readonly record struct HeldOption(decimal Mark, double Volatility, decimal Index, double MarkVolatility);

    /// <summary>
    /// Notes that the band's state changed: saved at once when <paramref name="urgent"/> (an operator's override armed or
    /// spent: rare, and a restart must neither forget nor repeat it), else within <see cref="PriceOptions.IndexSaveInterval"/>
    /// (an accepted index: many a second, so at most one save per interval, and a restart bands against a reference at
    /// most that much older than the last accepted index).
    /// </summary>
    private void Changed(bool urgent)
    {
        _band.Unsaved = true;
        if (_store is null)
        {
            return;
        }

        if (urgent)
        {
            Save();
        }
        else if (!Timers.IsTimerActive(SaveDue.Instance))
        {
            Timers.StartSingleTimer(SaveDue.Instance, SaveDue.Instance, _options.IndexSaveInterval);
        }
    }

    /// <summary>Gives the band's state to the store, one save at a time; the outcome comes back as <see cref="SaveEnded"/>.</summary>
    private void Save()
    {
        if (_store is null || !_band.Unsaved)
        {
            return;
        }

        if (_saving)
        {
            _saveAgain = true;
            return;
        }

        _saving = true;
        _band.Unsaved = false;
        Timers.Cancel(SaveDue.Instance);
        var reference = _band.ToReference(_asset);
        _band.SequenceNr = Math.Max(IndexReferenceStore.SequenceNrOf(reference.Timestamp), _band.SequenceNr);
        var sequenceNr = _band.SequenceNr;
        var store = _store;
        // After the asset's last save, a replaced predecessor's included: two saves at one sequence number replace one
        // row, and the older state must not be the one that lands last.
        var save = (_band.LastSave ?? Task.CompletedTask).ContinueWith(_ => store.SaveAsync(reference, sequenceNr), CancellationToken.None,
            TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        _band.LastSave = save;
        var self = Self;
        save.ContinueWith(
            static (t, s) => ((IActorRef)s!).Tell(new SaveEnded(t.Exception?.GetBaseException()), ActorRefs.NoSender),
            self, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnSaveEnded(SaveEnded ended)
    {
        _saving = false;
        if (ended.Failure is { } failure)
        {
            // The state stays in memory; it is tried again after the interval. A restart meanwhile bands against an older one.
            Context.Log.LogWarning(failure, "{Asset}: the index reference could not be saved; trying again in {Interval}", _asset, _options.IndexSaveInterval);
            _band.Unsaved = true;
        }

        if (_saveAgain)
        {
            _saveAgain = false;
            Save();
        }
        else if (_band.Unsaved)
        {
            Changed(urgent: false);
        }
    }

    /// <summary>Time to save the band's state.</summary>
    private sealed class SaveDue
    {
        public static readonly SaveDue Instance = new();
    }

    /// <summary>A save of the band's state completed: <see cref="Failure"/> null, or failed.</summary>
    private sealed record SaveEnded(Exception? Failure);
}
