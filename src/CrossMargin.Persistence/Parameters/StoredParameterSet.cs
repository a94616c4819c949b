namespace CrossMargin.Persistence.Parameters;

/// <summary>One applied risk parameter set as the history keeps it: never changed once written.</summary>
/// <param name="Slot">The engine's slot (standard, portfolio, simm, var, es, composite).</param>
/// <param name="Version">Its number in the slot's history, from 1.</param>
/// <param name="ContentHash">The first 12 hex digits of the SHA-256 of <paramref name="Content"/>.</param>
/// <param name="Content">The parameter file's full text, as posted.</param>
/// <param name="Model">The model the slot takes from it.</param>
/// <param name="Description">The file's own description.</param>
/// <param name="AppliedBy">The audit identity of the caller (the admin token's name).</param>
/// <param name="AppliedAt">When it was written.</param>
/// <param name="Reason">Why, as the operator said; null when not given.</param>
public sealed record StoredParameterSet(
    string Slot,
    long Version,
    string ContentHash,
    string Content,
    string Model,
    string Description,
    string AppliedBy,
    DateTimeOffset AppliedAt,
    string? Reason);
