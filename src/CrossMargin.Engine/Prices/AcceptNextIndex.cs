namespace CrossMargin.Engine.Prices;

/// <summary>
/// An operator's command: the next index of <paramref name="Asset"/> that passes every other check and moves beyond
/// <see cref="PriceOptions.MaxIndexMoveFraction"/> of the last accepted one is accepted however far it moves, once (an
/// index inside the band is accepted as usual and leaves the override armed); the one after is banded against it again. Sent to <see cref="PriceFeed"/>; answered <see cref="NextIndexWillBeAccepted"/>, or
/// <see cref="PriceRejected"/> with <see cref="PriceRejectionReason.UnknownAsset"/>. Given twice before an index comes,
/// it is still one index. Kept by the feed across a listing extension and, with the engine's persistence, saved at once
/// (<see cref="IndexReference"/>): a node that restarts before the jump comes is still armed.
/// </summary>
/// <param name="Asset">The asset code, e.g. BTC.</param>
/// <param name="Near">
/// When given (positive; else refused <see cref="PriceRejectionReason.NonPositivePrice"/>), only an index within
/// <see cref="PriceOptions.MaxIndexMoveFraction"/> of it uses the override; any other is judged as if none were armed,
/// and the override waits: an operator who saw the crash to 42,000 does not let a corrupt tick through with it. Given
/// again, the last one counts.
/// </param>
/// <param name="Id">
/// The command's id, made where the operator's command was taken (in a cluster, the id of the message every node gets);
/// null from an embedded node or an older publisher. A price actor that has armed or spent an override with this id
/// already (itself, or the node whose stored state it started from) answers <see cref="IndexOverrideAlreadyApplied"/>
/// and arms nothing: a node starting into the cluster may get, from its marks queue, the copy of an override that the
/// stored state it loaded already holds, armed or spent.
/// </param>
public sealed record AcceptNextIndex(string Asset, decimal? Near = null, string? Id = null);
