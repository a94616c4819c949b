namespace CrossMargin.Engine.Accounts;

/// <summary>What became of a command.</summary>
public enum DecisionOutcome
{
    /// <summary>Accepted: persist <see cref="AccountDecision.Events"/>, then apply them.</summary>
    Accepted,

    /// <summary>Seen before: acknowledge, persist nothing.</summary>
    Duplicate,

    /// <summary>Refused: reply with <see cref="AccountDecision.Rejection"/>, persist nothing.</summary>
    Rejected,
}
