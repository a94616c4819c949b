namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The account's margin mode changed. Without <paramref name="Symbol"/> the cross pool switched to
/// <paramref name="Mode"/>. With a symbol, that position's isolation changed and <paramref name="Mode"/> repeats the
/// pool's unchanged mode: <paramref name="IsolatedMargin"/> is the margin the position now holds in its settlement asset
/// (the wallet paid or received the difference), or null when it returned to the cross pool (all its margin back to
/// the wallet).
/// </summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Mode">The cross pool's mode after the change.</param>
/// <param name="Symbol">The position whose isolation changed, or null for a pool change.</param>
/// <param name="IsolatedMargin">The position's isolated margin after the change, or null for cross.</param>
public sealed record MarginModeChanged(
    string MessageId, string Source, long Sequence, MarginMode Mode, string? Symbol, decimal? IsolatedMargin) : IAccountEvent;
