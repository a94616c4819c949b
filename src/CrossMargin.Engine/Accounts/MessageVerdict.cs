namespace CrossMargin.Engine.Accounts;

/// <summary>What <see cref="MessageLedger"/> says about an inbound message before it is decided.</summary>
public enum MessageVerdict
{
    /// <summary>New and in order (possibly after a gap): decide it.</summary>
    Accepted,

    /// <summary>Its id was seen: acknowledge it and change nothing.</summary>
    Duplicate,

    /// <summary>New id but a sequence at or below its source's highest: reject and report it, change nothing.</summary>
    OutOfOrder,

    /// <summary>
    /// Its id's fingerprint was seen but its sequence is new: a retry its source renumbered, or another id with the same
    /// fingerprint. Only the account's journal can tell; see <see cref="MessageLedger"/>, rule 4.
    /// </summary>
    PossibleDuplicate,

    /// <summary>
    /// Its sequence is further beyond its source's highest than the account accepts: reject and report it, change nothing
    /// (applied, it would leave every later message from the source out of order); see <see cref="MessageLedger"/>, rule 3.
    /// </summary>
    TooFarAhead,
}
