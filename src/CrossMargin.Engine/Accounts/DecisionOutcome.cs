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

    /// <summary>
    /// Not decided yet: the id's fingerprint matches a recently applied one at a new sequence
    /// (<see cref="MessageVerdict.PossibleDuplicate"/>). The caller asks the journal whether the id was applied, then
    /// answers a duplicate or decides again with the id confirmed new.
    /// </summary>
    Unconfirmed,
}
