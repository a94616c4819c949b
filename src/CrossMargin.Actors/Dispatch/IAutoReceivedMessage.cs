namespace CrossMargin.Actors.Dispatch;

/// <summary>Marks messages the cell handles itself instead of passing them to the actor's behaviour.</summary>
internal interface IAutoReceivedMessage
{
}
