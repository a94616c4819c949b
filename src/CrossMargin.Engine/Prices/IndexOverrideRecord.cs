namespace CrossMargin.Engine.Prices;

/// <summary>
/// An operator's <see cref="AcceptNextIndex"/> as the node that took it wrote it to the store before publishing it (kept by
/// <see cref="IndexReferenceStore"/> under <c>price-override-{asset}</c>, the last <see cref="IndexBand.MaxOverrideIds"/>).
/// A node that starts reads these with the newest <see cref="IndexReference"/> and arms one whose id that reference does not
/// list: the override was published before the node's queues were bound and no node that armed it had saved it yet, or
/// the newest reference was saved by a node it had not reached yet.
/// </summary>
/// <param name="Asset">The asset whose next index is accepted.</param>
/// <param name="Id">The override's id (<see cref="AcceptNextIndex.Id"/>).</param>
/// <param name="Near">The level it is for; null for any.</param>
/// <param name="Withdrawn">Whether its publish failed after it was written (then no node arms it from here).</param>
public sealed record IndexOverrideRecord(string Asset, string Id, decimal? Near, bool Withdrawn = false);
