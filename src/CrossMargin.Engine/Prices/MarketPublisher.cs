using System.Collections.Frozen;
using CrossMargin.Actors;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Market;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// Merges every price actor's accepted updates into one whole <see cref="MarketSnapshot"/>, warms the scenario vectors
/// of each snapshot once, publishes it to <see cref="LatestMarket"/> and announces it with <see cref="MarketChanged"/>
/// on the event stream. The only writer of <see cref="LatestMarket"/>.
/// </summary>
/// <remarks>
/// Conflation: an update only records the newest value per symbol and, when no flush is pending, sends itself a
/// <see cref="Flush"/>. The flush joins the back of the mailbox, so every update already queued is taken into the
/// same snapshot: the faster updates arrive relative to building a snapshot, the more each snapshot covers, and the
/// newest value of each symbol always wins. <see cref="PriceOptions.MinSnapshotInterval"/> can space flushes further.
/// <para>Time alone changes the market too: every <see cref="PriceOptions.RevalueInterval"/> the underlyings of the
/// listed options count as moved and a snapshot is built (valued at the current time, so with the options' decay), and
/// at each contract's expiry its underlying and assets count as moved, so that it leaves the listing at that instant,
/// tick or not; a scheduled contract joins it at its listing time in the same way
/// (<see cref="MarketDefinition.Scheduled"/>, extended by the feed as time passes: <see cref="ListingExtended"/>). Either way only the holders of those underlyings and assets are re-margined, as on a tick of them.</para>
/// </remarks>
internal sealed class MarketPublisher : ReceiveActor
{
    private const string FlushTimer = "flush";
    private const string RevalueTimer = "revalue";

    private MarketDefinition _definition;
    private readonly LatestMarket _latest;
    private readonly IReadOnlyList<ScenarioMarginModel> _models;
    private readonly PriceOptions _options;
    private readonly PriceCounters _counters;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, decimal> _assetPrices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InstrumentMark> _marks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingAssets = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingMarks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _moved = new(StringComparer.Ordinal);
    private bool _flushScheduled;
    private DateTimeOffset _lastBuilt = DateTimeOffset.MinValue;

    // What is listed and what has expired change only at expiries and listing times, so they are worked out then
    // (Refresh) rather than from the whole definition for every snapshot: the expired set is shared by every snapshot
    // until the next expiry, and the listing schedules pile up hundreds of expired contracts over the years.
    private ExpiredSet _expired;
    private Instrument[] _listed = [];
    private DateTimeOffset _nextChange = DateTimeOffset.MinValue;

    public MarketPublisher(MarketDefinition definition, LatestMarket latest, IReadOnlyList<ScenarioMarginModel> models, PriceOptions options, PriceCounters counters, TimeProvider clock)
    {
        _definition = definition;
        _latest = latest;
        _models = models;
        _options = options;
        _counters = counters;
        _clock = clock;
        _expired = new ExpiredSet(definition.Expired);

        // Seeded from the newest published market, so a restarted publisher carries on from what accounts already see.
        var current = latest.Current;
        foreach (var asset in definition.Assets)
        {
            _assetPrices[asset] = current.PriceOf(asset);
        }

        foreach (var instrument in definition.Instruments)
        {
            if (current.FindInstrument(instrument.Symbol) is not null)
            {
                // An option marked without a vol keeps the vol that market implied from it. Kept as a bare price it would
                // be implied again against every later forward: no longer sticky, and after a large move not possible
                // at all, which would stop every snapshot until that option ticked again.
                var mark = current.MarkOf(instrument.Symbol);
                _marks[instrument.Symbol] = instrument is OptionContract && mark.ImpliedVolatility is null
                    ? mark with { ImpliedVolatility = current.OptionInputsOf(instrument.Symbol).Volatility }
                    : mark;
            }
        }

        Receive<PricesAccepted>(OnAccepted);
        Receive<Flush>(_ => OnFlush());
        Receive<Revalue>(_ => OnRevalue());
        Receive<ListingExtended>(OnListingExtended);
    }

    /// <inheritdoc />
    protected override void PreStart() => ArmRevalue();

    // Single timers, armed again each time: a clock that jumps (a paused process, a test's manual clock) brings one
    // re-valuation, not one per interval skipped.
    private void ArmRevalue()
    {
        var now = _clock.GetUtcNow();
        Refresh(now);
        // An expiry or a listing is a change of the market: the contract leaves or joins it at its time, tick or not.
        var wait = _nextChange - now < _options.RevalueInterval ? _nextChange - now : _options.RevalueInterval;
        Timers.StartSingleTimer(RevalueTimer, Revalue.Instance, wait);
    }

    /// <summary>
    /// Works out what is listed at <paramref name="now"/> and adds what has expired since to the expired set, when an
    /// expiry or a listing time has passed since the last time (or the definition changed); otherwise nothing.
    /// </summary>
    private void Refresh(DateTimeOffset now)
    {
        if (now < _nextChange)
        {
            return;
        }

        var listed = new List<Instrument>();
        var expired = new List<Instrument>();
        var next = DateTimeOffset.MaxValue;
        foreach (var instrument in _definition.Instruments)
        {
            if (instrument.IsExpiredAt(now))
            {
                if (_expired.Find(instrument.Symbol) is null)
                {
                    expired.Add(instrument);
                }

                continue;
            }

            if (instrument.Expiry is { } expiry && expiry < next)
            {
                next = expiry;
            }

            if (_definition.Scheduled.TryGetValue(instrument.Symbol, out var contract) && contract.ListedAt > now)
            {
                next = contract.ListedAt < next ? contract.ListedAt : next;
                continue;
            }

            listed.Add(instrument);
        }

        _expired = _expired.With(expired);
        _listed = [.. listed];
        _nextChange = next;
    }

    private void OnRevalue()
    {
        var now = _clock.GetUtcNow();
        var current = _latest.Current;
        var moved = false;
        Refresh(now);
        foreach (var instrument in current.Instruments)
        {
            // Listed still: it expired since the last snapshot, which its holders must now be margined without.
            if (instrument.IsExpiredAt(now))
            {
                _moved.UnionWith([instrument.Underlying, instrument.QuoteAsset, instrument.SettlementAsset]);
                moved = true;
            }
        }

        foreach (var instrument in _listed)
        {
            if (instrument is OptionContract)
            {
                _moved.Add(instrument.Underlying);
                moved = true;
            }
        }

        foreach (var instrument in _listed.Where(i => _definition.Scheduled.ContainsKey(i.Symbol) && !_marks.ContainsKey(i.Symbol)).OrderBy(i => i.Symbol, StringComparer.Ordinal))
        {
            // Listed now, at its opening mark at the current index until the feed marks it (the feed may not price
            // what is not listed, so it could not mark it first).
            var contract = _definition.Scheduled[instrument.Symbol];
            var market = _definition.Underlyings.First(u => u.Name == instrument.Underlying);
            _marks[instrument.Symbol] = contract.OpeningMark(market, _assetPrices[instrument.Underlying], now);
            _moved.UnionWith([instrument.Underlying, instrument.QuoteAsset, instrument.SettlementAsset]);
            moved = true;
            Context.Log.LogInformation("{Symbol} listed (scheduled from {ListedAt:O}) at opening mark {Mark}", instrument.Symbol, contract.ListedAt,
                _marks[instrument.Symbol].MarkPrice);
        }

        if (moved)
        {
            ScheduleFlush();
        }

        ArmRevalue();
    }

    /// <summary>The feed knows further contracts of its listing schedules: they are listed at their time as the others.</summary>
    private void OnListingExtended(ListingExtended extended)
    {
        _definition = extended.Definition;
        _nextChange = DateTimeOffset.MinValue;
        // At once: a contract of theirs may be due already (the clock moved on while the feed worked them out).
        OnRevalue();
    }

    private void OnAccepted(PricesAccepted accepted)
    {
        foreach (var index in accepted.Indices)
        {
            _assetPrices[accepted.Asset] = index;
            if (!_pendingAssets.Add(accepted.Asset))
            {
                _counters.Conflated();
            }
        }

        foreach (var mark in accepted.Marks)
        {
            _marks[mark.Symbol] = mark;
            if (!_pendingMarks.Add(mark.Symbol))
            {
                _counters.Conflated();
            }
        }

        _moved.Add(accepted.Asset);
        ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (_flushScheduled)
        {
            return;
        }

        _flushScheduled = true;
        var wait = _lastBuilt + _options.MinSnapshotInterval - _clock.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            Self.Tell(Flush.Instance, Self);
        }
        else
        {
            Timers.StartSingleTimer(FlushTimer, Flush.Instance, wait);
        }
    }

    private void OnFlush()
    {
        _flushScheduled = false;
        _pendingAssets.Clear();
        _pendingMarks.Clear();
        var now = _clock.GetUtcNow();
        MarketSnapshot snapshot;
        try
        {
            // Expired instruments leave the listing: a snapshot cannot value them, and their settlement is the venue's
            // (SettleExpiry), not a mark's. They stay known as expired, so that what accounts hold in them until they are
            // settled still resolves (recovery, margin at the index, the settlement itself): in one set, shared.
            Refresh(now);
            var listed = _listed.Where(i => _marks.ContainsKey(i.Symbol)).ToArray();
            snapshot = new MarketSnapshot(now, listed, _assetPrices, _definition.Underlyings, listed.Select(i => _marks[i.Symbol]), _expired);
            foreach (var model in _models)
            {
                model.VectorsFor(snapshot);
            }
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException)
        {
            // The edge checks should make this impossible; if it happens the last good market stays current and the
            // moved set is kept, so the next accepted update retries with everything that moved since.
            _counters.SnapshotFailed();
            Context.Log.LogError(e, "Market snapshot not built; the previous market stays current (moved: {Moved})", string.Join(",", _moved.Order(StringComparer.Ordinal)));
            return;
        }

        _lastBuilt = now;
        var version = _latest.Publish(snapshot);
        var moved = _moved.ToFrozenSet(StringComparer.Ordinal);
        _moved.Clear();
        _counters.SnapshotPublished();
        Context.System.EventStream.Publish(new MarketChanged(snapshot, version, moved));
    }

    /// <summary>Values the market again at the current time: options decay, contracts expire.</summary>
    private sealed class Revalue
    {
        public static readonly Revalue Instance = new();
    }

    /// <summary>Builds and publishes a snapshot of everything accepted so far.</summary>
    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }
}
