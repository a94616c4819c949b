using CrossMargin.Actors;
using CrossMargin.Risk.Margin.Scenarios;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// The entry point of the price pipeline: receives <see cref="UpdateIndex"/>, <see cref="UpdateMark"/> and
/// <see cref="UpdatePrices"/> and forwards each to the price actor that owns it (keeping the sender, so rejections go
/// straight back to it); answers <see cref="GetPriceStats"/>. Its children are one price actor per underlying and per
/// asset without derivatives, and the single market publisher.
/// </summary>
/// <remarks>
/// Start it once per node: <c>system.ActorOf(PriceFeed.Props(definition, latest, models, options), "prices")</c>.
/// Accepted updates are answered <see cref="PriceAccepted"/> and refused ones <see cref="PriceRejected"/>; subscribe to
/// <see cref="MarketChanged"/> on the event stream to see their effect. An update for a symbol or asset the market does
/// not list is refused here.
/// </remarks>
public sealed class PriceFeed : ReceiveActor
{
    private const string ListingTimer = "listing";
    private static readonly TimeSpan ListingCheck = TimeSpan.FromDays(1);

    private readonly HashSet<IActorRef> _retiring = [];
    private MarketDefinition _definition;
    private IActorRef _publisher = ActorRefs.Nobody;
    private int _generation;
    private readonly LatestMarket _latest;
    private readonly IReadOnlyList<ScenarioMarginModel> _models;
    private readonly PriceOptions _options;
    private readonly TimeProvider _clock;
    private readonly PriceCounters _counters;
    private readonly Dictionary<string, IActorRef> _byAsset = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _bySymbol = new(StringComparer.Ordinal);

    // Each asset's band state, handed to each of its price actors in turn (see IndexBand).
    private readonly Dictionary<string, IndexBand> _bands = new(StringComparer.Ordinal);
    private readonly IndexReferenceStore? _store;

    private PriceFeed(MarketDefinition definition, LatestMarket latest, IReadOnlyList<ScenarioMarginModel> models, PriceOptions options, PriceCounters counters,
        IndexReferenceStore? store)
    {
        _counters = counters;
        _store = store;
        _definition = definition;
        _latest = latest;
        _models = models;
        _options = options;
        // The system's clock: the one its timers run on, and ManualTime in tests.
        _clock = Context.System.TimeProvider;
        // The underlyings of what is listed must be priced: until their first index they are silent from now. Quote and
        // settlement assets alone (stablecoins) are not awaited: a feed may never send them, and their price is par.
        var now = _clock.GetUtcNow();
        latest.AwaitIndexes(definition.Instruments.Where(i => !i.IsExpiredAt(now)).Select(i => i.Underlying).Distinct(StringComparer.Ordinal), now);

        Receive<UpdateIndex>(OnIndex);
        Receive<UpdateMark>(OnMark);
        Receive<UpdatePrices>(OnBatch);
        Receive<AcceptNextIndex>(OnAcceptNextIndex);
        Receive<IndexReferenceRead>(OnIndexReferenceRead);
        Receive<GetPriceStats>(_ => Sender.Tell(_counters.Read(_latest.IndexTimes), Self));
        Receive<ExtendListing>(_ => OnExtendListing());
    }

    /// <summary>
    /// The props of the feed. Throws <see cref="ArgumentException"/> listing every problem when the options are invalid or
    /// the definition does not match the initial market in <paramref name="latest"/>.
    /// </summary>
    /// <param name="definition">What is listed; static.</param>
    /// <param name="latest">The node's latest market, holding the initial prices; the feed's publisher is its only writer.</param>
    /// <param name="models">Scenario models whose vectors are built for every snapshot before it is published.</param>
    /// <param name="options">Validation and pacing settings.</param>
    public static Props Props(MarketDefinition definition, LatestMarket latest, IReadOnlyList<ScenarioMarginModel> models, PriceOptions options) =>
        Props(definition, latest, models, options, new PriceCounters());

    /// <summary>
    /// The same, counting into <paramref name="counters"/>, which the engine reads without a message for its metrics, and
    /// keeping each asset's index band state in <paramref name="store"/> (null: nowhere) across restarts.
    /// </summary>
    internal static Props Props(MarketDefinition definition, LatestMarket latest, IReadOnlyList<ScenarioMarginModel> models, PriceOptions options, PriceCounters counters,
        IndexReferenceStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(latest);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().Concat(definition.Check(latest.Current)).ToArray();
        if (errors.Length > 0)
        {
            throw new ArgumentException("The price feed cannot start: " + string.Join(" ", errors));
        }

        return Actors.Props.Create(() => new PriceFeed(definition, latest, models, options, counters, store));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _publisher = Context.ActorOf(
            Actors.Props.Create(() => new MarketPublisher(_definition, _latest, _models, _options, _counters, _clock)), "publisher");
        if (_store is null)
        {
            StartPriceActors();
        }
        else
        {
            // Every update waits (the mailbox is held) until the stored references are read: the first index is banded
            // against the right one.
            RunTask(LoadBandsAsync);
        }
    }

    private void StartPriceActors()
    {
        foreach (var asset in _definition.Assets)
        {
            StartPriceActor(asset);
        }

        ArmListing();
    }

    /// <summary>
    /// Reads each asset's stored <see cref="IndexReference"/> (the newest valid one any node saved) and starts the price
    /// actors with it: its index is the band's reference when it is newer than the market file, and an override it holds
    /// is armed. One that cannot be read leaves the asset at the market file's index, as a node without a stored one.
    /// </summary>
    private async Task LoadBandsAsync()
    {
        foreach (var asset in _definition.Assets)
        {
            IReadOnlyList<string> passedOver = [];
            (IndexReference Reference, long SequenceNr)? stored = null;
            try
            {
                // A row that is not valid is passed over for the valid one beneath it: with it the file would be the
                // reference though a node saved a newer one.
                (stored, passedOver) = await _store!.LoadNewestValidAsync(asset, _clock.GetUtcNow() + _options.MaxFutureSkew).ConfigureAwait(true);
            }
            catch (Exception e)
            {
                Context.Log.LogError(e, "{Asset}: the stored index reference could not be read; the band starts from the market file's index {Index}", asset, _latest.Current.PriceOf(asset));
            }

            foreach (var row in passedOver)
            {
                Context.Log.LogError("{Asset}: the stored index reference {Row}; {Instead}", asset, row, stored is var (used, _)
                    ? $"passed over for the older {used.Index} as of {used.Timestamp:O}"
                    : $"the band starts from the market file's index {_latest.Current.PriceOf(asset)}");
            }

            _bands[asset] = BandFrom(asset, stored);
        }

        StartPriceActors();
    }

    private IndexBand BandFrom(string asset, (IndexReference Reference, long SequenceNr)? row)
    {
        var fileIndex = _latest.Current.PriceOf(asset);
        var fileTime = _store!.MarketFileTime;
        // Saved as of the file's time until an index is accepted, but never later than any index the feed can still be
        // accepted at: a file valued ahead of the clock would otherwise outrank every other node's saves.
        var oldest = _clock.GetUtcNow() - _options.MaxMarkAge;
        var file = new IndexBand(fileIndex, fileTime < oldest ? fileTime : oldest);
        if (row is not var (stored, sequenceNr))
        {
            return file;
        }

        var band = stored.Timestamp > fileTime ? new IndexBand(stored.Index, stored.Timestamp) : file;
        // Saved from now on at this sequence number or above, so that what this node saves next is what a restart loads.
        band.SequenceNr = sequenceNr;
        band.AcceptNext = stored.AcceptNext;
        band.AcceptNear = stored.AcceptNear ?? 0m;
        // A row an older node saved has none: its overrides' copies would arm again, as they did before ids.
        foreach (var id in stored.OverrideIds ?? [])
        {
            if (!string.IsNullOrEmpty(id))
            {
                band.RememberOverride(id);
            }
        }

        band.ArmedId = IndexBand.ArmedIdOf(stored);

        Context.Log.LogInformation("{Asset}: the index band starts from {Index} as of {Timestamp:O} ({Source}){Armed}", asset, band.Index, band.Timestamp,
            ReferenceEquals(band, file) ? $"the market file's; the stored {stored.Index} as of {stored.Timestamp:O} is older" : $"stored; the market file's is {fileIndex} as of {fileTime:O}",
            stored.AcceptNext ? ", with an operator's accept-next-index armed" + (stored.AcceptNear is { } near ? $" for the band of {near}" : "") : "");
        return band;
    }

    private void StartPriceActor(string asset)
    {
        var instruments = _definition.Instruments.Where(i => string.Equals(i.Underlying, asset, StringComparison.Ordinal)).ToArray();
        var market = _definition.Underlyings.FirstOrDefault(u => string.Equals(u.Name, asset, StringComparison.Ordinal));
        var publisher = _publisher;
        var listedFrom = _definition.Scheduled;
        var name = _generation == 0 ? "price-" + asset : $"price-{asset}-{_generation}";
        if (!_bands.TryGetValue(asset, out var band))
        {
            band = _bands[asset] = IndexBand.Of(_latest, asset);
        }

        var store = _store;
        var actor = Context.ActorOf(
            Actors.Props.Create(() => new PriceActor(asset, instruments, market, _latest, _options, publisher, _counters, _clock, band, store) { ListedFrom = listedFrom }), name);
        _byAsset[asset] = actor;
        foreach (var instrument in instruments)
        {
            _bySymbol[instrument.Symbol] = actor;
        }
    }

    // When half the listing horizon is left, the schedules' contracts are known a whole horizon ahead again.
    private void ArmListing()
    {
        if (_definition.Listing.Count == 0)
        {
            return;
        }

        // A day at most: a system timer cannot wait a year and a half (TimeProvider.System refuses more than ~49 days).
        var wait = _definition.ListedUntil - (MarketDefinition.ListingHorizon / 2) - _clock.GetUtcNow();
        Timers.StartSingleTimer(ListingTimer, ExtendListing.Instance, wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < ListingCheck ? wait : ListingCheck);
    }

    /// <summary>
    /// Knows the schedules' contracts a horizon ahead of now. The publisher is told first; then the price actor of each
    /// underlying with a new contract is replaced by one that prices it: the old one stops after the updates already
    /// queued for it, and until it has, every update waits here (stashed), so none is lost or overtaken by a later one.
    /// </summary>
    private void OnExtendListing()
    {
        var now = _clock.GetUtcNow();
        if (now < _definition.ListedUntil - (MarketDefinition.ListingHorizon / 2))
        {
            ArmListing();
            return;
        }

        MarketDefinition extended;
        try
        {
            extended = _definition.ExtendedTo(now + MarketDefinition.ListingHorizon);
        }
        catch (ArgumentException e)
        {
            // Refused at start over the longest span any schedule covers, so not expected; the listing known stays.
            Context.Log.LogError(e, "The listing schedules cannot be extended past {ListedUntil:O}; nothing further is listed", _definition.ListedUntil);
            return;
        }

        var added = extended.Scheduled.Keys.Where(s => !_definition.Scheduled.ContainsKey(s)).Select(s => extended.Scheduled[s].Instrument).ToArray();
        _definition = extended;
        _publisher.Tell(new ListingExtended(extended), Self);
        var assets = added.Select(i => i.Underlying).Distinct(StringComparer.Ordinal).Where(_byAsset.ContainsKey).ToArray();
        Context.Log.LogInformation("Listing known until {ListedUntil:O}: {Count} contracts added", extended.ListedUntil, added.Length);
        if (assets.Length == 0)
        {
            ArmListing();
            return;
        }

        _generation++;
        foreach (var asset in assets)
        {
            var old = _byAsset[asset];
            Context.Watch(old);
            old.Tell(PoisonPill.Instance, Self);
            _retiring.Add(old);
        }

        BecomeStacked(() =>
        {
            Receive<Terminated>(t =>
            {
                _retiring.Remove(t.ActorRef);
                if (_retiring.Count > 0)
                {
                    return;
                }

                foreach (var asset in assets)
                {
                    StartPriceActor(asset);
                }

                UnbecomeStacked();
                Stash.UnstashAll();
                ArmListing();
            });
            Receive<GetPriceStats>(_ => Sender.Tell(_counters.Read(_latest.IndexTimes), Self));
            ReceiveAny(_ => Stash.Stash());
        });
    }

    private void OnIndex(UpdateIndex update)
    {
        // A null code from a malformed message must not throw here: a crash would restart every price actor.
        if (update.Asset is not null && _byAsset.TryGetValue(update.Asset, out var owner))
        {
            owner.Forward(update);
        }
        else
        {
            Reject(update.Asset ?? "", PriceRejectionReason.UnknownAsset, $"{update.Asset}: the market has no index for this asset.");
        }
    }

    private void OnAcceptNextIndex(AcceptNextIndex command)
    {
        if (command.Asset is not null && _byAsset.TryGetValue(command.Asset, out var owner))
        {
            owner.Forward(command);
        }
        else
        {
            // Not counted as a refused price: it is an operator's command, answered to the operator.
            Sender.Tell(new PriceRejected(command.Asset ?? "", PriceRejectionReason.UnknownAsset, $"{command.Asset}: the market has no index for this asset."), Self);
        }
    }

    // A read a price actor started after a refused jump answers here, and goes to the asset's price actor of the moment: a
    // listing extension may have replaced the one that asked (its answer would be lost with it), and while the feed waits
    // for the old one to stop, the answer is stashed with the updates, so it reaches the new one in its place among them.
    private void OnIndexReferenceRead(IndexReferenceRead read)
    {
        if (_byAsset.TryGetValue(read.Asset, out var owner))
        {
            owner.Forward(read);
        }
    }

    private void OnMark(UpdateMark update)
    {
        if (update.Symbol is not null && _bySymbol.TryGetValue(update.Symbol, out var owner))
        {
            owner.Forward(update);
        }
        else
        {
            Reject(update.Symbol ?? "", PriceRejectionReason.UnknownInstrument, $"{update.Symbol}: the market does not list this instrument.");
        }
    }

    private void OnBatch(UpdatePrices batch)
    {
        // Split per owner, keeping order within each, so each price actor handles its share of the tick in one turn.
        var parts = new Dictionary<IActorRef, (List<UpdateIndex> Indices, List<UpdateMark> Marks)>();
        foreach (var index in batch.Indices ?? [])
        {
            if (index?.Asset is not null && _byAsset.TryGetValue(index.Asset, out var owner))
            {
                PartOf(parts, owner).Indices.Add(index);
            }
            else
            {
                Reject(index?.Asset ?? "", PriceRejectionReason.UnknownAsset, $"{index?.Asset}: the market has no index for this asset.");
            }
        }

        foreach (var mark in batch.Marks ?? [])
        {
            if (mark?.Symbol is not null && _bySymbol.TryGetValue(mark.Symbol, out var owner))
            {
                PartOf(parts, owner).Marks.Add(mark);
            }
            else
            {
                Reject(mark?.Symbol ?? "", PriceRejectionReason.UnknownInstrument, $"{mark?.Symbol}: the market does not list this instrument.");
            }
        }

        foreach (var (owner, part) in parts)
        {
            owner.Forward(new UpdatePrices(part.Indices, part.Marks));
        }
    }

    private static (List<UpdateIndex> Indices, List<UpdateMark> Marks) PartOf(Dictionary<IActorRef, (List<UpdateIndex> Indices, List<UpdateMark> Marks)> parts, IActorRef owner)
    {
        if (!parts.TryGetValue(owner, out var part))
        {
            part = ([], []);
            parts[owner] = part;
        }

        return part;
    }

    /// <summary>Time to know the listing schedules' contracts further ahead.</summary>
    private sealed class ExtendListing
    {
        public static readonly ExtendListing Instance = new();
    }

    private void Reject(string symbol, PriceRejectionReason reason, string message)
    {
        _counters.Rejected(reason);
        Sender.Tell(new PriceRejected(symbol, reason, message), Self);
    }
}
