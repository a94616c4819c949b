namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Change how the account is margined; refused when the account would breach initial margin afterwards. Without
/// <paramref name="Symbol"/>: switch the cross pool to <paramref name="Mode"/>. With a symbol (then <paramref name="Mode"/>
/// is ignored): isolate that position with exactly <paramref name="IsolatedMargin"/> of its settlement asset (moved from
/// or back to the wallet), or return it to the pool when <paramref name="IsolatedMargin"/> is null.
/// </summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Mode">The pool's new mode (pool changes only).</param>
/// <param name="Symbol">A position to isolate or return to cross, or null.</param>
/// <param name="IsolatedMargin">The position's isolated margin, zero or positive, or null for cross.</param>
public sealed record ChangeMarginMode(
    string MessageId, string Source, long Sequence, MarginMode Mode, string? Symbol = null, decimal? IsolatedMargin = null) : IAccountCommand;
