namespace CrossMargin.Engine.Prices;

/// <summary>
/// The answer of a read of an asset's newest valid stored <see cref="IndexReference"/> that a price actor started after
/// refusing an index as a jump: sent to the feed, which hands it to the asset's price actor of the moment (a listing
/// extension may have replaced the one that asked). Judged when it is taken, against the band as it is then.
/// </summary>
/// <param name="Asset">The asset whose reference was read.</param>
/// <param name="Reference">The newest valid reference stored, or null (none, or the read failed).</param>
/// <param name="SequenceNr">The sequence number <paramref name="Reference"/> is stored as of; 0 without one.</param>
/// <param name="PassedOver">The rows above it that were not valid or did not read, newest first, each said in words.</param>
/// <param name="Failure">Why the store could not be read; null when it was.</param>
internal sealed record IndexReferenceRead(string Asset, IndexReference? Reference, long SequenceNr, IReadOnlyList<string> PassedOver, Exception? Failure);
