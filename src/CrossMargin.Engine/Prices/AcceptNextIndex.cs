namespace CrossMargin.Engine.Prices;

/// <summary>
/// An operator's command: the next index of <paramref name="Asset"/> that passes every other check is accepted however
/// far it moves from the last accepted one (<see cref="PriceOptions.MaxIndexMoveFraction"/>), once; the one after is
/// banded against it again. Sent to <see cref="PriceFeed"/>; answered <see cref="NextIndexWillBeAccepted"/>, or
/// <see cref="PriceRejected"/> with <see cref="PriceRejectionReason.UnknownAsset"/>. Given twice before an index comes,
/// it is still one index. Held in memory by the asset's price actor: a node that restarts has to be told again.
/// </summary>
/// <param name="Asset">The asset code, e.g. BTC.</param>
public sealed record AcceptNextIndex(string Asset);
