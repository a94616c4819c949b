using CrossMargin.Actors;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// Catching up from the peers: a node that refuses an index as a jump reads the newest reference any node saved, and
/// takes it as its band's reference when another node saved it newer (by feed timestamp) than this node's last accepted
/// index.
/// </summary>
/// <remarks>
/// Why: a node that missed what let the others through a jump (an operator's override published while it started, or
/// dropped with the oldest marks of a full marks queue) refuses the jump they took, and beyond what the feed can confirm
/// (a factor of 2) it stayed at the old index for good, its accounts margined at another price than the other nodes'.
/// Nothing is reordered: the read's answer is one more message among the updates, the refused update stays refused (no
/// update is accepted after the fact), and the next one is judged against the adopted reference, as after a restart that
/// loaded it; an index stamped before the adopted row is out of order; the published market moves with the next accepted
/// index, as after a restart.
/// <para>
/// When all nodes agree, no row is newer than a node's own last accepted index (every node saves what they all accepted),
/// so nothing is adopted: only a node behind the others moves. Its own rows are never taken for a peer's: a row at or
/// below the sequence number this node loaded or last saved is one it has seen (after a restart a node may accept an index
/// stamped before the row it loaded; that row is newer by timestamp, and its own save of the newer state may not have
/// landed yet). So an embedded node (one writer) reads, at most once a second while it refuses jumps, and never adopts.
/// </para>
/// <para>
/// The override, as a start-up load would take it, with this node's own knowledge kept: for the overrides the peer's row
/// knows of (its ids), the row's word stands (one it lists as spent was spent on the jump whose level is now this node's;
/// one it holds armed is armed here); an override armed here that the row does not list (given after the row was saved,
/// or missed by that peer) stays armed, and the state is then saved at once, so a restart does not forget it. The row's
/// ids are remembered, so a late copy of an override the peers spent arms nothing here.
/// </para>
/// </remarks>
internal sealed partial class PriceActor
{
    // Reads after refused jumps: not more than one a second per asset, so a flood of refused ticks is not a flood of reads.
    private static readonly TimeSpan PeerReadInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Starts a read of the asset's newest valid stored reference, unless the node keeps none, one is in flight, or the last
    /// started less than <see cref="PeerReadInterval"/> ago. Never blocks the turn: the answer comes back through the feed
    /// as <see cref="IndexReferenceRead"/>.
    /// </summary>
    private void ReadPeersReference()
    {
        var now = _clock.GetUtcNow();
        if (_store is null || _band.PeerRead is { IsCompleted: false } || now - _band.PeerReadAt < PeerReadInterval)
        {
            return;
        }

        _band.PeerReadAt = now;
        _band.PeerRead = ReadAsync(_store, _asset, now + _options.MaxFutureSkew, Context.Parent);
    }

    private static async Task ReadAsync(IndexReferenceStore store, string asset, DateTimeOffset notAfter, IActorRef feed)
    {
        IndexReferenceRead read;
        try
        {
            var (newest, passedOver) = await store.LoadNewestValidAsync(asset, notAfter).ConfigureAwait(false);
            read = new IndexReferenceRead(asset, newest?.Reference, newest?.SequenceNr ?? 0, passedOver, null);
        }
        catch (Exception e)
        {
            // Any failure of the store's: it is reported to the actor, which logs it; nothing else is done.
            read = new IndexReferenceRead(asset, null, 0, [], e);
        }

        feed.Tell(read, ActorRefs.NoSender);
    }

    /// <summary>Adopts the reference read when a peer saved it newer than this node's; logs why not otherwise (see the remarks).</summary>
    private void OnIndexReferenceRead(IndexReferenceRead read)
    {
        if (read.Failure is { } failure)
        {
            Context.Log.LogWarning(failure, "{Asset}: the stored index reference could not be read after a refused jump; the band stays at {Index} as of {Timestamp:O} (read again at a refusal a second or more after this read)",
                _asset, _band.Index, _band.Timestamp);
            return;
        }

        var passedOver = read.PassedOver.Count == 0 ? "" : $" ({read.PassedOver.Count} passed over: {string.Join("; ", read.PassedOver)})";
        if (read.Reference is not { } stored)
        {
            Context.Log.LogDebug("{Asset}: no valid stored index reference{PassedOver}; the band stays at {Index} as of {Timestamp:O}", _asset, passedOver, _band.Index, _band.Timestamp);
        }
        else if (read.SequenceNr <= _band.SequenceNr)
        {
            Context.Log.LogDebug("{Asset}: the stored index reference {Index} as of {Timestamp:O} is no newer than the one this node loaded or saved last{PassedOver}; the band stays at {Own} as of {OwnAt:O}",
                _asset, stored.Index, stored.Timestamp, passedOver, _band.Index, _band.Timestamp);
        }
        else if (stored.Timestamp <= _band.Timestamp)
        {
            Context.Log.LogDebug("{Asset}: the stored index reference {Index} as of {Timestamp:O} is not newer than this node's last accepted {Own} as of {OwnAt:O}{PassedOver}; the band stays",
                _asset, stored.Index, stored.Timestamp, _band.Index, _band.Timestamp, passedOver);
        }
        else
        {
            Adopt(stored, read.SequenceNr);
        }
    }

    /// <summary>Takes <paramref name="stored"/> as the band's reference, as a start-up load would, keeping what this node knows of overrides.</summary>
    private void Adopt(IndexReference stored, long sequenceNr)
    {
        var (ownIndex, ownAt) = (_band.Index, _band.Timestamp);
        var rowIds = stored.OverrideIds ?? [];
        var armedHereOnly = _band.AcceptNext && (_band.ArmedId is not { } armed || !rowIds.Contains(armed, StringComparer.Ordinal));
        if (!armedHereOnly)
        {
            _band.AcceptNext = stored.AcceptNext;
            _band.AcceptNear = stored.AcceptNear ?? 0m;
            _band.ArmedId = IndexBand.ArmedIdOf(stored);
        }

        foreach (var id in rowIds)
        {
            if (!string.IsNullOrEmpty(id) && !_band.OverrideIds.Contains(id, StringComparer.Ordinal))
            {
                _band.RememberOverride(id);
            }
        }

        _index = stored.Index;
        _band.Index = stored.Index;
        _band.Timestamp = stored.Timestamp;
        // The peers had every index stamped before their row when they saved it: one that reaches this node later is out
        // of order here as it was there, and must not take the band's time back behind the row.
        _lastTimestamps[_asset] = stored.Timestamp;
        // A chain counted toward the old reference, and a window of indices around it, mean nothing at the new one.
        _band.Jump = null;
        _band.Window = null;
        // Saved from now on at this sequence number or above, as after a start-up load.
        _band.SequenceNr = sequenceNr;
        _counters.IndexReferenceAdoptedFromPeer();
        Context.Log.LogInformation("{Asset}: the index band now starts from {Index} as of {Timestamp:O}, saved by a peer: newer than this node's last accepted {Own} as of {OwnAt:O}, from which it refused an index as a jump{Override}",
            _asset, stored.Index, stored.Timestamp, ownIndex, ownAt,
            _band.AcceptNext ? "; an operator's accept-next-index is armed" + (_band.AcceptNear > 0m ? " for the band of " + Num(_band.AcceptNear) : "") + (armedHereOnly ? " (here, not in the peer's row)" : "") : "");

        // The state is the row's unless this node knows more: an override armed here only is saved at once (a restart
        // would load the row without it), ids the row lacks within the interval; else there is nothing to save.
        var overrideDiffers = _band.AcceptNext != stored.AcceptNext || _band.AcceptNear != (stored.AcceptNear ?? 0m);
        if (overrideDiffers || !_band.OverrideIds.SequenceEqual(rowIds, StringComparer.Ordinal))
        {
            Changed(urgent: overrideDiffers);
        }
        else
        {
            _band.Unsaved = false;
        }
    }
}
