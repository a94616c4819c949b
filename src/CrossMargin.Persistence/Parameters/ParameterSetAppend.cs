namespace CrossMargin.Persistence.Parameters;

/// <summary>A parameter set to append to a slot's history; the store numbers and timestamps it.</summary>
/// <param name="Slot">The engine's slot.</param>
/// <param name="ContentHash">The version hash of <paramref name="Content"/>.</param>
/// <param name="Content">The file's full text.</param>
/// <param name="Model">The model the slot takes from it.</param>
/// <param name="Description">The file's own description.</param>
/// <param name="AppliedBy">Who applies it (audit identity).</param>
/// <param name="Reason">Why; null when not given.</param>
public sealed record ParameterSetAppend(string Slot, string ContentHash, string Content, string Model, string Description, string AppliedBy, string? Reason)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first missing field.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Slot);
        ArgumentException.ThrowIfNullOrWhiteSpace(ContentHash);
        ArgumentException.ThrowIfNullOrWhiteSpace(Content);
        ArgumentException.ThrowIfNullOrWhiteSpace(Model);
        ArgumentNullException.ThrowIfNull(Description);
        ArgumentException.ThrowIfNullOrWhiteSpace(AppliedBy);
    }
}
