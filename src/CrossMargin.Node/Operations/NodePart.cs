namespace CrossMargin.Node.Operations;

/// <summary>One node's part in a cluster-wide stress run or parameter dry-run.</summary>
/// <param name="Node">The node's name.</param>
/// <param name="Answered">Whether its part is in the totals.</param>
/// <param name="AccountsEvaluated">Its live accounts assessed (0 when it did not answer).</param>
/// <param name="AccountsFlagged">Of those, the accounts that would breach (stress) or change status (dry-run).</param>
/// <param name="Problem">Why it did not answer: unreachable, timed out, refused, failed.</param>
public sealed record NodePart(string Node, bool Answered, int AccountsEvaluated, int AccountsFlagged, string? Problem);
