namespace CrossMargin.Engine.Prices;

/// <summary>
/// Several updates in one message, as a feed sends a tick. Per underlying the indices are applied before the marks, so
/// marks are checked against the index of the same tick. Each update is validated on its own: one rejected update
/// does not hold back the others.
/// </summary>
/// <param name="Indices">Index prices.</param>
/// <param name="Marks">Instrument marks.</param>
public sealed record UpdatePrices(IReadOnlyList<UpdateIndex> Indices, IReadOnlyList<UpdateMark> Marks);
