namespace CrossMargin.Contracts;

/// <summary>One thing wrong with an inbound message: the field (JSON name, empty for the whole message) and why.</summary>
/// <param name="Field">The field's JSON name.</param>
/// <param name="Problem">What is wrong, with the value received.</param>
public sealed record ContractViolation(string Field, string Problem)
{
    /// <inheritdoc/>
    public override string ToString() => Field.Length == 0 ? Problem : $"{Field}: {Problem}";
}
