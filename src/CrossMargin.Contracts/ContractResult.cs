namespace CrossMargin.Contracts;

/// <summary>An inbound message read from the wire: the account it is for and its command, or every violation found.</summary>
/// <typeparam name="T">The command type.</typeparam>
/// <param name="AccountId">The account addressed (null when the message had none or it was invalid).</param>
/// <param name="Command">The command, when the message is valid.</param>
/// <param name="Violations">Everything wrong with the message (empty when valid).</param>
public sealed record ContractResult<T>(string? AccountId, T? Command, IReadOnlyList<ContractViolation> Violations)
    where T : class
{
    /// <summary>True when the message is valid.</summary>
    public bool IsValid => Command is not null && Violations.Count == 0;

    /// <summary>The violations as one line for logs and rejection replies.</summary>
    public string Describe() => string.Join("; ", Violations);
}
