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
public sealed record IndexReference(string Asset, decimal Index, DateTimeOffset Timestamp, bool AcceptNext, decimal? AcceptNear);
