namespace CrossMargin.Engine.Accounts;

/// <summary>What became of a command.</summary>
public enum DecisionOutcome
{
    /// <summary>Accepted: persist <see cref="AccountDecision.Events"/>, then apply them.</summary>
    Accepted,

    /// <summary>
    /// Its id is remembered at an old sequence: persist nothing. The caller reads the event recorded under the id and
    /// acknowledges a duplicate when the content is the same, or refuses the command as <see cref="RejectionCode.IdReused"/>
    /// (see <see cref="MessageContent"/>).
    /// </summary>
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
