using System.Text.Json.Serialization;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// What a node keeps of an asset's index band across a restart (stored by <see cref="IndexReferenceStore"/>): the last
/// accepted index with its feed timestamp, and an operator's <see cref="AcceptNextIndex"/> not used yet. The partial
/// confirmation of a new level is not kept: it costs a restarted node at most <see cref="PriceOptions.IndexJumpConfirmations"/>
/// more ticks.
/// </summary>
/// <param name="Asset">The asset whose index it is.</param>
/// <param name="Index">The last accepted index (the band's reference), or the market file's when none was accepted yet.</param>
/// <param name="Timestamp">The feed timestamp of <paramref name="Index"/> (the market file's valuation time for the file's).</param>
/// <param name="AcceptNext">Whether an operator's accept-next-index is armed.</param>
/// <param name="AcceptNear">The level the armed override is for; null for any.</param>
/// <param name="OverrideIds">
/// The ids of the last overrides armed (spent or not), oldest first (<see cref="AcceptNextIndex.Id"/>); empty when none had
/// one; null in a row an older node saved (it reads as none, and the recorded <see cref="IndexOverrideRecord"/>s are not
/// trusted against it). Compared by its ids in order in the record's equality (null and empty differ).
/// </param>
public sealed record IndexReference(string Asset, decimal Index, DateTimeOffset Timestamp, bool AcceptNext, decimal? AcceptNear,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? OverrideIds = null)
{
    /// <summary>Whether <paramref name="other"/> holds the same state, its override ids the same in the same order.</summary>
    public bool Equals(IndexReference? other) =>
        other is not null && string.Equals(Asset, other.Asset, StringComparison.Ordinal) && Index == other.Index && Timestamp == other.Timestamp
        && AcceptNext == other.AcceptNext && AcceptNear == other.AcceptNear
        && (OverrideIds is null ? other.OverrideIds is null : other.OverrideIds is not null && OverrideIds.SequenceEqual(other.OverrideIds, StringComparer.Ordinal));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Asset, Index, Timestamp, AcceptNext, AcceptNear, OverrideIds?.Count);
}
