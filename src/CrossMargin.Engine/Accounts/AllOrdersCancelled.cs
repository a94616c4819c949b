namespace CrossMargin.Engine.Accounts;

/// <summary>
/// A cancel-all was handled: it follows the <see cref="OrderCancelled"/> of each order it cancelled and is written even
/// when none was open, so the message's id and sequence are always recorded (no false gap for its source afterwards).
/// </summary>
/// <param name="MessageId">Id of the cancel-all.</param>
/// <param name="Source">Its sender.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Cancelled">How many orders it cancelled.</param>
public sealed record AllOrdersCancelled(string MessageId, string Source, long Sequence, int Cancelled) : IAccountEvent;
