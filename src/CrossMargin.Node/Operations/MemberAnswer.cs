namespace CrossMargin.Node.Operations;

/// <summary>What one member answered when asked for its local part of an operation.</summary>
/// <typeparam name="T">The local part's type.</typeparam>
/// <param name="Node">The member.</param>
/// <param name="Part">Its local part; null when it did not answer.</param>
/// <param name="Problem">Why it did not answer.</param>
public sealed record MemberAnswer<T>(string Node, T? Part, string? Problem)
    where T : class
{
    /// <summary>The HTTP status the member refused with (e.g. 422: its accounts do not fit the request); null when it answered or was not reached.</summary>
    public int? Status { get; init; }
}
