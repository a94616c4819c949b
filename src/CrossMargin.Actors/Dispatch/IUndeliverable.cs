namespace CrossMargin.Actors.Dispatch;

/// <summary>A reference that never processes messages, so watching it reports <see cref="Terminated"/> at once.</summary>
internal interface IUndeliverable
{
}
