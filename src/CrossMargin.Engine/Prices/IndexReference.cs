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
/// The ids of the last overrides armed (spent or not), oldest first (<see cref="AcceptNextIndex.Id"/>); null when none had
/// one, and in a row an older node saved (it reads as none). Compared by reference in the record's equality.
/// </param>
public sealed record IndexReference(string Asset, decimal Index, DateTimeOffset Timestamp, bool AcceptNext, decimal? AcceptNear,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? OverrideIds = null);
