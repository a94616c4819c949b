namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Asks an account to decide <paramref name="Command"/> only if it does not skip ahead of its source: a command whose
/// sequence is beyond its source's highest + 1 is answered <see cref="CommandAhead"/> and changes nothing, so the caller
/// can hold it while the missing ones arrive; anything else is decided exactly as the bare command would be.
/// </summary>
/// <remarks>
/// A cluster's shard queue can hand an account a later message before earlier ones that another node is still
/// returning to the queue; applied at once, the later one would make the earlier ones out of order, and lose them. The
/// bare command keeps the documented rule (a gap is applied and reported), which is what the caller falls back to when
/// its wait expires.
/// </remarks>
/// <param name="Command">The command to decide.</param>
public sealed record ApplyInSequence(IAccountCommand Command);
